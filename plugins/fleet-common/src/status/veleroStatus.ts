import type { VeleroBackup, VeleroRestore } from '../schemas/velero';
import { EngineStatus, engineStatus } from './engineStatus';

type VeleroObject = (
  | Pick<VeleroBackup, 'kind' | 'status'>
  | Pick<VeleroRestore, 'kind' | 'status'>
) & { metadata?: { name?: string; namespace?: string } };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * How many errors and warnings Velero counted, and where to read them: Velero keeps the
 * details in its object storage, which only its CLI reads (`describe --details`, `logs`).
 */
function counts(obj: VeleroObject): string {
  const status = obj.status;
  const parts = [];
  if (status?.errors) parts.push(plural(status.errors, 'error'));
  if (status?.warnings) parts.push(plural(status.warnings, 'warning'));
  if (!parts.length) return '';
  const name = obj.metadata?.name;
  if (!name) return parts.join(', ');
  const verb = obj.kind === 'Restore' ? 'restore' : 'backup';
  const namespace = obj.metadata?.namespace
    ? ` -n ${obj.metadata.namespace}`
    : '';
  return (
    `${parts.join(', ')}; read them with ` +
    `\`velero ${verb} describe ${name}${namespace} --details\` or \`velero ${verb} logs ${name}${namespace}\``
  );
}

/**
 * Maps a Velero Backup or Restore to the Operation vocabulary. The "...PartiallyFailed"
 * intermediate phases are still running: only PartiallyFailed is final.
 * @public
 */
export function veleroStatus(obj: VeleroObject): EngineStatus {
  const kind = obj.kind;
  const status = obj.status;
  const phase = status?.phase;
  const detail = counts(obj);
  switch (phase) {
    case undefined:
    case 'New':
    case 'Queued':
    case 'ReadyToStart':
      return engineStatus(
        'Pending',
        `${kind}Pending`,
        `${kind} ${phase ?? 'not yet seen'} by Velero`,
      );
    case 'InProgress':
    case 'WaitingForPluginOperations':
    case 'WaitingForPluginOperationsPartiallyFailed':
    case 'Finalizing':
    case 'FinalizingPartiallyFailed':
      return engineStatus(
        'Running',
        `${kind}${phase}`,
        [phase, detail].filter(Boolean).join(': '),
      );
    case 'Completed':
      return engineStatus(
        'Succeeded',
        `${kind}Completed`,
        detail || `${kind} completed`,
      );
    case 'PartiallyFailed':
      return engineStatus(
        'PartiallySucceeded',
        `${kind}PartiallyFailed`,
        detail || `${kind} partially failed`,
      );
    case 'Failed':
      return engineStatus(
        'Failed',
        `${kind}Failed`,
        [status?.failureReason, detail].filter(Boolean).join('; ') ||
          `${kind} failed`,
      );
    case 'FailedValidation':
      return engineStatus(
        'Failed',
        `${kind}FailedValidation`,
        status?.validationErrors?.join('; ') || `${kind} failed validation`,
      );
    case 'Deleting':
      return engineStatus(
        'Failed',
        `${kind}Deleting`,
        `${kind} is being deleted`,
      );
    default:
      return engineStatus(
        'Running',
        `${kind}UnknownPhase`,
        `Unknown phase ${String(phase)}`,
      );
  }
}
