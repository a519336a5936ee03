// Wire responses are checked as untyped JSON, hence `any` in assertions.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { compileExpression } from '../../schema/cel/celEnvironment';
import { collectRules } from '../../schema/cel/validateRules';
import type { KubeObject } from '../../types';
import { failure, useTestCluster } from './__testUtils__/testCluster';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const UPSTREAM = join(__dirname, '../../../crds/upstream');
const OPERATIONS_CRD = join(__dirname, '../../../../../operator/crds/ops.vworkspace.io_operations.yaml');

/** A CRD written for these tests: each rule feature of apiextensions.k8s.io/v1 once. */
const widgetCrd: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [{
      name: 'v1', served: true, storage: true,
      schema: {
        openAPIV3Schema: {
          type: 'object',
          properties: {
            spec: {
              type: 'object',
              required: ['size'],
              'x-kubernetes-validations': [
                { rule: 'self.minReplicas <= self.maxReplicas', messageExpression: "'minReplicas (' + string(self.minReplicas) + ') is above maxReplicas (' + string(self.maxReplicas) + ')'", fieldPath: '.minReplicas' },
                { rule: "!has(self.owner) || self.owner.lowerAscii() == self.owner", message: 'owner must be lower case', reason: 'FieldValueForbidden' },
                { rule: 'self.size >= oldSelf.size', message: 'size may only grow' },
              ],
              properties: {
                size: { type: 'integer' },
                minReplicas: { type: 'integer', default: 1 },
                maxReplicas: { type: 'integer', default: 3 },
                owner: { type: 'string' },
                ports: {
                  type: 'array',
                  'x-kubernetes-list-type': 'map',
                  'x-kubernetes-list-map-keys': ['name'],
                  'x-kubernetes-validations': [{ rule: 'self.map(p, p.number).isSorted()', message: 'ports must be listed in order' }],
                  items: {
                    type: 'object',
                    required: ['name'],
                    properties: { name: { type: 'string' }, number: { type: 'integer' } },
                    'x-kubernetes-validations': [{ rule: 'self.number == oldSelf.number', message: 'a port keeps its number' }],
                  },
                },
                legacy: { type: 'string', 'x-kubernetes-validations': [{ rule: "!self.startsWith('v0')" }] },
                quota: {
                  type: 'object',
                  properties: { used: { type: 'integer' }, total: { type: 'integer' } },
                  'x-kubernetes-validations': [{ rule: 'self.used / self.total < 1', message: 'quota exceeded' }],
                },
              },
            },
          },
        },
      },
    }],
  },
};

const widget = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name }, spec });
const WIDGETS = { group: 'example.com', version: 'v1', plural: 'widgets', namespace: 'default' };

// apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go (kube 1.31).
describe('CEL validation rules (x-kubernetes-validations)', () => {
  const sim = useTestCluster({ crds: [UPSTREAM, OPERATIONS_CRD, widgetCrd] });
  let custom: CustomObjectsApi;
  beforeAll(() => {
    custom = sim.kc.makeApiClient(CustomObjectsApi);
  });

  it('compiles every rule of the bundled upstream CRDs and of the operator\'s CRDs', () => {
    const files = [...readdirSync(UPSTREAM).filter(f => f.endsWith('.yaml')).map(f => join(UPSTREAM, f)), OPERATIONS_CRD];
    const rules = files.flatMap(file => parseAllDocuments(readFileSync(file, 'utf8')).flatMap(doc => {
      const crd = doc.toJS() as { spec?: { versions?: Array<{ schema?: { openAPIV3Schema?: object } }> } };
      return (crd.spec?.versions ?? []).flatMap(v => collectRules(v.schema?.openAPIV3Schema));
    }));
    const failing = rules.flatMap(rule => {
      try {
        compileExpression(rule.rule);
        return [];
      } catch (error) {
        return [`${rule.rule}: ${(error as Error).message}`];
      }
    });
    expect(failing).toEqual([]);
    expect(rules.length).toBe(98);
  });

  it('refuses a HelmRelease with both chart and chartRef, with the rule\'s message at the rule\'s node', async () => {
    const { code, body } = await failure(custom.createNamespacedCustomObject({
      group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases', namespace: 'default',
      body: {
        apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'both' },
        spec: { interval: '10m', chart: { spec: { chart: 'gitea', sourceRef: { kind: 'HelmRepository', name: 'gitea' } } }, chartRef: { kind: 'OCIRepository', name: 'gitea' } },
      },
    }));
    expect(code).toBe(422);
    expect(body.message).toBe('HelmRelease.helm.toolkit.fluxcd.io "both" is invalid: spec: Invalid value: "object": either chart or chartRef must be set');
    expect(body.details.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": either chart or chartRef must be set' }]);
  });

  it('evaluates transition rules (oldSelf) on updates only: a VolumeSnapshot\'s source is immutable', async () => {
    const snapshots = { group: 'snapshot.storage.k8s.io', version: 'v1', plural: 'volumesnapshots', namespace: 'default' };
    await custom.createNamespacedCustomObject({ ...snapshots, body: { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 'snap' }, spec: { source: { persistentVolumeClaimName: 'data' } } } });
    const { body } = await failure(custom.patchNamespacedCustomObject({ ...snapshots, name: 'snap', body: { spec: { source: { persistentVolumeClaimName: 'other' } } } }, merge));
    expect(body.details.causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.source.persistentVolumeClaimName', message: 'Invalid value: "string": persistentVolumeClaimName is immutable' },
    ]);
    const empty = await failure(custom.createNamespacedCustomObject({ ...snapshots, body: { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 'unnamed' }, spec: { volumeSnapshotClassName: '', source: { persistentVolumeClaimName: 'data' } } } }));
    expect(empty.body.details.causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.volumeSnapshotClassName', message: 'Invalid value: "string": volumeSnapshotClassName must not be the empty string when set' },
    ]);
  });

  it('reaches a property named after a CEL reserved word through its escaped name (__namespace__)', async () => {
    const contents = { group: 'snapshot.storage.k8s.io', version: 'v1', plural: 'volumesnapshotcontents' };
    const content = (name: string, ref: Record<string, string>) => ({
      apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotContent', metadata: { name },
      spec: { deletionPolicy: 'Delete', driver: 'csi-sim', source: { volumeHandle: 'vol-1' }, volumeSnapshotRef: ref },
    });
    const { body } = await failure(custom.createClusterCustomObject({ ...contents, body: content('no-namespace', { name: 'snap' }) }));
    expect(body.details.causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.volumeSnapshotRef', message: 'Invalid value: "object": both spec.volumeSnapshotRef.name and spec.volumeSnapshotRef.namespace must be set' },
    ]);
    await custom.createClusterCustomObject({ ...contents, body: content('complete', { name: 'snap', namespace: 'default' }) });
  });

  it('enforces the Operation CRD\'s own rule: the spec is immutable except cancel, which cannot be withdrawn', async () => {
    const operations = { group: 'ops.vworkspace.io', version: 'v1alpha1', plural: 'operations', namespace: 'default' };
    await custom.createNamespacedCustomObject({
      ...operations,
      body: { apiVersion: 'ops.vworkspace.io/v1alpha1', kind: 'Operation', metadata: { name: 'backup-1' }, spec: { type: 'Backup', engine: 'velero', target: { applicationInstance: 'gitea' } } },
    });
    const changed = await failure(custom.patchNamespacedCustomObject({ ...operations, name: 'backup-1', body: { spec: { engine: 'job' } } }, merge));
    expect(changed.body.details.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": spec is immutable, except cancel' }]);
    await custom.patchNamespacedCustomObject({ ...operations, name: 'backup-1', body: { spec: { cancel: true } } }, merge);
    const withdrawn = await failure(custom.patchNamespacedCustomObject({ ...operations, name: 'backup-1', body: { spec: { cancel: false } } }, merge));
    expect(withdrawn.body.details.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": cancel cannot be withdrawn' }]);
  });

  it('uses messageExpression, fieldPath and reason, and "failed rule" when a rule has no message', async () => {
    const { body } = await failure(custom.createNamespacedCustomObject({ ...WIDGETS, body: widget('w1', { size: 1, minReplicas: 5, owner: 'Team-A', legacy: 'v0.1' }) }));
    expect(body.details.causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.minReplicas', message: 'Invalid value: "object": minReplicas (5) is above maxReplicas (3)' },
      { reason: 'FieldValueForbidden', field: 'spec', message: 'Forbidden: owner must be lower case' },
      { reason: 'FieldValueInvalid', field: 'spec.legacy', message: "Invalid value: \"string\": failed rule: !self.startsWith('v0')" },
    ]);
  });

  it('correlates map-list items by key for transition rules, and lets unchanged values ratchet', async () => {
    await custom.createNamespacedCustomObject({ ...WIDGETS, body: widget('w2', { size: 2, ports: [{ name: 'http', number: 80 }, { name: 'https', number: 443 }] }) });
    const renumbered = await failure(custom.patchNamespacedCustomObject({ ...WIDGETS, name: 'w2', body: { spec: { ports: [{ name: 'http', number: 81 }, { name: 'https', number: 443 }] } } }, merge));
    expect(renumbered.body.details.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.ports[0]', message: 'Invalid value: "object": a port keeps its number' }]);
    // A new item has no old value to compare with: the transition rule does not apply to it.
    await custom.patchNamespacedCustomObject({ ...WIDGETS, name: 'w2', body: { spec: { ports: [{ name: 'http', number: 80 }, { name: 'https', number: 443 }, { name: 'metrics', number: 9090 }] } } }, merge);
    const shrunk = await failure(custom.patchNamespacedCustomObject({ ...WIDGETS, name: 'w2', body: { spec: { size: 1 } } }, merge));
    expect(shrunk.body.details.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": size may only grow' }]);
  });

  it('reports a rule that fails to evaluate, and skips rules after a blocking schema error', async () => {
    const division = await failure(custom.createNamespacedCustomObject({ ...WIDGETS, body: widget('w4', { size: 1, quota: { used: 1, total: 0 } }) }));
    expect(division.body.details.causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.quota', message: 'Invalid value: "object": division by zero evaluating rule: quota exceeded' },
    ]);

    const typed = await failure(custom.createNamespacedCustomObject({ ...WIDGETS, body: widget('w3', { size: 'big' }) }));
    expect(typed.body.details.causes).toEqual([
      expect.objectContaining({ reason: 'FieldValueTypeInvalid', field: 'spec.size' }),
      { reason: 'FieldValueInvalid', field: '<nil>', message: 'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation' },
    ]);
  });
});
