import { applicationInstanceSpecSchema } from '@vworkspace/backstage-plugin-fleet-common';
import { appliedHashAnnotation } from './childMeta';
import {
  buildFluxSource,
  buildHelmRelease,
  fluxSourceName,
  selectSourceOwners,
  sharedSourceOwners,
  sourceOwnedByUsers,
} from './fluxObjects';

const spec = (over: Record<string, unknown> = {}) =>
  applicationInstanceSpecSchema.parse({
    app: 'files',
    chart: { name: 'files', version: '1.2.3', repository: { url: 'https://charts.example.com/', type: 'helm' } },
    ...over,
  });
const oci = { name: 'photos', version: '0.9.3', repository: { url: 'oci://registry.example.com/charts/photos', type: 'oci' } };
const ref = { name: 'files', namespace: 'team-a', uid: 'uid-1' };

describe('buildHelmRelease', () => {
  it.each([
    {
      name: 'helm repository chart',
      input: spec(),
      want: { chart: { spec: { chart: 'files', version: '1.2.3', sourceRef: { kind: 'HelmRepository', name: fluxSourceName(spec().chart) } } }, interval: '10m', suspend: false, releaseName: 'files' },
    },
    { name: 'oci chart through chartRef', input: spec({ chart: oci }), want: { chartRef: { kind: 'OCIRepository', name: fluxSourceName(spec({ chart: oci }).chart) } } },
    { name: 'values, valuesFrom, interval and suspend pass through', input: spec({ values: { a: { b: 1 } }, valuesFrom: [{ kind: 'Secret', name: 's' }], interval: '1h', suspend: true }), want: { values: { a: { b: 1 } }, valuesFrom: [{ kind: 'Secret', name: 's' }], interval: '1h', suspend: true } },
    { name: 'remediation defaults', input: spec(), want: { install: { remediation: { retries: 3 } }, upgrade: { remediation: { retries: 3, strategy: 'rollback', remediateLastFailure: true }, cleanupOnFail: true } } },
  ])('$name', ({ input, want }) => {
    expect(buildHelmRelease(ref, input).spec).toMatchObject(want);
  });

  it('is controller-owned by the instance and labelled', () => {
    const hr = buildHelmRelease(ref, spec());
    expect(hr.metadata).toMatchObject({
      name: 'files',
      namespace: 'team-a',
      labels: { 'app.kubernetes.io/managed-by': 'vworkspace-operator', 'apps.vworkspace.io/instance': 'files' },
      ownerReferences: [{ apiVersion: 'apps.vworkspace.io/v1alpha1', kind: 'ApplicationInstance', name: 'files', uid: 'uid-1', controller: true, blockOwnerDeletion: true }],
    });
    expect(hr.spec.chart).toBeDefined();
    expect(hr.spec.chartRef).toBeUndefined();
  });

  it('leaves out what the spec leaves out', () => {
    const hr = buildHelmRelease({ name: 'files', namespace: 'team-a' }, spec());
    expect(hr.spec).not.toHaveProperty('values');
    expect(hr.spec).not.toHaveProperty('valuesFrom');
    expect(hr.metadata).not.toHaveProperty('ownerReferences');
  });

  it('changes its applied hash when a field is removed', () => {
    const a = buildHelmRelease(ref, spec({ values: { a: 1, b: 2 } }));
    const b = buildHelmRelease(ref, spec({ values: { a: 1 } }));
    expect(a.metadata.annotations?.[appliedHashAnnotation]).not.toEqual(b.metadata.annotations?.[appliedHashAnnotation]);
    expect(buildHelmRelease(ref, spec({ values: { a: 1 } })).metadata.annotations).toEqual(b.metadata.annotations);
  });
});

describe('fluxSourceName', () => {
  it.each([
    { name: 'same URL, same name', a: 'https://charts.example.com/', b: 'https://charts.example.com/', same: true },
    { name: 'a trailing slash is the same repository', a: 'https://charts.example.com/', b: 'https://charts.example.com', same: true },
    { name: 'another URL, another name', a: 'https://charts.example.com/', b: 'https://other.example.com/', same: false },
  ])('$name', ({ a, b, same }) => {
    const chart = (url: string) => ({ name: 'x', version: '1.0.0', repository: { url, type: 'helm' as const } });
    expect(fluxSourceName(chart(a)) === fluxSourceName(chart(b))).toBe(same);
    expect(fluxSourceName(chart(a))).toMatch(/^repo-[0-9a-f]{10}$/);
  });

  it('names an OCI source per artifact version, since it pins one tag', () => {
    const v = (version: string) => ({ ...oci, version, repository: { ...oci.repository, type: 'oci' as const } });
    expect(fluxSourceName(v('1.0.0'))).not.toEqual(fluxSourceName(v('1.0.1')));
  });
});

describe('buildFluxSource', () => {
  it('lists every user as a non-controller owner, in a stable order', () => {
    const chart = spec().chart;
    const users = [
      { name: 'b', namespace: 'team-a', uid: 'u-b' },
      { name: 'a', namespace: 'team-a', uid: 'u-a' },
    ];
    const repo = buildFluxSource(chart, 'team-a', users);
    expect(repo).toMatchObject({ kind: 'HelmRepository', spec: { url: 'https://charts.example.com', interval: '10m' } });
    expect(repo.metadata.ownerReferences).toEqual([
      { apiVersion: 'apps.vworkspace.io/v1alpha1', kind: 'ApplicationInstance', name: 'a', uid: 'u-a' },
      { apiVersion: 'apps.vworkspace.io/v1alpha1', kind: 'ApplicationInstance', name: 'b', uid: 'u-b' },
    ]);
    // owners come and go without changing what the source is
    expect(buildFluxSource(chart, 'team-a', users.slice(1)).metadata.annotations).toEqual(repo.metadata.annotations);
  });

  it('builds an OCIRepository pinned to the chart version', () => {
    const repo = buildFluxSource(spec({ chart: oci }).chart, 'team-a', []);
    expect(repo).toMatchObject({ kind: 'OCIRepository', spec: { url: oci.repository.url, ref: { tag: '0.9.3' }, layerSelector: { operation: 'copy' } } });
    expect(repo.metadata).not.toHaveProperty('ownerReferences');
  });
});

describe('owners of a shared source', () => {
  const chart = spec().chart;
  const user = (name: string, minute: number) => ({
    name,
    namespace: 'team-a',
    uid: `uid-${name}`,
    creationTimestamp: `2026-11-23T10:${String(minute).padStart(2, '0')}:00Z`,
  });
  const users = Array.from({ length: 8 }, (_, i) => user(`app-${7 - i}`, i));

  it('are the oldest few users, whatever their names', () => {
    expect(selectSourceOwners(users).map(u => u.name)).toEqual(['app-7', 'app-6', 'app-5', 'app-4', 'app-3']);
    expect(selectSourceOwners(users)).toHaveLength(sharedSourceOwners);
  });

  const ownedBy = (live: ReturnType<typeof buildFluxSource>, current: typeof users) =>
    sourceOwnedByUsers(live, owner => current.some(u => u.uid === owner.uid), current.length);

  it('do not change when a newer user joins, so the source is not rewritten', () => {
    const owners = selectSourceOwners(users);
    const live = buildFluxSource(chart, 'team-a', owners);
    expect(ownedBy(live, [...users, user('app-new', 59)])).toBe(true);
  });

  it('are replaced when one of them leaves', () => {
    const live = buildFluxSource(chart, 'team-a', selectSourceOwners(users));
    const remaining = users.filter(u => u.name !== 'app-5');
    expect(ownedBy(live, remaining)).toBe(false);
    expect(selectSourceOwners(remaining).map(u => u.name)).toEqual(['app-7', 'app-6', 'app-4', 'app-3', 'app-2']);
  });

  it('are every user while there are few', () => {
    const two = users.slice(0, 2);
    expect(ownedBy(buildFluxSource(chart, 'team-a', two.slice(0, 1)), two)).toBe(false);
    expect(ownedBy(buildFluxSource(chart, 'team-a', two), two)).toBe(true);
  });
});
