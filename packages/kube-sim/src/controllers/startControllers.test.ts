import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { join } from 'node:path';
import { SimCluster } from '../cluster/SimCluster';
import type { KubeObject } from '../types';
import { eventually } from './runtime/eventually';
import { startControllers } from './startControllers';

describe('startControllers', () => {
  let cluster: SimCluster;

  beforeAll(async () => {
    cluster = await SimCluster.start({
      tls: false,
      crds: ['helm.toolkit.fluxcd.io_helmreleases.yaml', 'source.toolkit.fluxcd.io_helmrepositories.yaml', 'source.toolkit.fluxcd.io_helmcharts.yaml',
        'source.toolkit.fluxcd.io_ocirepositories.yaml'].map(f => join(__dirname, '../../crds/upstream', f)),
    });
  }, 30_000);

  afterAll(async () => {
    await cluster.stop();
  });

  it('runs Flux with the Job controller: a HelmRelease installs and hook Jobs are waited for', async () => {
    const handle = startControllers(cluster, { flux: true, jobs: true, timeScale: 0 });
    try {
      expect(handle.controllers.map(c => c.name)).toEqual(['source-controller', 'source-controller', 'source-controller', 'helm-controller', 'job-controller']);
      const kc = new KubeConfig();
      kc.loadFromString(cluster.kubeConfig());
      const custom = kc.makeApiClient(CustomObjectsApi);
      await custom.createNamespacedCustomObject({ group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'helmrepositories', namespace: 'default',
        body: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'vaultwarden' }, spec: { url: 'https://guerzon.github.io/vaultwarden' } } });
      await custom.createNamespacedCustomObject({ group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases', namespace: 'default',
        body: { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'vault' },
          spec: { interval: '5m', chart: { spec: { chart: 'vaultwarden', version: '0.31.0', sourceRef: { kind: 'HelmRepository', name: 'vaultwarden' } } } } } });
      const hr = await eventually(async () => {
        const o = (await custom.getNamespacedCustomObject({ group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases', namespace: 'default', name: 'vault' })) as KubeObject;
        const ready = ((o.status as { conditions?: Array<{ type: string; status: string; reason: string }> })?.conditions ?? []).find(c => c.type === 'Ready');
        return ready?.status === 'True' ? ready : undefined;
      }, { timeoutMs: 15_000, what: 'HelmRelease ready' });
      expect(hr.reason).toBe('InstallSucceeded');
      await handle.whenIdle();
    } finally {
      handle.stop();
    }
  }, 20_000);

  it('starts every simulated controller a cluster can run, and stops them', async () => {
    const full = await SimCluster.start({
      tls: false,
      crds: [join(__dirname, '../../crds/upstream'), join(__dirname, '../../crds/volsync')],
    });
    const handle = startControllers(full, {
      flux: true,
      argocd: true,
      velero: true,
      workflows: true,
      jobs: true,
      snapshots: true,
      volsync: true,
      timeScale: 0,
    });
    try {
      expect(handle.controllers.map(c => c.name).sort()).toEqual(
        [
          'argocd-application-controller',
          'helm-controller',
          'job-controller',
          'snapshot-controller',
          'source-controller',
          'source-controller',
          'source-controller',
          'velero-server',
          'volsync',
          'workflow-controller',
        ].sort(),
      );
      await handle.whenIdle();
    } finally {
      handle.stop();
      await full.stop();
    }
  }, 30_000);
});
