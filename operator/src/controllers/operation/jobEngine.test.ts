import type { SimCluster } from '@vworkspace/kube-sim';
// eslint-disable-next-line @backstage/no-forbidden-package-imports -- kube-sim's entry does not export its controllers yet
import { SimControllersHandle, startControllers } from '@vworkspace/kube-sim/src/controllers';
import {
  condition,
  createInstance,
  createOperation,
  eventsFor,
  getOperation,
  gvr,
  ns,
  OperatorHandle,
  startCluster,
  startOperator,
  waitFor,
  waitForPhase,
} from './__testUtils__/operatorSim';

jest.setTimeout(60_000);

const runCommand = (parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'RunCommand',
  engine: 'job',
  target: { applicationInstance: 'app' },
  parameters,
  ...extra,
});

describe('job engine', () => {
  let cluster: SimCluster;
  let operator: OperatorHandle;
  let jobs: SimControllersHandle | undefined;

  beforeAll(async () => {
    cluster = await startCluster();
    await createInstance(cluster, 'app', { annotations: { 'ops.vworkspace.io/runcommand': 'job' } });
    operator = startOperator(cluster);
  });

  afterAll(async () => {
    jobs?.stop();
    await operator.stop();
    await cluster.stop();
  });

  const withJobs = () => {
    jobs ??= startControllers(cluster, { jobs: true, timeScale: 0 });
  };

  it('runs a Job to success as the readonly profile account, with result, conditions and events', async () => {
    withJobs();
    await createOperation(cluster, 'echo', runCommand({ image: 'busybox:1.36', command: ['sh', '-c', 'echo hello'] }));
    const op = await waitForPhase(cluster, 'echo', 'Succeeded');
    expect(op.status?.result).toMatchObject({ jobName: 'echo' });
    expect(op.status?.engineRef).toEqual({ apiVersion: 'batch/v1', kind: 'Job', name: 'echo', namespace: ns });
    expect(op.status?.engineStatus).toMatchObject({ phase: 'Complete', reason: 'CompletionsReached' });
    expect(condition(op, 'Accepted')).toMatchObject({ status: 'True', reason: 'Accepted' });
    expect(condition(op, 'Complete')).toMatchObject({ status: 'True' });
    expect(condition(op, 'Running')).toMatchObject({ status: 'False', reason: 'Succeeded' });
    expect(op.status?.startedAt).toBeDefined();
    expect(op.status?.completedAt).toBeDefined();

    const job = cluster.api.get(gvr.jobs, 'echo', { namespace: ns }) as unknown as {
      metadata: { labels: Record<string, string>; ownerReferences: Array<{ kind: string; name: string; controller: boolean }> };
      spec: { template: { spec: { serviceAccountName: string } }; activeDeadlineSeconds: number };
    };
    expect(job.metadata.labels['ops.vworkspace.io/operation']).toBe('echo');
    expect(job.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Operation', name: 'echo', controller: true })]);
    expect(job.spec.template.spec.serviceAccountName).toBe('vworkspace-ops-readonly');
    expect(job.spec.activeDeadlineSeconds).toBe(3600);
    const binding = cluster.api.get(gvr.rolebindings, 'vworkspace-ops-readonly', { namespace: ns }) as unknown as {
      roleRef: { kind: string; name: string };
    };
    expect(binding.roleRef).toMatchObject({ kind: 'ClusterRole', name: 'fleet-operator-profile-readonly' });
    expect(cluster.api.get(gvr.serviceaccounts, 'vworkspace-ops-readonly', { namespace: ns })).toBeDefined();

    const reasons = await waitFor(() => {
      const r = eventsFor(cluster, 'echo').map(e => e.reason);
      return r.includes('Succeeded') ? r : undefined;
    }, 'events');
    expect(reasons).toEqual(expect.arrayContaining(['Started', 'Succeeded']));
    expect(eventsFor(cluster, 'echo')[0].source).toEqual({ component: 'vworkspace-operator' });
  });

  it('fails when the command fails', async () => {
    withJobs();
    await createOperation(cluster, 'exit3', runCommand({ image: 'busybox:1.36', command: ['sh', '-c', 'exit 3'] }));
    const op = await waitForPhase(cluster, 'exit3', 'Failed');
    expect(op.status?.engineStatus).toMatchObject({ phase: 'Failed', reason: 'BackoffLimitExceeded' });
    expect(condition(op, 'Complete')).toMatchObject({ status: 'False', reason: 'BackoffLimitExceeded' });
    expect(condition(op, 'Accepted')).toMatchObject({ status: 'True' });
  });

  it('times out when the Job outlives its deadline', async () => {
    withJobs();
    await createOperation(cluster, 'slow', runCommand({ image: 'busybox:1.36', command: ['sh', '-c', 'sleep 100'] }, { timeoutSeconds: 30 }));
    const op = await waitForPhase(cluster, 'slow', 'TimedOut');
    expect(op.status?.engineStatus).toMatchObject({ reason: 'DeadlineExceeded' });
  });

  describe('without a job controller (the Job never ends by itself)', () => {
    beforeAll(() => {
      jobs?.stop();
      jobs = undefined;
    });

    it('ends TimedOut at the operation deadline and deletes the Job', async () => {
      await createOperation(cluster, 'stuck', runCommand({ image: 'busybox:1.36', activeDeadlineSeconds: 600 }, { timeoutSeconds: 1 }));
      const op = await waitForPhase(cluster, 'stuck', 'TimedOut');
      expect(op.status?.message).toContain('deadline of 1s passed');
      await waitFor(() => cluster.api.list(gvr.jobs, { namespace: ns, labelSelector: 'ops.vworkspace.io/operation=stuck' }).items.length === 0, 'Job deleted');
    });

    it('cancels on spec.cancel: deletes the Job and ends Cancelled', async () => {
      await createOperation(cluster, 'cancel-me', runCommand({ image: 'busybox:1.36' }));
      await waitForPhase(cluster, 'cancel-me', 'Running');
      await waitFor(() => cluster.api.list(gvr.jobs, { namespace: ns, labelSelector: 'ops.vworkspace.io/operation=cancel-me' }).items.length === 1, 'Job created');
      await cluster.api.patch(gvr.operations, 'cancel-me', { spec: { cancel: true } }, { type: 'merge', namespace: ns });
      const op = await waitForPhase(cluster, 'cancel-me', 'Cancelled');
      expect(op.status?.message).toContain('cancelled: Job cancel-me deleted');
      await waitFor(() => cluster.api.list(gvr.jobs, { namespace: ns, labelSelector: 'ops.vworkspace.io/operation=cancel-me' }).items.length === 0, 'Job deleted');
    });

    it('cancels on deletion: the finalizer stops the Job first, then the Operation goes', async () => {
      await createOperation(cluster, 'delete-me', runCommand({ image: 'busybox:1.36' }));
      await waitForPhase(cluster, 'delete-me', 'Running');
      expect(getOperation(cluster, 'delete-me').metadata.finalizers).toContain('ops.vworkspace.io/cancel');
      await waitFor(() => cluster.api.list(gvr.jobs, { namespace: ns, labelSelector: 'ops.vworkspace.io/operation=delete-me' }).items.length === 1, 'Job created');
      await cluster.api.delete(gvr.operations, 'delete-me', { namespace: ns });
      await waitFor(() => {
        try {
          getOperation(cluster, 'delete-me');
          return false;
        } catch {
          return true;
        }
      }, 'operation gone');
      await waitFor(() => cluster.api.list(gvr.jobs, { namespace: ns, labelSelector: 'ops.vworkspace.io/operation=delete-me' }).items.length === 0, 'Job deleted');
    });
  });
});
