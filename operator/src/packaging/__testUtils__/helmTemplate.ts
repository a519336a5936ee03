import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { ensureKubeTools } from './kubeTools';

const run = promisify(execFile);

/** The operator package's root (where Dockerfile, chart/ and crds/ live). */
export const operatorDir = path.resolve(__dirname, '..', '..', '..');
export const chartDir = path.join(operatorDir, 'chart');

/** A rendered Kubernetes object, loosely typed: tests read fields by path. */
export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm (async: a kube-sim in the same process must keep answering) and never throws on exit codes. */
export async function helm(args: string[]): Promise<HelmResult> {
  const { helm: bin } = ensureKubeTools();
  try {
    const { stdout, stderr } = await run(bin, args, { maxBuffer: 64 * 1024 * 1024, env: helmEnv() });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}

// Keep helm away from the user's config, cache and repositories.
function helmEnv(): NodeJS.ProcessEnv {
  const home = path.join(os.tmpdir(), 'fleet-operator-helm-home');
  return {
    PATH: process.env.PATH,
    HOME: home,
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
  };
}

export interface TemplateOptions {
  release?: string;
  namespace?: string;
  set?: Record<string, string | number | boolean>;
  includeCrds?: boolean;
}

/** `helm template` of the chart; rejects with helm's message when rendering fails. */
export async function helmTemplate(options: TemplateOptions = {}): Promise<RenderedObject[]> {
  const args = ['template', options.release ?? 'fleet-operator', chartDir, '--namespace', options.namespace ?? 'fleet-system'];
  if (options.includeCrds) args.push('--include-crds');
  for (const [key, value] of Object.entries(options.set ?? {})) args.push('--set', `${key}=${value}`);
  const result = await helm(args);
  if (result.code !== 0) throw new Error(result.stderr.trim());
  return parseAllDocuments(result.stdout)
    .map(doc => doc.toJS() as RenderedObject | null)
    .filter((o): o is RenderedObject => !!o);
}

/** The one object of a kind and name; throws listing what was rendered otherwise. */
export function find(objects: RenderedObject[], kind: string, name: string): RenderedObject {
  const found = objects.find(o => o.kind === kind && o.metadata.name === name);
  if (!found) {
    throw new Error(`no ${kind} ${name} among ${objects.map(o => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  }
  return found;
}
