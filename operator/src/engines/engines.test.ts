import { deterministicName } from './engineResources';
import { instanceUpgradeStatus } from './helm';
import { latestSuccessfulBackup } from './velero';

const instance = (spec: string, status: Record<string, unknown> | undefined, generation = 2) =>
  ({
    metadata: { name: 'app', namespace: 'team-a', generation },
    spec: { chart: { version: spec } },
    status,
  }) as never;

const ready = (s: string, extra: Record<string, unknown> = {}) => ({ type: 'Ready', status: s, reason: 'R', message: 'm', lastTransitionTime: 't', ...extra });

describe('instanceUpgradeStatus', () => {
  it.each([
    { name: 'someone moved the version on', input: instance('7.0.0', undefined), want: { phase: 'Failed', reason: 'Superseded' } },
    { name: 'new generation not observed', input: instance('6.3.0', { observedGeneration: 1, conditions: [ready('True')] }), want: { phase: 'Running', reason: 'ProgressingGeneration' } },
    {
      name: 'stalled',
      input: instance('6.3.0', { observedGeneration: 2, conditions: [ready('False'), { type: 'Stalled', status: 'True', reason: 'UpgradeFailed', message: 'hook failed', lastTransitionTime: 't' }] }),
      want: { phase: 'Failed', reason: 'UpgradeFailed' },
    },
    { name: 'not ready yet', input: instance('6.3.0', { observedGeneration: 2, conditions: [ready('False')] }), want: { phase: 'Running', reason: 'R' } },
    { name: 'stale green: ready at the old version', input: instance('6.3.0', { observedGeneration: 2, conditions: [ready('True')], chart: { version: '6.2.0' } }), want: { phase: 'Running', reason: 'StaleRelease' } },
    {
      name: 'ready condition from an older generation',
      input: instance('6.3.0', { observedGeneration: 2, conditions: [ready('True', { observedGeneration: 1 })], chart: { version: '6.3.0' } }),
      want: { phase: 'Running' },
    },
    { name: 'ready at the new version', input: instance('6.3.0', { observedGeneration: 2, conditions: [ready('True')], chart: { version: '6.3.0' } }), want: { phase: 'Succeeded', terminal: true } },
  ])('$name', ({ input, want }) => {
    expect(instanceUpgradeStatus(input, '6.3.0')).toMatchObject(want);
  });
});

describe('deterministicName', () => {
  it.each([
    { name: 'short names stay', parts: ['team-a', 'backup-1'], want: /^team-a-backup-1$/ },
    { name: 'long names get a hash', parts: ['team-a', 'x'.repeat(80)], want: /^team-a-x+-[0-9a-f]{10}$/ },
  ])('$name', ({ parts, want }) => {
    const name = deterministicName(parts);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(want);
    expect(deterministicName(parts)).toBe(name);
  });

  it('keeps two long names that differ only at the end apart', () => {
    const base = 'a'.repeat(70);
    expect(deterministicName([`${base}1`])).not.toBe(deterministicName([`${base}2`]));
  });
});

describe('latestSuccessfulBackup', () => {
  const b = (name: string, phase: string, completed: string, namespaces: string[]) =>
    ({ metadata: { name }, spec: { includedNamespaces: namespaces }, status: { phase, completionTimestamp: completed } }) as never;
  it.each([
    { name: 'newest completed wins', items: [b('old', 'Completed', '2026-01-01T00:00:00Z', ['a']), b('new', 'Completed', '2026-02-01T00:00:00Z', ['a'])], want: 'new' },
    { name: 'failed and partial do not count', items: [b('ok', 'Completed', '2026-01-01T00:00:00Z', ['a']), b('f', 'Failed', '2026-03-01T00:00:00Z', ['a']), b('p', 'PartiallyFailed', '2026-03-01T00:00:00Z', ['a'])], want: 'ok' },
    { name: 'other namespaces do not count', items: [b('other', 'Completed', '2026-01-01T00:00:00Z', ['b'])], want: undefined },
  ])('$name', ({ items, want }) => {
    expect(latestSuccessfulBackup(items, 'a')?.metadata.name).toBe(want);
  });
});
