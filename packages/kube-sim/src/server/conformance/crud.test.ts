import { CoreV1Api, BatchV1Api } from '@kubernetes/client-node';
import { startTestCluster, failure } from './__testUtils__/testCluster';
import type { SimCluster } from '../../cluster/SimCluster';

describe('create, get, update', () => {
  let cluster: SimCluster;
  let core: CoreV1Api;
  let batch: BatchV1Api;
  beforeAll(async () => {
    const started = await startTestCluster();
    cluster = started.cluster;
    core = started.kc.makeApiClient(CoreV1Api);
    batch = started.kc.makeApiClient(BatchV1Api);
  });
  afterAll(() => cluster.stop());

  it('creates a ConfigMap with uid, creationTimestamp and resourceVersion', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'one' }, data: { a: 'b' } },
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
    const got = await core.readNamespacedConfigMap({ name: 'one', namespace: 'default' });
    expect(got.data).toEqual({ a: 'b' });
  });

  it('answers a duplicate with 409 AlreadyExists', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'dup' } } });
    const { code, body } = await failure(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'dup' } } }));
    expect(code).toBe(409);
    expect(body).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'configmaps "dup" already exists', reason: 'AlreadyExists',
      details: { name: 'dup', kind: 'configmaps' }, code: 409,
    });
  });

  it('answers a missing object with 404 NotFound', async () => {
    const { code, body } = await failure(batch.readNamespacedJob({ name: 'nope', namespace: 'default' }));
    expect(code).toBe(404);
    expect(body.message).toBe('jobs.batch "nope" not found');
    expect(body.details).toEqual({ name: 'nope', group: 'batch', kind: 'jobs' });
  });
});
