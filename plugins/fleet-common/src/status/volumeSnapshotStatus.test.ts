import { parseResource } from '../schemas/parseResource';
import { volumeSnapshotSchema } from '../schemas/volumeSnapshot';
import { volumeSnapshotStatus } from './volumeSnapshotStatus';

const snapshot = (status: unknown) =>
  parseResource(
    volumeSnapshotSchema,
    {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: { name: 'op-1', namespace: 'team-a' },
      spec: {
        source: { persistentVolumeClaimName: 'nextcloud-data' },
        volumeSnapshotClassName: 'csi-snapclass',
      },
      status,
    },
    'VolumeSnapshot',
  );

describe('volumeSnapshotStatus', () => {
  it.each([
    { name: 'no status', status: undefined, phase: 'Pending', terminal: false },
    {
      name: 'bound, not ready',
      status: {
        boundVolumeSnapshotContentName: 'snapcontent-1',
        readyToUse: false,
      },
      phase: 'Running',
      terminal: false,
    },
    {
      name: 'error is not terminal',
      status: {
        readyToUse: false,
        error: {
          time: '2026-05-01T10:00:00Z',
          message: 'Failed to check and update snapshot content',
        },
      },
      phase: 'Running',
      terminal: false,
    },
    {
      name: 'ready',
      status: {
        boundVolumeSnapshotContentName: 'snapcontent-1',
        creationTime: '2026-05-01T10:00:00Z',
        readyToUse: true,
        restoreSize: '8Gi',
      },
      phase: 'Succeeded',
      terminal: true,
    },
  ])('$name → $phase', ({ status, phase, terminal }) => {
    expect(volumeSnapshotStatus(snapshot(status))).toMatchObject({
      phase,
      terminal,
    });
  });
});
