// Wire responses are checked as untyped JSON, hence `any` in assertions.
import { CustomObjectsApi, ApiextensionsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startTestCluster, failure } from './__testUtils__/testCluster';
import type { SimCluster } from '../../cluster/SimCluster';
import { join } from 'node:path';

const UPSTREAM = join(__dirname, '../../../crds/upstream');
const hr = { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases' };

function helmRelease(name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace: 'default' },
    spec: {
      interval: '5m',
      chart: { spec: { chart: 'nextcloud', sourceRef: { kind: 'HelmRepository', name: 'nextcloud' } } },
      ...spec,
    },
  };
}

describe('custom resources from upstream CRDs', () => {
  let cluster: SimCluster;
  let custom: CustomObjectsApi;
  let ext: ApiextensionsV1Api;
  beforeAll(async () => {
    const started = await startTestCluster();
    cluster = started.cluster;
    custom = started.kc.makeApiClient(CustomObjectsApi);
    ext = started.kc.makeApiClient(ApiextensionsV1Api);
    await cluster.installCrds([UPSTREAM]);
  });
  afterAll(() => cluster.stop());

  it('marks installed CRDs Established and NamesAccepted', async () => {
    const crd = await ext.readCustomResourceDefinition({ name: 'helmreleases.helm.toolkit.fluxcd.io' });
    const conditions = Object.fromEntries((crd.status?.conditions ?? []).map(c => [c.type, c.status]));
    expect(conditions).toEqual({ Established: 'True', NamesAccepted: 'True' });
    expect(crd.status?.storedVersions).toEqual(['v2']);
  });

  it('creates a HelmRelease with generation 1 and no status', async () => {
    const created: any = await custom.createNamespacedCustomObject({ ...hr, namespace: 'default', body: { ...helmRelease('app'), status: { x: 1 } } });
    expect(created.metadata.generation).toBe(1);
    expect(created.status).toBeUndefined();
  });

  it('rejects an invalid HelmRelease with 422 and causes', async () => {
    const body = helmRelease('bad');
    delete (body.spec as Record<string, unknown>).interval;
    const { code, body: status } = await failure(custom.createNamespacedCustomObject({ ...hr, namespace: 'default', body }));
    expect(code).toBe(422);
    expect(status.reason).toBe('Invalid');
    // The HelmRelease CRD has CEL rules: kube says they went unchecked (customresource/strategy.go hasBlockingErr).
    expect(status.message).toBe('HelmRelease.helm.toolkit.fluxcd.io "bad" is invalid: [spec.interval: Required value, <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]');
    expect(status.details).toEqual({
      name: 'bad', group: 'helm.toolkit.fluxcd.io', kind: 'HelmRelease',
      causes: [
        { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.interval' },
        {
          reason: 'FieldValueInvalid', field: '<nil>',
          message: 'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
        },
      ],
    });
  });

  it('answers a stale update with kube\'s 409 Conflict message', async () => {
    const created: any = await custom.createNamespacedCustomObject({ ...hr, namespace: 'default', body: helmRelease('stale') });
    await custom.patchNamespacedCustomObject({ ...hr, namespace: 'default', name: 'stale', body: { spec: { suspend: true } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const { code, body } = await failure(custom.replaceNamespacedCustomObject({ ...hr, namespace: 'default', name: 'stale', body: created }));
    expect(code).toBe(409);
    expect(body.message).toBe('Operation cannot be fulfilled on helmreleases.helm.toolkit.fluxcd.io "stale": the object has been modified; please apply your changes to the latest version and try again');
  });

  it('bumps generation on spec changes only, and isolates status', async () => {
    await custom.createNamespacedCustomObject({ ...hr, namespace: 'default', body: helmRelease('gen') });
    const labelled: any = await custom.patchNamespacedCustomObject({ ...hr, namespace: 'default', name: 'gen', body: { metadata: { labels: { a: 'b' } }, status: { observedGeneration: 9 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(labelled.metadata.generation).toBe(1);
    expect(labelled.status).toBeUndefined();
    const specChanged: any = await custom.patchNamespacedCustomObject({ ...hr, namespace: 'default', name: 'gen', body: { spec: { interval: '10m' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(specChanged.metadata.generation).toBe(2);
    const status: any = await custom.patchNamespacedCustomObjectStatus({ ...hr, namespace: 'default', name: 'gen', body: { spec: { interval: '1h' }, status: { observedGeneration: 2 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(status.status).toEqual({ observedGeneration: 2 });
    expect(status.spec.interval).toBe('10m');
    expect(status.metadata.generation).toBe(2);
  });

  it('refuses strategic merge patch on custom resources with 415', async () => {
    await custom.createNamespacedCustomObject({ ...hr, namespace: 'default', body: helmRelease('smp') });
    const { code, body } = await failure(custom.patchNamespacedCustomObject({ ...hr, namespace: 'default', name: 'smp', body: { spec: { suspend: true } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)));
    expect(code).toBe(415);
    expect(body.reason).toBe('UnsupportedMediaType');
  });

  it('serves the 2.8 MB Argo Workflow schema', async () => {
    const wf: any = await custom.createNamespacedCustomObject({
      group: 'argoproj.io', version: 'v1alpha1', plural: 'workflows', namespace: 'default',
      body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { generateName: 'wf-' }, spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'alpine' } }] } },
    });
    expect(wf.metadata.name).toMatch(/^wf-[a-z0-9]{5}$/);
  });
});
