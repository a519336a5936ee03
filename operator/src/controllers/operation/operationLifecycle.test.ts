import { SimCluster, SimControllersHandle, startControllers } from '@vworkspace/kube-sim';
import {
  clientDyingAfterEngineCreate,
  condition,
  createInstance,
  createOperation,
  engineResources,
  getOperation,
  gvr,
  ns,
  setInstanceStatus,
  startCluster,
  startOperator,
  waitFor,
  waitForPhase,
} from './__testUtils__/operatorSim';
import { profileClusterRole } from './__fixtures__/profileClusterRole';

jest.setTimeout(60_000);

const backup = (instance: string, extra: Record<string, unknown> = {}) => ({
  type: 'Backup',
  engine: 'velero',
  target: { applicationInstance: instance },
  parameters: {},
  ...extra,
});

describe('Operation acceptance, preconditions and restarts', () => {
  let cluster: SimCluster;
  let sims: SimControllersHandle;

  beforeAll(async () => {
    cluster = await startCluster();
    sims = startControllers(cluster, { velero: true, jobs: true, snapshots: true, timeScale: 0 });
    await cluster.api.create(gvr.clusterroles, profileClusterRole('readonly'));
    await createInstance(cluster, 'app', {
      annotations: { 'ops.vworkspace.io/backup': 'velero', 'ops.vworkspace.io/restore': 'velero', 'ops.vworkspace.io/runcommand': 'job' },
    });
  });

  afterAll(async () => {
    sims.stop();
    await cluster.stop();
  });

  describe('with a running operator', () => {
    let operator: ReturnType<typeof startOperator>;
    beforeAll(() => {
      operator = startOperator(cluster);
    });
    afterAll(() => operator.stop());

    it.each([
      {
        name: 'missing target',
        spec: backup('nobody'),
        reason: 'TargetNotFound',
        message: 'ApplicationInstance team-a/nobody not found',
      },
      {
        name: 'capability mismatch',
        spec: { type: 'Backup', engine: 'volsync', target: { applicationInstance: 'app' }, parameters: { mode: 'volumeSnapshot', pvcName: 'data' } },
        reason: 'CapabilityMismatch',
        message: 'runs Backup operations with velero (annotation ops.vworkspace.io/backup), not volsync',
      },
      {
        name: 'no capability at all',
        spec: { type: 'Migration', engine: 'job', target: { applicationInstance: 'app' }, parameters: { image: 'x' } },
        reason: 'CapabilityMismatch',
        message: 'declares no engine for Migration operations (no annotation ops.vworkspace.io/migration)',
      },
      {
        name: 'bad parameters (no webhook in front)',
        spec: backup('app', { parameters: { tll: '720h' } }),
        reason: 'InvalidParameters',
        message: 'spec.parameters.tll: unknown field',
      },
    ])('rejects an operation with $name: Accepted=False, Failed, no engine resource', async ({ name, spec, reason, message }) => {
      const opName = `rej-${name.replace(/[^a-z]+/g, '-').replace(/-+$/, '')}`;
      await createOperation(cluster, opName, spec);
      const op = await waitForPhase(cluster, opName, 'Failed');
      expect(condition(op, 'Accepted')).toMatchObject({ status: 'False', reason });
      expect(op.status?.message).toContain(message);
      expect(op.status?.engineRef).toBeUndefined();
      expect(cluster.api.list(gvr.backups, { namespace: 'velero', labelSelector: `ops.vworkspace.io/operation=${opName}` }).items).toHaveLength(0);
    });

    it('waits while the target is not Ready, then runs', async () => {
      await createInstance(cluster, 'sleepy', { annotations: { 'ops.vworkspace.io/backup': 'velero' }, ready: false });
      await createOperation(cluster, 'wait-ready', backup('sleepy'));
      const waiting = await waitFor(() => {
        const op = getOperation(cluster, 'wait-ready');
        return condition(op, 'Accepted')?.reason === 'TargetNotReady' ? op : undefined;
      }, 'waiting for the target');
      expect(waiting.status?.phase).toBe('Pending');
      expect(condition(waiting, 'Accepted')?.status).toBe('Unknown');
      expect(cluster.api.list(gvr.backups, { namespace: 'velero', labelSelector: 'ops.vworkspace.io/operation=wait-ready' }).items).toHaveLength(0);
      await setInstanceStatus(cluster, 'sleepy', { ready: true });
      await waitForPhase(cluster, 'wait-ready', 'Succeeded');
    });

    it('times out an operation whose target never becomes Ready', async () => {
      await createInstance(cluster, 'never', { annotations: { 'ops.vworkspace.io/backup': 'velero' }, ready: false });
      await createOperation(cluster, 'wait-forever', backup('never', { timeoutSeconds: 1 }));
      const op = await waitForPhase(cluster, 'wait-forever', 'TimedOut');
      expect(op.status?.message).toContain('not started within 1s');
    });

    it('backs up, restores a deleted ConfigMap, and keeps the Backup after the Operation is deleted (simulated Velero)', async () => {
      await cluster.api.create(gvr.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: ns }, data: { answer: '42' } });
      await createOperation(cluster, 'real-backup', backup('app'));
      const done = await waitForPhase(cluster, 'real-backup', 'Succeeded', 'PartiallySucceeded', 'Failed');
      expect(done.status?.phase).toBe('Succeeded');
      const backupName = String(done.status?.result?.backupName);

      await cluster.api.delete(gvr.configmaps, 'app-config', { namespace: ns });
      await waitFor(() => {
        try {
          cluster.api.get(gvr.configmaps, 'app-config', { namespace: ns });
          return false;
        } catch {
          return true;
        }
      }, 'ConfigMap gone');

      await createOperation(cluster, 'real-restore', { type: 'Restore', engine: 'velero', target: { applicationInstance: 'app' }, parameters: { latest: true } });
      const restored = await waitForPhase(cluster, 'real-restore', 'Succeeded', 'PartiallySucceeded', 'Failed');
      expect(restored.status?.phase).toBe('Succeeded');
      expect(restored.status?.result).toMatchObject({ backupName });
      expect(cluster.api.get(gvr.configmaps, 'app-config', { namespace: ns }).data).toEqual({ answer: '42' });

      await cluster.api.delete(gvr.operations, 'real-backup', { namespace: ns });
      await waitFor(() => {
        try {
          getOperation(cluster, 'real-backup');
          return false;
        } catch {
          return true;
        }
      }, 'operation gone');
      await cluster.idle();
      expect(cluster.api.get(gvr.backups, backupName, { namespace: 'velero' })).toBeDefined();
    });
  });

  it.each([
    {
      engine: 'job',
      spec: { type: 'RunCommand', engine: 'job', target: { applicationInstance: 'app' }, parameters: { image: 'busybox:1.36', command: ['sh', '-c', 'echo ok'] } },
      resource: gvr.jobs,
      namespace: ns,
      result: { jobName: 'crash-job' },
    },
    {
      engine: 'velero',
      spec: backup('app'),
      resource: gvr.backups,
      namespace: 'velero',
      result: { backupName: 'team-a-crash-velero' },
    },
  ])('an operator killed right after creating its $engine resource: the next one adopts it, one resource, right phase', async ({ engine, spec, resource, namespace, result }) => {
    const name = `crash-${engine}`;
    const dying = clientDyingAfterEngineCreate(cluster);
    const first = startOperator(cluster, {}, dying.client);
    let created: Awaited<typeof dying.engineCreated> | undefined;
    try {
      await createOperation(cluster, name, spec);
      created = await dying.engineCreated;
      // Nothing after the creation reached the cluster: the status still says the engine is starting.
      await cluster.idle();
      const left = getOperation(cluster, name);
      expect(left.status?.phase).toBe('Running');
      expect(condition(left, 'Running')?.reason).toBe('EngineStarting');
      expect(left.status?.engineStatus).toBeUndefined();
    } finally {
      await first.stop();
    }
    expect(created?.metadata?.labels?.['ops.vworkspace.io/operation']).toBe(name);

    // A new process: new client, new caches, nothing remembered.
    const second = startOperator(cluster);
    try {
      const done = await waitForPhase(cluster, name, 'Succeeded', 'PartiallySucceeded', 'Failed', 'TimedOut');
      expect(done.status?.phase).toBe('Succeeded');
      expect(done.status?.result).toMatchObject(result);
      const resources = engineResources(cluster, resource, name, namespace);
      expect(resources.map(r => r.metadata.uid)).toEqual([created?.metadata?.uid]);
    } finally {
      await second.stop();
    }
  });

  it('refuses to adopt an object of the engine name that the operation did not create', async () => {
    await cluster.api.create(gvr.jobs, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'squatted', namespace: ns },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    await createOperation(cluster, 'squatted', { type: 'RunCommand', engine: 'job', target: { applicationInstance: 'app' }, parameters: { image: 'busybox:1.36' } });
    const operator = startOperator(cluster);
    try {
      const op = await waitForPhase(cluster, 'squatted', 'Failed');
      expect(condition(op, 'Complete')?.reason).toBe('NameTaken');
    } finally {
      await operator.stop();
    }
  });

  it('stopping the operator mid-run and starting another one leaves exactly one engine resource', async () => {
    const first = startOperator(cluster, { pollIntervalMs: 50 });
    await createInstance(cluster, 'restart', { annotations: { 'ops.vworkspace.io/backup': 'volsync' } });
    await createOperation(cluster, 'snap-restart', {
      type: 'Backup',
      engine: 'volsync',
      target: { applicationInstance: 'restart' },
      parameters: { mode: 'volumeSnapshot', pvcName: 'missing-pvc' },
    });
    await waitFor(() => cluster.api.list(gvr.snapshots, { namespace: ns, labelSelector: 'ops.vworkspace.io/operation=snap-restart' }).items.length === 1, 'snapshot created');
    await first.stop();
    const second = startOperator(cluster, { pollIntervalMs: 50 });
    try {
      await waitFor(() => getOperation(cluster, 'snap-restart').status?.engineStatus !== undefined, 'observed after restart');
      expect(getOperation(cluster, 'snap-restart').status?.phase).toBe('Running');
      expect(cluster.api.list(gvr.snapshots, { namespace: ns, labelSelector: 'ops.vworkspace.io/operation=snap-restart' }).items).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});
