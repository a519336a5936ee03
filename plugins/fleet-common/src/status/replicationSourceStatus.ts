import type { ReplicationSource } from '../schemas/volsync';
import { getCondition } from './conditions';
import { EngineStatus, engineStatus } from './engineStatus';

/**
 * Maps a VolSync ReplicationSource to the Operation vocabulary for one manual sync: done when
 * `status.lastManualSync` equals our trigger token. Sync errors are retried by VolSync, so
 * they are reported but not terminal.
 * @public
 */
export function replicationSourceStatus(
  source: Pick<ReplicationSource, 'spec' | 'status'>,
  trigger: string,
): EngineStatus {
  if (source.status?.lastManualSync === trigger) {
    return engineStatus(
      'Succeeded',
      'ManualSyncComplete',
      source.status.lastSyncTime
        ? `Synced at ${source.status.lastSyncTime}`
        : 'Synced',
    );
  }
  if (source.spec.trigger?.manual !== trigger) {
    return engineStatus(
      'Pending',
      'TriggerNotSet',
      `Manual trigger ${trigger} not set yet`,
    );
  }
  const syncing = getCondition(source.status?.conditions, 'Synchronizing');
  return engineStatus(
    'Running',
    syncing?.reason || 'ManualSyncRequested',
    syncing?.message || `Waiting for manual sync ${trigger}`,
  );
}
