import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../types';

// Parsed once per process: a fleet of 50 clusters shares the (large, immutable) CRD objects.
const parsed = new Map<string, { mtimeMs: number; objects: KubeObject[] }>();

function readYamlFile(path: string): KubeObject[] {
  const mtimeMs = statSync(path).mtimeMs;
  const cached = parsed.get(path);
  if (cached && cached.mtimeMs === mtimeMs) return cached.objects;
  const text = readFileSync(path, 'utf8');
  const objects = parseAllDocuments(text)
    .map(doc => doc.toJS({ maxAliasCount: -1 }) as KubeObject | null)
    .filter((o): o is KubeObject => !!o && typeof o === 'object' && typeof o.kind === 'string');
  parsed.set(path, { mtimeMs, objects });
  return objects;
}

/** CustomResourceDefinitions from YAML files or directories of them (`.yaml`, `.yml`, `.json`). */
export function readCrds(paths: string[]): KubeObject[] {
  const out: KubeObject[] = [];
  for (const path of paths) {
    if (statSync(path).isDirectory()) {
      const files = readdirSync(path).filter(f => /\.(ya?ml|json)$/.test(f)).sort();
      out.push(...readCrds(files.map(f => join(path, f))));
    } else {
      out.push(...readYamlFile(path).filter(o => o.kind === 'CustomResourceDefinition'));
    }
  }
  return out;
}
