import { EventRecorder, SimController } from '../runtime';
import type { ObjectKey, ReconcileResult, SimControllerOptions } from '../runtime';
import { StatusError } from '../../server/StatusError';
import type { GroupVersionResource, KubeObject } from '../../types';
import { StepTimer } from '../velero/StepTimer';
import { binaryQuantity, quantityBytes } from './quantity';

const SNAPSHOTS: GroupVersionResource = { group: 'snapshot.storage.k8s.io', version: 'v1', resource: 'volumesnapshots' };
const CONTENTS: GroupVersionResource = { group: 'snapshot.storage.k8s.io', version: 'v1', resource: 'volumesnapshotcontents' };
const CLASSES: GroupVersionResource = { group: 'snapshot.storage.k8s.io', version: 'v1', resource: 'volumesnapshotclasses' };
const PVCS: GroupVersionResource = { group: '', version: 'v1', resource: 'persistentvolumeclaims' };

/**
 * `sim.vworkspace.io/snapshot-error: "<message>"` on a VolumeSnapshot makes the
 * CSI driver fail to cut it: `status.error.message` is the annotation's value,
 * retried (not terminal) until the annotation goes away.
 * @public
 */
export const SNAPSHOT_ERROR_ANNOTATION = 'sim.vworkspace.io/snapshot-error';
/** The CSI driver of the class made at start. @public */
export const SIM_CSI_DRIVER = 'csi.kube-sim.vworkspace.io';
const DEFAULT_CLASS_ANNOTATION = 'snapshot.storage.kubernetes.io/is-default-class';

/** @public */
export type SnapshotControllerOptions = SimControllerOptions;

interface SnapshotSpec {
  source?: { persistentVolumeClaimName?: string; volumeSnapshotContentName?: string };
  volumeSnapshotClassName?: string;
}

/** Not a reconcile error: a reason to report in status.error and try again later. */
class SnapshotFailure extends Error {
  constructor(message: string, readonly eventReason: string) {
    super(message);
  }
}

/**
 * Plays the CSI external-snapshotter's snapshot-controller and csi-snapshotter
 * sidecar for snapshot.storage.k8s.io/v1. At start it makes a default
 * VolumeSnapshotClass `csi-sim` (driver {@link SIM_CSI_DRIVER}, deletionPolicy Delete).
 *
 * A VolumeSnapshot of a PVC (`spec.source.persistentVolumeClaimName`) gets the default
 * class filled in, a VolumeSnapshotContent `snapcontent-<uid>` bound to it, then
 * `readyToUse: true`, `creationTime`, `restoreSize` (the PVC's requested storage) and
 * `boundVolumeSnapshotContentName`. A missing PVC or class, or the annotation
 * {@link SNAPSHOT_ERROR_ANNOTATION}, sets `status.error {time, message}` with
 * `readyToUse: false` and keeps retrying, as the real controller does: the error is not
 * terminal. Deleting a VolumeSnapshot deletes its content when the content's
 * deletionPolicy is Delete and keeps it when Retain. No finalizers are added, and PVCs
 * need not be bound (no volumes exist in kube-sim).
 * @public
 */
export class SnapshotController extends SimController {
  readonly name = 'snapshot-controller';
  protected readonly primary = SNAPSHOTS;
  protected readonly secondaries = [PVCS];
  private readonly events: EventRecorder;
  private readonly timer = new StepTimer();
  private setup?: Promise<unknown>;

  constructor(options: SnapshotControllerOptions) {
    super(options);
    this.events = new EventRecorder(this.api, this.name);
  }

  start(): this {
    this.setup ??= this.api.create(CLASSES, {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshotClass',
      metadata: { name: 'csi-sim', annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
      driver: SIM_CSI_DRIVER,
      deletionPolicy: 'Delete',
    }, { fieldManager: 'kube-sim' }).catch(() => undefined);
    return super.start();
  }

  async whenIdle(): Promise<void> {
    await this.setup;
    await super.whenIdle();
  }

  protected mapSecondary(_gvr: GroupVersionResource, pvc: KubeObject): ObjectKey[] {
    const namespace = pvc.metadata.namespace!;
    return this.api.list(SNAPSHOTS, { namespace }).items
      .filter(s => (s.spec as SnapshotSpec).source?.persistentVolumeClaimName === pvc.metadata.name)
      .map(s => ({ namespace, name: s.metadata.name! }));
  }

  protected async reconcile(key: ObjectKey, snapshot: KubeObject | undefined): Promise<ReconcileResult> {
    await this.setup;
    if (!snapshot) return this.cleanUp(key);
    if (snapshot.metadata.deletionTimestamp) return undefined;
    const status = (snapshot.status ?? {}) as Record<string, unknown>;
    if (status.readyToUse === true) return undefined;
    try {
      return await this.cut(snapshot);
    } catch (error) {
      if (!(error instanceof SnapshotFailure)) throw error;
      const previous = status.error as { message?: string } | undefined;
      if (previous?.message !== error.message) {
        await this.writeStatus(snapshot, { ...status, readyToUse: false, error: { time: new Date().toISOString(), message: error.message } });
        await this.events.record(snapshot, 'Warning', error.eventReason, error.message);
      }
      // The real controller retries with exponential backoff; a steady period is enough here.
      return { requeueAfterMs: Math.max(this.duration(10_000), 100) };
    }
  }

  private async cut(snapshot: KubeObject): Promise<ReconcileResult> {
    const spec = snapshot.spec as SnapshotSpec;
    const name = snapshot.metadata.name!;
    const namespace = snapshot.metadata.namespace!;
    const claimName = spec.source?.persistentVolumeClaimName;
    if (!claimName) return this.bindPreProvisioned(snapshot, spec.source?.volumeSnapshotContentName);
    const creationFailed = (reason: string) =>
      new SnapshotFailure(`Failed to create snapshot content with error failed to get input parameters to create snapshot ${name}: ${JSON.stringify(reason)}`, 'SnapshotContentCreationFailed');

    let className = spec.volumeSnapshotClassName;
    if (!className) {
      const defaults = this.api.list(CLASSES).items.filter(c => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
      if (defaults.length !== 1) throw creationFailed(defaults.length ? 'more than one default snapshot class found' : 'cannot find default snapshot class');
      className = defaults[0].metadata.name!;
      await this.api.patch(SNAPSHOTS, name, { spec: { volumeSnapshotClassName: className } }, { type: 'merge', namespace, fieldManager: this.name });
      return undefined;
    }
    const snapshotClass = this.find(CLASSES, className);
    if (!snapshotClass) throw creationFailed(`volumesnapshotclass.snapshot.storage.k8s.io ${JSON.stringify(className)} not found`);
    const pvc = this.find(PVCS, claimName, namespace);
    if (!pvc) throw creationFailed(`failed to retrieve PVC ${claimName} from the lister: ${JSON.stringify(`persistentvolumeclaim ${JSON.stringify(claimName)} not found`)}`);
    const injected = snapshot.metadata.annotations?.[SNAPSHOT_ERROR_ANNOTATION];
    if (injected) throw new SnapshotFailure(injected, 'SnapshotCreationFailed');

    const uid = snapshot.metadata.uid!;
    const contentName = `snapcontent-${uid}`;
    let content = this.find(CONTENTS, contentName);
    if (!content) {
      content = await this.api.create(CONTENTS, {
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshotContent',
        metadata: { name: contentName },
        spec: {
          deletionPolicy: snapshotClass.deletionPolicy,
          driver: snapshotClass.driver,
          source: { volumeHandle: `pvc-${pvc.metadata.uid}` },
          sourceVolumeMode: 'Filesystem',
          volumeSnapshotClassName: className,
          volumeSnapshotRef: { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', name, namespace, uid, resourceVersion: snapshot.metadata.resourceVersion },
        },
      }, { fieldManager: this.name });
      await this.writeStatus(snapshot, { boundVolumeSnapshotContentName: contentName, readyToUse: false });
      await this.events.record(snapshot, 'Normal', 'CreatingSnapshot', `Waiting for a snapshot ${namespace}/${name} to be created by the CSI driver.`);
      return undefined;
    }
    const remaining = this.timer.remaining(uid, 'cut', this.duration(3_000));
    if (remaining > 0) return { requeueAfterMs: remaining };
    this.timer.forget(uid);

    const requested = (pvc.spec as { resources?: { requests?: { storage?: string } } } | undefined)?.resources?.requests?.storage;
    const bytes = quantityBytes(requested) ?? 0;
    const now = Date.now();
    await this.api.patch(CONTENTS, contentName, {
      status: { snapshotHandle: `snap-${uid}`, creationTime: now * 1_000_000, restoreSize: bytes, readyToUse: true },
    }, { type: 'merge', subresource: 'status', fieldManager: 'csi-snapshotter' });
    await this.events.record(snapshot, 'Normal', 'SnapshotCreated', `Snapshot ${namespace}/${name} was successfully created by the CSI driver.`);
    await this.writeStatus(snapshot, {
      boundVolumeSnapshotContentName: contentName,
      creationTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      readyToUse: true,
      restoreSize: binaryQuantity(bytes),
    });
    await this.events.record(snapshot, 'Normal', 'SnapshotReady', `Snapshot ${namespace}/${name} is ready to use.`);
    return undefined;
  }

  /** A snapshot of an existing content (static provisioning): ready as soon as the content is. */
  private async bindPreProvisioned(snapshot: KubeObject, contentName: string | undefined): Promise<ReconcileResult> {
    const content = contentName ? this.find(CONTENTS, contentName) : undefined;
    if (!content) throw new SnapshotFailure(`Failed to check and update snapshot: snapshot content ${JSON.stringify(contentName ?? '')} not found`, 'SnapshotContentMissing');
    const contentStatus = (content.status ?? {}) as { restoreSize?: number; readyToUse?: boolean; creationTime?: number };
    await this.writeStatus(snapshot, {
      boundVolumeSnapshotContentName: contentName,
      readyToUse: contentStatus.readyToUse ?? true,
      ...(contentStatus.restoreSize !== undefined ? { restoreSize: binaryQuantity(contentStatus.restoreSize) } : {}),
      ...(contentStatus.creationTime !== undefined ? { creationTime: new Date(contentStatus.creationTime / 1_000_000).toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
    });
    return undefined;
  }

  private async cleanUp(key: ObjectKey): Promise<ReconcileResult> {
    for (const content of this.api.list(CONTENTS).items) {
      const spec = content.spec as { deletionPolicy?: string; volumeSnapshotRef?: { name?: string; namespace?: string } };
      if (spec.volumeSnapshotRef?.name !== key.name || spec.volumeSnapshotRef?.namespace !== key.namespace) continue;
      if (spec.deletionPolicy !== 'Delete') continue;
      try {
        await this.api.delete(CONTENTS, content.metadata.name!);
      } catch (error) {
        if (!(error instanceof StatusError && error.code === 404)) throw error;
      }
    }
    return undefined;
  }

  private writeStatus(snapshot: KubeObject, status: Record<string, unknown>): Promise<KubeObject> {
    return this.api.updateStatus(SNAPSHOTS, { ...snapshot, status }, { fieldManager: this.name });
  }

  private find(gvr: GroupVersionResource, name: string, namespace?: string): KubeObject | undefined {
    try {
      return this.api.get(gvr, name, { namespace });
    } catch (error) {
      if (error instanceof StatusError && error.code === 404) return undefined;
      throw error;
    }
  }
}
