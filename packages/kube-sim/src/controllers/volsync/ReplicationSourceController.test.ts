import path from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { SimCluster } from '../../cluster/SimCluster';
import { eventually } from '../runtime/eventually';
import { ReplicationSourceController } from './ReplicationSourceController';

const CRD = path.resolve(__dirname, '../../../crds/volsync/volsync.backube_replicationsources.yaml');
const NS = 'default';
const group = 'volsync.backube';
const version = 'v1alpha1';
const plural = 'replicationsources';

type Obj = { metadata: { name: string }; spec?: any; status?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads arbitrary fields

jest.setTimeout(30_000);

describe('ReplicationSourceController', () => {
  let cluster: SimCluster;
  let controller: ReplicationSourceController;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  const errors: unknown[] = [];

  beforeAll(async () => {
    cluster = await SimCluster.start({ tls: false, crds: [CRD] });
    controller = new ReplicationSourceController({ api: cluster.api, timings: { timeScale: 0 }, onError: (_c, _k, e) => errors.push(e) }).start();
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeConfig());
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } });
  });

  afterAll(async () => {
    controller.stop();
    await cluster.stop();
  });

  const create = (name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) =>
    custom.createNamespacedCustomObject({
      group, version, namespace: NS, plural,
      body: { apiVersion: `${group}/${version}`, kind: 'ReplicationSource', metadata: { name, annotations }, spec },
    });
  const get = async (name: string) => (await custom.getNamespacedCustomObject({ group, version, namespace: NS, plural, name })) as Obj;
  const trigger = (name: string, manual: string) =>
    custom.patchNamespacedCustomObject(
      { group, version, namespace: NS, plural, name, body: { spec: { trigger: { manual } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

  it('answers a manual trigger with lastManualSync after a sync, as VolSync reports it', async () => {
    await create('nightly', { sourcePVC: 'data', trigger: { manual: 'first' }, restic: { repository: 'restic-secret' } });
    const seen: string[] = [];
    const synced = await eventually(async () => {
      const s = await get('nightly');
      const c = s.status?.conditions?.find((x: { type: string }) => x.type === 'Synchronizing');
      if (c) seen.push(`${c.status}/${c.reason}`);
      return s.status?.lastManualSync === 'first' && s;
    });
    expect(synced.status.lastSyncTime).toEqual(expect.any(String));
    expect(synced.status.lastSyncDuration).toMatch(/^[\d.]+s$/);
    expect(synced.status.latestMoverStatus).toMatchObject({ result: 'Successful' });
    expect(synced.status.conditions).toEqual([
      expect.objectContaining({ type: 'Synchronizing', status: 'False', reason: 'WaitingForManual', message: 'Waiting for manual trigger' }),
    ]);
    expect(synced.status.nextSyncTime).toBeUndefined();

    await trigger('nightly', 'second');
    const again = await eventually(async () => { const s = await get('nightly'); return s.status?.lastManualSync === 'second' && s; });
    expect(Date.parse(again.status.lastSyncTime)).toBeGreaterThanOrEqual(Date.parse(synced.status.lastSyncTime));
  });

  it('does not answer the trigger while the mover fails, and says so in latestMoverStatus', async () => {
    await create('broken', { sourcePVC: 'data', trigger: { manual: 'go' } }, { 'sim.vworkspace.io/exit-code': '1' });
    const failing = await eventually(async () => { const s = await get('broken'); return s.status?.latestMoverStatus?.result === 'Failed' && s; });
    expect(failing.status.lastManualSync).toBeUndefined();
    expect(failing.status.conditions).toEqual([expect.objectContaining({ type: 'Synchronizing', status: 'True', reason: 'SyncInProgress' })]);
  });

  it('reports a missing source PVC as an error', async () => {
    await create('orphan', { sourcePVC: 'nope', trigger: { manual: 'go' } });
    const failing = await eventually(async () => { const s = await get('orphan'); return s.status?.conditions?.[0]?.reason === 'Error' && s; });
    expect(failing.status.conditions[0]).toMatchObject({ status: 'False', message: 'persistentvolumeclaims "nope" not found' });
    expect(failing.status.lastManualSync).toBeUndefined();
  });

  it('waits for a schedule and publishes nextSyncTime', async () => {
    await create('hourly', { sourcePVC: 'data', trigger: { schedule: '0 * * * *' } });
    const waiting = await eventually(async () => { const s = await get('hourly'); return s.status?.nextSyncTime && s; });
    expect(new Date(waiting.status.nextSyncTime).getUTCMinutes()).toBe(0);
    expect(waiting.status.conditions[0]).toMatchObject({ status: 'False', reason: 'WaitingForSchedule' });
    expect(waiting.status.lastSyncTime).toBeUndefined();
  });

  it('rejects a malformed schedule through the CRD schema', async () => {
    await expect(create('bad', { sourcePVC: 'data', trigger: { schedule: 'every hour' } })).rejects.toMatchObject({ code: 422 });
  });

  it('met no unexpected reconcile errors on the way', () => {
    expect(errors).toEqual([]);
  });
});
