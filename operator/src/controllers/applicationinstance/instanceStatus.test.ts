import { KubeObject } from '@vworkspace/kube-runtime';
import { ChildObservation, childState, instanceStatus, InstanceState, untilProgressDeadline } from './instanceStatus';

const t = '2026-01-01T00:00:00Z';
const cond = (type: string, status: string, reason: string, message = '', observedGeneration?: number) => ({ type, status, reason, message, lastTransitionTime: t, ...(observedGeneration !== undefined ? { observedGeneration } : {}) });
const snapshot = (chartVersion: string, status = 'deployed') => ({ name: 'files', namespace: 'team-a', version: 1, status, chartName: 'files', chartVersion, appVersion: `app-${chartVersion}`, configDigest: 'c', digest: 'd', firstDeployed: t, lastDeployed: t });

function helmRelease(o: { generation?: number; observed?: number; conditions?: unknown[]; history?: unknown[]; deleting?: boolean; lastAttemptedRevision?: string }): ChildObservation {
  const object: KubeObject = {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'files', namespace: 'team-a', generation: o.generation ?? 2, ...(o.deleting ? { deletionTimestamp: t } : {}) },
    spec: {},
    status: { observedGeneration: o.observed ?? o.generation ?? 2, conditions: o.conditions ?? [], history: o.history, lastAttemptedRevision: o.lastAttemptedRevision },
  };
  return { kind: 'HelmRelease', name: 'files', namespace: 'team-a', object };
}

function application(status: Record<string, unknown>, appliedSource?: unknown): ChildObservation {
  return { kind: 'Application', name: 'team-a-files', namespace: 'argocd', object: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'team-a-files' }, spec: {}, status }, appliedSource };
}

const want = { chartVersion: '1.1.0', suspend: false };
const readyAt = (v: string, gen = 2) => helmRelease({ generation: gen, conditions: [cond('Ready', 'True', 'UpgradeSucceeded', `Helm upgrade succeeded for release team-a/files.v2 with chart files@${v}`, gen)], history: [snapshot(v)] });

describe('childState', () => {
  it.each<{ name: string; input: Parameters<typeof childState>[0]; want: { state: InstanceState; reason?: string; message?: RegExp } }>([
    { name: 'ready at the requested version and generation', input: { want, child: readyAt('1.1.0') }, want: { state: 'Ready', reason: 'UpgradeSucceeded', message: /^HelmRelease team-a\/files: Helm upgrade succeeded/ } },
    { name: 'stale green: Ready but an older chart deployed', input: { want, child: readyAt('1.0.0') }, want: { state: 'Progressing', reason: 'StaleRelease' } },
    { name: 'stale green: generation not observed', input: { want, child: helmRelease({ generation: 3, observed: 2, conditions: [cond('Ready', 'True', 'UpgradeSucceeded', '', 2)], history: [snapshot('1.1.0')] }) }, want: { state: 'Progressing', reason: 'ProgressingGeneration' } },
    { name: 'stale green: Ready condition of an older generation', input: { want, child: helmRelease({ generation: 3, observed: 3, conditions: [cond('Ready', 'True', 'UpgradeSucceeded', '', 2)], history: [snapshot('1.1.0')] }) }, want: { state: 'Progressing', reason: 'ProgressingGeneration' } },
    { name: 'upgrade failed, Flux still retrying', input: { want, child: helmRelease({ conditions: [cond('Ready', 'False', 'UpgradeFailed', 'Helm upgrade failed: hook failed', 2)], history: [snapshot('1.0.0')] }) }, want: { state: 'Progressing', reason: 'UpgradeFailed', message: /Helm upgrade failed: hook failed/ } },
    { name: 'retries exhausted: Stalled, with what failed', input: { want, child: helmRelease({ conditions: [cond('Ready', 'False', 'UpgradeFailed', 'Helm upgrade failed: hook failed', 2), cond('Stalled', 'True', 'RetriesExceeded', 'Failed to upgrade after 4 attempt(s)', 2)], history: [snapshot('1.0.0')] }) }, want: { state: 'Failed', reason: 'RetriesExceeded', message: /^HelmRelease team-a\/files: Failed to upgrade after 4 attempt\(s\) \(Helm upgrade failed: hook failed\)$/ } },
    { name: 'no Ready condition yet', input: { want, child: helmRelease({ conditions: [] }) }, want: { state: 'Progressing', reason: 'Progressing' } },
    { name: 'child not created yet', input: { want, child: { kind: 'HelmRelease', name: 'files', namespace: 'team-a' } }, want: { state: 'Progressing', message: /not created yet/ } },
    { name: 'child being deleted', input: { want, child: helmRelease({ deleting: true, conditions: [cond('Ready', 'True', 'x', '', 2)], history: [snapshot('1.1.0')] }) }, want: { state: 'Progressing', reason: 'Terminating' } },
    { name: 'suspended and behind', input: { want: { ...want, suspend: true }, child: readyAt('1.0.0') }, want: { state: 'Suspended', reason: 'Suspended' } },
    { name: 'suspended but current is still Ready', input: { want: { ...want, suspend: true }, child: readyAt('1.1.0') }, want: { state: 'Ready' } },
    { name: 'invalid spec names the field', input: { issues: [{ path: 'spec.chart.version', message: 'must be a semantic version' }] }, want: { state: 'Invalid', reason: 'InvalidSpec', message: /^spec\.chart\.version: must be a semantic version$/ } },
    { name: 'argo: synced to the revision and healthy', input: { want, child: application({ sync: { status: 'Synced', revision: '1.1.0' }, health: { status: 'Healthy' } }) }, want: { state: 'Ready', reason: 'Healthy' } },
    { name: 'argo: synced to an older revision', input: { want, child: application({ sync: { status: 'Synced', revision: '1.0.0' }, health: { status: 'Healthy' } }) }, want: { state: 'Progressing', reason: 'OutOfSync' } },
    { name: 'argo: healthy but compared to another source', input: { want, child: application({ sync: { status: 'Synced', revision: '1.1.0', comparedTo: { source: { chart: 'files', targetRevision: '1.1.0', helm: { valuesObject: { a: 1 } } } } }, health: { status: 'Healthy' } }, { chart: 'files', targetRevision: '1.1.0', helm: { valuesObject: { a: 2 } } }) }, want: { state: 'Progressing', reason: 'OutOfSync' } },
    { name: 'argo: sync of the revision failed', input: { want, child: application({ sync: { status: 'OutOfSync', revision: '1.0.0' }, operationState: { phase: 'Failed', message: 'one or more objects failed to apply', startedAt: t, syncResult: { revision: '1.1.0' } } }) }, want: { state: 'Failed', reason: 'SyncFailed', message: /failed to apply/ } },
  ])('$name', ({ input, want: w }) => {
    const got = childState(input);
    expect(got).toMatchObject({
      state: w.state,
      ...(w.reason ? { reason: w.reason } : {}),
      // a case without a message pattern accepts any message
      message: expect.stringMatching(w.message ?? /^/),
    });
  });
});

describe('instanceStatus', () => {
  const now = new Date('2026-02-01T00:00:00Z');

  it.each([
    { name: 'Ready', input: { want, child: readyAt('1.1.0') }, conditions: { Ready: 'True', Reconciling: 'False', Stalled: 'False' } },
    { name: 'Progressing', input: { want, child: readyAt('1.0.0') }, conditions: { Ready: 'False', Reconciling: 'True', Stalled: 'False' } },
    { name: 'Failed', input: { want, child: helmRelease({ conditions: [cond('Stalled', 'True', 'RetriesExceeded', 'gave up', 2)] }) }, conditions: { Ready: 'False', Reconciling: 'False', Stalled: 'True' } },
    { name: 'Invalid', input: { issues: [{ path: 'spec.app', message: 'bad' }] }, conditions: { Ready: 'False', Reconciling: 'False', Stalled: 'True' } },
    { name: 'Suspended', input: { want: { ...want, suspend: true }, child: readyAt('1.0.0') }, conditions: { Ready: 'False', Reconciling: 'False', Stalled: 'False' } },
  ])('kstatus conditions when $name', ({ input, conditions }) => {
    const status = instanceStatus({ generation: 5, now, ...input });
    expect(Object.fromEntries(status.conditions!.map(c => [c.type, c.status]))).toEqual(conditions);
    expect(status.conditions!.every(c => c.observedGeneration === 5)).toBe(true);
    expect(status.observedGeneration).toBe(5);
  });

  it('reports what is deployed, the release and the newest backup', () => {
    const child = helmRelease({ conditions: [cond('Ready', 'True', 'UpgradeSucceeded', '', 2)], history: [snapshot('1.1.0'), snapshot('1.0.0', 'superseded')], lastAttemptedRevision: '1.1.0' });
    const status = instanceStatus({ generation: 1, want, child, lastBackup: { operation: 'b-1', completedAt: t }, now });
    expect(status).toMatchObject({
      chart: { version: '1.1.0', appVersion: 'app-1.1.0' },
      lastAppliedRevision: '1.1.0',
      lastAttemptedRevision: '1.1.0',
      release: { kind: 'HelmRelease', name: 'files', namespace: 'team-a' },
      lastBackup: { operation: 'b-1', completedAt: t },
    });
  });

  it('reports the last good release while a failed one is newest', () => {
    const child = helmRelease({ conditions: [cond('Ready', 'False', 'UpgradeFailed', 'x', 2)], history: [snapshot('1.1.0', 'failed'), snapshot('1.0.0')], lastAttemptedRevision: '1.1.0' });
    expect(instanceStatus({ generation: 1, want, child, now })).toMatchObject({ chart: { version: '1.0.0' }, lastAttemptedRevision: '1.1.0' });
  });

  it('returns the stored status unchanged for an unchanged world, so nothing is written', () => {
    const first = instanceStatus({ generation: 1, want, child: readyAt('1.1.0'), now });
    const again = instanceStatus({ generation: 1, previous: first, want, child: readyAt('1.1.0'), now: new Date('2026-03-01T00:00:00Z') });
    expect(again).toEqual(first);
  });

  it('moves lastTransitionTime only for conditions whose status changes', () => {
    const first = instanceStatus({ generation: 1, want, child: readyAt('1.0.0'), now });
    const later = new Date('2026-03-01T00:00:00Z');
    const next = instanceStatus({ generation: 2, previous: first, want, child: readyAt('1.1.0'), now: later });
    const time = (s: typeof next, type: string) => s.conditions!.find(c => c.type === type)!.lastTransitionTime;
    expect(time(next, 'Ready')).toBe('2026-03-01T00:00:00Z');
    expect(time(next, 'Stalled')).toBe(time(first, 'Stalled'));
  });

  describe('progress deadline', () => {
    const minute = 60_000;
    const at = (m: number) => new Date(now.getTime() + m * minute);
    const waiting = helmRelease({ conditions: [cond('Ready', 'False', 'SourceNotReady', "HelmChart 'team-a/team-a-files' is not ready: no 'files' chart with version matching '9.9.9' found", 2)] });
    const condition = (s: ReturnType<typeof instanceStatus>, type: string) => s.conditions!.find(c => c.type === type)!;

    it('is Stalled once the wait for one generation passes the deadline, saying what it waited for', () => {
      const first = instanceStatus({ generation: 1, want, child: waiting, now, progressDeadlineMs: 10 * minute });
      const before = instanceStatus({ generation: 1, previous: first, want, child: waiting, now: at(9), progressDeadlineMs: 10 * minute });
      expect(condition(before, 'Ready').reason).toBe('SourceNotReady');
      expect(untilProgressDeadline(before, { generation: 1, now: at(9), progressDeadlineMs: 10 * minute })).toBe(minute);
      const after = instanceStatus({ generation: 1, previous: before, want, child: waiting, now: at(10), progressDeadlineMs: 10 * minute });
      expect(condition(after, 'Stalled')).toMatchObject({ status: 'True', reason: 'ProgressDeadlineExceeded' });
      expect(condition(after, 'Reconciling').status).toBe('False');
      expect(condition(after, 'Ready').message).toBe(
        "not ready after 10m (deadline 10m); still waiting for HelmRelease team-a/files: HelmChart 'team-a/team-a-files' is not ready: no 'files' chart with version matching '9.9.9' found [SourceNotReady]",
      );
      expect(untilProgressDeadline(after, { generation: 1, now: at(10), progressDeadlineMs: 10 * minute })).toBeUndefined();
    });

    it('counts from the start of the current generation, not from an earlier failure', () => {
      const old = instanceStatus({ generation: 1, want, child: waiting, now, progressDeadlineMs: 10 * minute });
      const edited = instanceStatus({ generation: 2, previous: old, want, child: waiting, now: at(30), progressDeadlineMs: 10 * minute });
      expect(condition(edited, 'Ready')).toMatchObject({ status: 'False', reason: 'SourceNotReady', lastTransitionTime: '2026-02-01T00:30:00Z' });
      expect(condition(edited, 'Stalled').status).toBe('False');
    });

    it('has no deadline when it is 0, and none for a suspended instance', () => {
      const first = instanceStatus({ generation: 1, want, child: waiting, now, progressDeadlineMs: 0 });
      expect(condition(instanceStatus({ generation: 1, previous: first, want, child: waiting, now: at(600), progressDeadlineMs: 0 }), 'Stalled').status).toBe('False');
      const suspended = { ...want, suspend: true };
      const paused = instanceStatus({ generation: 1, want: suspended, child: waiting, now });
      expect(condition(instanceStatus({ generation: 1, previous: paused, want: suspended, child: waiting, now: at(600) }), 'Ready').reason).toBe('Suspended');
    });
  });

  it('reports a child it could not write, and keeps what was deployed', () => {
    const good = instanceStatus({ generation: 1, want, child: readyAt('1.1.0'), now });
    const failed = instanceStatus({
      generation: 2,
      previous: good,
      want,
      applyFailure: { reason: 'NamespaceNotFound', message: 'Application argocd/team-a-files cannot be created: namespace "argocd" does not exist' },
      now,
    });
    expect(failed.conditions!.find(c => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'NamespaceNotFound', message: expect.stringContaining('does not exist') });
    expect(failed.conditions!.find(c => c.type === 'Reconciling')?.status).toBe('True');
    expect(failed.chart).toEqual(good.chart);
    expect(failed.release).toEqual(good.release);
  });

  it('keeps what was deployed when the spec turns invalid', () => {
    const good = instanceStatus({ generation: 1, want, child: readyAt('1.1.0'), now });
    const bad = instanceStatus({ generation: 2, previous: good, issues: [{ path: 'spec.chart.repository.url', message: 'x' }], now });
    expect(bad.chart).toEqual(good.chart);
    expect(bad.release).toEqual(good.release);
  });
});
