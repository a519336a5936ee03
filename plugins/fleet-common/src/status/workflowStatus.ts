import type { ArgoWorkflow } from '../schemas/argoWorkflow';
import { EngineStatus, engineStatus } from './engineStatus';

/**
 * Argo reports a workflow that ran past `activeDeadlineSeconds` only in words (no reason
 * field): that is a timeout, as a Job's DeadlineExceeded is.
 */
const deadlineMessage = /exceeded its deadline/i;

/**
 * Maps an Argo Workflow to the Operation vocabulary. A workflow stopped through
 * `spec.shutdown` ends Failed in Argo's terms; for us it was cancelled.
 * @public
 */
export function workflowStatus(
  workflow: Pick<ArgoWorkflow, 'spec' | 'status'>,
): EngineStatus {
  const phase = workflow.status?.phase ?? '';
  const message = workflow.status?.message ?? '';
  const progress = workflow.status?.progress;
  switch (phase) {
    case '':
    case 'Pending':
      return engineStatus(
        'Pending',
        'WorkflowPending',
        message || 'Workflow not started',
      );
    case 'Running':
      return engineStatus(
        'Running',
        'WorkflowRunning',
        message || (progress ? `progress ${progress}` : 'Workflow running'),
      );
    case 'Succeeded':
      return engineStatus(
        'Succeeded',
        'WorkflowSucceeded',
        message || 'Workflow succeeded',
      );
    case 'Failed':
    case 'Error':
      if (workflow.spec.shutdown) {
        return engineStatus(
          'Cancelled',
          'WorkflowShutdown',
          message || `Workflow stopped (${workflow.spec.shutdown})`,
        );
      }
      if (deadlineMessage.test(message)) {
        return engineStatus('TimedOut', 'DeadlineExceeded', message);
      }
      return engineStatus(
        'Failed',
        phase === 'Error' ? 'WorkflowError' : 'WorkflowFailed',
        message || `Workflow ${phase.toLowerCase()}`,
      );
    default:
      return engineStatus(
        'Running',
        'WorkflowUnknownPhase',
        `Unknown phase ${String(phase)}`,
      );
  }
}
