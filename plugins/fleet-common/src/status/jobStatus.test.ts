import { parseResource } from '../schemas/parseResource';
import { jobSchema } from '../schemas/job';
import { jobStatus } from './jobStatus';

const at = '2026-05-01T10:00:00Z';
function job(status: unknown) {
  return parseResource(
    jobSchema,
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'op-1',
        namespace: 'team-a',
        labels: { 'ops.vworkspace.io/operation': 'op-1' },
      },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 600,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'run', image: 'busybox', command: ['true'] }],
          },
        },
      },
      status,
    },
    'Job',
  );
}
const c = (type: string, reason: string, message = '') => ({
  type,
  status: 'True',
  reason,
  message,
  lastProbeTime: at,
  lastTransitionTime: at,
});

describe('jobStatus', () => {
  it.each([
    { name: 'no status', status: undefined, phase: 'Pending', terminal: false },
    {
      name: 'pod active',
      status: { active: 1, startTime: at },
      phase: 'Running',
      terminal: false,
    },
    {
      name: 'suspended',
      status: { conditions: [c('Suspended', 'JobSuspended')] },
      phase: 'Pending',
      terminal: false,
    },
    {
      name: 'success criteria met, pods terminating',
      status: {
        startTime: at,
        conditions: [c('SuccessCriteriaMet', 'CompletionsReached')],
      },
      phase: 'Running',
      terminal: false,
    },
    {
      name: 'complete',
      status: {
        startTime: at,
        completionTime: at,
        succeeded: 1,
        conditions: [
          c('SuccessCriteriaMet', 'CompletionsReached'),
          c('Complete', 'CompletionsReached'),
        ],
      },
      phase: 'Succeeded',
      terminal: true,
    },
    {
      name: 'failure target, pods terminating',
      status: {
        startTime: at,
        failed: 1,
        conditions: [
          c(
            'FailureTarget',
            'BackoffLimitExceeded',
            'Job has reached the specified backoff limit',
          ),
        ],
      },
      phase: 'Running',
      terminal: false,
    },
    {
      name: 'backoff limit exceeded',
      status: {
        startTime: at,
        failed: 1,
        conditions: [
          c('FailureTarget', 'BackoffLimitExceeded'),
          c(
            'Failed',
            'BackoffLimitExceeded',
            'Job has reached the specified backoff limit',
          ),
        ],
      },
      phase: 'Failed',
      terminal: true,
    },
    {
      name: 'deadline exceeded',
      status: {
        startTime: at,
        conditions: [
          c(
            'Failed',
            'DeadlineExceeded',
            'Job was active longer than specified deadline',
          ),
        ],
      },
      phase: 'TimedOut',
      terminal: true,
    },
  ])('$name → $phase', ({ status, phase, terminal }) => {
    expect(jobStatus(job(status))).toMatchObject({ phase, terminal });
  });
});
