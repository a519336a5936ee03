// Wire responses are checked as untyped JSON, hence `any` in assertions.
import { CoreV1Api, BatchV1Api, PatchStrategy, setHeaderOptions, V1OwnerReference } from '@kubernetes/client-node';
import { startTestCluster, failure } from './__testUtils__/testCluster';
import type { SimCluster } from '../../cluster/SimCluster';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('deletion', () => {
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

  const ownedBy = (owner: { metadata?: { name?: string; uid?: string } }, kind: string, apiVersion: string, block = false): V1OwnerReference[] => [
    { apiVersion, kind, name: owner.metadata!.name!, uid: owner.metadata!.uid!, blockOwnerDeletion: block },
  ];

  it('holds an object with finalizers until they are removed', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'fin', finalizers: ['example.com/hold'] } } });
    // client-node types delete responses as V1Status, so the held object is read back.
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'fin' });
    const deleting: any = await core.readNamespacedConfigMap({ namespace: 'default', name: 'fin' });
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    expect(deleting.metadata.deletionGracePeriodSeconds).toBe(0);
    const { code, body } = await failure(core.patchNamespacedConfigMap({ namespace: 'default', name: 'fin', body: { metadata: { finalizers: ['example.com/hold', 'new'] } } }, merge));
    expect(code).toBe(422);
    expect(body.details.causes[0].field).toBe('metadata.finalizers');
    await core.patchNamespacedConfigMap({ namespace: 'default', name: 'fin', body: { metadata: { finalizers: null } } }, merge);
    expect((await failure(core.readNamespacedConfigMap({ namespace: 'default', name: 'fin' }))).code).toBe(404);
  });

  it('answers a completed built-in delete with a Success Status', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'gone' } } });
    const status: any = await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'gone' });
    expect(status).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'gone', kind: 'configmaps', uid: cm.metadata!.uid } });
  });

  it('checks uid and resourceVersion preconditions', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'pre' } } });
    const { code, body } = await failure(core.deleteNamespacedConfigMap({ namespace: 'default', name: 'pre', body: { preconditions: { uid: 'nope' } } }));
    expect(code).toBe(409);
    expect(body.message).toMatch(/^Operation cannot be fulfilled on configmaps "pre": Precondition failed: UID in precondition: nope, UID in object meta: /);
  });

  it('garbage-collects dependents of a deleted owner in the background', async () => {
    const owner = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'owner' } } });
    await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'dep', ownerReferences: ownedBy(owner, 'ConfigMap', 'v1') } } });
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'owner', propagationPolicy: 'Background' });
    await cluster.idle();
    expect((await failure(core.readNamespacedSecret({ namespace: 'default', name: 'dep' }))).code).toBe(404);
  });

  it('collects an object written with an owner that is already gone', async () => {
    const owner = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'gone-owner' } } });
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'gone-owner' });
    // A controller acting on a stale cache still writes a child of the deleted owner.
    await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'late-child', ownerReferences: ownedBy(owner, 'ConfigMap', 'v1') } } });
    await cluster.idle();
    expect((await failure(core.readNamespacedSecret({ namespace: 'default', name: 'late-child' }))).code).toBe(404);
  });

  it('drops only the gone owner from a dependent that has others, and still collects the rest', async () => {
    const gone = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'shared-owner-a' } } });
    const stays = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'shared-owner-b' } } });
    await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'shared-dep', ownerReferences: [...ownedBy(gone, 'ConfigMap', 'v1'), ...ownedBy(stays, 'ConfigMap', 'v1')] } } });
    await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'only-dep', ownerReferences: ownedBy(gone, 'ConfigMap', 'v1') } } });
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'shared-owner-a' });
    // A write racing the collector makes its first patch of the shared dependent conflict.
    await core.patchNamespacedSecret({ namespace: 'default', name: 'shared-dep', body: { metadata: { labels: { touched: 'yes' } } } }, merge);
    await cluster.idle();
    const shared = await core.readNamespacedSecret({ namespace: 'default', name: 'shared-dep' });
    expect(shared.metadata!.ownerReferences!.map(r => r.name)).toEqual(['shared-owner-b']);
    expect((await failure(core.readNamespacedSecret({ namespace: 'default', name: 'only-dep' }))).code).toBe(404);
  });

  it('keeps dependents with Orphan and removes their owner reference', async () => {
    const owner = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'owner2' } } });
    await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'dep2', ownerReferences: ownedBy(owner, 'ConfigMap', 'v1') } } });
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'owner2', propagationPolicy: 'Orphan' });
    await cluster.idle();
    const dep = await core.readNamespacedSecret({ namespace: 'default', name: 'dep2' });
    expect(dep.metadata!.ownerReferences).toEqual([]);
    expect((await failure(core.readNamespacedConfigMap({ namespace: 'default', name: 'owner2' }))).code).toBe(404);
  });

  it('keeps a Foreground owner until its blocking dependents are gone', async () => {
    const job = await batch.createNamespacedJob({ namespace: 'default', body: { metadata: { name: 'fg' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } } });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'fg-dep', finalizers: ['example.com/slow'], ownerReferences: ownedBy(job, 'Job', 'batch/v1', true) } } });
    await batch.deleteNamespacedJob({ namespace: 'default', name: 'fg', propagationPolicy: 'Foreground' });
    const deleting: any = await batch.readNamespacedJob({ namespace: 'default', name: 'fg' });
    expect(deleting.metadata.finalizers).toEqual(['foregroundDeletion']);
    await cluster.idle();
    expect((await batch.readNamespacedJob({ namespace: 'default', name: 'fg' })).metadata!.deletionTimestamp).toBeDefined();
    await core.patchNamespacedConfigMap({ namespace: 'default', name: 'fg-dep', body: { metadata: { finalizers: null } } }, merge);
    await cluster.idle();
    expect((await failure(batch.readNamespacedJob({ namespace: 'default', name: 'fg' }))).code).toBe(404);
  });

  it('collects dependents of cluster-scoped owners across namespaces', async () => {
    const ns = await core.createNamespace({ body: { metadata: { name: 'owner-ns' } } });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'by-ns', ownerReferences: ownedBy(ns, 'Namespace', 'v1') } } });
    await core.deleteNamespace({ name: 'owner-ns' });
    await cluster.idle();
    expect((await failure(core.readNamespacedConfigMap({ namespace: 'default', name: 'by-ns' }))).code).toBe(404);
  });

  it('terminates a namespace: contents first, then the namespace', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'held', finalizers: ['example.com/x'] } } });
    await core.deleteNamespace({ name: 'doomed' });
    const ns: any = await core.readNamespace({ name: 'doomed' });
    expect(ns.status.phase).toBe('Terminating');
    expect(ns.spec.finalizers).toEqual(['kubernetes']);
    const { code, body } = await failure(core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'late' } } }));
    expect(code).toBe(403);
    expect(body.message).toBe('configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated');
    await cluster.idle();
    expect((await core.readNamespace({ name: 'doomed' })).status!.phase).toBe('Terminating');
    await core.patchNamespacedConfigMap({ namespace: 'doomed', name: 'held', body: { metadata: { finalizers: null } } }, merge);
    await cluster.idle();
    expect((await failure(core.readNamespace({ name: 'doomed' }))).code).toBe(404);
  });

  it('deletes a collection by label', async () => {
    for (const name of ['k1', 'k2']) await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name, labels: { batch: 'x' } } } });
    await core.deleteCollectionNamespacedConfigMap({ namespace: 'default', labelSelector: 'batch=x' });
    expect((await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'batch=x' })).items).toEqual([]);
  });
});
