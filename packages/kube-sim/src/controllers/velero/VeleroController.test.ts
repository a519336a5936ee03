import path from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { SimCluster } from '../../cluster/SimCluster';
import { eventually } from '../runtime/eventually';
import { VeleroController } from './VeleroController';

const UPSTREAM = path.resolve(__dirname, '../../../crds/upstream');
const CRDS = ['velero.io_backups.yaml', 'velero.io_restores.yaml', 'velero.io_backupstoragelocations.yaml', 'velero.io_schedules.yaml']
  .map(f => path.join(UPSTREAM, f));
const VELERO = 'velero';

jest.setTimeout(30_000);

type Obj = { metadata: { name: string; labels?: Record<string, string>; uid?: string }; spec?: any; status?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads arbitrary status fields

describe('VeleroController', () => {
  let cluster: SimCluster;
  let velero: VeleroController;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  const errors: unknown[] = [];

  beforeAll(async () => {
    cluster = await SimCluster.start({ tls: false, crds: CRDS });
    velero = new VeleroController({ api: cluster.api, timings: { timeScale: 0 }, onError: (_c, _k, e) => errors.push(e) }).start();
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeConfig());
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
  });

  afterAll(async () => {
    velero.stop();
    await cluster.stop();
  });

  const create = (plural: 'backups' | 'restores', name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) =>
    custom.createNamespacedCustomObject({
      group: 'velero.io', version: 'v1', namespace: VELERO, plural,
      body: { apiVersion: 'velero.io/v1', kind: plural === 'backups' ? 'Backup' : 'Restore', metadata: { name, annotations }, spec },
    });
  const get = async (plural: string, name: string) =>
    (await custom.getNamespacedCustomObject({ group: 'velero.io', version: 'v1', namespace: VELERO, plural, name })) as Obj;
  const settled = (plural: 'backups' | 'restores', name: string) =>
    eventually(async () => {
      const object = await get(plural, name);
      return ['Completed', 'PartiallyFailed', 'Failed', 'FailedValidation'].includes(object.status?.phase) && object;
    }, { what: `${plural}/${name} to settle` });

  const namespace = async (name: string) => {
    await core.createNamespace({ body: { metadata: { name } } });
    await core.createNamespacedConfigMap({ namespace: name, body: { metadata: { name: 'settings', labels: { app: 'demo' } }, data: { theme: 'dark' } } });
    await core.createNamespacedConfigMap({ namespace: name, body: { metadata: { name: 'extra' }, data: { a: '1' } } });
    await core.createNamespacedSecret({ namespace: name, body: { metadata: { name: 'creds', labels: { app: 'demo' } }, stringData: { password: 's3cret' } } });
    await core.createNamespacedEvent({
      namespace: name,
      body: { metadata: { name: 'noise' }, involvedObject: { kind: 'ConfigMap', name: 'settings', namespace: name }, reason: 'Test', message: 'noise' },
    });
  };

  it('creates an Available default BackupStorageLocation at start', async () => {
    await velero.whenIdle();
    const bsl = await get('backupstoragelocations', 'default');
    expect(bsl.spec).toMatchObject({ default: true, provider: 'aws' });
    expect(bsl.status).toMatchObject({ phase: 'Available' });
    expect(bsl.status.lastValidationTime).toEqual(expect.any(String));
  });

  it('backs up a namespace and completes with the status fields Velero writes', async () => {
    await namespace('app-a');
    await create('backups', 'app-a-1', { includedNamespaces: ['app-a'] });
    const backup = await settled('backups', 'app-a-1');
    expect(backup.status).toMatchObject({
      phase: 'Completed',
      version: 1,
      formatVersion: '1.1.0',
      progress: { totalItems: 4, itemsBackedUp: 4 },
      hookStatus: {},
    });
    expect(backup.status.errors).toBeUndefined();
    expect(Date.parse(backup.status.completionTimestamp)).toBeGreaterThanOrEqual(Date.parse(backup.status.startTimestamp));
    const ttlMs = Date.parse(backup.status.expiration) - Date.parse(backup.status.startTimestamp);
    expect(Math.abs(ttlMs - 720 * 3600_000)).toBeLessThan(5_000);
    expect(backup.spec).toMatchObject({ storageLocation: 'default', ttl: '720h0m0s' });
    expect(backup.metadata.labels).toMatchObject({ 'velero.io/storage-location': 'default' });
    const kinds = velero.store.get('default', 'app-a-1')!.items.map(i => `${i.kind}/${i.metadata.name}`).sort();
    expect(kinds).toEqual(['ConfigMap/extra', 'ConfigMap/settings', 'Namespace/app-a', 'Secret/creds']);
  });

  it('honours resource and label filters', async () => {
    await create('backups', 'app-a-labelled', { includedNamespaces: ['app-a'], excludedResources: ['secrets'], labelSelector: { matchLabels: { app: 'demo' } } });
    const backup = await settled('backups', 'app-a-labelled');
    expect(backup.status.phase).toBe('Completed');
    expect(velero.store.get('default', 'app-a-labelled')!.items.filter(i => i.kind !== 'Namespace').map(i => `${i.kind}/${i.metadata.name}`))
      .toEqual(['ConfigMap/settings']);
  });

  it('restores what was deleted, skips what exists and warns when it differs', async () => {
    await namespace('app-b');
    await create('backups', 'app-b-1', { includedNamespaces: ['app-b'] });
    expect((await settled('backups', 'app-b-1')).status.phase).toBe('Completed');

    await core.deleteNamespacedConfigMap({ name: 'settings', namespace: 'app-b' });
    await core.replaceNamespacedConfigMap({ name: 'extra', namespace: 'app-b', body: { metadata: { name: 'extra' }, data: { a: 'changed' } } });

    await create('restores', 'app-b-1-restore', { backupName: 'app-b-1' });
    const restore = await settled('restores', 'app-b-1-restore');
    expect(restore.status).toMatchObject({ phase: 'Completed', progress: { totalItems: 4, itemsRestored: 4 }, warnings: 1 });
    expect(restore.status.errors).toBeUndefined();
    expect(restore.status.startTimestamp).toEqual(expect.any(String));
    expect(restore.status.completionTimestamp).toEqual(expect.any(String));

    const back = await core.readNamespacedConfigMap({ name: 'settings', namespace: 'app-b' });
    expect(back.data).toEqual({ theme: 'dark' });
    expect(back.metadata?.labels).toEqual({ app: 'demo', 'velero.io/backup-name': 'app-b-1', 'velero.io/restore-name': 'app-b-1-restore' });
    const kept = await core.readNamespacedConfigMap({ name: 'extra', namespace: 'app-b' });
    expect(kept.data).toEqual({ a: 'changed' });
    expect(kept.metadata?.labels?.['velero.io/restore-name']).toBeUndefined();
    expect(velero.restores.resultsOf('app-b-1-restore')?.warnings).toEqual([
      'could not restore, ConfigMap "extra" already exists. Warning: the in-cluster version is different than the backed-up version',
    ]);
  });

  it('brings back a whole deleted namespace', async () => {
    await namespace('app-c');
    await create('backups', 'app-c-1', { includedNamespaces: ['app-c'] });
    await settled('backups', 'app-c-1');
    await core.deleteNamespace({ name: 'app-c' });
    await eventually(async () => !(await core.listNamespace()).items.some(ns => ns.metadata?.name === 'app-c'), { what: 'namespace app-c to go' });

    await create('restores', 'app-c-1-restore', { backupName: 'app-c-1' });
    const restore = await settled('restores', 'app-c-1-restore');
    expect(restore.status).toMatchObject({ phase: 'Completed', progress: { itemsRestored: 4 } });
    expect(restore.status.warnings).toBeUndefined();
    const secret = await core.readNamespacedSecret({ name: 'creds', namespace: 'app-c' });
    expect(Buffer.from(secret.data!.password, 'base64').toString()).toBe('s3cret');
  });

  it('keeps the data of a deleted Backup object and re-syncs the object from storage', async () => {
    await namespace('app-d');
    await create('backups', 'app-d-1', { includedNamespaces: ['app-d'] });
    const original = await settled('backups', 'app-d-1');
    await custom.deleteNamespacedCustomObject({ group: 'velero.io', version: 'v1', namespace: VELERO, plural: 'backups', name: 'app-d-1' });
    const synced = await eventually(async () => {
      const again = await get('backups', 'app-d-1');
      return again.metadata.uid !== original.metadata.uid && again;
    }, { what: 'the backup to be re-synced' });
    expect(synced.status).toMatchObject({ phase: 'Completed', progress: { totalItems: 4 } });

    await core.deleteNamespacedSecret({ name: 'creds', namespace: 'app-d' });
    await create('restores', 'app-d-1-restore', { backupName: 'app-d-1' });
    expect((await settled('restores', 'app-d-1-restore')).status.phase).toBe('Completed');
    await expect(core.readNamespacedSecret({ name: 'creds', namespace: 'app-d' })).resolves.toBeDefined();
  });

  it('fails validation for an unknown storage location, as Velero words it', async () => {
    await create('backups', 'nowhere', { includedNamespaces: ['app-a'], storageLocation: 'offsite' });
    const backup = await settled('backups', 'nowhere');
    expect(backup.status.phase).toBe('FailedValidation');
    expect(backup.status.validationErrors).toEqual([
      "an existing backup storage location wasn't specified at backup creation time and the default 'offsite' wasn't found. Please address this issue (see `velero backup-location -h` for options) and create a new backup. Error: backupstoragelocations.velero.io \"offsite\" not found",
    ]);
    expect(backup.status.startTimestamp).toBeUndefined();
    expect(velero.store.get('offsite', 'nowhere')).toBeUndefined();
  });

  it('fails validation of a restore from an unknown backup, or with no source', async () => {
    await create('restores', 'ghost', { backupName: 'never-made' });
    expect((await settled('restores', 'ghost')).status).toMatchObject({
      phase: 'FailedValidation',
      validationErrors: ['Error retrieving backup: backups.velero.io "never-made" not found'],
    });
    await create('restores', 'sourceless', {});
    expect((await settled('restores', 'sourceless')).status.validationErrors).toEqual([
      'Either a backup or schedule must be specified as a source for the restore, but not both',
    ]);
  });

  it('ends PartiallyFailed or Failed when told to', async () => {
    await create('backups', 'partial', { includedNamespaces: ['app-a'] }, { 'sim.vworkspace.io/outcome': 'PartiallyFailed' });
    await create('backups', 'broken', { includedNamespaces: ['app-a'] }, { 'sim.vworkspace.io/outcome': 'Failed' });
    const partial = await settled('backups', 'partial');
    expect(partial.status).toMatchObject({ phase: 'PartiallyFailed', errors: 1, progress: { itemsBackedUp: 4 } });
    expect(velero.store.get('default', 'partial')).toBeDefined();
    const broken = await settled('backups', 'broken');
    expect(broken.status.phase).toBe('Failed');
    expect(broken.status.failureReason).toEqual(expect.any(String));
    expect(broken.status.completionTimestamp).toEqual(expect.any(String));
    expect(velero.store.get('default', 'broken')).toBeUndefined();

    await create('restores', 'broken-restore', { backupName: 'partial' }, { 'sim.vworkspace.io/outcome': 'Failed' });
    expect((await settled('restores', 'broken-restore')).status.phase).toBe('Failed');
    await create('restores', 'partial-restore', { backupName: 'partial' }, { 'sim.vworkspace.io/outcome': 'PartiallyFailed' });
    expect((await settled('restores', 'partial-restore')).status).toMatchObject({ phase: 'PartiallyFailed', errors: 1 });
  });

  it('met no unexpected reconcile errors on the way', () => {
    expect(errors).toEqual([]);
  });
});
