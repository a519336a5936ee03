import type { SimCluster } from '@vworkspace/kube-sim';
import {
  condition,
  createInstance,
  createOperation,
  getOperation,
  gvr,
  ns,
  OperatorHandle,
  setStatus,
  startCluster,
  startOperator,
  waitFor,
  waitForPhase,
} from './__testUtils__/operatorSim';

jest.setTimeout(60_000);

/*
 * The tests play Argo Workflows, Velero, the CSI snapshotter and VolSync by writing the
 * engine resources' status themselves: every outcome is then reachable on demand.
 */

const target = { applicationInstance: 'app' };

describe('workflow, velero and volsync engines', () => {
  let cluster: SimCluster;
  let operator: OperatorHandle;

  beforeAll(async () => {
    cluster = await startCluster();
    await createInstance(cluster, 'app', {
      annotations: {
        'ops.vworkspace.io/backup': 'velero',
        'ops.vworkspace.io/restore': 'velero',
        'ops.vworkspace.io/runbook': 'workflow',
      },
    });
    await createInstance(cluster, 'vol', { annotations: { 'ops.vworkspace.io/backup': 'volsync' } });
    operator = startOperator(cluster);
  });

  afterAll(async () => {
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

  describe('workflow', () => {
    const runbook = (extra: Record<string, unknown> = {}) => ({
      type: 'Runbook',
      engine: 'workflow',
      target,
      parameters: { workflowTemplate: 'rotate-keys', parameters: { keep: '3' } },
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
      await setStatus(cluster, gvr.workflows, 'wf-ok', ns, { phase: 'Succeeded' });
      const op = await waitForPhase(cluster, 'wf-ok', 'Succeeded');
      expect(op.status?.result).toMatchObject({ workflowName: 'wf-ok' });
      expect(op.status?.engineStatus).toMatchObject({ phase: 'Succeeded' });
    });

    it('fails with the workflow', async () => {
      await createOperation(cluster, 'wf-bad', runbook());
      await waitForObject(gvr.workflows, 'wf-bad');
      await setStatus(cluster, gvr.workflows, 'wf-bad', ns, { phase: 'Failed', message: 'child step-2 failed' });
      const op = await waitForPhase(cluster, 'wf-bad', 'Failed');
      expect(op.status?.message).toBe('child step-2 failed');
    });

    it('terminates the workflow at the deadline', async () => {
      await createOperation(cluster, 'wf-slow', runbook({ timeoutSeconds: 1 }));
      await waitForPhase(cluster, 'wf-slow', 'TimedOut');
      expect((exists(gvr.workflows, 'wf-slow', ns)?.spec as { shutdown?: string }).shutdown).toBe('Terminate');
    });

    it('terminates the workflow on cancel', async () => {
      await createOperation(cluster, 'wf-cancel', runbook());
      await waitForObject(gvr.workflows, 'wf-cancel');
      await cluster.api.patch(gvr.operations, 'wf-cancel', { spec: { cancel: true } }, { type: 'merge', namespace: ns });
      const op = await waitForPhase(cluster, 'wf-cancel', 'Cancelled');
      expect(op.status?.message).toContain('spec.shutdown: Terminate');
      expect((exists(gvr.workflows, 'wf-cancel', ns)?.spec as { shutdown?: string }).shutdown).toBe('Terminate');
    });
  });

  describe('velero', () => {
    const backup = (extra: Record<string, unknown> = {}) => ({ type: 'Backup', engine: 'velero', target, parameters: { ttl: '72h' }, ...extra });

    it('creates a labelled Backup of the namespace in Velero\'s namespace, and succeeds with it', async () => {
      await createOperation(cluster, 'bk-ok', backup());
      const b = (await waitForObject(gvr.backups, 'team-a-bk-ok', 'velero')) as unknown as {
        metadata: { labels: Record<string, string>; ownerReferences?: unknown[] };
        spec: Record<string, unknown>;
      };
      expect(b.spec).toMatchObject({ includedNamespaces: [ns], ttl: '72h' });
      expect(b.metadata.labels).toMatchObject({ 'ops.vworkspace.io/operation': 'bk-ok', 'ops.vworkspace.io/operation-namespace': ns });
      expect(b.metadata.ownerReferences).toBeUndefined();
      await setStatus(cluster, gvr.backups, 'team-a-bk-ok', 'velero', { phase: 'Completed', completionTimestamp: '2026-01-01T00:00:00Z' });
      const op = await waitForPhase(cluster, 'bk-ok', 'Succeeded');
      expect(op.status?.result).toMatchObject({ backupName: 'team-a-bk-ok' });
      expect(op.status?.engineRef).toEqual({ apiVersion: 'velero.io/v1', kind: 'Backup', name: 'team-a-bk-ok', namespace: 'velero' });
    });

    it('maps PartiallyFailed to PartiallySucceeded', async () => {
      await createOperation(cluster, 'bk-partial', backup());
      await waitForObject(gvr.backups, 'team-a-bk-partial', 'velero');
      await setStatus(cluster, gvr.backups, 'team-a-bk-partial', 'velero', { phase: 'PartiallyFailed', errors: 2 });
      const op = await waitForPhase(cluster, 'bk-partial', 'PartiallySucceeded');
      expect(condition(op, 'Complete')).toMatchObject({ status: 'True' });
    });

    it('fails with the backup', async () => {
      await createOperation(cluster, 'bk-bad', backup());
      await waitForObject(gvr.backups, 'team-a-bk-bad', 'velero');
      await setStatus(cluster, gvr.backups, 'team-a-bk-bad', 'velero', { phase: 'Failed', failureReason: 'bucket unreachable' });
      const op = await waitForPhase(cluster, 'bk-bad', 'Failed');
      expect(op.status?.message).toContain('bucket unreachable');
      expect(op.status?.engineStatus).toMatchObject({ phase: 'Failed', reason: 'bucket unreachable' });
    });

    it('times out, saying the backup cannot be interrupted, and leaves it in place', async () => {
      await createOperation(cluster, 'bk-slow', backup({ timeoutSeconds: 1 }));
      const op = await waitForPhase(cluster, 'bk-slow', 'TimedOut');
      expect(op.status?.message).toContain('Velero cannot interrupt a Backup in progress');
      expect(exists(gvr.backups, 'team-a-bk-slow', 'velero')).toBeDefined();
    });

    it('on cancel lets the backup finish, then ends Cancelled keeping the backup name', async () => {
      await createOperation(cluster, 'bk-cancel', backup());
      await waitForObject(gvr.backups, 'team-a-bk-cancel', 'velero');
      await cluster.api.patch(gvr.operations, 'bk-cancel', { spec: { cancel: true } }, { type: 'merge', namespace: ns });
      await waitFor(() => getOperation(cluster, 'bk-cancel').status?.message?.startsWith('cancel requested'), 'cancel recorded');
      expect(getOperation(cluster, 'bk-cancel').status?.phase).toBe('Running');
      await setStatus(cluster, gvr.backups, 'team-a-bk-cancel', 'velero', { phase: 'Completed' });
      const op = await waitForPhase(cluster, 'bk-cancel', 'Cancelled');
      expect(op.status?.message).toContain('could not be interrupted and ended Succeeded');
      expect(op.status?.result).toMatchObject({ backupName: 'team-a-bk-cancel' });
    });

    it('deleting a backup Operation leaves its Velero Backup in place', async () => {
      await waitForPhase(cluster, 'bk-ok', 'Succeeded');
      await cluster.api.delete(gvr.operations, 'bk-ok', { namespace: ns });
      await waitFor(() => !exists(gvr.operations, 'bk-ok', ns), 'operation gone');
      expect(exists(gvr.backups, 'team-a-bk-ok', 'velero')).toBeDefined();
    });

    it('restores from the newest Completed backup of the namespace', async () => {
      // a newer backup that did not complete must not be picked
      await createOperation(cluster, 'bk-newer', backup());
      await waitForObject(gvr.backups, 'team-a-bk-newer', 'velero');
      await setStatus(cluster, gvr.backups, 'team-a-bk-newer', 'velero', { phase: 'Failed', completionTimestamp: '2031-01-01T00:00:00Z' });
      await setStatus(cluster, gvr.backups, 'team-a-bk-partial', 'velero', { phase: 'Completed', completionTimestamp: '2030-01-01T00:00:00Z' });
      await createOperation(cluster, 'rs-latest', { type: 'Restore', engine: 'velero', target, parameters: { latest: true } });
      const restore = (await waitForObject(gvr.restores, 'team-a-rs-latest', 'velero')) as unknown as { spec: Record<string, unknown> };
      expect(restore.spec).toMatchObject({ backupName: 'team-a-bk-partial', includedNamespaces: [ns] });
      await setStatus(cluster, gvr.restores, 'team-a-rs-latest', 'velero', { phase: 'Completed' });
      const op = await waitForPhase(cluster, 'rs-latest', 'Succeeded');
      expect(op.status?.result).toMatchObject({ restoreName: 'team-a-rs-latest', backupName: 'team-a-bk-partial' });
    });

    it('fails a restore of "latest" when the namespace has no successful backup', async () => {
      await cluster.api.create(gvr.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } });
      await cluster.api.create(gvr.instances, {
        apiVersion: 'apps.vworkspace.io/v1alpha1',
        kind: 'ApplicationInstance',
        metadata: { name: 'app', namespace: 'team-b', annotations: { 'ops.vworkspace.io/restore': 'velero' } },
        spec: { app: 'gitea', chart: { name: 'gitea', version: '1.0.0', repository: { url: 'https://dl.gitea.com/charts/' } } },
      });
      const ai = cluster.api.get(gvr.instances, 'app', { namespace: 'team-b' });
      await cluster.api.updateStatus(gvr.instances, {
        ...ai,
        status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
      });
      await cluster.api.create(gvr.operations, {
        apiVersion: 'ops.vworkspace.io/v1alpha1',
        kind: 'Operation',
        metadata: { name: 'rs-none', namespace: 'team-b' },
        spec: { type: 'Restore', engine: 'velero', target, parameters: { latest: true } },
      });
      const op = await waitFor(() => {
        const o = cluster.api.get(gvr.operations, 'rs-none', { namespace: 'team-b' }) as { status?: { phase?: string; message?: string; conditions?: Array<{ type: string; reason: string }> } };
        return o.status?.phase === 'Failed' ? o : undefined;
      }, 'rs-none Failed');
      expect(op.status?.message).toContain('no Completed Velero backup of namespace team-b');
      expect(op.status?.conditions?.find(c => c.type === 'Complete')?.reason).toBe('NoBackup');
    });
  });

  describe('volsync', () => {
    const snapshot = (extra: Record<string, unknown> = {}) => ({
      type: 'Backup',
      engine: 'volsync',
      target: { applicationInstance: 'vol' },
      parameters: { mode: 'volumeSnapshot', pvcName: 'data' },
      ...extra,
    });

    it('takes a VolumeSnapshot of the PVC, succeeds when ready, and the snapshot outlives the Operation', async () => {
      await createOperation(cluster, 'snap-ok', snapshot());
      const snap = (await waitForObject(gvr.snapshots, 'snap-ok')) as unknown as { spec: Record<string, unknown>; metadata: { ownerReferences?: unknown[] } };
      expect(snap.spec).toMatchObject({ source: { persistentVolumeClaimName: 'data' } });
      expect(snap.metadata.ownerReferences).toBeUndefined();
      await setStatus(cluster, gvr.snapshots, 'snap-ok', ns, { readyToUse: true, restoreSize: '1Gi' });
      const op = await waitForPhase(cluster, 'snap-ok', 'Succeeded');
      expect(op.status?.result).toMatchObject({ snapshotName: 'snap-ok', restoreSize: '1Gi' });
      await cluster.api.delete(gvr.operations, 'snap-ok', { namespace: ns });
      await waitFor(() => !exists(gvr.operations, 'snap-ok', ns), 'operation gone');
      await cluster.idle();
      expect(exists(gvr.snapshots, 'snap-ok', ns)).toBeDefined();
    });

    it('treats a snapshot error as not final: the deadline decides', async () => {
      await createOperation(cluster, 'snap-err', snapshot({ timeoutSeconds: 2 }));
      await waitForObject(gvr.snapshots, 'snap-err');
      await setStatus(cluster, gvr.snapshots, 'snap-err', ns, { readyToUse: false, error: { message: 'driver busy' } });
      await waitFor(() => getOperation(cluster, 'snap-err').status?.engineStatus?.phase === 'Error', 'error observed');
      expect(getOperation(cluster, 'snap-err').status?.phase).toBe('Running');
      const op = await waitForPhase(cluster, 'snap-err', 'TimedOut');
      expect(op.status?.message).toContain('cannot be interrupted');
    });

    it('on cancel lets the snapshot finish, then ends Cancelled keeping its name', async () => {
      await createOperation(cluster, 'snap-cancel', snapshot());
      await waitForObject(gvr.snapshots, 'snap-cancel');
      await cluster.api.patch(gvr.operations, 'snap-cancel', { spec: { cancel: true } }, { type: 'merge', namespace: ns });
      await waitFor(() => getOperation(cluster, 'snap-cancel').status?.message?.startsWith('cancel requested'), 'cancel recorded');
      await setStatus(cluster, gvr.snapshots, 'snap-cancel', ns, { readyToUse: true });
      const op = await waitForPhase(cluster, 'snap-cancel', 'Cancelled');
      expect(op.status?.result).toMatchObject({ snapshotName: 'snap-cancel' });
    });

    it('triggers a manual ReplicationSource sync and succeeds when VolSync reports it', async () => {
      await cluster.api.create(gvr.replicationSources, {
        apiVersion: 'volsync.backube/v1alpha1',
        kind: 'ReplicationSource',
        metadata: { name: 'data-offsite', namespace: ns },
        spec: { sourcePVC: 'data', trigger: { schedule: '0 * * * *' } },
      });
      await createOperation(cluster, 'sync-ok', {
        type: 'Backup',
        engine: 'volsync',
        target: { applicationInstance: 'vol' },
        parameters: { mode: 'replicationSource', replicationSourceName: 'data-offsite' },
      });
      await waitFor(
        () => (exists(gvr.replicationSources, 'data-offsite', ns)?.spec as { trigger?: { manual?: string } }).trigger?.manual === 'sync-ok',
        'manual trigger',
      );
      await setStatus(cluster, gvr.replicationSources, 'data-offsite', ns, { lastManualSync: 'sync-ok', lastSyncTime: '2026-01-01T00:00:00Z' });
      const op = await waitForPhase(cluster, 'sync-ok', 'Succeeded');
      expect(op.status?.result).toMatchObject({ replicationSourceName: 'data-offsite', trigger: 'sync-ok' });
    });

    it('fails when the ReplicationSource does not exist', async () => {
      await createOperation(cluster, 'sync-missing', {
        type: 'Backup',
        engine: 'volsync',
        target: { applicationInstance: 'vol' },
        parameters: { mode: 'replicationSource', replicationSourceName: 'nope' },
      });
      const op = await waitForPhase(cluster, 'sync-missing', 'Failed');
      expect(condition(op, 'Complete')?.reason).toBe('ReplicationSourceNotFound');
    });
  });
});
