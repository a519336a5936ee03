import { SimCluster, SimControllersHandle, startControllers } from '@vworkspace/kube-sim';
import { isForbidden, KubeClient } from '@vworkspace/kube-runtime';
import {
  condition,
  createInstance,
  createOperation,
  engineResources,
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
import { profileClusterRole } from './__fixtures__/profileClusterRole';

jest.setTimeout(60_000);

const runCommand = (parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'RunCommand',
  engine: 'job',
  target: { applicationInstance: 'app' },
  parameters,
  ...extra,
});

type JobView = {
  metadata: { uid: string; labels: Record<string, string>; ownerReferences: Array<{ kind: string; name: string; controller: boolean }> };
  spec: { template: { spec: { serviceAccountName: string } }; activeDeadlineSeconds: number };
  status?: { active?: number };
};

describe('job engine', () => {
  let cluster: SimCluster;
  let operator: OperatorHandle;
  let jobs: SimControllersHandle;

  const jobsOf = (name: string) => engineResources(cluster, gvr.jobs, name) as unknown as JobView[];

  beforeAll(async () => {
    cluster = await startCluster();
    await createInstance(cluster, 'app', { annotations: { 'ops.vworkspace.io/runcommand': 'job' } });
    await cluster.api.create(gvr.clusterroles, profileClusterRole('readonly'));
    // Simulated runs at 1/100 of their nominal length: a command without `sleep` takes 50 ms,
    // `sleep 3600` keeps its Job running for 36 s, longer than any test here waits on it.
    jobs = startControllers(cluster, { jobs: true, timeScale: 0.01 });
    operator = startOperator(cluster);
  });

  afterAll(async () => {
    jobs.stop();
    await operator.stop();
    await cluster.stop();
  });

  it('runs a Job to success as the readonly profile account, with result, conditions and events', async () => {
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

    const job = cluster.api.get(gvr.jobs, 'echo', { namespace: ns }) as unknown as JobView;
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

  it('writes everything under one field manager, vworkspace-operator', async () => {
    await createOperation(cluster, 'managed', runCommand({ image: 'busybox:1.36', command: ['sh', '-c', 'echo hello'] }));
    await waitForPhase(cluster, 'managed', 'Succeeded');
    await waitFor(() => eventsFor(cluster, 'managed').some(e => e.reason === 'Succeeded'), 'events');
    const managers = (obj: { metadata: { managedFields?: Array<{ manager: string; operation: string; subresource?: string }> } }) =>
      (obj.metadata.managedFields ?? []).map(f => `${f.manager}/${f.operation}${f.subresource ? `/${f.subresource}` : ''}`);
    const written = [
      cluster.api.get(gvr.jobs, 'managed', { namespace: ns }),
      cluster.api.get(gvr.serviceaccounts, 'vworkspace-ops-readonly', { namespace: ns }),
      cluster.api.get(gvr.rolebindings, 'vworkspace-ops-readonly', { namespace: ns }),
      ...eventsFor(cluster, 'managed'),
    ];
    for (const obj of written) {
      // The Job's status is the Job controller's (kube-controller-manager), the rest is ours.
      expect({ kind: obj.kind, managers: managers(obj as never).filter(m => !m.endsWith('/status')) }).toEqual({ kind: obj.kind, managers: ['vworkspace-operator/Update'] });
    }
    // The Operation: created by the test's client, its finalizer and status written by the operator.
    const operation = managers(getOperation(cluster, 'managed') as never);
    expect(operation).toEqual(expect.arrayContaining(['vworkspace-operator/Update', 'vworkspace-operator/Update/status']));
    expect(operation.filter(m => m.includes('operator') && !m.startsWith('vworkspace-operator/'))).toEqual([]);
  });

  it('fails when the command fails', async () => {
    await createOperation(cluster, 'exit3', runCommand({ image: 'busybox:1.36', command: ['sh', '-c', 'exit 3'] }));
    const op = await waitForPhase(cluster, 'exit3', 'Failed');
    expect(op.status?.engineStatus).toMatchObject({ phase: 'Failed', reason: 'BackoffLimitExceeded' });
    expect(condition(op, 'Complete')).toMatchObject({ status: 'False', reason: 'BackoffLimitExceeded' });
    expect(condition(op, 'Accepted')).toMatchObject({ status: 'True' });
  });

  it('times out when the Job outlives its own deadline (activeDeadlineSeconds from timeoutSeconds)', async () => {
    // The Job controller ends the Job at 30 s nominal (0.3 s here), long before the operation's own 30 s deadline.
    await createOperation(cluster, 'slow', runCommand({ image: 'busybox:1.36', command: ['sh', '-c', 'sleep 100'] }, { timeoutSeconds: 30 }));
    const op = await waitForPhase(cluster, 'slow', 'TimedOut');
    expect(op.status?.engineStatus).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded' });
  });

  it('ends TimedOut at the operation deadline and deletes the running Job', async () => {
    await createOperation(
      cluster,
      'stuck',
      runCommand({ image: 'busybox:1.36', command: ['sh', '-c', 'sleep 3600'], activeDeadlineSeconds: 7200 }, { timeoutSeconds: 1 }),
    );
    await waitFor(() => jobsOf('stuck')[0]?.status?.active === 1, 'Job running');
    const op = await waitForPhase(cluster, 'stuck', 'TimedOut');
    expect(op.status?.message).toContain('deadline of 1s passed');
    await waitFor(() => jobsOf('stuck').length === 0, 'Job deleted');
  });

  it('cancels on spec.cancel: deletes the running Job and ends Cancelled', async () => {
    await createOperation(cluster, 'cancel-me', runCommand({ image: 'busybox:1.36', command: ['sh', '-c', 'sleep 3600'] }));
    await waitFor(() => jobsOf('cancel-me')[0]?.status?.active === 1, 'Job running');
    expect(getOperation(cluster, 'cancel-me').status?.phase).toBe('Running');
    await cluster.api.patch(gvr.operations, 'cancel-me', { spec: { cancel: true } }, { type: 'merge', namespace: ns });
    const op = await waitForPhase(cluster, 'cancel-me', 'Cancelled');
    expect(op.status?.message).toContain('cancelled: Job cancel-me deleted');
    await waitFor(() => jobsOf('cancel-me').length === 0, 'Job deleted');
  });

  it('cancels on deletion: the finalizer stops the Job first, then the Operation goes', async () => {
    await createOperation(cluster, 'delete-me', runCommand({ image: 'busybox:1.36', command: ['sh', '-c', 'sleep 3600'] }));
    await waitFor(() => jobsOf('delete-me')[0]?.status?.active === 1, 'Job running');
    expect(getOperation(cluster, 'delete-me').metadata.finalizers).toContain('ops.vworkspace.io/cancel');
    await cluster.api.delete(gvr.operations, 'delete-me', { namespace: ns });
    await waitFor(() => {
      try {
        getOperation(cluster, 'delete-me');
        return false;
      } catch {
        return true;
      }
    }, 'operation gone');
    await waitFor(() => jobsOf('delete-me').length === 0, 'Job deleted');
  });

  describe('RBAC profiles', () => {
    it('runs the Job as the profile account, bound in the namespace only to the profile ClusterRole', async () => {
      // The ClusterRole the chart installs for the profile: what maintenance commands may do.
      await cluster.api.create(gvr.clusterroles, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'fleet-operator-profile-maintenance' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'patch', 'update', 'create'] }],
      });
      await cluster.api.create(gvr.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns }, data: { mode: 'normal' } });
      await cluster.api.create(gvr.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'velero' }, data: { mode: 'normal' } });

      await createOperation(cluster, 'maint', runCommand({ image: 'busybox:1.36', command: ['sh', '-c', 'echo maintenance'], rbacProfile: 'maintenance' }));
      const op = await waitForPhase(cluster, 'maint', 'Succeeded', 'Failed');
      expect(op.status?.phase).toBe('Succeeded');
      const job = jobsOf('maint')[0];
      expect(job.spec.template.spec.serviceAccountName).toBe('vworkspace-ops-maintenance');
      expect(cluster.api.get(gvr.serviceaccounts, 'vworkspace-ops-maintenance', { namespace: ns })).toBeDefined();
      const binding = cluster.api.get(gvr.rolebindings, 'vworkspace-ops-maintenance', { namespace: ns }) as unknown as {
        roleRef: { apiGroup: string; kind: string; name: string };
        subjects: Array<{ kind: string; name: string; namespace: string }>;
      };
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'fleet-operator-profile-maintenance' });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'vworkspace-ops-maintenance', namespace: ns }]);

      // What the command would be able to do with its account's token: the profile's rules, in this namespace only.
      const token = cluster.serviceAccountToken(ns, 'vworkspace-ops-maintenance');
      const asJob = KubeClient.fromString(cluster.kubeConfig({ token }), { maxRetries: 0 });
      const configMaps = { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true } as const;
      try {
        await asJob.patch(configMaps, 'settings', ns, { data: { mode: 'maintenance' } }, { type: 'merge' });
        expect(cluster.api.get(gvr.configmaps, 'settings', { namespace: ns }).data).toEqual({ mode: 'maintenance' });
        const elsewhere = await asJob.patch(configMaps, 'settings', 'velero', { data: { mode: 'maintenance' } }, { type: 'merge' }).then(
          () => 'allowed',
          (err: unknown) => (isForbidden(err) ? 'forbidden' : String(err)),
        );
        expect(elsewhere).toBe('forbidden');
        const secrets = await asJob.list({ apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true }, { namespace: ns }).then(
          () => 'allowed',
          (err: unknown) => (isForbidden(err) ? 'forbidden' : String(err)),
        );
        expect(secrets).toBe('forbidden');
      } finally {
        asJob.close();
      }
    });

    it('rejects a profile name that is not a DNS label with InvalidParameters, creating nothing', async () => {
      await createOperation(cluster, 'bad-profile', runCommand({ image: 'busybox:1.36', rbacProfile: 'Maintenance_Crew' }));
      const op = await waitForPhase(cluster, 'bad-profile', 'Failed');
      expect(condition(op, 'Accepted')).toMatchObject({ status: 'False', reason: 'InvalidParameters' });
      expect(op.status?.message).toContain('spec.parameters.rbacProfile');
      expect(jobsOf('bad-profile')).toHaveLength(0);
      expect(() => cluster.api.get(gvr.serviceaccounts, 'vworkspace-ops-Maintenance_Crew', { namespace: ns })).toThrow();
    });
  });
});
