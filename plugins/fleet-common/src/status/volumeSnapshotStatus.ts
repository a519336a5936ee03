import type { VolumeSnapshot } from '../schemas/volumeSnapshot';
import { EngineStatus, engineStatus } from './engineStatus';

/**
 * Maps a CSI VolumeSnapshot to the Operation vocabulary. The snapshotter retries after an
 * `error`, so an error is reported but never terminal: the Operation's deadline decides.
 * @public
 */
export function volumeSnapshotStatus(
  snapshot: Pick<VolumeSnapshot, 'status'>,
): EngineStatus {
  const status = snapshot.status;
  if (status?.readyToUse === true) {
    return engineStatus(
      'Succeeded',
      'SnapshotReady',
      status.restoreSize
        ? `Snapshot ready, ${status.restoreSize}`
        : 'Snapshot ready',
    );
  }
  if (status?.error) {
    return engineStatus(
      'Running',
      'SnapshotError',
      status.error.message ?? 'Snapshot error',
    );
  }
  if (status) {
    return engineStatus(
      'Running',
      'SnapshotCreating',
      'Snapshot is being taken',
    );
  }
  return engineStatus(
    'Pending',
    'SnapshotPending',
    'Waiting for the snapshot controller',
  );
}
