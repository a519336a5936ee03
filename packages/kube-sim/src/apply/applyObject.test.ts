import { applyObject, type ApplyOptions } from './applyObject';
import { fieldsV1ToFieldSet, pathToString } from './fieldsV1';
import { FieldPathError } from './schemaShape';
import { trackUpdate } from './trackUpdate';
import type { KubeObject } from './types';
import { deploymentSchema, helmReleaseSchema } from './__fixtures__/schemas';

const T0 = '2025-01-01T00:00:00Z';
const T1 = '2025-01-01T00:01:00Z';
const T2 = '2025-01-01T00:02:00Z';

function deployment(
  spec: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'apps', ...extra },
    spec,
  };
}

function apply(
  live: KubeObject | undefined,
  applied: KubeObject,
  manager: string,
  more: Partial<ApplyOptions> = {},
): KubeObject {
  const r = applyObject({
    live,
    applied,
    manager,
    force: false,
    schema: deploymentSchema,
    now: T1,
    ...more,
  });
  if (!r.ok)
    throw new Error(`unexpected conflicts ${JSON.stringify(r.conflicts)}`);
  return r.object;
}

function owned(
  obj: KubeObject,
  manager: string,
  operation = 'Apply',
): string[] {
  const e = obj.metadata.managedFields?.find(
    m => m.manager === manager && m.operation === operation,
  );
  return e
    ? fieldsV1ToFieldSet(e.fieldsV1).paths().map(pathToString).sort()
    : [];
}

function containers(obj: KubeObject): Array<Record<string, unknown>> {
  type Spec = {
    template: { spec: { containers: Array<Record<string, unknown>> } };
  };
  return (obj.spec as Spec).template.spec.containers;
}

describe('applyObject', () => {
  it('creates a missing object and records FieldsV1 exactly as kube-apiserver does', () => {
    const applied = deployment(
      {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'nginx',
                image: 'nginx:1.25',
                ports: [{ containerPort: 80 }],
              },
            ],
          },
        },
      },
      { labels: { app: 'web' } },
    );
    const r = applyObject({
      live: undefined,
      applied,
      manager: 'kubectl',
      force: false,
      schema: deploymentSchema,
      now: T0,
    });
    expect(r.ok && r.changed).toBe(true);
    const obj = (r as { object: KubeObject }).object;
    expect(obj.spec).toEqual(applied.spec);
    expect(obj.metadata.labels).toEqual({ app: 'web' });
    // Captured from `kubectl apply --server-side` of the same manifest on Kubernetes 1.30.
    expect(obj.metadata.managedFields).toEqual([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"nginx"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': {
                      'k:{"containerPort":80,"protocol":"TCP"}': {
                        '.': {},
                        'f:containerPort': {},
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ]);
    expect(
      JSON.stringify(
        Object.keys(
          obj.metadata.managedFields![0].fieldsV1['f:spec'] as object,
        ),
      ),
    ).toBe('["f:replicas","f:selector","f:template"]');
  });

  it('encodes a HelmRelease like the apiserver: free-form values keys own themselves', () => {
    const hr: KubeObject = {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: {
        name: 'gitea',
        namespace: 'fleet',
        labels: { 'app.kubernetes.io/managed-by': 'vworkspace' },
      },
      spec: {
        interval: '10m',
        chart: {
          spec: {
            chart: 'gitea',
            version: '10.1.0',
            sourceRef: { kind: 'HelmRepository', name: 'gitea' },
          },
        },
        dependsOn: [{ name: 'postgres' }],
        values: { replicaCount: 1, image: { tag: '1.21' }, extra: {} },
      },
    };
    const r = applyObject({
      live: undefined,
      applied: hr,
      manager: 'vworkspace-operator',
      force: true,
      schema: helmReleaseSchema,
      now: T0,
    });
    expect(r.ok).toBe(true);
    const e = (r as { object: KubeObject }).object.metadata.managedFields![0];
    expect(e.fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { 'f:app.kubernetes.io/managed-by': {} } },
      'f:spec': {
        'f:chart': {
          'f:spec': {
            'f:chart': {},
            'f:sourceRef': { 'f:kind': {}, 'f:name': {} },
            'f:version': {},
          },
        },
        'f:dependsOn': {},
        'f:interval': {},
        'f:values': {
          'f:extra': {},
          'f:image': { '.': {}, 'f:tag': {} },
          'f:replicaCount': {},
        },
      },
    });
  });

  it('shares ownership when a second manager applies the same value', () => {
    const first = apply(undefined, deployment({ replicas: 2 }), 'a');
    const r = applyObject({
      live: first,
      applied: deployment({ replicas: 2 }),
      manager: 'b',
      force: false,
      schema: deploymentSchema,
      now: T2,
    });
    expect(r.ok && r.changed).toBe(true);
    const obj = (r as { object: KubeObject }).object;
    expect(owned(obj, 'a')).toEqual(['.spec.replicas']);
    expect(owned(obj, 'b')).toEqual(['.spec.replicas']);
    expect(obj.spec).toEqual({ replicas: 2 });
  });

  const contested = () => ({
    live: apply(
      undefined,
      deployment({
        replicas: 2,
        template: { spec: { containers: [{ name: 'app', image: 'v1' }] } },
      }),
      'a',
    ),
    applied: deployment({
      replicas: 3,
      template: { spec: { containers: [{ name: 'app', image: 'v2' }] } },
    }),
  });

  it("refuses to change another applier's fields without force, listing every conflict", () => {
    const r = applyObject({
      ...contested(),
      manager: 'b',
      force: false,
      schema: deploymentSchema,
      now: T2,
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.conflicts.map(c => [c.manager, c.field])).toEqual([
      ['a', '.spec.replicas'],
      ['a', '.spec.template.spec.containers[name="app"].image'],
    ]);
  });

  it("takes another applier's fields over with force", () => {
    const r = applyObject({
      ...contested(),
      manager: 'b',
      force: true,
      schema: deploymentSchema,
      now: T2,
    });
    expect(r.ok).toBe(true);
    const obj = (r as { object: KubeObject }).object;
    expect((obj.spec as { replicas: number }).replicas).toBe(3);
    expect(owned(obj, 'a')).toEqual([
      '.spec.template.spec.containers[name="app"]',
      '.spec.template.spec.containers[name="app"].name',
    ]);
    expect(owned(obj, 'b')).toContain('.spec.replicas');
    expect(owned(obj, 'b')).toContain(
      '.spec.template.spec.containers[name="app"].image',
    );
  });

  it('conflicts with fields an Update owns, naming the update manager', () => {
    const created = apply(undefined, deployment({ replicas: 2 }), 'op');
    const scaled = trackUpdate({
      live: created,
      updated: deployment(
        { replicas: 5 },
        { managedFields: created.metadata.managedFields },
      ),
      manager: 'kubectl-scale',
      schema: deploymentSchema,
      now: T1,
    });
    const r = applyObject({
      live: scaled,
      applied: deployment({ replicas: 2 }),
      manager: 'op',
      force: false,
      schema: deploymentSchema,
      now: T2,
    });
    expect(r).toEqual({
      ok: false,
      conflicts: [
        {
          manager: 'kubectl-scale',
          field: '.spec.replicas',
          operation: 'Update',
          apiVersion: 'apps/v1',
          time: T1,
        },
      ],
    });
  });

  it('removes a field the applier stopped applying when it was the only owner', () => {
    const live = apply(
      undefined,
      deployment({ replicas: 2 }, { labels: { app: 'web', tier: 'fe' } }),
      'op',
    );
    const next = apply(
      live,
      deployment({ replicas: 2 }, { labels: { app: 'web' } }),
      'op',
      { now: T2 },
    );
    expect(next.metadata.labels).toEqual({ app: 'web' });
    expect(owned(next, 'op')).toEqual([
      '.metadata.labels.app',
      '.spec.replicas',
    ]);
  });

  it('keeps a field the applier stopped applying when another manager owns it too', () => {
    let live = apply(
      undefined,
      deployment({ replicas: 2 }, { labels: { app: 'web', tier: 'fe' } }),
      'op',
    );
    live = apply(live, deployment({}, { labels: { tier: 'fe' } }), 'other');
    const next = apply(
      live,
      deployment({ replicas: 2 }, { labels: { app: 'web' } }),
      'op',
      { now: T2 },
    );
    expect(next.metadata.labels).toEqual({ app: 'web', tier: 'fe' });
    expect(owned(next, 'op')).toEqual([
      '.metadata.labels.app',
      '.spec.replicas',
    ]);
    expect(owned(next, 'other')).toEqual(['.metadata.labels.tier']);
  });

  it('removes a whole struct the applier no longer sets, but not fields others own in it', () => {
    let live = apply(
      undefined,
      deployment({
        replicas: 1,
        template: { metadata: { labels: { a: '1', b: '2' } } },
      }),
      'op',
    );
    live = trackUpdate({
      live,
      updated: deployment({
        replicas: 1,
        template: { metadata: { labels: { a: '1', b: '2', c: '3' } } },
      }),
      manager: 'editor',
      schema: deploymentSchema,
      now: T1,
    });
    const next = apply(live, deployment({ replicas: 1 }), 'op', { now: T2 });
    expect(next.spec).toEqual({
      replicas: 1,
      template: { metadata: { labels: { c: '3' } } },
    });
  });

  it('merges map lists by key: items of others stay in place, shared items follow the applied order', () => {
    let live = apply(
      undefined,
      deployment({
        template: {
          spec: {
            containers: [
              { name: 'app', image: 'v1' },
              { name: 'db', image: 'pg' },
            ],
          },
        },
      }),
      'op',
    );
    live = apply(
      live,
      deployment({
        template: {
          spec: { containers: [{ name: 'sidecar', image: 'envoy' }] },
        },
      }),
      'mesh',
    );
    expect(containers(live).map(c => c.name)).toEqual(['app', 'db', 'sidecar']);
    const next = apply(
      live,
      deployment({
        template: {
          spec: {
            containers: [
              { name: 'db', image: 'pg16' },
              { name: 'app', image: 'v2' },
            ],
          },
        },
      }),
      'op',
      { now: T2 },
    );
    expect(containers(next)).toEqual([
      { name: 'db', image: 'pg16' },
      { name: 'sidecar', image: 'envoy' },
      { name: 'app', image: 'v2' },
    ]);
    const dropped = apply(
      next,
      deployment({
        template: { spec: { containers: [{ name: 'app', image: 'v2' }] } },
      }),
      'op',
      { now: T2 },
    );
    expect(containers(dropped).map(c => c.name)).toEqual(['sidecar', 'app']);
  });

  it('merges fields inside one list-map item owned by two managers', () => {
    let live = apply(
      undefined,
      deployment({
        template: { spec: { containers: [{ name: 'app', image: 'v1' }] } },
      }),
      'op',
    );
    live = apply(
      live,
      deployment({
        template: {
          spec: {
            containers: [{ name: 'app', env: [{ name: 'X', value: '1' }] }],
          },
        },
      }),
      'injector',
    );
    expect(containers(live)).toEqual([
      { name: 'app', image: 'v1', env: [{ name: 'X', value: '1' }] },
    ]);
    expect(owned(live, 'injector')).toEqual([
      '.spec.template.spec.containers[name="app"]',
      '.spec.template.spec.containers[name="app"].env[name="X"]',
      '.spec.template.spec.containers[name="app"].env[name="X"].name',
      '.spec.template.spec.containers[name="app"].env[name="X"].value',
      '.spec.template.spec.containers[name="app"].name',
    ]);
  });

  it("merges set lists by value and removes only the applier's own values", () => {
    let live = apply(
      undefined,
      deployment({}, { finalizers: ['a.example/x'] }),
      'op',
    );
    live = apply(
      live,
      deployment({}, { finalizers: ['b.example/y'] }),
      'other',
    );
    expect(live.metadata.finalizers).toEqual(['a.example/x', 'b.example/y']);
    expect(owned(live, 'other')).toEqual([
      '.metadata.finalizers[="b.example/y"]',
    ]);
    const next = apply(live, deployment({ replicas: 1 }), 'op', { now: T2 });
    expect(next.metadata.finalizers).toEqual(['b.example/y']);
  });

  it('replaces atomic lists whole and owns them as one field', () => {
    let live = apply(
      undefined,
      deployment({
        template: {
          spec: { containers: [{ name: 'app', args: ['--a', '--b'] }] },
        },
      }),
      'op',
    );
    expect(owned(live, 'op')).toContain(
      '.spec.template.spec.containers[name="app"].args',
    );
    expect(owned(live, 'op')).not.toContain(
      '.spec.template.spec.containers[name="app"].args[0]',
    );
    const r = applyObject({
      live,
      applied: deployment({
        template: { spec: { containers: [{ name: 'app', args: ['--c'] }] } },
      }),
      manager: 'x',
      force: false,
      schema: deploymentSchema,
      now: T2,
    });
    expect(!r.ok && r.conflicts.map(c => c.field)).toEqual([
      '.spec.template.spec.containers[name="app"].args',
    ]);
    live = apply(
      live,
      deployment({
        template: { spec: { containers: [{ name: 'app', args: ['--c'] }] } },
      }),
      'op',
    );
    expect(containers(live)[0].args).toEqual(['--c']);
  });

  it('replaces atomic maps whole (label selectors)', () => {
    let live = apply(
      undefined,
      deployment({ selector: { matchLabels: { app: 'web', tier: 'fe' } } }),
      'op',
    );
    live = apply(
      live,
      deployment({ selector: { matchLabels: { app: 'web' } } }),
      'op',
    );
    expect((live.spec as Record<string, unknown>).selector).toEqual({
      matchLabels: { app: 'web' },
    });
    expect(owned(live, 'op')).toEqual(['.spec.selector']);
  });

  it('treats lists without schema as atomic and objects as granular maps', () => {
    let live = apply(
      undefined,
      deployment({ extra: { list: [1, 2], nested: { a: 1 } } }),
      'op',
      { schema: undefined },
    );
    live = apply(
      live,
      deployment({ extra: { list: [3], nested: { b: 2 } } }),
      'op2',
      { schema: undefined, force: true },
    );
    expect((live.spec as Record<string, unknown>).extra).toEqual({
      list: [3],
      nested: { a: 1, b: 2 },
    });
    expect(owned(live, 'op2')).toEqual([
      '.spec',
      '.spec.extra',
      '.spec.extra.list',
      '.spec.extra.nested',
      '.spec.extra.nested.b',
    ]);
  });

  it('returns the live object unchanged on a no-op apply', () => {
    const applied = deployment(
      {
        replicas: 2,
        template: { spec: { containers: [{ name: 'app', image: 'v1' }] } },
      },
      { labels: { a: 'b' } },
    );
    const live = apply(undefined, applied, 'op');
    const r = applyObject({
      live,
      applied: structuredClone(applied),
      manager: 'op',
      force: false,
      schema: deploymentSchema,
      now: T2,
    });
    expect(r).toEqual({ ok: true, object: live, changed: false });
    expect((r as { object: KubeObject }).object).toBe(live);
    expect(live.metadata.managedFields![0].time).toBe(T1);
  });

  it('is a no-op also after a JSON round trip of the stored object', () => {
    const applied = deployment({ replicas: 2 });
    const live = JSON.parse(JSON.stringify(apply(undefined, applied, 'op')));
    const r = applyObject({
      live,
      applied,
      manager: 'op',
      force: false,
      schema: deploymentSchema,
      now: T2,
    });
    expect(r.ok && r.changed).toBe(false);
  });

  it('updates the entry time and apiVersion only when something changes', () => {
    const live = apply(undefined, deployment({ replicas: 2 }), 'op');
    const next = apply(live, deployment({ replicas: 3 }), 'op', { now: T2 });
    expect(next.metadata.managedFields).toEqual([
      expect.objectContaining({
        manager: 'op',
        time: T2,
        apiVersion: 'apps/v1',
      }),
    ]);
  });

  it('drops entries whose field set became empty', () => {
    let live = apply(undefined, deployment({ replicas: 2 }), 'a');
    live = apply(live, deployment({ replicas: 3 }), 'b', { force: true });
    expect(live.metadata.managedFields!.map(m => m.manager)).toEqual(['b']);
  });

  it('ignores .status on the main resource and applies only .status on the status subresource', () => {
    const withStatus = {
      ...deployment({ replicas: 1 }),
      status: { replicas: 9 },
    };
    let live = apply(undefined, withStatus, 'op');
    expect(live.status).toBeUndefined();
    expect(owned(live, 'op')).toEqual(['.spec.replicas']);
    live = apply(
      live,
      {
        ...deployment({ replicas: 7 }),
        status: {
          replicas: 1,
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      },
      'ctrl',
      { subresource: 'status' },
    );
    expect(live.spec).toEqual({ replicas: 1 });
    expect(live.status).toEqual({
      replicas: 1,
      conditions: [{ type: 'Ready', status: 'True' }],
    });
    const entry = live.metadata.managedFields!.find(m => m.manager === 'ctrl')!;
    expect(entry.subresource).toBe('status');
    expect(entry.fieldsV1).toEqual({
      'f:status': {
        'f:conditions': {
          'k:{"type":"Ready"}': { '.': {}, 'f:status': {}, 'f:type': {} },
        },
        'f:replicas': {},
      },
    });
    live = apply(
      live,
      {
        ...deployment({}),
        status: { conditions: [{ type: 'Available', status: 'True' }] },
      },
      'other',
      { subresource: 'status' },
    );
    expect((live.status as { conditions: unknown[] }).conditions).toHaveLength(
      2,
    );
  });

  it('keeps .status as a plain field when the resource has no status subresource', () => {
    const live = apply(
      undefined,
      { ...deployment({}), status: { replicas: 9 } },
      'op',
      { statusSubresource: false },
    );
    expect(live.status).toEqual({ replicas: 9 });
  });

  it('never records identity or server-set metadata as owned', () => {
    const live = apply(
      undefined,
      deployment(
        { replicas: 1 },
        { uid: 'u', resourceVersion: '5', generation: 3 },
      ),
      'op',
    );
    expect(owned(live, 'op')).toEqual(['.spec.replicas']);
    expect(live.metadata.uid).toBeUndefined();
  });

  it('orders entries like kube: Apply before Update, then by time and name', () => {
    let live = apply(undefined, deployment({ replicas: 1 }), 'zeta', {
      now: T1,
    });
    live = trackUpdate({
      live,
      updated: deployment({ replicas: 1 }, { labels: { x: 'y' } }),
      manager: 'editor',
      schema: deploymentSchema,
      now: T0,
    });
    live = apply(live, deployment({}, { annotations: { n: '1' } }), 'alpha', {
      now: T1,
    });
    live = apply(live, deployment({}, { annotations: { m: '1' } }), 'early', {
      now: T0,
    });
    expect(
      live.metadata.managedFields!.map(m => `${m.operation}/${m.manager}`),
    ).toEqual(['Apply/early', 'Apply/alpha', 'Apply/zeta', 'Update/editor']);
  });

  it('rejects a list-map item without its key', () => {
    expect(() =>
      apply(
        undefined,
        deployment({ template: { spec: { containers: [{ image: 'x' }] } } }),
        'op',
      ),
    ).toThrow(FieldPathError);
    expect(() =>
      apply(
        undefined,
        deployment({
          template: { spec: { containers: [{ name: 'a' }, { name: 'a' }] } },
        }),
        'op',
      ),
    ).toThrow(/duplicate entries/);
  });
});
