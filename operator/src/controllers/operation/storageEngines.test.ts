import { SimCluster, SimControllersHandle, startControllers } from '@vworkspace/kube-sim';
import {
  condition,
  createInstance,
  createOperation,
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

/*
 * kube-sim's Argo Workflows, CSI snapshot and VolSync controllers answer the engine
 * resources; outcomes come from what a user would give (template parameters, a storage
 * location, a PVC) or, where nothing natural makes storage fail, kube-sim's annotations.
 */

const target = { applicationInstance: 'app' };

describe('workflow and volsync engines', () => {
  let cluster: SimCluster;
  let operator: OperatorHandle;
  const sims: SimControllersHandle[] = [];

  const createPvc = (name: string) =>
    cluster.api.create(gvr.pvcs, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: ns },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });

  beforeAll(async () => {
    cluster = await startCluster();
    sims.push(
      // Workflow steps last as long as their `seconds` parameter says, ten times slower than nominal: Argo's own
      // deadline (activeDeadlineSeconds, the operation's timeout) then falls well after the operation's.
      startControllers(cluster, { workflows: true, timeScale: 10 }),
      startControllers(cluster, { snapshots: true, volsync: true, timeScale: 0 }),
    );
    await createPvc('data');
    await cluster.api.create(gvr.clusterroles, profileClusterRole('readonly'));
    await cluster.api.create(gvr.workflowTemplates, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowTemplate',
      metadata: { name: 'rotate-keys', namespace: ns },
      spec: {
        entrypoint: 'rotate',
        arguments: { parameters: [{ name: 'keep' }, { name: 'seconds', value: '0' }, { name: 'exit', value: '0' }] },
        templates: [
          {
            name: 'rotate',
            metadata: {
              annotations: {
                'sim.vworkspace.io/duration-seconds': '{{workflow.parameters.seconds}}',
                'sim.vworkspace.io/exit-code': '{{workflow.parameters.exit}}',
              },
            },
            container: { image: 'alpine:3.20', command: ['rotate-keys', '--keep', '{{workflow.parameters.keep}}'] },
          },
        ],
      },
    });
    await createInstance(cluster, 'app', {
      annotations: {
        'ops.vworkspace.io/runbook': 'workflow',
      },
    });
    await createInstance(cluster, 'vol', { annotations: { 'ops.vworkspace.io/backup': 'volsync' } });
    operator = startOperator(cluster);
  });

  afterAll(async () => {
    for (const sim of sims) sim.stop();
    await operator.stop();
    await cluster.stop();
  });

  const exists = (resource: (typeof gvr)[keyof typeof gvr], name: string, namespace: string) => {
    try {
      return cluster.api.get(resource, name, { namespace });
    } catch {
      return undefined;
    }
  };
  const waitForObject = (resource: (typeof gvr)[keyof typeof gvr], name: string, namespace = ns) =>
    waitFor(() => exists(resource, name, namespace), `${resource.resource} ${namespace}/${name}`);


  const workflowOf = (name: string) =>
    exists(gvr.workflows, name, ns) as unknown as { spec: { shutdown?: string }; status?: { phase?: string; message?: string } } | undefined;

  describe('workflow', () => {
    const runbook = (parameters: Record<string, string> = {}, extra: Record<string, unknown> = {}) => ({
      type: 'Runbook',
      engine: 'workflow',
      target,
      parameters: { workflowTemplate: 'rotate-keys', parameters: { keep: '3', ...parameters } },
      ...extra,
    });

    it('creates a Workflow from the template and succeeds with it', async () => {
      await createOperation(cluster, 'wf-ok', runbook());
      const wf = (await waitForObject(gvr.workflows, 'wf-ok')) as unknown as { spec: Record<string, unknown>; metadata: { ownerReferences?: unknown[] } };
      expect(wf.spec).toMatchObject({
        workflowTemplateRef: { name: 'rotate-keys' },
        arguments: { parameters: [{ name: 'keep', value: '3' }] },
        serviceAccountName: 'vworkspace-ops-readonly',
      });
      expect(wf.metadata.ownerReferences).toHaveLength(1);
      const op = await waitForPhase(cluster, 'wf-ok', 'Succeeded', 'Failed');
      expect(op.status?.phase).toBe('Succeeded');
      expect(op.status?.result).toMatchObject({ workflowName: 'wf-ok' });
      expect(op.status?.engineStatus).toMatchObject({ phase: 'Succeeded' });
    });

    it('fails with the workflow when a step fails', async () => {
      await createOperation(cluster, 'wf-bad', runbook({ exit: '3' }));
      const op = await waitForPhase(cluster, 'wf-bad', 'Failed', 'Succeeded');
      expect(op.status?.phase).toBe('Failed');
      expect(op.status?.message).toBe('Error (exit code 3)');
      expect(condition(op, 'Complete')?.reason).toBe('WorkflowFailed');
    });

    it('terminates the running workflow at the deadline', async () => {
      await createOperation(cluster, 'wf-slow', runbook({ seconds: '3600' }, { timeoutSeconds: 1 }));
      await waitFor(() => workflowOf('wf-slow')?.status?.phase === 'Running', 'workflow running');
      const op = await waitForPhase(cluster, 'wf-slow', 'TimedOut');
      expect(op.status?.message).toContain('spec.shutdown: Terminate');
      expect(workflowOf('wf-slow')?.spec.shutdown).toBe('Terminate');
      const stopped = await waitFor(() => (workflowOf('wf-slow')?.status?.phase === 'Failed' ? workflowOf('wf-slow') : undefined), 'Argo stops it');
      expect(stopped?.status?.message).toBe("Stopped with strategy 'Terminate'");
    });

    it('terminates the running workflow on cancel', async () => {
      await createOperation(cluster, 'wf-cancel', runbook({ seconds: '3600' }));
      await waitFor(() => workflowOf('wf-cancel')?.status?.phase === 'Running', 'workflow running');
      await cluster.api.patch(gvr.operations, 'wf-cancel', { spec: { cancel: true } }, { type: 'merge', namespace: ns });
      const op = await waitForPhase(cluster, 'wf-cancel', 'Cancelled');
      expect(op.status?.message).toContain('spec.shutdown: Terminate');
      expect(workflowOf('wf-cancel')?.spec.shutdown).toBe('Terminate');
      await waitFor(() => workflowOf('wf-cancel')?.status?.phase === 'Failed', 'Argo stops it');
    });
  });

  describe('volsync', () => {
    const snapshot = (pvcName: string, extra: Record<string, unknown> = {}) => ({
      type: 'Backup',
      engine: 'volsync',
      target: { applicationInstance: 'vol' },
      parameters: { mode: 'volumeSnapshot', pvcName },
      ...extra,
    });
    const replication = (replicationSourceName: string, extra: Record<string, unknown> = {}) => ({
      type: 'Backup',
      engine: 'volsync',
      target: { applicationInstance: 'vol' },
      parameters: { mode: 'replicationSource', replicationSourceName },
      ...extra,
    });
    const replicationSource = (name: string, annotations: Record<string, string> = {}) =>
      cluster.api.create(gvr.replicationSources, {
        apiVersion: 'volsync.backube/v1alpha1',
        kind: 'ReplicationSource',
        metadata: { name, namespace: ns, annotations },
        spec: { sourcePVC: 'data', trigger: { schedule: '0 3 * * *' }, restic: { repository: `${name}-restic`, copyMethod: 'Snapshot' } },
      });

    it('takes a VolumeSnapshot of the PVC, succeeds when ready, and the snapshot outlives the Operation', async () => {
      await createOperation(cluster, 'snap-ok', snapshot('data'));
      const snap = (await waitForObject(gvr.snapshots, 'snap-ok')) as unknown as { spec: Record<string, unknown>; metadata: { ownerReferences?: unknown[] } };
      expect(snap.spec).toMatchObject({ source: { persistentVolumeClaimName: 'data' } });
      expect(snap.metadata.ownerReferences).toBeUndefined();
      const op = await waitForPhase(cluster, 'snap-ok', 'Succeeded');
      expect(op.status?.result).toMatchObject({ snapshotName: 'snap-ok', restoreSize: '1Gi' });
      expect(op.status?.engineStatus).toMatchObject({ phase: 'ReadyToUse' });
      await cluster.api.delete(gvr.operations, 'snap-ok', { namespace: ns });
      await waitFor(() => !exists(gvr.operations, 'snap-ok', ns), 'operation gone');
      await cluster.idle();
      expect(exists(gvr.snapshots, 'snap-ok', ns)).toBeDefined();
    });

    it('treats a snapshot error as not final: the deadline decides', async () => {
      // The snapshotter reports a missing PVC in status.error and keeps retrying.
      await createOperation(cluster, 'snap-err', snapshot('no-such-pvc', { timeoutSeconds: 2 }));
      await waitFor(() => getOperation(cluster, 'snap-err').status?.engineStatus?.phase === 'Error', 'error observed');
      const running = getOperation(cluster, 'snap-err');
      expect(running.status?.phase).toBe('Running');
      expect(running.status?.engineStatus?.message).toMatch(/failed to retrieve PVC no-such-pvc .*not found/);
      const op = await waitForPhase(cluster, 'snap-err', 'TimedOut');
      expect(op.status?.message).toContain('cannot be interrupted');
    });

    it('treats an error of the CSI driver the same way', async () => {
      // The driver's error is kube-sim's annotation on the snapshot, set before the snapshotter can cut it: the
      // snapshot waits for its PVC, which comes only afterwards.
      await createOperation(cluster, 'snap-driver', snapshot('late-a', { timeoutSeconds: 3 }));
      await waitFor(() => getOperation(cluster, 'snap-driver').status?.engineStatus?.phase === 'Error', 'snapshot waiting for its PVC');
      await cluster.api.patch(gvr.snapshots, 'snap-driver', { metadata: { annotations: { 'sim.vworkspace.io/snapshot-error': 'driver busy' } } }, { type: 'merge', namespace: ns });
      await createPvc('late-a');
      await waitFor(() => getOperation(cluster, 'snap-driver').status?.engineStatus?.message === 'driver busy', 'driver error observed');
      expect(getOperation(cluster, 'snap-driver').status?.phase).toBe('Running');
      const op = await waitForPhase(cluster, 'snap-driver', 'TimedOut');
      expect(op.status?.message).toContain('cannot be interrupted');
    });

    it('on cancel lets the snapshot finish, then ends Cancelled keeping its name', async () => {
      // The snapshot waits for its PVC: the cancel arrives while it is not ready.
      await createOperation(cluster, 'snap-cancel', snapshot('late-b'));
      await waitFor(() => getOperation(cluster, 'snap-cancel').status?.engineStatus?.phase === 'Error', 'snapshot waiting for its PVC');
      await cluster.api.patch(gvr.operations, 'snap-cancel', { spec: { cancel: true } }, { type: 'merge', namespace: ns });
      await waitFor(() => getOperation(cluster, 'snap-cancel').status?.message?.startsWith('cancel requested'), 'cancel recorded');
      expect(getOperation(cluster, 'snap-cancel').status?.phase).toBe('Running');
      await createPvc('late-b');
      const op = await waitForPhase(cluster, 'snap-cancel', 'Cancelled');
      expect(op.status?.message).toContain('ended Succeeded');
      expect(op.status?.result).toMatchObject({ snapshotName: 'snap-cancel' });
    });

    it('triggers a manual ReplicationSource sync and succeeds when VolSync reports it', async () => {
      await replicationSource('data-offsite');
      await createOperation(cluster, 'sync-ok', replication('data-offsite'));
      const op = await waitForPhase(cluster, 'sync-ok', 'Succeeded', 'Failed', 'TimedOut');
      expect(op.status?.phase).toBe('Succeeded');
      expect(op.status?.result).toMatchObject({ replicationSourceName: 'data-offsite', trigger: 'sync-ok' });
      const source = exists(gvr.replicationSources, 'data-offsite', ns) as unknown as {
        spec: { trigger: Record<string, string> };
        status: { lastManualSync?: string };
      };
      expect(source.spec.trigger).toEqual({ schedule: '0 3 * * *', manual: 'sync-ok' });
      expect(source.status.lastManualSync).toBe('sync-ok');
    });

    it('times out when the sync keeps failing: VolSync retries and never answers the trigger', async () => {
      await replicationSource('data-broken', { 'sim.vworkspace.io/exit-code': '1' });
      await createOperation(cluster, 'sync-bad', replication('data-broken', { timeoutSeconds: 2 }));
      const op = await waitForPhase(cluster, 'sync-bad', 'TimedOut', 'Succeeded', 'Failed');
      expect(op.status?.phase).toBe('TimedOut');
      expect(op.status?.message).toContain('cannot be interrupted');
      const source = exists(gvr.replicationSources, 'data-broken', ns) as unknown as { status: { lastManualSync?: string; latestMoverStatus?: { result: string } } };
      expect(source.status.latestMoverStatus?.result).toBe('Failed');
      expect(source.status.lastManualSync).toBeUndefined();
    });

    it('fails when the ReplicationSource does not exist', async () => {
      await createOperation(cluster, 'sync-missing', replication('nope'));
      const op = await waitForPhase(cluster, 'sync-missing', 'Failed');
      expect(condition(op, 'Complete')?.reason).toBe('ReplicationSourceNotFound');
    });
  });
});
