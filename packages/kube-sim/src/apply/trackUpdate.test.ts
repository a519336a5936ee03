import { applyObject } from './applyObject';
import { fieldsV1ToFieldSet, pathToString } from './fieldsV1';
import { trackUpdate, type TrackUpdateOptions } from './trackUpdate';
import type { KubeObject } from './types';
import { deploymentSchema, helmReleaseSchema } from './__fixtures__/schemas';

const T0 = '2025-01-01T00:00:00Z';
const T1 = '2025-01-01T00:01:00Z';
const T2 = '2025-01-01T00:02:00Z';

function hr(
  spec: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'gitea', namespace: 'fleet', ...metadata },
    spec,
  };
}

function update(
  live: KubeObject | undefined,
  updated: KubeObject,
  manager: string,
  more: Partial<TrackUpdateOptions> = {},
) {
  return trackUpdate({
    live,
    updated,
    manager,
    schema: helmReleaseSchema,
    now: T1,
    ...more,
  });
}

function owned(
  obj: KubeObject,
  manager: string,
  operation = 'Update',
): string[] {
  const e = obj.metadata.managedFields?.find(
    m => m.manager === manager && m.operation === operation,
  );
  return e
    ? fieldsV1ToFieldSet(e.fieldsV1).paths().map(pathToString).sort()
    : [];
}

describe('trackUpdate', () => {
  it('records a create as an Update entry with "." on every new node, as kube does for CRDs', () => {
    const created = update(
      undefined,
      hr(
        { interval: '5m', install: { remediation: { retries: 3 } } },
        { labels: { a: 'b' } },
      ),
      'kubectl-create',
      { now: T0 },
    );
    expect(created.metadata.managedFields).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } },
          'f:spec': {
            '.': {},
            'f:install': {
              '.': {},
              'f:remediation': { '.': {}, 'f:retries': {} },
            },
            'f:interval': {},
          },
        },
      },
    ]);
  });

  it('takes fields over from an applier without conflict and keeps the rest of its entry', () => {
    const applied = applyObject({
      live: undefined,
      applied: hr({ interval: '5m', releaseName: 'g' }),
      manager: 'op',
      force: false,
      schema: helmReleaseSchema,
      now: T0,
    });
    const live = (applied as { object: KubeObject }).object;
    const edited = update(
      live,
      hr(
        { interval: '1m', releaseName: 'g' },
        { managedFields: live.metadata.managedFields },
      ),
      'kubectl-edit',
    );
    expect(owned(edited, 'kubectl-edit')).toEqual(['.spec.interval']);
    expect(owned(edited, 'op', 'Apply')).toEqual(['.spec.releaseName']);
  });

  it('accumulates one entry per manager and refreshes its time only when it changed something', () => {
    let live = update(undefined, hr({ interval: '5m' }), 'ctl', { now: T0 });
    live = update(live, hr({ interval: '5m', releaseName: 'x' }), 'ctl', {
      now: T1,
    });
    expect(owned(live, 'ctl')).toEqual([
      '.spec',
      '.spec.interval',
      '.spec.releaseName',
    ]);
    expect(live.metadata.managedFields!.map(m => m.time)).toEqual([T1]);
    const same = update(
      live,
      hr({ interval: '5m', releaseName: 'x' }, { resourceVersion: '9' }),
      'ctl',
      { now: T2 },
    );
    expect(same.metadata.managedFields).toEqual(live.metadata.managedFields);
  });

  it('drops ownership of fields the write removed', () => {
    let live = update(
      undefined,
      hr({ interval: '5m', releaseName: 'x' }),
      'a',
      { now: T0 },
    );
    live = update(live, hr({ interval: '5m' }), 'b');
    expect(owned(live, 'a')).toEqual(['.spec', '.spec.interval']);
    expect(live.metadata.managedFields!.map(m => m.manager)).toEqual(['a']);
  });

  it('keeps the stored status on main-resource writes and only status on status writes', () => {
    const live: KubeObject = {
      ...hr({ interval: '5m' }),
      status: { observedGeneration: 1 },
    };
    const main = update(
      live,
      { ...hr({ interval: '5m' }), status: { observedGeneration: 7 } },
      'x',
    );
    expect(main.status).toEqual({ observedGeneration: 1 });
    expect(main.metadata.managedFields).toBeUndefined();
    const status = update(
      live,
      { ...hr({ interval: '1h' }), status: { observedGeneration: 2 } },
      'helm-controller',
      { subresource: 'status' },
    );
    expect(status.spec).toEqual({ interval: '5m' });
    expect(status.status).toEqual({ observedGeneration: 2 });
    expect(status.metadata.managedFields).toEqual([
      expect.objectContaining({
        manager: 'helm-controller',
        subresource: 'status',
        fieldsV1: { 'f:status': { 'f:observedGeneration': {} } },
      }),
    ]);
  });

  it('lets a client replace managedFields, and [{}] clear them', () => {
    const live = update(undefined, hr({ interval: '5m' }), 'a', { now: T0 });
    const cleared = update(
      live,
      hr({ interval: '5m' }, { managedFields: [{}] }),
      'b',
    );
    expect(cleared.metadata.managedFields).toBeUndefined();
  });

  it('folds the oldest of more than ten update managers into ancient-changes', () => {
    let live = update(undefined, hr({}, { labels: { k0: 'v' } }), 'm0', {
      now: T0,
    });
    const labels: Record<string, string> = { k0: 'v' };
    for (let i = 1; i <= 11; i++) {
      labels[`k${i}`] = 'v';
      live = update(live, hr({}, { labels: { ...labels } }), `m${i}`, {
        now: `2025-01-01T00:00:${String(i).padStart(2, '0')}Z`,
      });
    }
    const managers = live.metadata.managedFields!.map(m => m.manager);
    expect(managers).toHaveLength(10);
    expect(managers[0]).toBe('ancient-changes');
    expect(owned(live, 'ancient-changes')).toEqual([
      '.metadata.labels',
      '.metadata.labels.k0',
      '.metadata.labels.k1',
      '.metadata.labels.k2',
      '.spec',
    ]);
  });

  it('works for built-in kinds given their schema', () => {
    const live = trackUpdate({
      live: undefined,
      updated: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'w' },
        spec: {
          template: { spec: { containers: [{ name: 'c', image: 'i' }] } },
        },
      },
      manager: 'kubectl-create',
      schema: deploymentSchema,
      now: T0,
    });
    expect(owned(live, 'kubectl-create')).toContain(
      '.spec.template.spec.containers[name="c"].image',
    );
  });
});
