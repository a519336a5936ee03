import type { Job } from '../schemas/job';
import { getCondition } from './conditions';
import { EngineStatus, engineStatus } from './engineStatus';

/**
 * Maps a batch/v1 Job to the Operation vocabulary. FailureTarget and SuccessCriteriaMet come
 * before Failed and Complete while pods terminate, so they are not terminal yet. A Job that
 * ran past activeDeadlineSeconds fails with reason DeadlineExceeded: that is a timeout.
 * @public
 */
export function jobStatus(job: Pick<Job, 'status'>): EngineStatus {
  const status = job.status ?? {};
  const conditions = status.conditions;
  const failed = getCondition(conditions, 'Failed');
  if (failed?.status === 'True') {
    const timedOut = failed.reason === 'DeadlineExceeded';
    return engineStatus(
      timedOut ? 'TimedOut' : 'Failed',
      failed.reason ?? 'JobFailed',
      failed.message ?? 'Job failed',
    );
  }
  const complete = getCondition(conditions, 'Complete');
  if (complete?.status === 'True') {
    return engineStatus(
      'Succeeded',
      'JobComplete',
      complete.message || 'Job completed',
    );
  }
  const failureTarget = getCondition(conditions, 'FailureTarget');
  if (failureTarget?.status === 'True') {
    return engineStatus(
      'Running',
      'JobFailing',
      failureTarget.message ||
        'Job is failing; waiting for its pods to terminate',
    );
  }
  if (getCondition(conditions, 'SuccessCriteriaMet')?.status === 'True') {
    return engineStatus(
      'Running',
      'JobSucceeding',
      'Job met its success criteria; waiting for its pods to terminate',
    );
  }
  if (getCondition(conditions, 'Suspended')?.status === 'True') {
    return engineStatus('Pending', 'JobSuspended', 'Job is suspended');
  }
  if ((status.active ?? 0) > 0 || status.startTime) {
    return engineStatus(
      'Running',
      'JobRunning',
      `${status.active ?? 0} active, ${status.failed ?? 0} failed pod(s)`,
    );
  }
  return engineStatus('Pending', 'JobPending', 'Job has not started');
}
