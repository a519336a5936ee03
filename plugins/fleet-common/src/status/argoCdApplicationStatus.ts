import type { ArgoCdApplication } from '../schemas/argoCd';
import { EngineStatus, engineStatus } from './engineStatus';

/**
 * Whether an Argo CD Application is synced to `revision` (the chart version) and healthy.
 * A failed sync is final only when it was a sync of that revision; Degraded is not, since
 * health can recover and the Operation's deadline decides.
 * @public
 */
export function argoCdApplicationStatus(
  app: Pick<ArgoCdApplication, 'status'>,
  want: { revision: string },
): EngineStatus {
  const status = app.status;
  const op = status?.operationState;
  if (op && (op.phase === 'Running' || op.phase === 'Terminating')) {
    return engineStatus(
      'Running',
      'Syncing',
      op.message || `Sync ${op.phase.toLowerCase()}`,
    );
  }
  if (op && (op.phase === 'Failed' || op.phase === 'Error')) {
    const revision = op.syncResult?.revision;
    if (revision === undefined || revision === want.revision) {
      return engineStatus(
        'Failed',
        'SyncFailed',
        op.message || `Sync ${op.phase.toLowerCase()}`,
      );
    }
  }
  if (!status?.sync) {
    return engineStatus(
      'Pending',
      'WaitingForArgoCd',
      'Argo CD has not compared the application yet',
    );
  }
  if (
    status.sync.status !== 'Synced' ||
    status.sync.revision !== want.revision
  ) {
    return engineStatus(
      'Running',
      'OutOfSync',
      `Sync ${status.sync.status} at ${
        status.sync.revision ?? 'no revision'
      }, want ${want.revision}`,
    );
  }
  const health = status.health?.status ?? 'Unknown';
  if (health === 'Healthy') {
    return engineStatus(
      'Succeeded',
      'Healthy',
      `Synced to ${want.revision} and healthy`,
    );
  }
  return engineStatus(
    'Running',
    health,
    status.health?.message || `Synced to ${want.revision}, health ${health}`,
  );
}
