import { parseResource } from '../schemas/parseResource';
import { replicationSourceSchema } from '../schemas/volsync';
import { replicationSourceStatus } from './replicationSourceStatus';

const source = (manual: string | undefined, status: unknown) =>
  parseResource(
    replicationSourceSchema,
    {
      apiVersion: 'volsync.backube/v1alpha1',
      kind: 'ReplicationSource',
      metadata: { name: 'nextcloud-data', namespace: 'team-a' },
      spec: {
        sourcePVC: 'nextcloud-data',
        trigger: manual ? { manual } : { schedule: '0 2 * * *' },
        restic: { repository: 'restic-config' },
      },
      status,
    },
    'ReplicationSource',
  );

const syncing = {
  type: 'Synchronizing',
  status: 'True',
  reason: 'SyncInProgress',
  message: 'Synchronization in-progress',
  lastTransitionTime: '2026-05-01T10:00:00Z',
};

describe('replicationSourceStatus', () => {
  it.each([
    {
      name: 'trigger not set yet',
      src: source(undefined, { lastSyncTime: '2026-05-01T02:00:00Z' }),
      phase: 'Pending',
    },
    {
      name: 'previous manual sync done',
      src: source('op-1', { lastManualSync: 'op-0', conditions: [syncing] }),
      phase: 'Running',
      reason: 'SyncInProgress',
    },
    {
      name: 'our manual sync done',
      src: source('op-1', {
        lastManualSync: 'op-1',
        lastSyncTime: '2026-05-01T10:03:00Z',
      }),
      phase: 'Succeeded',
    },
  ])('$name → $phase', ({ src, phase, reason }) => {
    const got = replicationSourceStatus(src, 'op-1');
    expect(got.phase).toBe(phase);
    expect(got.reason).toBe(reason ?? got.reason);
  });
});
