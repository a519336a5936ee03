import { argoWorkflowSchema } from '../schemas/argoWorkflow';
import { parseResource } from '../schemas/parseResource';
import { workflowStatus } from './workflowStatus';

function workflow(status: unknown, shutdown?: string) {
  return parseResource(
    argoWorkflowSchema,
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'op-1', namespace: 'team-a' },
      spec: {
        workflowTemplateRef: { name: 'restore-and-verify' },
        arguments: { parameters: [{ name: 'backup', value: 'b1' }] },
        ...(shutdown ? { shutdown } : {}),
      },
      status,
    },
    'Workflow',
  );
}

describe('workflowStatus', () => {
  it.each([
    {
      name: 'not picked up',
      status: undefined,
      shutdown: undefined,
      phase: 'Pending',
      reason: 'WorkflowPending',
    },
    {
      name: 'pending',
      status: {
        phase: 'Pending',
        startedAt: '2026-05-01T10:00:00Z',
        finishedAt: null,
      },
      shutdown: undefined,
      phase: 'Pending',
      reason: 'WorkflowPending',
    },
    {
      name: 'running',
      status: {
        phase: 'Running',
        progress: '1/3',
        startedAt: '2026-05-01T10:00:00Z',
      },
      shutdown: undefined,
      phase: 'Running',
      reason: 'WorkflowRunning',
    },
    {
      name: 'succeeded',
      status: {
        phase: 'Succeeded',
        progress: '3/3',
        finishedAt: '2026-05-01T10:05:00Z',
      },
      shutdown: undefined,
      phase: 'Succeeded',
      reason: 'WorkflowSucceeded',
    },
    {
      name: 'failed',
      status: { phase: 'Failed', message: 'child failed' },
      shutdown: undefined,
      phase: 'Failed',
      reason: 'WorkflowFailed',
    },
    {
      name: 'error',
      status: { phase: 'Error', message: 'template not found' },
      shutdown: undefined,
      phase: 'Failed',
      reason: 'WorkflowError',
    },
    {
      name: 'past its activeDeadlineSeconds',
      status: { phase: 'Failed', message: 'Step exceeded its deadline' },
      shutdown: undefined,
      phase: 'TimedOut',
      reason: 'DeadlineExceeded',
    },
    {
      name: 'terminated',
      status: { phase: 'Failed', message: "Stopped with strategy 'Terminate'" },
      shutdown: 'Terminate',
      phase: 'Cancelled',
      reason: 'WorkflowShutdown',
    },
  ])('$name → $phase', ({ status, shutdown, phase, reason }) => {
    expect(workflowStatus(workflow(status, shutdown))).toMatchObject({
      phase,
      reason,
    });
  });
});
