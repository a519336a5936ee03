// Wire responses are checked as untyped JSON, hence `any` in assertions.
import { AppsV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy, setHeaderOptions, BatchV1Api } from '@kubernetes/client-node';
import { join } from 'node:path';
import { startTestCluster, failure } from './__testUtils__/testCluster';
import type { SimCluster } from '../../cluster/SimCluster';

const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
const hr = { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases', namespace: 'default' };
const body = (interval: string) => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'ssa', namespace: 'default' },
  spec: { interval, chart: { spec: { chart: 'c', sourceRef: { kind: 'HelmRepository', name: 'r' } } } },
});

describe('server-side apply', () => {
  let cluster: SimCluster;
  let custom: CustomObjectsApi;
  let objects: KubernetesObjectApi;
  let batch: BatchV1Api;
  let kc: KubeConfig;
  beforeAll(async () => {
    const started = await startTestCluster({ crds: [join(__dirname, '../../../crds/upstream/helm.toolkit.fluxcd.io_helmreleases.yaml')] });
    cluster = started.cluster;
    kc = started.kc;
    custom = started.kc.makeApiClient(CustomObjectsApi);
    objects = KubernetesObjectApi.makeApiClient(started.kc);
    batch = started.kc.makeApiClient(BatchV1Api);
  });
  afterAll(() => cluster.stop());

  it('creates through apply and records an Apply managedFields entry', async () => {
    const created: any = await custom.patchNamespacedCustomObject({ ...hr, name: 'ssa', body: body('5m'), fieldManager: 'fleet' }, apply);
    expect(created.metadata.uid).toBeDefined();
    expect(created.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'fleet', operation: 'Apply', apiVersion: 'helm.toolkit.fluxcd.io/v2' }),
    ]);
  });

  it('answers a conflicting apply with 409 and FieldManagerConflict causes, and force takes over', async () => {
    const { code, body: status } = await failure(custom.patchNamespacedCustomObject({ ...hr, name: 'ssa', body: body('9m'), fieldManager: 'other' }, apply));
    expect(code).toBe(409);
    expect(status.reason).toBe('Conflict');
    expect(status.message).toBe('Apply failed with 1 conflict: conflict with "fleet": .spec.interval');
    expect(status.details.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "fleet"', field: '.spec.interval' }]);
    const forced: any = await custom.patchNamespacedCustomObject({ ...hr, name: 'ssa', body: body('9m'), fieldManager: 'other', force: true }, apply);
    expect(forced.spec.interval).toBe('9m');
  });

  it('requires a fieldManager for apply', async () => {
    const { code, body: status } = await failure(custom.patchNamespacedCustomObject({ ...hr, name: 'ssa', body: body('1m') }, apply));
    expect(code).toBe(422);
    expect(status.message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  });

  it('applies built-ins through KubernetesObjectApi and records other writes as Update', async () => {
    const job = {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'default' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } },
    };
    await objects.patch(job, undefined, undefined, 'fleet', true, PatchStrategy.ServerSideApply);
    const updated = await batch.patchNamespacedJob({ name: 'j', namespace: 'default', body: { metadata: { labels: { x: 'y' } } }, fieldManager: 'labeller' },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    const managers = updated.metadata!.managedFields!.map(m => [m.manager, m.operation]);
    expect(managers).toEqual([['fleet', 'Apply'], ['labeller', 'Update']]);
    expect(updated.metadata!.generation).toBe(1);
  });

  it('merges strategic patches of built-in container lists by name', async () => {
    // A Job's template is immutable (batch validation ValidatePodTemplateUpdate): a Deployment's is not.
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'd' },
        spec: {
          selector: { matchLabels: { app: 'd' } },
          template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'main', image: 'busybox' }, { name: 'proxy', image: 'envoy' }] } },
        },
      },
    });
    const patched = await apps.patchNamespacedDeployment({ name: 'd', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'main', image: 'alpine' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    expect(patched.spec!.template.spec!.containers.map(c => [c.name, c.image])).toEqual([['main', 'alpine'], ['proxy', 'envoy']]);
    expect(patched.spec!.template.spec!.restartPolicy).toBe('Always');
    expect(patched.metadata!.generation).toBe(2);
  });

  it('applies a JSON patch with a failing test op as 422', async () => {
    const { code } = await failure(batch.patchNamespacedJob({ name: 'j', namespace: 'default', body: [{ op: 'test', path: '/metadata/name', value: 'other' }] }));
    expect(code).toBe(422);
  });
});
