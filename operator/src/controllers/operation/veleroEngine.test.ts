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

jest.setTimeout(60_000);

/*
 * kube-sim's Velero answers the Backups and Restores; where nothing a user gives makes object
 * storage fail, kube-sim's `sim.vworkspace.io/outcome` annotation does.
 */

const target = { applicationInstance: 'app' };

describe('velero engine', () => {
  let cluster: SimCluster;
  let operator: OperatorHandle;
  let velero: SimControllersHandle;

  beforeAll(async () => {
    cluster = await startCluster();
    // A Backup takes 5 s nominal, 3 s here: long enough to be seen in progress, cancelled or timed out.
    velero = startControllers(cluster, { velero: true, timeScale: 0.6 });
    await createInstance(cluster, 'app', {
      annotations: { 'ops.vworkspace.io/backup': 'velero', 'ops.vworkspace.io/restore': 'velero' },
    });
    operator = startOperator(cluster);
  });

  afterAll(async () => {
    velero.stop();
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
  /** The ApplicationInstance controller is not under test here: the instance `app` of `namespace` is reported Ready as it would report it. */
  const setReady = async (namespace: string) => {
    const ai = cluster.api.get(gvr.instances, 'app', { namespace });
    await cluster.api.updateStatus(gvr.instances, {
      ...ai,
      status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
    });
  };
  describe('velero', () => {
    const backup = (extra: Record<string, unknown> = {}) => ({ type: 'Backup', engine: 'velero', target, parameters: { ttl: '72h' }, ...extra });
    const backupOf = (name: string) =>
      exists(gvr.backups, name, 'velero') as unknown as { status?: { phase?: string; errors?: number } } | undefined;
    /** Storage failing mid-run: kube-sim's Velero reads the outcome when the backup's upload ends. */
    const failStorage = async (name: string, outcome: 'PartiallyFailed' | 'Failed') => {
      await waitForObject(gvr.backups, name, 'velero');
      await cluster.api.patch(gvr.backups, name, { metadata: { annotations: { 'sim.vworkspace.io/outcome': outcome } } }, { type: 'merge', namespace: 'velero' });
      // Set while Velero still works on it, else the outcome would already be decided.
      expect(['New', 'InProgress', undefined]).toContain(backupOf(name)?.status?.phase);
    };

    it('creates a labelled Backup of the namespace in Velero\'s namespace, and succeeds with it', async () => {
      await createOperation(cluster, 'bk-ok', backup());
      const b = (await waitForObject(gvr.backups, 'team-a-bk-ok', 'velero')) as unknown as {
        metadata: { labels: Record<string, string>; ownerReferences?: unknown[] };
        spec: Record<string, unknown>;
      };
      expect(b.spec).toMatchObject({ includedNamespaces: [ns] });
      // Velero writes the ttl back in Go's duration format once it has seen the Backup.
      expect(['72h', '72h0m0s']).toContain(b.spec.ttl);
      expect(b.metadata.labels).toMatchObject({ 'ops.vworkspace.io/operation': 'bk-ok', 'ops.vworkspace.io/operation-namespace': ns });
      expect(b.metadata.ownerReferences).toBeUndefined();
      const op = await waitForPhase(cluster, 'bk-ok', 'Succeeded', 'PartiallySucceeded', 'Failed');
      expect(op.status?.phase).toBe('Succeeded');
      expect(op.status?.result).toMatchObject({ backupName: 'team-a-bk-ok' });
      expect(op.status?.engineRef).toEqual({ apiVersion: 'velero.io/v1', kind: 'Backup', name: 'team-a-bk-ok', namespace: 'velero' });
      expect(op.status?.engineStatus).toMatchObject({ phase: 'Completed' });
    });

    it('maps PartiallyFailed to PartiallySucceeded', async () => {
      await createOperation(cluster, 'bk-partial', backup());
      await failStorage('team-a-bk-partial', 'PartiallyFailed');
      const op = await waitForPhase(cluster, 'bk-partial', 'PartiallySucceeded', 'Succeeded', 'Failed');
      expect(op.status?.phase).toBe('PartiallySucceeded');
      expect(condition(op, 'Complete')).toMatchObject({ status: 'True' });
      expect(backupOf('team-a-bk-partial')?.status).toMatchObject({ phase: 'PartiallyFailed', errors: 1 });
    });

    it('fails with the backup, giving Velero\'s failure reason', async () => {
      await createOperation(cluster, 'bk-bad', backup());
      await failStorage('team-a-bk-bad', 'Failed');
      const op = await waitForPhase(cluster, 'bk-bad', 'Failed', 'Succeeded');
      expect(op.status?.phase).toBe('Failed');
      expect(op.status?.message).toContain('error uploading backup tarball');
      expect(op.status?.engineStatus).toMatchObject({ phase: 'Failed', reason: expect.stringContaining('error uploading backup tarball') });
    });

    it('fails when Velero rejects the backup: an unknown storage location', async () => {
      await createOperation(cluster, 'bk-nowhere', backup({ parameters: { storageLocation: 'nowhere' } }));
      const op = await waitForPhase(cluster, 'bk-nowhere', 'Failed', 'Succeeded');
      expect(op.status?.phase).toBe('Failed');
      expect(condition(op, 'Complete')?.reason).toBe('BackupFailedValidation');
      expect(op.status?.message).toContain('backupstoragelocations.velero.io "nowhere" not found');
      expect(op.status?.engineStatus).toMatchObject({ phase: 'FailedValidation' });
    });

    it('times out, saying the backup cannot be interrupted, and leaves it to finish', async () => {
      await createOperation(cluster, 'bk-slow', backup({ timeoutSeconds: 1 }));
      const op = await waitForPhase(cluster, 'bk-slow', 'TimedOut');
      expect(op.status?.message).toContain('Velero cannot interrupt a Backup in progress');
      expect(op.status?.engineStatus?.phase).not.toBe('Completed');
      await waitFor(() => backupOf('team-a-bk-slow')?.status?.phase === 'Completed', 'Velero finishes the backup');
    });

    it('on cancel lets the backup finish, then ends Cancelled keeping the backup name', async () => {
      await createOperation(cluster, 'bk-cancel', backup());
      await waitForObject(gvr.backups, 'team-a-bk-cancel', 'velero');
      await cluster.api.patch(gvr.operations, 'bk-cancel', { spec: { cancel: true } }, { type: 'merge', namespace: ns });
      await waitFor(() => getOperation(cluster, 'bk-cancel').status?.message?.startsWith('cancel requested'), 'cancel recorded');
      expect(getOperation(cluster, 'bk-cancel').status?.phase).toBe('Running');
      const op = await waitForPhase(cluster, 'bk-cancel', 'Cancelled');
      expect(op.status?.message).toContain('could not be interrupted and ended Succeeded');
      expect(op.status?.result).toMatchObject({ backupName: 'team-a-bk-cancel' });
      expect(backupOf('team-a-bk-cancel')?.status?.phase).toBe('Completed');
    });

    it('deleting a backup Operation leaves its Velero Backup in place', async () => {
      await waitForPhase(cluster, 'bk-ok', 'Succeeded');
      await cluster.api.delete(gvr.operations, 'bk-ok', { namespace: ns });
      await waitFor(() => !exists(gvr.operations, 'bk-ok', ns), 'operation gone');
      expect(exists(gvr.backups, 'team-a-bk-ok', 'velero')).toBeDefined();
    });

    it('restores from the newest Completed backup of the namespace', async () => {
      const other = 'team-c';
      await cluster.api.create(gvr.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: other } });
      await cluster.api.create(gvr.instances, {
        apiVersion: 'apps.vworkspace.io/v1alpha1',
        kind: 'ApplicationInstance',
        metadata: { name: 'app', namespace: other, annotations: { 'ops.vworkspace.io/backup': 'velero', 'ops.vworkspace.io/restore': 'velero' } },
        spec: { app: 'gitea', chart: { name: 'gitea', version: '1.0.0', repository: { url: 'https://dl.gitea.com/charts/' } } },
      });
      await setReady(other);
      const inOther = (name: string, spec: Record<string, unknown>) =>
        cluster.api.create(gvr.operations, { apiVersion: 'ops.vworkspace.io/v1alpha1', kind: 'Operation', metadata: { name, namespace: other }, spec });
      const phaseIn = (name: string, ...phases: string[]) =>
        waitFor(() => {
          const o = cluster.api.get(gvr.operations, name, { namespace: other }) as { status?: { phase?: string; result?: Record<string, unknown> } };
          return phases.includes(o.status?.phase ?? '') ? o : undefined;
        }, `${name} ${phases.join('|')}`);

      await inOther('bk-base', backup());
      // a newer backup that did not complete must not be picked
      await inOther('bk-newer', backup());
      await failStorage('team-c-bk-newer', 'Failed');
      expect((await phaseIn('bk-base', 'Succeeded', 'Failed')).status?.phase).toBe('Succeeded');
      expect((await phaseIn('bk-newer', 'Failed', 'Succeeded')).status?.phase).toBe('Failed');

      await inOther('rs-latest', { type: 'Restore', engine: 'velero', target, parameters: { latest: true } });
      const restore = (await waitForObject(gvr.restores, 'team-c-rs-latest', 'velero')) as unknown as { spec: Record<string, unknown> };
      expect(restore.spec).toMatchObject({ backupName: 'team-c-bk-base', includedNamespaces: [other] });
      const op = await phaseIn('rs-latest', 'Succeeded', 'PartiallySucceeded', 'Failed');
      expect(op.status?.phase).toBe('Succeeded');
      expect(op.status?.result).toMatchObject({ restoreName: 'team-c-rs-latest', backupName: 'team-c-bk-base' });
    });

    it('fails a restore of "latest" when the namespace has no successful backup', async () => {
      await cluster.api.create(gvr.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } });
      await cluster.api.create(gvr.instances, {
        apiVersion: 'apps.vworkspace.io/v1alpha1',
        kind: 'ApplicationInstance',
        metadata: { name: 'app', namespace: 'team-b', annotations: { 'ops.vworkspace.io/restore': 'velero' } },
        spec: { app: 'gitea', chart: { name: 'gitea', version: '1.0.0', repository: { url: 'https://dl.gitea.com/charts/' } } },
      });
      await setReady('team-b');
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

});
