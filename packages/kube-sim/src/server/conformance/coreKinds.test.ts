// Wire responses are checked as untyped JSON, hence `any` in assertions.
import { AppsV1Api, CoordinationV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { failure, useTestCluster } from './__testUtils__/testCluster';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const CONFIG_KEY_RULE = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

// pkg/apis/core/validation/validation.go, pkg/apis/apps/validation and
// pkg/apis/coordination/validation (kube 1.31).
describe('core kinds validated as kube-apiserver does', () => {
  const sim = useTestCluster();
  let core: CoreV1Api;
  beforeAll(() => {
    core = sim.kc.makeApiClient(CoreV1Api);
  });

  describe('Secret (ValidateSecret, ValidateSecretUpdate)', () => {
    it('refuses data keys that are no config keys, and the keys a type requires', async () => {
      const key = await failure(core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'creds' }, stringData: { 'db password': 'x' } } }));
      expect(key.code).toBe(422);
      expect(key.body.details.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'data[db password]', message: `Invalid value: "db password": ${CONFIG_KEY_RULE}` }]);

      const tls = await failure(core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'tls' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } } }));
      expect(tls.body.details.causes).toEqual([{ reason: 'FieldValueRequired', field: 'data[tls.key]', message: 'Required value' }]);
    });

    it('keeps the type immutable, merges stringData on update, and honours immutable', async () => {
      await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'app' }, stringData: { user: 'admin' } } });
      const type = await failure(core.patchNamespacedSecret({ namespace: 'default', name: 'app', body: { type: 'example.com/app-credentials' } }, merge));
      expect(type.body.details.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'type', message: 'Invalid value: "example.com/app-credentials": field is immutable' }]);

      const updated = await core.patchNamespacedSecret({ namespace: 'default', name: 'app', body: { stringData: { password: 'hunter2' }, immutable: true } }, merge);
      expect(updated.data).toEqual({ user: Buffer.from('admin').toString('base64'), password: Buffer.from('hunter2').toString('base64') });
      expect((updated as any).stringData).toBeUndefined();

      const frozen = await failure(core.patchNamespacedSecret({ namespace: 'default', name: 'app', body: { stringData: { password: 'new' } } }, merge));
      expect(frozen.body.details.causes).toEqual([{ reason: 'FieldValueForbidden', field: 'data', message: 'Forbidden: field is immutable when `immutable` is set' }]);
    });
  });

  describe('ConfigMap (ValidateConfigMap)', () => {
    it('refuses bad keys, a key in both data and binaryData, and more than 1 MiB', async () => {
      const bad = await failure(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cfg' }, data: { '..data': 'x', 'app.ini': 'x' }, binaryData: { 'app.ini': 'eA==' } } }));
      expect(bad.body.details.causes).toEqual([
        { reason: 'FieldValueInvalid', field: 'data[..data]', message: 'Invalid value: "..data": must not start with \'..\'' },
        { reason: 'FieldValueInvalid', field: 'data[app.ini]', message: 'Invalid value: "app.ini": duplicate of key present in binaryData' },
      ]);
      const big = await failure(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'big' }, data: { a: 'x'.repeat(1024 * 1024 + 1) } } }));
      expect(big.body.details.causes).toEqual([{ reason: 'FieldValueTooLong', field: '', message: 'Too long: must have at most 1048576 bytes' }]);
    });
  });

  it('refuses a Lease with a non-positive duration (ValidateLeaseSpec)', async () => {
    const leases = sim.kc.makeApiClient(CoordinationV1Api);
    const { body } = await failure(leases.createNamespacedLease({ namespace: 'default', body: { metadata: { name: 'leader' }, spec: { leaseDurationSeconds: 0, leaseTransitions: -1 } } }));
    expect(body.details.causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.leaseDurationSeconds', message: 'Invalid value: 0: must be greater than 0' },
      { reason: 'FieldValueInvalid', field: 'spec.leaseTransitions', message: 'Invalid value: -1: must be greater than or equal to 0' },
    ]);
  });

  it('refuses a core Event about an object of another namespace (legacyValidateEvent)', async () => {
    await core.createNamespace({ body: { metadata: { name: 'team-a' } } });
    const { body } = await failure(core.createNamespacedEvent({
      namespace: 'default',
      body: { metadata: { name: 'gitea.1' }, involvedObject: { kind: 'ConfigMap', name: 'gitea', namespace: 'team-a' }, reason: 'Synced', message: 'ok', type: 'Normal' },
    }));
    expect(body.details.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'involvedObject.namespace', message: 'Invalid value: "team-a": does not match event.namespace' }]);
  });

  describe('PersistentVolumeClaim (ValidatePersistentVolumeClaim)', () => {
    const pvc = (name: string, spec: Record<string, unknown>) => core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: { metadata: { name }, spec } as any });

    it('requires access modes and a storage request, and defaults volumeMode', async () => {
      const { body } = await failure(pvc('empty', {}));
      expect(body.details.causes).toEqual([
        { reason: 'FieldValueRequired', field: 'spec.accessModes', message: 'Required value: at least 1 access mode is required' },
        { reason: 'FieldValueRequired', field: 'spec.resources[storage]', message: 'Required value' },
      ]);
      const created = await pvc('data', { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
      expect(created.spec!.volumeMode).toBe('Filesystem');
    });

    it('lets only the storage request grow after creation', async () => {
      const grown = await core.patchNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'data', body: { spec: { resources: { requests: { storage: '2Gi' } } } } }, merge);
      expect(grown.spec!.resources!.requests!.storage).toBe('2Gi');
      const shrunk = await failure(core.patchNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'data', body: { spec: { resources: { requests: { storage: '1Gi' } } } } }, merge));
      expect(shrunk.body.details.causes).toEqual([{ reason: 'FieldValueForbidden', field: 'spec.resources.requests.storage', message: 'Forbidden: field can not be less than previous value' }]);
      const modes = await failure(core.patchNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'data', body: { spec: { accessModes: ['ReadWriteMany'] } } }, merge));
      expect(modes.body.details.causes).toEqual([expect.objectContaining({ reason: 'FieldValueForbidden', field: 'spec', message: expect.stringMatching(/^Forbidden: spec is immutable after creation except resources.requests/) })]);
    });
  });

  describe('Deployment (apps ValidateDeployment)', () => {
    const deployment = (name: string, podSpec: Record<string, unknown>) => ({
      metadata: { name },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }], ...podSpec } } },
    });

    it('refuses a restartPolicy other than Always and keeps the selector immutable', async () => {
      const apps = sim.kc.makeApiClient(AppsV1Api);
      const never = await failure(apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web', { restartPolicy: 'Never' }) as any }));
      expect(never.body.details.causes).toEqual([{ reason: 'FieldValueNotSupported', field: 'spec.template.spec.restartPolicy', message: 'Unsupported value: "Never": supported values: "Always"' }]);

      const created = await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web', {}) as any });
      expect(created.spec!.template.spec!.containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' });
      const selector = await failure(apps.patchNamespacedDeployment({ namespace: 'default', name: 'web', body: { spec: { selector: { matchLabels: { app: 'web', tier: 'front' } }, template: { metadata: { labels: { tier: 'front' } } } } } }, merge));
      expect(selector.body.details.causes).toEqual([expect.objectContaining({ reason: 'FieldValueInvalid', field: 'spec.selector', message: expect.stringMatching(/: field is immutable$/) })]);
    });
  });

  it('requires Service ports, and names when there are several (ValidateService)', async () => {
    const none = await failure(core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'web' }, spec: {} } }));
    expect(none.body.details.causes).toEqual([{ reason: 'FieldValueRequired', field: 'spec.ports', message: 'Required value' }]);
    const unnamed = await failure(core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80 }, { port: 443 }] } } }));
    expect(unnamed.body.details.causes).toEqual([{ reason: 'FieldValueRequired', field: 'spec.ports[1].name', message: 'Required value' }]);
    const headless = await core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'db' }, spec: { clusterIP: 'None', selector: { app: 'db' } } } });
    expect(headless.spec!.clusterIP).toBe('None');
  });
});
