import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimCluster } from '@vworkspace/kube-sim';
import { operatorDir } from './__testUtils__/helmTemplate';
import { ensureKubeTools } from './__testUtils__/kubeTools';

jest.setTimeout(120_000);

const script = path.join(operatorDir, 'install', 'install.sh');
const upstreamCrds = path.join(operatorDir, '..', 'packages', 'kube-sim', 'crds', 'upstream');
/** Flux's (what the chart needs) and Velero's Backup CRDs, as a cluster with both installed serves them. */
const fluxAndVeleroCrds = ['source.toolkit.fluxcd.io_helmrepositories.yaml', 'helm.toolkit.fluxcd.io_helmreleases.yaml', 'velero.io_backups.yaml'].map(file =>
  path.join(upstreamCrds, file),
);

/** Runs install.sh with the real kubectl and helm first on PATH and a kubeconfig for `cluster`. */
function runScript(cluster: SimCluster, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-operator-install-'));
  const tools = ensureKubeTools();
  symlinkSync(tools.kubectl, path.join(dir, 'kubectl'));
  symlinkSync(tools.helm, path.join(dir, 'helm'));
  writeFileSync(path.join(dir, 'kubeconfig'), cluster.kubeConfig(), { mode: 0o600 });
  const env = { PATH: `${dir}:/usr/bin:/bin`, HOME: dir, KUBECONFIG: path.join(dir, 'kubeconfig') };
  return new Promise(resolve => {
    execFile('bash', [script, ...args], { env }, (err, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true });
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('install.sh', () => {
  it('refuses to install without Flux and says how to get it', async () => {
    const cluster = await SimCluster.start();
    try {
      const result = await runScript(cluster, ['--dry-run']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('Flux is not installed (missing: source-controller helm-controller)');
      expect(result.stderr).toContain('--with-flux');
    } finally {
      await cluster.stop();
    }
  });

  it('with Flux present, names the engines that will be unavailable', async () => {
    const cluster = await SimCluster.start({ crds: fluxAndVeleroCrds });
    try {
      await cluster.api.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'velero' } });
      const result = await runScript(cluster, ['--dry-run']);
      expect(result.stderr).not.toContain('Flux is not installed');
      expect(result.stderr).not.toContain('Velero is not installed');
      // The chart renders the Velero Role into Velero's namespace only when told to: found, so enabled.
      expect(result.stderr).toContain('Velero found: enabling the velero engine (velero.enabled=true)');
      expect(result.stderr).toContain('Argo Workflows is not installed: the workflow engine will be unavailable');
      // A dry run stores nothing. (kube-sim serves no /openapi, so kubectl's own validation of the
      // CRDs stops the dry run there; a real API server gets as far as `helm upgrade --dry-run`.)
      const crds = await cluster.api.list({ group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' });
      expect(crds.items.map(c => c.metadata.name)).not.toContain('operations.ops.vworkspace.io');
    } finally {
      await cluster.stop();
    }
  });

  it('leaves the velero engine off where Velero\'s CRDs are installed but its namespace is not', async () => {
    const cluster = await SimCluster.start({ crds: fluxAndVeleroCrds });
    try {
      const result = await runScript(cluster, ['--dry-run']);
      expect(result.stderr).toContain('Velero is not installed (no backups.velero.io CRD or no velero namespace)');
      expect(result.stderr).not.toContain('enabling the velero engine');
    } finally {
      await cluster.stop();
    }
  });

  it('rejects an unknown option with the usage', async () => {
    const cluster = await SimCluster.start();
    try {
      const result = await runScript(cluster, ['--frobnicate']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('unknown argument: --frobnicate');
      expect(result.stderr).toContain('Usage: install.sh');
    } finally {
      await cluster.stop();
    }
  });
});
