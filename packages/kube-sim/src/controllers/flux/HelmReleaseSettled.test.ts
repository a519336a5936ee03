import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { join } from 'node:path';
import { SimCluster } from '../../cluster/SimCluster';
import type { KubeObject } from '../../types';
import { startControllers, SimControllersHandle } from '../startControllers';
import { eventually } from '../runtime/eventually';

/*
 * With a reconcile interval (any time scale above 0), a Ready HelmRelease must stay put
 * between interval passes: the controller's own status writes are not new intent.
 */

const HR = { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases' };
const REPO = { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'helmrepositories' };

describe('a settled HelmRelease', () => {
  let cluster: SimCluster;
  let handle: SimControllersHandle;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    cluster = await SimCluster.start({ tls: false, crds: [join(__dirname, '../../../crds/upstream')] });
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeConfig());
    custom = kc.makeApiClient(CustomObjectsApi);
    // 1 h intervals become 3.6 s: passes the controller asks for are far apart.
    handle = startControllers(cluster, { flux: true, timeScale: 0.001 });
  }, 30_000);

  afterAll(async () => {
    handle.stop();
    await cluster.stop();
  });

  it('is not rewritten between its interval passes', async () => {
    await custom.createNamespacedCustomObject({
      ...REPO,
      namespace: 'default',
      body: {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'HelmRepository',
        metadata: { name: 'vaultwarden' },
        spec: { url: 'https://guerzon.github.io/vaultwarden', interval: '1h' },
      },
    });
    await custom.createNamespacedCustomObject({
      ...HR,
      namespace: 'default',
      body: {
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: { name: 'vault' },
        spec: {
          interval: '1h',
          chart: { spec: { chart: 'vaultwarden', version: '0.31.0', sourceRef: { kind: 'HelmRepository', name: 'vaultwarden' } } },
        },
      },
    });
    const get = () => custom.getNamespacedCustomObject({ ...HR, namespace: 'default', name: 'vault' }) as Promise<KubeObject>;
    await eventually(
      async () => {
        const hr = await get();
        const ready = (hr.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions?.find(
          c => c.type === 'Ready',
        );
        return ready?.status === 'True' ? hr : undefined;
      },
      { timeoutMs: 15_000, what: 'HelmRelease Ready' },
    );
    const settled = (await get()).metadata.resourceVersion;
    await new Promise(resolve => setTimeout(resolve, 500));
    expect((await get()).metadata.resourceVersion).toBe(settled);
  }, 30_000);
});
