import { parseResource } from '../schemas/parseResource';
import { veleroBackupSchema, veleroRestoreSchema } from '../schemas/velero';
import { veleroStatus } from './veleroStatus';

const backup = (status: unknown) =>
  parseResource(
    veleroBackupSchema,
    {
      apiVersion: 'velero.io/v1',
      kind: 'Backup',
      metadata: { name: 'team-a-op-1', namespace: 'velero' },
      spec: {
        includedNamespaces: ['team-a'],
        ttl: '720h0m0s',
        storageLocation: 'default',
        snapshotVolumes: true,
      },
      status,
    },
    'Backup',
  );
const restore = (status: unknown) =>
  parseResource(
    veleroRestoreSchema,
    {
      apiVersion: 'velero.io/v1',
      kind: 'Restore',
      metadata: { name: 'team-a-op-2', namespace: 'velero' },
      spec: { backupName: 'team-a-op-1', includedNamespaces: ['team-a'] },
      status,
    },
    'Restore',
  );

describe('veleroStatus', () => {
  it.each([
    {
      name: 'backup not seen',
      obj: backup(undefined),
      phase: 'Pending',
      terminal: false,
    },
    {
      name: 'backup New',
      obj: backup({ phase: 'New' }),
      phase: 'Pending',
      terminal: false,
    },
    {
      name: 'backup Queued',
      obj: backup({ phase: 'Queued', queuePosition: 2 }),
      phase: 'Pending',
      terminal: false,
    },
    {
      name: 'backup InProgress',
      obj: backup({
        phase: 'InProgress',
        startTimestamp: '2026-05-01T10:00:00Z',
        progress: { itemsBackedUp: 3, totalItems: 10 },
      }),
      phase: 'Running',
      terminal: false,
    },
    {
      name: 'backup waiting for plugins, partially failed',
      obj: backup({
        phase: 'WaitingForPluginOperationsPartiallyFailed',
        errors: 1,
      }),
      phase: 'Running',
      terminal: false,
    },
    {
      name: 'backup FinalizingPartiallyFailed',
      obj: backup({ phase: 'FinalizingPartiallyFailed' }),
      phase: 'Running',
      terminal: false,
    },
    {
      name: 'backup Completed',
      obj: backup({
        phase: 'Completed',
        warnings: 2,
        expiration: '2026-05-31T10:00:00Z',
        completionTimestamp: '2026-05-01T10:01:00Z',
      }),
      phase: 'Succeeded',
      terminal: true,
      message:
        '2 warnings; read them with `velero backup describe team-a-op-1 -n velero --details` or `velero backup logs team-a-op-1 -n velero`',
    },
    {
      name: 'backup PartiallyFailed',
      obj: backup({ phase: 'PartiallyFailed', errors: 3 }),
      phase: 'PartiallySucceeded',
      terminal: true,
      message: '3 errors; read them with `velero backup describe team-a-op-1',
    },
    {
      name: 'backup Failed',
      obj: backup({
        phase: 'Failed',
        failureReason: 'unable to reach object storage',
      }),
      phase: 'Failed',
      terminal: true,
      message: 'object storage',
    },
    {
      name: 'backup FailedValidation',
      obj: backup({
        phase: 'FailedValidation',
        validationErrors: [
          'an existing backup storage location was not specified',
        ],
      }),
      phase: 'Failed',
      terminal: true,
      message: 'storage location',
    },
    {
      name: 'backup Deleting',
      obj: backup({ phase: 'Deleting' }),
      phase: 'Failed',
      terminal: true,
    },
    {
      name: 'restore Completed',
      obj: restore({ phase: 'Completed' }),
      phase: 'Succeeded',
      terminal: true,
    },
    {
      name: 'restore PartiallyFailed',
      obj: restore({ phase: 'PartiallyFailed', errors: 1, warnings: 4 }),
      phase: 'PartiallySucceeded',
      terminal: true,
      message:
        '1 error, 4 warnings; read them with `velero restore describe team-a-op-2 -n velero --details` or `velero restore logs team-a-op-2 -n velero`',
    },
  ])('$name → $phase', ({ obj, phase, terminal, message }) => {
    const got = veleroStatus(obj);
    expect(got).toMatchObject({ phase, terminal });
    expect(got.message).toContain(message ?? '');
  });

  it('refuses a Deleting restore, which Velero restores never are', () => {
    expect(() => restore({ phase: 'Deleting' })).toThrow('status.phase: ');
  });
});
