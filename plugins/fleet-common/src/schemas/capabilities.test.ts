import { capabilityAnnotationFor } from './capabilities';
import { isEngineAllowed } from './vocabulary';

describe('capabilityAnnotationFor', () => {
  it.each([
    ['Backup', 'ops.vworkspace.io/backup'],
    ['Restore', 'ops.vworkspace.io/restore'],
    ['Upgrade', 'ops.vworkspace.io/upgrade'],
    ['Migration', 'ops.vworkspace.io/migration'],
    ['RunCommand', 'ops.vworkspace.io/runcommand'],
    ['Runbook', 'ops.vworkspace.io/runbook'],
  ] as const)('%s is declared by %s', (type, key) => {
    expect(capabilityAnnotationFor(type)).toBe(key);
  });
});

describe('isEngineAllowed', () => {
  it.each([
    { type: 'Upgrade', engine: 'helm', want: true },
    { type: 'Upgrade', engine: 'job', want: false },
    { type: 'Backup', engine: 'velero', want: true },
    { type: 'Backup', engine: 'helm', want: false },
    { type: 'RunCommand', engine: 'workflow', want: false },
  ] as const)('$engine for $type: $want', ({ type, engine, want }) => {
    expect(isEngineAllowed(type, engine)).toBe(want);
  });
});
