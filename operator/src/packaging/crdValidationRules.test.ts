import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { evaluate, parse as parseCel } from '@marcbachmann/cel-js';
import { KubeApiError, KubeClient } from '@vworkspace/kube-runtime';
import { SimCluster } from '@vworkspace/kube-sim';
import { parse } from 'yaml';
import { operationKinds } from '../engines/kinds';
import { chartDir } from './__testUtils__/helmTemplate';

/*
 * The CRDs' x-kubernetes-validations (CEL), evaluated the way kube-apiserver evaluates them on
 * CREATE and UPDATE, with an independent CEL implementation: rules that reference `oldSelf`
 * (transition rules) run on updates only, with the stored object's value as `oldSelf`.
 */

interface ValidationRule {
  rule: string;
  message?: string;
  [field: string]: unknown;
}

interface FoundRule extends ValidationRule {
  crd: string;
  /** JSON path of the schema node the rule sits on, e.g. `.spec`. */
  path: string;
}

type Schema = {
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  'x-kubernetes-validations'?: ValidationRule[];
  'x-kubernetes-list-type'?: string;
};

function rulesOf(schema: Schema, crd: string, at = ''): FoundRule[] {
  const here = (schema['x-kubernetes-validations'] ?? []).map(r => ({ ...r, crd, path: at || '.' }));
  const below = [
    ...Object.entries(schema.properties ?? {}).flatMap(([key, child]) => rulesOf(child, crd, `${at}.${key}`)),
    ...(schema.items ? rulesOf(schema.items, crd, `${at}[*]`) : []),
    ...(typeof schema.additionalProperties === 'object' ? rulesOf(schema.additionalProperties, crd, `${at}{*}`) : []),
  ];
  return [...here, ...below];
}

const crdFiles = readdirSync(path.join(chartDir, 'crds')).filter(f => f.endsWith('.yaml'));
const crds = crdFiles.map(f => parse(readFileSync(path.join(chartDir, 'crds', f), 'utf8')) as {
  metadata: { name: string };
  spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: Schema } }> };
});
const allRules = crds.flatMap(crd => crd.spec.versions.flatMap(v => rulesOf(v.schema.openAPIV3Schema, `${crd.metadata.name}/${v.name}`)));

/** kube-apiserver hands CEL integers as int, not double. */
function toCel(value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  return value;
}

const isTransition = (rule: string) => /\boldSelf\b/.test(rule);

/** The messages of the rules on `.spec` of the Operation CRD that fail for this update. */
function operationSpecUpdate(oldSpec: Record<string, unknown>, newSpec: Record<string, unknown>): string[] {
  const rules = allRules.filter(r => r.crd.startsWith('operations.ops.vworkspace.io/') && r.path === '.spec');
  return rules
    .filter(r => evaluate(r.rule, { self: toCel(newSpec), oldSelf: toCel(oldSpec) }) !== true)
    .map(r => r.message ?? r.rule);
}

/** The messages of the rules on `.spec` that fail on CREATE: transition rules do not run. */
function operationSpecCreate(spec: Record<string, unknown>): string[] {
  const rules = allRules.filter(r => r.crd.startsWith('operations.ops.vworkspace.io/') && r.path === '.spec' && !isTransition(r.rule));
  return rules.filter(r => evaluate(r.rule, { self: toCel(spec) }) !== true).map(r => r.message ?? r.rule);
}

const backup = {
  type: 'Backup',
  engine: 'velero',
  target: { applicationInstance: 'nextcloud' },
  parameters: { ttl: '720h', includedNamespaces: ['team-a'] },
  timeoutSeconds: 3600,
  requestedBy: 'user:default/jane',
};

/** Chart kubeVersion `>=1.27`: rule fields and CEL functions that Kubernetes 1.27 knows. */
const ruleFieldsOf127 = ['rule', 'message', 'messageExpression'];
const celFunctionsOf127 = new Set([
  // standard CEL and its macros
  'has', 'size', 'all', 'exists', 'exists_one', 'map', 'filter', 'matches', 'startsWith', 'endsWith', 'contains',
  'int', 'uint', 'double', 'string', 'bytes', 'bool', 'type', 'duration', 'timestamp', 'dyn',
  // Kubernetes extension libraries available in 1.27: strings, lists, regex, URLs
  'charAt', 'indexOf', 'lastIndexOf', 'lowerAscii', 'upperAscii', 'replace', 'split', 'substring', 'trim', 'join',
  'isSorted', 'sum', 'min', 'max', 'find', 'findAll', 'url', 'isURL',
]);

describe('the CRDs\' CEL validation rules', () => {
  it('are there, and each one parses', () => {
    expect(allRules.length).toBeGreaterThan(0);
    for (const r of allRules) expect({ rule: r.rule, parses: !!parseCel(r.rule) }).toEqual({ rule: r.rule, parses: true });
  });

  it('stay within what Kubernetes 1.27, the chart\'s minimum, supports', () => {
    const chart = parse(readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8')) as { kubeVersion: string };
    expect(chart.kubeVersion).toBe('>=1.27.0-0');
    for (const r of allRules) {
      const fields = Object.keys(r).filter(k => k !== 'crd' && k !== 'path');
      // reason and fieldPath came in 1.28, optionalOldSelf in 1.29
      expect({ rule: r.rule, unknown: fields.filter(f => !ruleFieldsOf127.includes(f)) }).toEqual({ rule: r.rule, unknown: [] });
      const called = [...r.rule.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)].map(m => m[1]);
      expect({ rule: r.rule, unsupported: called.filter(f => !celFunctionsOf127.has(f)) }).toEqual({ rule: r.rule, unsupported: [] });
    }
    // A transition rule needs a place where old and new values correlate: not inside a list.
    expect(allRules.filter(r => isTransition(r.rule) && r.path.includes('[*]')).map(r => `${r.path}: ${r.rule}`)).toEqual([]);
  });

  it('make the Operation spec immutable with a transition rule on oldSelf', () => {
    const spec = allRules.filter(r => r.crd === 'operations.ops.vworkspace.io/v1alpha1' && r.path === '.spec');
    expect(spec.filter(r => isTransition(r.rule)).map(r => r.message)).toEqual(['spec is immutable, except cancel', 'cancel cannot be withdrawn']);
  });

  it('let any Operation be created: transition rules do not run on CREATE', () => {
    expect(operationSpecCreate(backup)).toEqual([]);
    expect(operationSpecCreate({ ...backup, cancel: true })).toEqual([]);
  });

  it.each([
    { name: 'an unchanged spec', change: {}, want: [] },
    { name: 'a cancel', change: { cancel: true }, want: [] },
    { name: 'a cancel set to false, as it was', change: { cancel: false }, want: [] },
    { name: 'a longer timeout', change: { timeoutSeconds: 7200 }, want: ['spec is immutable, except cancel'] },
    { name: 'another target', change: { target: { applicationInstance: 'gitea' } }, want: ['spec is immutable, except cancel'] },
    { name: 'another engine', change: { engine: 'volsync' }, want: ['spec is immutable, except cancel'] },
    { name: 'a changed parameter', change: { parameters: { ttl: '24h', includedNamespaces: ['team-a'] } }, want: ['spec is immutable, except cancel'] },
    { name: 'an added parameter', change: { parameters: { ...backup.parameters, snapshotVolumes: true } }, want: ['spec is immutable, except cancel'] },
    { name: 'a reason added afterwards', change: { reason: 'before upgrade' }, want: ['spec is immutable, except cancel'] },
  ])('on UPDATE, $name gives $want', ({ change, want }) => {
    expect(operationSpecUpdate(backup, { ...backup, ...change })).toEqual(want);
  });

  it('on UPDATE, takes the same spec with its keys in another order as unchanged', () => {
    expect(operationSpecUpdate(backup, Object.fromEntries(Object.entries(backup).reverse()))).toEqual([]);
  });

  it.each([
    { name: 'a removed field', old: backup, next: { ...backup, requestedBy: undefined }, want: ['spec is immutable, except cancel'] },
    { name: 'a withdrawn cancel', old: { ...backup, cancel: true }, next: { ...backup, cancel: false }, want: ['cancel cannot be withdrawn'] },
    { name: 'a cancel dropped from the spec', old: { ...backup, cancel: true }, next: backup, want: ['cancel cannot be withdrawn'] },
    { name: 'a cancel kept', old: { ...backup, cancel: true }, next: { ...backup, cancel: true }, want: [] },
  ])('on UPDATE, $name gives $want', ({ old, next, want }) => {
    const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    expect(operationSpecUpdate(defined(old), defined(next))).toEqual(want);
  });
});

describe('the CRDs\' CEL validation rules, on the API server', () => {
  let cluster: SimCluster;
  let client: KubeClient;

  beforeAll(async () => {
    cluster = await SimCluster.start({ tls: false, crds: [path.join(chartDir, 'crds')] });
    client = KubeClient.fromString(cluster.kubeConfig(), { maxRetries: 0 });
    await cluster.api.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    await client.create(operationKinds.Operation, {
      apiVersion: operationKinds.Operation.apiVersion,
      kind: 'Operation',
      metadata: { name: 'nightly', namespace: 'team-a' },
      spec: backup,
    });
  });

  afterAll(async () => {
    client.close();
    await cluster.stop();
  });

  const patchSpec = (spec: Record<string, unknown>) =>
    client.patch(operationKinds.Operation, 'nightly', 'team-a', { spec }, { type: 'merge' }).then(
      () => 'accepted',
      (err: unknown) => (err instanceof KubeApiError ? `${err.code}: ${err.status?.message}` : String(err)),
    );

  it('refuses a spec change with 422 and the rule\'s message, and lets a cancel through, once', async () => {
    expect(await patchSpec({ timeoutSeconds: 7200 })).toBe(
      '422: Operation.ops.vworkspace.io "nightly" is invalid: spec: Invalid value: "object": spec is immutable, except cancel',
    );
    expect(await patchSpec({ parameters: { ttl: '1h' } })).toMatch(/^422: .*spec is immutable, except cancel/);
    expect(await patchSpec({ cancel: true })).toBe('accepted');
    expect(await patchSpec({ cancel: false })).toMatch(/^422: .*cancel cannot be withdrawn/);
  });
});
