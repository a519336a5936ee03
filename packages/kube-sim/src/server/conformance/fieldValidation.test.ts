// Wire responses are checked as untyped JSON, hence `any` in assertions.
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { join } from 'node:path';
import type { SimCluster } from '../../cluster/SimCluster';
import { failure, startTestCluster } from './__testUtils__/testCluster';

const hr = { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases', namespace: 'default' };
const release = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name, namespace: 'default' },
  spec: { interval: '5m', chart: { spec: { chart: 'c', sourceRef: { kind: 'HelmRepository', name: 'r' } } }, ...spec },
});
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

describe('server-side field validation', () => {
  let cluster: SimCluster;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  beforeAll(async () => {
    const started = await startTestCluster({ crds: [join(__dirname, '../../../crds/upstream/helm.toolkit.fluxcd.io_helmreleases.yaml')] });
    cluster = started.cluster;
    custom = started.kc.makeApiClient(CustomObjectsApi);
    core = started.kc.makeApiClient(CoreV1Api);
  });
  afterAll(() => cluster.stop());

  const raw = (method: string, path: string, body: string, contentType = 'application/json') =>
    fetch(`${cluster.url}${path}`, { method, body, headers: { Authorization: `Bearer ${cluster.adminToken}`, 'Content-Type': contentType } });

  describe('on a custom resource', () => {
    it('refuses unknown fields with Strict, naming every one', async () => {
      const { code, body } = await failure(custom.createNamespacedCustomObject({
        ...hr, body: release('strict', { foo: 1, chart: { spec: { chart: 'c', bar: 2, sourceRef: { kind: 'HelmRepository', name: 'r' } } } }), fieldValidation: 'Strict',
      }));
      expect(code).toBe(400);
      expect(body.reason).toBe('BadRequest');
      expect(body.message).toBe('HelmRelease in version "v2" cannot be handled as a HelmRelease: strict decoding error: unknown field "spec.chart.spec.bar", unknown field "spec.foo"');
      await expect(custom.getNamespacedCustomObject({ ...hr, name: 'strict' })).rejects.toMatchObject({ code: 404 });
    });

    it('warns about unknown fields with Warn and stores the object pruned', async () => {
      const response = await custom.createNamespacedCustomObjectWithHttpInfo({ ...hr, body: release('warned', { foo: 1 }), fieldValidation: 'Warn' });
      expect(response.httpStatusCode).toBe(201);
      expect(response.headers.warning).toContain('299 - "unknown field \\"spec.foo\\""');
      const stored: any = await custom.getNamespacedCustomObject({ ...hr, name: 'warned' });
      expect(stored.spec.foo).toBeUndefined();
    });

    it('warns by default, as kube-apiserver does when fieldValidation is absent', async () => {
      const response = await custom.createNamespacedCustomObjectWithHttpInfo({ ...hr, body: release('default', { foo: 1 }) });
      expect(response.headers.warning).toContain('unknown field \\"spec.foo\\"');
    });

    it('drops unknown fields silently with Ignore', async () => {
      const response = await custom.createNamespacedCustomObjectWithHttpInfo({ ...hr, body: release('ignored', { foo: 1 }), fieldValidation: 'Ignore' });
      expect(response.httpStatusCode).toBe(201);
      expect(response.headers.warning).toBeUndefined();
      expect(((await custom.getNamespacedCustomObject({ ...hr, name: 'ignored' })) as any).spec.foo).toBeUndefined();
    });

    it('checks the patched object, reporting a patch error without the kind prefix', async () => {
      const { code, body } = await failure(custom.patchNamespacedCustomObject({ ...hr, name: 'warned', body: { spec: { baz: true } }, fieldValidation: 'Strict' }, mergePatch));
      expect(code).toBe(400);
      expect(body.message).toBe('strict decoding error: unknown field "spec.baz"');
      const patched = await custom.patchNamespacedCustomObject({ ...hr, name: 'warned', body: { spec: { suspend: true } }, fieldValidation: 'Strict' }, mergePatch);
      expect((patched as any).spec.suspend).toBe(true);
    });

    it('validates server-side apply bodies too', async () => {
      const { code, body } = await failure(custom.patchNamespacedCustomObject(
        { ...hr, name: 'applied', body: release('applied', { foo: 1 }), fieldManager: 'fleet', fieldValidation: 'Strict' }, apply));
      expect(code).toBe(400);
      expect(body.message).toBe('strict decoding error: unknown field "spec.foo"');
    });

    it('reports unknown metadata fields, which no kind declares', async () => {
      const body = { ...release('meta'), metadata: { name: 'meta', namespace: 'default', colour: 'blue' } };
      const { body: status } = await failure(custom.createNamespacedCustomObject({ ...hr, body, fieldValidation: 'Strict' }));
      expect(status.message).toContain('strict decoding error: unknown field "metadata.colour"');
    });

    it('reports duplicate fields in the body, in document order before unknown ones', async () => {
      const text = '{"apiVersion":"helm.toolkit.fluxcd.io/v2","kind":"HelmRelease","metadata":{"name":"dupe","name":"dupe"},' +
        '"spec":{"interval":"1m","interval":"5m","foo":1,"chart":{"spec":{"chart":"c","sourceRef":{"kind":"HelmRepository","name":"r"}}}}}';
      const strict = await raw('POST', '/apis/helm.toolkit.fluxcd.io/v2/namespaces/default/helmreleases?fieldValidation=Strict', text);
      expect(strict.status).toBe(400);
      expect((await strict.json()).message).toBe(
        'HelmRelease in version "v2" cannot be handled as a HelmRelease: strict decoding error: duplicate field "metadata.name", duplicate field "spec.interval", unknown field "spec.foo"',
      );
      const warned = await raw('POST', '/apis/helm.toolkit.fluxcd.io/v2/namespaces/default/helmreleases', text);
      expect(warned.status).toBe(201);
      expect(warned.headers.get('warning')).toBe(
        '299 - "duplicate field \\"metadata.name\\"", 299 - "duplicate field \\"spec.interval\\"", 299 - "unknown field \\"spec.foo\\""',
      );
      expect((await warned.json()).spec.interval).toBe('5m');
    });

    it('refuses an unsupported fieldValidation value', async () => {
      const { code, body } = await failure(custom.createNamespacedCustomObject({ ...hr, body: release('bad'), fieldValidation: 'Loud' }));
      expect(code).toBe(422);
      expect(body.details.causes).toEqual([{ reason: 'FieldValueNotSupported', field: 'fieldValidation', message: 'Unsupported value: "Loud": supported values: "Ignore", "Strict", "Warn"' }]);
    });
  });

  describe('on a built-in', () => {
    const configMap = (name: string, metadata: Record<string, unknown> = {}) =>
      ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...metadata }, data: { a: 'b' } });

    // client-node's typed serializer drops fields ConfigMap does not declare, so these go out raw.
    const createRaw = (name: string, directive?: string) =>
      raw('POST', `/api/v1/namespaces/default/configmaps${directive ? `?fieldValidation=${directive}` : ''}`, JSON.stringify(configMap(name, { colour: 'blue' })));

    it('refuses an unknown metadata field with Strict', async () => {
      const response = await createRaw('cm-strict', 'Strict');
      expect(response.status).toBe(400);
      expect((await response.json()).message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "metadata.colour"');
    });

    it('warns with Warn and stores the object without the field', async () => {
      const response = await createRaw('cm-warn', 'Warn');
      expect(response.status).toBe(201);
      expect(response.headers.get('warning')).toBe('299 - "unknown field \\"metadata.colour\\""');
      const stored = await fetch(`${cluster.url}/api/v1/namespaces/default/configmaps/cm-warn`, { headers: { Authorization: `Bearer ${cluster.adminToken}` } });
      expect((await stored.json()).metadata).not.toHaveProperty('colour');
    });

    it('stays silent with Ignore', async () => {
      const response = await createRaw('cm-ignore', 'Ignore');
      expect(response.status).toBe(201);
      expect(response.headers.get('warning')).toBeNull();
    });

    it('accepts fields its loose schema leaves open, as no valid object may be refused', async () => {
      const body = { ...configMap('cm-open'), immutable: true };
      const created = await core.createNamespacedConfigMap({ namespace: 'default', body, fieldValidation: 'Strict' });
      expect(created.immutable).toBe(true);
    });

    it('reports duplicate fields of an update with Strict', async () => {
      const live = await core.readNamespacedConfigMap({ namespace: 'default', name: 'cm-open' });
      const text = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-open","resourceVersion":"${live.metadata!.resourceVersion}"},"data":{"a":"1","a":"2"}}`;
      const response = await raw('PUT', '/api/v1/namespaces/default/configmaps/cm-open?fieldValidation=Strict', text);
      expect(response.status).toBe(400);
      expect((await response.json()).message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "data.a"');
    });

    it('reports duplicate keys of a YAML apply body by line', async () => {
      const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-yaml\ndata:\n  a: "1"\n  a: "2"\n';
      const response = await raw('PATCH', '/api/v1/namespaces/default/configmaps/cm-yaml?fieldManager=fleet&fieldValidation=Strict', text, 'application/apply-patch+yaml');
      expect(response.status).toBe(400);
      expect((await response.json()).message).toBe('error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 7: key "a" already set in map');
    });
  });
});
