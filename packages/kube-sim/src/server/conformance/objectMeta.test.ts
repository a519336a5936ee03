// Wire responses are checked as untyped JSON, hence `any` in assertions.
import { CoordinationV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { failure, useTestCluster } from './__testUtils__/testCluster';

const SUBDOMAIN_RULE = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QUALIFIED_NAME_RULE = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

// k8s.io/apimachinery/pkg/api/validation/objectmeta.go (ValidateObjectMetaAccessor) and
// k8s.io/apimachinery/pkg/util/validation/validation.go: the same rules on every kind.
describe('object metadata (apimachinery ValidateObjectMetaAccessor)', () => {
  const sim = useTestCluster();
  let core: CoreV1Api;
  beforeAll(() => {
    core = sim.kc.makeApiClient(CoreV1Api);
  });

  const configMap = (metadata: Record<string, unknown>) => core.createNamespacedConfigMap({ namespace: 'default', body: { metadata } as any });

  it('refuses a name that is no DNS subdomain, and one longer than 253 characters', async () => {
    const upper = await failure(configMap({ name: 'Settings' }));
    expect(upper.code).toBe(422);
    expect(upper.body.message).toBe(`ConfigMap "Settings" is invalid: metadata.name: Invalid value: "Settings": ${SUBDOMAIN_RULE}`);
    expect(upper.body.details.causes).toEqual([{ reason: 'FieldValueInvalid', message: `Invalid value: "Settings": ${SUBDOMAIN_RULE}`, field: 'metadata.name' }]);

    const long = await failure(configMap({ name: 'a'.repeat(254) }));
    expect(long.body.details.causes).toEqual([
      { reason: 'FieldValueInvalid', message: `Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`, field: 'metadata.name' },
    ]);
  });

  it('checks names per kind: a Namespace is a DNS label, a Service a DNS-1035 label (core/validation ValidateServiceName)', async () => {
    const dotted = await failure(core.createNamespace({ body: { metadata: { name: 'team.a' } } }));
    expect(dotted.body.details.causes).toEqual([{ reason: 'FieldValueInvalid', message: 'Invalid value: "team.a": must not contain dots', field: 'metadata.name' }]);

    const digit = await failure(core.createNamespacedService({ namespace: 'default', body: { metadata: { name: '1-web' }, spec: { ports: [{ port: 80 }] } } }));
    expect(digit.body.details.causes).toEqual([{
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: "Invalid value: \"1-web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    }]);
    // The same name is a fine ConfigMap name.
    await configMap({ name: '1-web' });
  });

  it('generates a name from generateName (cut to 58 characters) and checks the prefix', async () => {
    const created = await configMap({ generateName: 'x'.repeat(70) });
    expect(created.metadata!.name).toMatch(/^x{58}[a-z0-9]{5}$/);

    const bad = await failure(configMap({ generateName: 'Backup-' }));
    expect(bad.body.details.causes).toEqual(expect.arrayContaining([
      { reason: 'FieldValueInvalid', message: `Invalid value: "Backup-": ${SUBDOMAIN_RULE}`, field: 'metadata.generateName' },
    ]));
    const none = await failure(configMap({}));
    expect(none.body.details.causes).toEqual([{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
  });

  it('refuses label keys and values that are no qualified names and label values, on create and update', async () => {
    const bad = await failure(configMap({ name: 'labels', labels: { 'app/kubernetes.io/name': 'x', 'example.com/': 'x', tier: 'front end' } }));
    expect(bad.code).toBe(422);
    expect(bad.body.details.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.labels',
        message: "Invalid value: \"app/kubernetes.io/name\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      },
      { reason: 'FieldValueInvalid', field: 'metadata.labels', message: 'Invalid value: "example.com/": name part must be non-empty' },
      { reason: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: "example.com/": ${QUALIFIED_NAME_RULE}` },
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.labels',
        message: "Invalid value: \"front end\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      },
    ]);

    await configMap({ name: 'labels', labels: { 'app.kubernetes.io/name': 'web' } });
    const tooLong = await failure(core.patchNamespacedConfigMap({ namespace: 'default', name: 'labels', body: { metadata: { labels: { tier: 'v'.repeat(64) } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)));
    expect(tooLong.body.details.causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters` },
    ]);
  });

  it('refuses bad annotation keys (case ignored) and annotations over 256 KiB in total', async () => {
    await configMap({ name: 'annotated', annotations: { 'Example.com/Owner': 'team-a' } });
    const key = await failure(configMap({ name: 'annotated-2', annotations: { 'owner team': 'a' } }));
    expect(key.body.details.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'metadata.annotations', message: `Invalid value: "owner team": ${QUALIFIED_NAME_RULE}` }]);

    const big = await failure(configMap({ name: 'annotated-3', annotations: { a: 'x'.repeat(128 * 1024), b: 'y'.repeat(128 * 1024) } }));
    expect(big.body.details.causes).toEqual([{ reason: 'FieldValueTooLong', field: 'metadata.annotations', message: 'Too long: must have at most 262144 bytes' }]);
  });

  it('refuses finalizers that are no qualified names, and owner references without uid', async () => {
    const leases = sim.kc.makeApiClient(CoordinationV1Api);
    const finalizer = await failure(leases.createNamespacedLease({ namespace: 'default', body: { metadata: { name: 'leader', finalizers: ['example.com/a/b'] } } }));
    expect(finalizer.body.details.causes[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'metadata.finalizers' });
    expect(finalizer.body.message).toMatch(/^Lease\.coordination\.k8s\.io "leader" is invalid: metadata\.finalizers: Invalid value: "example\.com\/a\/b": a qualified name/);

    const owner = await failure(configMap({ name: 'owned', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'parent', uid: '' }] }));
    expect(owner.body.details.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'metadata.ownerReferences.uid', message: 'Invalid value: "": must not be empty' }]);
  });
});
