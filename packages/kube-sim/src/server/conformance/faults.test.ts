// Wire responses are checked as untyped JSON, hence `any` in assertions.
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { startTestCluster, failure } from './__testUtils__/testCluster';
import type { SimCluster } from '../../cluster/SimCluster';

describe('fault injection', () => {
  let cluster: SimCluster;
  let kc: KubeConfig;
  let core: CoreV1Api;
  beforeAll(async () => {
    ({ cluster, kc } = await startTestCluster());
    core = kc.makeApiClient(CoreV1Api);
  });
  afterEach(() => cluster.faults.clear());
  afterAll(() => cluster.stop());

  it('answers a share of requests with 500', async () => {
    cluster.faults.set({ errorRate: 1 });
    const { code, body } = await failure(core.listNamespace());
    expect(code).toBe(500);
    expect(body.reason).toBe('InternalError');
  });

  it('throttles with 429 and Retry-After', async () => {
    cluster.faults.set({ throttleRate: 1, retryAfterSeconds: 7 });
    const error: any = await core.listNamespace().catch(e => e);
    expect(error.code).toBe(429);
    expect(error.headers['retry-after']).toBe('7');
    expect(JSON.parse(error.body)).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 7 } });
  });

  it('cuts watches after N events', async () => {
    for (const name of ['w1', 'w2', 'w3']) await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name } } });
    cluster.faults.set({ watchMaxEvents: 2 });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      new Watch(kc).watch('/api/v1/namespaces/default/configmaps', {}, (_t, o) => seen.push(o.metadata.name), () => resolve()).catch(reject);
    });
    expect(seen).toHaveLength(2);
  });

  it('goes away and comes back on the same port with its state', async () => {
    const url = cluster.url;
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'kept' } } });
    await cluster.goDown();
    const down: any = await core.listNamespace().catch(e => e);
    expect(String(down.code ?? down.cause?.code ?? down.message)).toMatch(/ECONNREFUSED/);
    await cluster.comeBack();
    expect(cluster.url).toBe(url);
    expect((await core.readNamespacedConfigMap({ namespace: 'default', name: 'kept' })).metadata!.name).toBe('kept');
  });

  it('comes back wiped, so an old resourceVersion is too large', async () => {
    const before = cluster.resourceVersion;
    await cluster.goDown();
    await cluster.comeBack({ wipe: true });
    expect((await failure(core.readNamespacedConfigMap({ namespace: 'default', name: 'kept' }))).code).toBe(404);
    const { code, body } = await failure(core.listNamespacedConfigMap({ namespace: 'default', resourceVersion: before }));
    expect(code).toBe(504);
    expect(body.message).toMatch(/^Timeout: Too large resource version/);
  });
});
