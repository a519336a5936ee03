import { SimController, nowRfc3339 } from '../runtime';
import type { ObjectKey, ReconcileResult, SimControllerOptions } from '../runtime';
import { StatusError } from '../../server/StatusError';
import type { KubeObject } from '../../types';
import { BackupStore } from './BackupStore';
import { BackupScope, collectBackupItems } from './collectBackupItems';
import { includeExcludeErrors, parseGoDuration } from './filters';
import { StepTimer } from './StepTimer';
import { VeleroRestoreController } from './VeleroRestoreController';
import { BACKUPS, LOCATIONS, VELERO_MANAGER, formatGoDuration, patchVelero, requestedOutcome } from './veleroCommon';

/** @public */
export interface VeleroControllerOptions extends SimControllerOptions {
  /** Namespace Velero runs in and watches Backups and Restores in. Default `velero`. */
  namespace?: string;
  /** Object storage; default a new one per controller. Pass one to keep backups across controller restarts. */
  store?: BackupStore;
  /** Nominal delay before a deleted Backup object is re-synced from storage. Default 60 s (Velero's backupSyncPeriod). */
  backupSyncPeriodMs?: number;
}

const DEFAULT_TTL_MS = 720 * 3_600_000;
const K8S_VERSION_LABELS = {
  'velero.io/source-cluster-k8s-gitversion': 'v1.31.0',
  'velero.io/source-cluster-k8s-major-version': '1',
  'velero.io/source-cluster-k8s-minor-version': '31',
};

/**
 * Plays Velero's server (velero.io/v1) for Backups and, through the
 * {@link VeleroRestoreController} it starts with it, Restores. At start it makes
 * sure the Velero namespace and an Available BackupStorageLocation `default` exist.
 *
 * A Backup goes New → InProgress → Finalizing → Completed, or FailedValidation
 * (unknown `spec.storageLocation`, overlapping include/exclude lists), recording
 * the objects of the included namespaces into the in-memory {@link BackupStore}:
 * every namespaced kind served (built-ins and CRDs) except what Velero never
 * restores (events, Velero's own kinds...), filtered by includedResources /
 * excludedResources / labelSelector / orLabelSelectors, plus the Namespace objects.
 * The data outlives the Backup object: a deleted Backup is re-synced from storage
 * after `backupSyncPeriodMs`, as Velero's backup sync does (there is no
 * DeleteBackupRequest support; use `store.delete`).
 *
 * Told to fail by the annotation `sim.vworkspace.io/outcome`: `PartiallyFailed`
 * (data kept, `errors: 1`, through FinalizingPartiallyFailed) or `Failed`
 * (no data, `failureReason`).
 * @public
 */
export class VeleroController extends SimController {
  readonly name = VELERO_MANAGER;
  protected readonly primary = BACKUPS;
  readonly namespace: string;
  readonly store: BackupStore;
  readonly restores: VeleroRestoreController;
  private readonly timer = new StepTimer();
  private readonly syncPeriodMs: number;
  private setup?: Promise<void>;

  private readonly reportError: (key: ObjectKey, error: unknown) => void;

  constructor(options: VeleroControllerOptions) {
    super(options);
    this.reportError = (key, error) => options.onError?.(this.name, key, error);
    this.namespace = options.namespace ?? 'velero';
    this.store = options.store ?? new BackupStore();
    this.syncPeriodMs = options.backupSyncPeriodMs ?? 60_000;
    this.restores = new VeleroRestoreController({ ...options, namespace: this.namespace, store: this.store });
  }

  start(): this {
    this.setup ??= this.ensureDefaultLocation().catch(error => this.reportError({ namespace: this.namespace, name: 'default' }, error));
    super.start();
    this.restores.start();
    return this;
  }

  stop(): void {
    super.stop();
    this.restores.stop();
  }

  async whenIdle(): Promise<void> {
    await this.setup;
    await super.whenIdle();
    await this.restores.whenIdle();
  }

  private async ensureDefaultLocation(): Promise<void> {
    const create = async (gvr: typeof LOCATIONS, object: KubeObject) => {
      try {
        return await this.api.create(gvr, object, { fieldManager: 'velero' });
      } catch (error) {
        if (error instanceof StatusError && error.code === 409) return undefined;
        throw error;
      }
    };
    await create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.namespace } });
    const location = await create(LOCATIONS, {
      apiVersion: 'velero.io/v1',
      kind: 'BackupStorageLocation',
      metadata: { name: 'default', namespace: this.namespace, labels: { component: 'velero' } },
      spec: { provider: 'aws', default: true, accessMode: 'ReadWrite', objectStorage: { bucket: 'velero' }, config: { region: 'minio', s3ForcePathStyle: 'true' } },
    });
    if (location) {
      const now = nowRfc3339();
      // The BackupStorageLocation CRD declares no status subresource.
      await this.api.patch(LOCATIONS, 'default', { status: { phase: 'Available', lastValidationTime: now, lastSyncedTime: now } },
        { type: 'merge', namespace: this.namespace, fieldManager: VELERO_MANAGER });
    }
  }

  protected async reconcile(key: ObjectKey, backup: KubeObject | undefined): Promise<ReconcileResult> {
    if (key.namespace !== this.namespace) return undefined;
    await this.setup;
    if (!backup) return this.resync(key);
    const uid = backup.metadata.uid!;
    if (backup.metadata.deletionTimestamp) return undefined;
    const status = (backup.status ?? {}) as Record<string, unknown>;
    switch (status.phase ?? '') {
      case '':
        await patchVelero(this.api, BACKUPS, backup, { status: { phase: 'New' } });
        return undefined;
      case 'New':
        await this.validateAndStart(backup);
        return undefined;
      case 'InProgress':
        return this.run(backup);
      case 'Finalizing':
      case 'FinalizingPartiallyFailed':
        return this.finalize(backup);
      default:
        this.timer.forget(uid);
        return undefined;
    }
  }

  private locationOf(backup: KubeObject): string {
    return ((backup.spec as { storageLocation?: string } | undefined)?.storageLocation) || 'default';
  }

  private async validateAndStart(backup: KubeObject): Promise<void> {
    const spec = (backup.spec ?? {}) as BackupScope & { storageLocation?: string; ttl?: string; csiSnapshotTimeout?: string; itemOperationTimeout?: string };
    const location = this.locationOf(backup);
    const errors: string[] = [];
    try {
      const bsl = this.api.get(LOCATIONS, location, { namespace: this.namespace });
      if ((bsl.spec as { accessMode?: string }).accessMode === 'ReadOnly') {
        errors.push(`backup can't be created because backup storage location ${location} is currently in read-only mode`);
      }
    } catch (error) {
      if (!(error instanceof StatusError && error.code === 404)) throw error;
      const notFound = `backupstoragelocations.velero.io "${location}" not found`;
      errors.push(spec.storageLocation
        ? `an existing backup storage location wasn't specified at backup creation time and the default '${location}' wasn't found. Please address this issue (see \`velero backup-location -h\` for options) and create a new backup. Error: ${notFound}`
        : `an existing backup storage location wasn't specified at backup creation time and the server default '${location}' doesn't exist. Please address this issue (see \`velero backup-location -h\` for options) and create a new backup. Error: ${notFound}`);
    }
    for (const e of includeExcludeErrors(spec.includedResources, spec.excludedResources)) errors.push(`Invalid included/excluded resource lists: ${e}`);
    for (const e of includeExcludeErrors(spec.includedNamespaces, spec.excludedNamespaces)) errors.push(`Invalid included/excluded namespace lists: ${e}`);
    if (spec.labelSelector && spec.orLabelSelectors?.length) {
      errors.push('encountered labelSelector as well as orLabelSelectors in backup spec, only one can be specified');
    }
    const ttlMs = parseGoDuration(spec.ttl) ?? DEFAULT_TTL_MS;
    const now = new Date();
    const status: Record<string, unknown> = {
      version: 1,
      formatVersion: '1.1.0',
      expiration: new Date(now.getTime() + ttlMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      hookStatus: {},
    };
    if (errors.length) {
      Object.assign(status, { phase: 'FailedValidation', validationErrors: errors });
    } else {
      Object.assign(status, { phase: 'InProgress', startTimestamp: nowRfc3339(), progress: {} });
    }
    await patchVelero(this.api, BACKUPS, backup, {
      metadata: { labels: { 'velero.io/storage-location': location, ...K8S_VERSION_LABELS } },
      spec: { storageLocation: location, ttl: formatGoDuration(ttlMs), csiSnapshotTimeout: spec.csiSnapshotTimeout ?? '10m0s', itemOperationTimeout: spec.itemOperationTimeout ?? '4h0m0s' },
      status,
    });
  }

  private async run(backup: KubeObject): Promise<ReconcileResult> {
    const uid = backup.metadata.uid!;
    const remaining = this.timer.remaining(uid, 'InProgress', this.duration(4_000));
    if (remaining > 0) return { requeueAfterMs: remaining };
    const outcome = requestedOutcome(backup);
    const now = nowRfc3339();
    if (outcome === 'Failed') {
      this.timer.forget(uid);
      await patchVelero(this.api, BACKUPS, backup, {
        status: { phase: 'Failed', completionTimestamp: now, errors: 1, failureReason: 'error uploading backup tarball: simulated object storage failure (sim.vworkspace.io/outcome: Failed)' },
      });
      return undefined;
    }
    const spec = (backup.spec ?? {}) as BackupScope & { hooks?: { resources?: Array<{ pre?: unknown[]; post?: unknown[] }> } };
    const items = collectBackupItems(this.api, spec);
    const hooks = (spec.hooks?.resources ?? []).reduce((n, r) => n + (r.pre?.length ?? 0) + (r.post?.length ?? 0), 0);
    const partially = outcome === 'PartiallyFailed';
    const updated = await patchVelero(this.api, BACKUPS, backup, {
      status: {
        phase: partially ? 'FinalizingPartiallyFailed' : 'Finalizing',
        progress: { totalItems: items.length, itemsBackedUp: items.length },
        errors: partially ? 1 : null,
        hookStatus: hooks ? { hooksAttempted: hooks } : {},
      },
    });
    this.store.put(this.locationOf(backup), updated, items);
    return undefined;
  }

  private async finalize(backup: KubeObject): Promise<ReconcileResult> {
    const uid = backup.metadata.uid!;
    const remaining = this.timer.remaining(uid, 'Finalizing', this.duration(1_000));
    if (remaining > 0) return { requeueAfterMs: remaining };
    this.timer.forget(uid);
    const phase = (backup.status as { phase: string }).phase === 'Finalizing' ? 'Completed' : 'PartiallyFailed';
    const done = await patchVelero(this.api, BACKUPS, backup, { status: { phase, completionTimestamp: nowRfc3339() } });
    this.store.updateBackup(this.locationOf(done), done);
    return undefined;
  }

  /** Velero's backup sync: a Backup object whose data is in storage comes back after the sync period. */
  private async resync(key: ObjectKey): Promise<ReconcileResult> {
    const id = `deleted:${key.name}`;
    const locations = this.api.list(LOCATIONS, { namespace: this.namespace }).items.map(l => l.metadata.name!);
    const stored = locations.map(l => this.store.get(l, key.name)).find(s => s);
    if (!stored) {
      this.timer.forget(id);
      return undefined;
    }
    const remaining = this.timer.remaining(id, 'sync', this.duration(this.syncPeriodMs));
    if (remaining > 0) return { requeueAfterMs: remaining };
    this.timer.forget(id);
    const { metadata, spec, status } = stored.backup;
    try {
      await this.api.create(BACKUPS, {
        apiVersion: 'velero.io/v1',
        kind: 'Backup',
        metadata: { name: metadata.name, namespace: this.namespace, labels: metadata.labels, annotations: metadata.annotations },
        spec,
        status,
      }, { fieldManager: VELERO_MANAGER });
    } catch (error) {
      // Recreated meanwhile, or the namespace is going away: nothing to sync.
      if (!(error instanceof StatusError)) throw error;
    }
    return undefined;
  }
}
