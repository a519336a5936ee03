// Wire responses are checked as untyped JSON, hence `any` in assertions.
import { join } from 'node:path';
import type { SimCluster } from '../../cluster/SimCluster';
import { startTestCluster } from '../conformance/__testUtils__/testCluster';

const CRD = join(__dirname, '../../../crds/upstream/helm.toolkit.fluxcd.io_helmreleases.yaml');

describe('OpenAPI documents', () => {
  let cluster: SimCluster;
  beforeAll(async () => {
    cluster = (await startTestCluster({ crds: [CRD] })).cluster;
  });
  afterAll(() => cluster.stop());

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${cluster.url}${path}`, { headers: { Authorization: `Bearer ${cluster.adminToken}`, ...headers }, redirect: 'manual' });
  const index = async (): Promise<any> => (await get('/openapi/v3')).json();

  it('indexes every group-version with a hash-addressed URL', async () => {
    const { paths } = await index();
    expect(paths['api/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]+$/);
    expect(paths['apis/helm.toolkit.fluxcd.io/v2'].serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/helm\.toolkit\.fluxcd\.io\/v2\?hash=/);
  });

  it('publishes a CRD schema under kube\'s name, with its kind and a PATCH that takes fieldValidation', async () => {
    const { paths } = await index();
    const response = await get(paths['apis/helm.toolkit.fluxcd.io/v2'].serverRelativeURL);
    expect(response.headers.get('cache-control')).toBe('public, immutable');
    const doc: any = await response.json();
    const schema = doc.components.schemas['io.fluxcd.toolkit.helm.v2.HelmRelease'];
    expect(schema['x-kubernetes-group-version-kind']).toEqual([{ group: 'helm.toolkit.fluxcd.io', kind: 'HelmRelease', version: 'v2' }]);
    expect(schema.properties.spec.properties.chart.type).toBe('object');
    const patch = doc.paths['/apis/helm.toolkit.fluxcd.io/v2/namespaces/{namespace}/helmreleases/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'helm.toolkit.fluxcd.io', version: 'v2', kind: 'HelmRelease' });
    expect(patch.parameters.map((p: any) => p.name)).toContain('fieldValidation');
  });

  it('answers a matching ETag with 304 and a stale hash with a redirect to the current one', async () => {
    const { paths } = await index();
    const url = paths['api/v1'].serverRelativeURL;
    const etag = (await get(url)).headers.get('etag')!;
    expect((await get(url, { 'If-None-Match': etag })).status).toBe(304);
    const stale = await get('/openapi/v3/api/v1?hash=0000');
    expect(stale.status).toBe(301);
    expect(stale.headers.get('location')).toBe(url);
  });

  it('serves a Swagger 2.0 document with the same definition names', async () => {
    const doc: any = await (await get('/openapi/v2')).json();
    expect(doc.swagger).toBe('2.0');
    expect(doc.definitions['io.k8s.api.core.v1.ConfigMap']['x-kubernetes-group-version-kind']).toEqual([{ group: '', kind: 'ConfigMap', version: 'v1' }]);
    expect(doc.definitions['io.fluxcd.toolkit.helm.v2.HelmRelease']).toBeDefined();
  });

  it('follows CRD deletion and creation', async () => {
    const before = (await index()).paths['apis/helm.toolkit.fluxcd.io/v2'].serverRelativeURL;
    const crds = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };
    await cluster.api.delete(crds, 'helmreleases.helm.toolkit.fluxcd.io');
    expect((await index()).paths['apis/helm.toolkit.fluxcd.io/v2']).toBeUndefined();
    expect((await get('/openapi/v3/apis/helm.toolkit.fluxcd.io/v2')).status).toBe(404);
    await cluster.installCrds([CRD]);
    expect((await index()).paths['apis/helm.toolkit.fluxcd.io/v2'].serverRelativeURL).toBe(before);
  });
});
