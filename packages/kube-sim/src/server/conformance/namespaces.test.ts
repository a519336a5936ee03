// Wire responses are checked as untyped JSON, hence `any` in assertions.
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { failure, useTestCluster } from './__testUtils__/testCluster';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('namespaces', () => {
  const sim = useTestCluster();
  let core: CoreV1Api;
  beforeAll(() => {
    core = sim.kc.makeApiClient(CoreV1Api);
  });

  // SetDefaults_Namespace (pkg/apis/core/v1/defaults.go): webhooks select namespaces by this label.
  it('label every namespace with kubernetes.io/metadata.name, which a client cannot change', async () => {
    const created = await core.createNamespace({ body: { metadata: { name: 'team-a', labels: { tier: 'gold' } } } });
    expect(created.metadata!.labels).toEqual({ tier: 'gold', 'kubernetes.io/metadata.name': 'team-a' });
    const patched = await core.patchNamespace({ name: 'team-a', body: { metadata: { labels: { 'kubernetes.io/metadata.name': 'other' } } } }, merge);
    expect(patched.metadata!.labels!['kubernetes.io/metadata.name']).toBe('team-a');
    const generated = await core.createNamespace({ body: { metadata: { generateName: 'preview-' } } });
    expect(generated.metadata!.labels).toEqual({ 'kubernetes.io/metadata.name': generated.metadata!.name });
    const existing = await core.readNamespace({ name: 'default' });
    expect(existing.metadata!.labels).toEqual({ 'kubernetes.io/metadata.name': 'default' });
  });

  // plugin/pkg/admission/namespace/lifecycle/admission.go runs before the registry validates.
  it('refuses content in a missing namespace with 404 and in a terminating one with 403, before validation', async () => {
    const missing = await failure(core.createNamespacedConfigMap({ namespace: 'nowhere', body: { metadata: { name: 'Bad Name' } } }));
    expect(missing.code).toBe(404);
    expect(missing.body.message).toBe('namespaces "nowhere" not found');

    await core.createNamespace({ body: { metadata: { name: 'leaving' } } });
    await core.createNamespacedConfigMap({ namespace: 'leaving', body: { metadata: { name: 'held', finalizers: ['example.com/keep'] } } });
    await core.deleteNamespace({ name: 'leaving' });
    const terminating = await failure(core.createNamespacedConfigMap({ namespace: 'leaving', body: { metadata: { generateName: 'Bad-' } } }));
    expect(terminating.code).toBe(403);
    expect(terminating.body).toMatchObject({
      reason: 'Forbidden',
      message: 'configmaps "Bad-" is forbidden: unable to create new content in namespace leaving because it is being terminated',
      details: {
        name: 'Bad-', kind: 'configmaps',
        causes: [{ reason: 'NamespaceTerminating', message: 'namespace leaving is being terminated', field: 'metadata.namespace' }],
      },
    });
  });

  // pkg/controller/namespace/deletion (namespaced_resources_deleter.go, status_condition_utils.go).
  it('stays Terminating with the namespace controller\'s conditions until finalizer-held content is gone', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'a', finalizers: ['example.com/keep'] } } });
    await core.createNamespacedSecret({ namespace: 'doomed', body: { metadata: { name: 'b', finalizers: ['example.com/keep'] } } });
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'c' } } });
    const deleted: any = await core.deleteNamespace({ name: 'doomed' });
    // The namespace registry answers with the object (ReturnDeletedObject), now Terminating.
    expect(deleted.kind).toBe('Namespace');
    expect(deleted.status.phase).toBe('Terminating');
    await sim.cluster.idle();

    const ns: any = await core.readNamespace({ name: 'doomed' });
    expect(ns.status.phase).toBe('Terminating');
    const conditions = Object.fromEntries(ns.status.conditions.map((c: any) => [c.type, c]));
    expect(Object.keys(conditions)).toEqual([
      'NamespaceDeletionDiscoveryFailure', 'NamespaceDeletionGroupVersionParsingFailure', 'NamespaceDeletionContentFailure',
      'NamespaceContentRemaining', 'NamespaceFinalizersRemaining',
    ]);
    expect(conditions.NamespaceDeletionContentFailure).toMatchObject({ status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' });
    expect(conditions.NamespaceContentRemaining).toMatchObject({
      status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps. has 1 resource instances, secrets. has 1 resource instances',
    });
    expect(conditions.NamespaceFinalizersRemaining).toMatchObject({
      status: 'True', reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: example.com/keep in 2 resource instances',
    });
    expect(conditions.NamespaceContentRemaining.lastTransitionTime).toBeDefined();

    await core.patchNamespacedConfigMap({ namespace: 'doomed', name: 'a', body: { metadata: { finalizers: null } } }, merge);
    await sim.cluster.idle();
    const fewer: any = await core.readNamespace({ name: 'doomed' });
    const remaining = fewer.status.conditions.find((c: any) => c.type === 'NamespaceContentRemaining');
    expect(remaining.message).toBe('Some resources are remaining: secrets. has 1 resource instances');

    await core.patchNamespacedSecret({ namespace: 'doomed', name: 'b', body: { metadata: { finalizers: null } } }, merge);
    await sim.cluster.idle();
    expect((await failure(core.readNamespace({ name: 'doomed' }))).code).toBe(404);
  });
});
