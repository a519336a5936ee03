import type {
  ApplicationInstance,
  OperationSpec,
} from '@vworkspace/backstage-plugin-fleet-common';
import { engines } from '../../engines';
import type { KubeObject } from '@vworkspace/kube-runtime';
import { admitOperation, AdmissionSubject } from './admitOperation';

const ready = {
  type: 'Ready',
  status: 'True',
  reason: 'UpgradeSucceeded',
  message: 'Helm upgrade succeeded',
  lastTransitionTime: '2026-11-20T10:00:00Z',
} as const;
const failed = {
  ...ready,
  status: 'False',
  reason: 'UpgradeFailed',
  message: 'Helm upgrade failed: hook failed',
} as const;

function instance(
  conditions: Array<typeof ready | typeof failed> = [ready],
  annotations: Record<string, string> = {
    'ops.vworkspace.io/backup': 'velero',
    'ops.vworkspace.io/restore': 'velero',
    'ops.vworkspace.io/upgrade': 'helm',
  },
): ApplicationInstance {
  return {
    apiVersion: 'apps.vworkspace.io/v1alpha1',
    kind: 'ApplicationInstance',
    metadata: { name: 'wiki', namespace: 'team-a', generation: 2, annotations },
    spec: {
      app: 'wiki',
      engine: 'flux',
      interval: '10m',
      suspend: false,
      chart: {
        name: 'wiki',
        version: '1.2.0',
        repository: { url: 'https://charts.example.org/', type: 'helm' },
      },
    },
    status: { observedGeneration: 2, conditions },
  };
}

function subject(
  type: OperationSpec['type'],
  engine: OperationSpec['engine'],
  name = 'op-b',
  creationTimestamp = '2026-11-23T10:00:05Z',
): AdmissionSubject {
  const parametersByType: Partial<Record<OperationSpec['type'], Record<string, unknown>>> = {
    Upgrade: { version: '1.3.0' },
    Restore: { latest: true },
  };
  const parameters = parametersByType[type] ?? {};
  return {
    name,
    namespace: 'team-a',
    creationTimestamp,
    spec: { type, engine, target: { applicationInstance: 'wiki' }, parameters },
  };
}

function sibling(type: string, phase: string, name = 'op-a', created = '2026-11-23T10:00:00Z'): KubeObject {
  return {
    apiVersion: 'ops.vworkspace.io/v1alpha1',
    kind: 'Operation',
    metadata: { name, namespace: 'team-a', creationTimestamp: created },
    spec: { type, engine: 'helm', target: { applicationInstance: 'wiki' } },
    status: { phase },
  };
}

describe('admitOperation', () => {
  it.each([
    {
      name: 'accepts a backup of a Ready instance with the declared engine',
      op: subject('Backup', 'velero'),
      target: instance(),
      siblings: [],
      want: { kind: 'accept' },
    },
    {
      name: 'rejects an operation on a missing instance',
      op: subject('Backup', 'velero'),
      target: undefined,
      siblings: [],
      want: { kind: 'reject', reason: 'TargetNotFound' },
    },
    {
      name: 'rejects an engine the instance does not declare for that type',
      op: subject('Backup', 'job'),
      target: instance(),
      siblings: [],
      want: { kind: 'reject', reason: 'CapabilityMismatch' },
    },
    {
      name: 'rejects a type the instance declares no engine for',
      op: subject('Migration', 'helmHookJob'),
      target: instance(),
      siblings: [],
      want: { kind: 'reject', reason: 'CapabilityMismatch' },
    },
    {
      name: 'makes a backup wait while the instance is not Ready',
      op: subject('Backup', 'velero'),
      target: instance([failed]),
      siblings: [],
      want: { kind: 'wait', reason: 'TargetNotReady' },
    },
    {
      name: 'lets a restore bring back an instance that is not Ready',
      op: subject('Restore', 'velero'),
      target: instance([failed]),
      siblings: [],
      want: { kind: 'accept' },
    },
    {
      name: 'makes an upgrade wait for a running restore',
      op: subject('Upgrade', 'helm'),
      target: instance(),
      siblings: [sibling('Restore', 'Running')],
      want: { kind: 'wait', reason: 'TargetBusy' },
    },
    {
      name: 'makes an upgrade wait for an older pending upgrade (first come, first served)',
      op: subject('Upgrade', 'helm'),
      target: instance(),
      siblings: [sibling('Upgrade', 'Pending')],
      want: { kind: 'wait', reason: 'TargetBusy' },
    },
    {
      name: 'lets the older of two pending upgrades go first',
      op: subject('Upgrade', 'helm', 'op-a', '2026-11-23T10:00:00Z'),
      target: instance(),
      siblings: [sibling('Upgrade', 'Pending', 'op-b', '2026-11-23T10:00:05Z')],
      want: { kind: 'accept' },
    },
    {
      name: 'does not hold an upgrade behind a finished one',
      op: subject('Upgrade', 'helm'),
      target: instance(),
      siblings: [sibling('Upgrade', 'Failed')],
      want: { kind: 'accept' },
    },
    {
      name: 'never holds a backup behind a mutating operation',
      op: subject('Backup', 'velero'),
      target: instance(),
      siblings: [sibling('Upgrade', 'Running')],
      want: { kind: 'accept' },
    },
  ])('$name', ({ op, target, siblings, want }) => {
    const decision = admitOperation({
      subject: op,
      target,
      siblings,
      engine: engines[op.spec.engine],
    });
    expect(decision).toMatchObject(want);
  });

  it('names the blocking operation in the waiting message', () => {
    const decision = admitOperation({
      subject: subject('Upgrade', 'helm'),
      target: instance(),
      siblings: [sibling('Restore', 'Running', 'restore-1')],
      engine: engines.helm,
    });
    expect(decision).toEqual({
      kind: 'wait',
      reason: 'TargetBusy',
      message:
        'waiting for Restore operation restore-1 (Running) on ApplicationInstance team-a/wiki: one mutating operation at a time',
    });
  });
});
