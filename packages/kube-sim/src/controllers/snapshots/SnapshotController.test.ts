import path from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { SimCluster } from '../../cluster/SimCluster';
import { eventually } from '../runtime/eventually';
import { SnapshotController } from './SnapshotController';

const UPSTREAM = path.resolve(__dirname, '../../../crds/upstream');
const CRDS = ['volumesnapshots', 'volumesnapshotcontents', 'volumesnapshotclasses'].map(p => path.join(UPSTREAM, `snapshot.storage.k8s.io_${p}.yaml`));
const NS = 'default';
const group = 'snapshot.storage.k8s.io';
const version = 'v1';

type Obj = { metadata: { name: string; uid?: string }; spec?: any; status?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads arbitrary fields

jest.setTimeout(30_000);

describe('SnapshotController', () => {
  let cluster: SimCluster;
  let controller: SnapshotController;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  const errors: unknown[] = [];

  beforeAll(async () => {
    cluster = await SimCluster.start({ tls: false, crds: CRDS });
    controller = new SnapshotController({ api: cluster.api, timings: { timeScale: 0 }, onError: (_c, _k, e) => errors.push(e) }).start();
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeConfig());
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
  });

  afterAll(async () => {
    controller.stop();
    await cluster.stop();
  });

  const pvc = (name: string, storage = '1Gi') =>
    core.createNamespacedPersistentVolumeClaim({
      namespace: NS,
      body: { metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } },
    });
  const snapshot = (name: string, claim: string, annotations?: Record<string, string>, className?: string) =>
    custom.createNamespacedCustomObject({
      group, version, namespace: NS, plural: 'volumesnapshots',
      body: { apiVersion: `${group}/${version}`, kind: 'VolumeSnapshot', metadata: { name, annotations }, spec: { volumeSnapshotClassName: className, source: { persistentVolumeClaimName: claim } } },
    });
  const get = async (name: string) => (await custom.getNamespacedCustomObject({ group, version, namespace: NS, plural: 'volumesnapshots', name })) as Obj;
  const content = async (name: string) => (await custom.getClusterCustomObject({ group, version, plural: 'volumesnapshotcontents', name })) as Obj;

  it('creates the default class csi-sim at start', async () => {
    await controller.whenIdle();
    const cls = (await custom.getClusterCustomObject({ group, version, plural: 'volumesnapshotclasses', name: 'csi-sim' })) as Obj & { deletionPolicy: string; metadata: { annotations: Record<string, string> } };
    expect(cls.deletionPolicy).toBe('Delete');
    expect(cls.metadata.annotations['snapshot.storage.kubernetes.io/is-default-class']).toBe('true');
  });

  it('cuts a snapshot of a PVC: bound content, readyToUse, restoreSize from the claim', async () => {
    await pvc('data', '2Gi');
    await snapshot('data-snap', 'data');
    const ready = await eventually(async () => { const s = await get('data-snap'); return s.status?.readyToUse === true && s; });
    expect(ready.spec.volumeSnapshotClassName).toBe('csi-sim');
    expect(ready.status).toMatchObject({ boundVolumeSnapshotContentName: `snapcontent-${ready.metadata.uid}`, restoreSize: '2Gi' });
    expect(ready.status.creationTime).toEqual(expect.any(String));
    expect(ready.status.error).toBeUndefined();
    const bound = await content(`snapcontent-${ready.metadata.uid}`);
    expect(bound.spec).toMatchObject({ deletionPolicy: 'Delete', driver: 'csi.kube-sim.vworkspace.io', volumeSnapshotRef: { name: 'data-snap', namespace: NS, uid: ready.metadata.uid } });
    expect(bound.status).toMatchObject({ readyToUse: true, restoreSize: 2 * 2 ** 30 });
    const events = await core.listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=data-snap' });
    expect(events.items.map(e => e.reason)).toEqual(expect.arrayContaining(['CreatingSnapshot', 'SnapshotCreated', 'SnapshotReady']));
  });

  it('reports a missing PVC as a non-terminal error and recovers once the PVC exists', async () => {
    await snapshot('late-snap', 'late');
    const failing = await eventually(async () => { const s = await get('late-snap'); return s.status?.error && s; });
    expect(failing.status.readyToUse).toBe(false);
    expect(failing.status.error.message).toContain('failed to retrieve PVC late from the lister');
    expect(failing.status.error.time).toEqual(expect.any(String));
    await pvc('late', '500Mi');
    const ready = await eventually(async () => { const s = await get('late-snap'); return s.status?.readyToUse === true && s; });
    expect(ready.status.restoreSize).toBe('500Mi');
    expect(ready.status.error).toBeUndefined();
  });

  it('reports a driver error asked for by annotation until the annotation goes', async () => {
    await pvc('flaky');
    await snapshot('flaky-snap', 'flaky', { 'sim.vworkspace.io/snapshot-error': 'rpc error: code = Internal desc = disk busy' });
    const failing = await eventually(async () => { const s = await get('flaky-snap'); return s.status?.error && s; });
    expect(failing.status).toMatchObject({ readyToUse: false, error: { message: 'rpc error: code = Internal desc = disk busy' } });
    await custom.patchNamespacedCustomObject({
      group, version, namespace: NS, plural: 'volumesnapshots', name: 'flaky-snap',
      body: [{ op: 'remove', path: '/metadata/annotations' }],
    });
    await eventually(async () => (await get('flaky-snap')).status?.readyToUse === true);
  });

  it('deletes the content with its snapshot under Delete and keeps it under Retain', async () => {
    await custom.createClusterCustomObject({
      group, version, plural: 'volumesnapshotclasses',
      body: { apiVersion: `${group}/${version}`, kind: 'VolumeSnapshotClass', metadata: { name: 'keep' }, driver: 'csi.kube-sim.vworkspace.io', deletionPolicy: 'Retain' },
    });
    await pvc('kept');
    await snapshot('kept-snap', 'kept', undefined, 'keep');
    await snapshot('gone-snap', 'kept');
    const kept = await eventually(async () => { const s = await get('kept-snap'); return s.status?.readyToUse === true && s; });
    const gone = await eventually(async () => { const s = await get('gone-snap'); return s.status?.readyToUse === true && s; });
    await custom.deleteNamespacedCustomObject({ group, version, namespace: NS, plural: 'volumesnapshots', name: 'kept-snap' });
    await custom.deleteNamespacedCustomObject({ group, version, namespace: NS, plural: 'volumesnapshots', name: 'gone-snap' });
    await eventually(async () => {
      try {
        await content(gone.status.boundVolumeSnapshotContentName);
        return false;
      } catch {
        return true;
      }
    }, { what: 'the Delete content to go' });
    await controller.whenIdle();
    expect((await content(kept.status.boundVolumeSnapshotContentName)).spec.deletionPolicy).toBe('Retain');
  });

  it('met no unexpected reconcile errors on the way', () => {
    expect(errors).toEqual([]);
  });
});
