// Wire responses are checked as untyped JSON, hence `any` in assertions.
import { CustomObjectsApi } from '@kubernetes/client-node';
import { join } from 'node:path';
import { startTestCluster } from './__testUtils__/testCluster';
import type { SimCluster } from '../../cluster/SimCluster';
import { StatusError } from '../StatusError';

const gvr = { group: 'helm.toolkit.fluxcd.io', version: 'v2', resource: 'helmreleases' };

describe('in-process API for simulated controllers', () => {
  let cluster: SimCluster;
  let custom: CustomObjectsApi;
  beforeAll(async () => {
    const started = await startTestCluster({ crds: [join(__dirname, '../../../crds/upstream/helm.toolkit.fluxcd.io_helmreleases.yaml')] });
    cluster = started.cluster;
    custom = started.kc.makeApiClient(CustomObjectsApi);
  });
  afterAll(() => cluster.stop());

  it('sees HTTP writes through watch and gets the same 422 for a status the CRD rejects', async () => {
    const seen: string[] = [];
    const handle = cluster.api.watch(gvr, (type, object) => seen.push(`${type} ${(object as any).metadata.name}`), { namespace: 'default' });
    await custom.createNamespacedCustomObject({
      group: gvr.group, version: gvr.version, plural: gvr.resource, namespace: 'default',
      body: { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'x' },
        spec: { interval: '1m', chart: { spec: { chart: 'c', sourceRef: { kind: 'HelmRepository', name: 'r' } } } } },
    });
    handle.stop();
    expect(seen).toEqual(['ADDED x']);
    const live = cluster.api.get(gvr, 'x', { namespace: 'default' });
    const error = await cluster.api.updateStatus(gvr, { ...live, status: { conditions: [{ type: 'Ready' }] } }).catch(e => e);
    expect(error).toBeInstanceOf(StatusError);
    expect(error.code).toBe(422);
    expect(error.toStatus().details.causes.map((c: any) => c.field)).toEqual(
      expect.arrayContaining(['status.conditions[0].status', 'status.conditions[0].reason']),
    );
    const ok = await cluster.api.updateStatus(gvr, { ...live, status: { observedGeneration: 1 } });
    expect(ok.status).toEqual({ observedGeneration: 1 });
  });

  it('applies with a field manager like HTTP clients', async () => {
    const applied = await cluster.api.patch(gvr, 'x', {
      apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'x' }, status: { observedGeneration: 2 },
    }, { type: 'apply', fieldManager: 'helm-controller', subresource: 'status', namespace: 'default', force: true });
    expect(applied.status).toMatchObject({ observedGeneration: 2 });
    expect(applied.metadata.managedFields!.some(m => m.manager === 'helm-controller' && m.subresource === 'status')).toBe(true);
  });
});
