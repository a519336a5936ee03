import { SimController, nowRfc3339, setCondition } from '../runtime';
import type { Condition, ObjectKey, ReconcileResult, SimControllerOptions } from '../runtime';
import { StatusError } from '../../server/StatusError';
import type { GroupVersionResource, KubeObject } from '../../types';
import { simulatedRun } from '../jobs/simulatedRun';
import { StepTimer } from '../velero/StepTimer';
import { nextCronTime } from './nextCronTime';

const SOURCES: GroupVersionResource = { group: 'volsync.backube', version: 'v1alpha1', resource: 'replicationsources' };
const PVCS: GroupVersionResource = { group: '', version: 'v1', resource: 'persistentvolumeclaims' };

/** A data mover run that declares nothing: half a minute, successful. */
const DEFAULT_SYNC = { durationMs: 30_000, exitCode: 0 };
/** Wait before retrying a failed synchronization (the mover Job's retries, roughly). */
const RETRY_MS = 60_000;

/** @public */
export type ReplicationSourceControllerOptions = SimControllerOptions;

interface SourceSpec {
  sourcePVC?: string;
  paused?: boolean;
  trigger?: { schedule?: string; manual?: string };
}

const SYNCING = { reason: 'SyncInProgress', message: 'Synchronization in-progress' };

/** Go's Duration.String() with millisecond precision, as VolSync writes lastSyncDuration. */
function goDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const seconds = (ms % 60_000) / 1000;
  const s = `${Number(seconds.toFixed(3))}s`;
  if (minutes >= 60) return `${Math.floor(minutes / 60)}h${minutes % 60}m${s}`;
  return minutes ? `${minutes}m${s}` : s;
}

/**
 * Plays VolSync's controller for ReplicationSources (volsync.backube/v1alpha1; its CRD,
 * written from VolSync's documentation, is in `crds/volsync/`). No data moves: a
 * synchronization only takes time. It starts when `spec.trigger.manual` differs from
 * `status.lastManualSync`, when `spec.trigger.schedule` (cron, UTC) comes due (`nextSyncTime`),
 * or back to back without a trigger; `spec.paused` holds it. While it runs, condition
 * Synchronizing is True (`SyncInProgress`); then `lastSyncTime`, `lastSyncDuration`,
 * `lastManualSync` (the token), `latestMoverStatus {result: Successful}` and Synchronizing False
 * (`WaitingForManual` or `WaitingForSchedule`).
 *
 * Each run takes `sim.vworkspace.io/duration-seconds` (default 30) and exits with
 * `sim.vworkspace.io/exit-code` (default 0), annotations on the ReplicationSource. A non-zero
 * exit writes `latestMoverStatus {result: Failed}` and retries a minute later (nominal) without
 * answering the trigger, as VolSync's mover retries do. A missing source PVC sets Synchronizing
 * False with reason `Error`, retried.
 * @public
 */
export class ReplicationSourceController extends SimController {
  readonly name = 'volsync';
  protected readonly primary = SOURCES;
  private readonly timer = new StepTimer();

  protected async reconcile(_key: ObjectKey, source: KubeObject | undefined): Promise<ReconcileResult> {
    if (!source || source.metadata.deletionTimestamp) return undefined;
    const uid = source.metadata.uid!;
    const spec = (source.spec ?? {}) as SourceSpec;
    const status = { ...((source.status ?? {}) as Record<string, unknown>) };
    const conditions = [...((status.conditions as Condition[] | undefined) ?? [])];
    const write = async () => {
      status.conditions = conditions;
      await this.api.updateStatus(SOURCES, { ...source, status: JSON.parse(JSON.stringify(status)) }, { fieldManager: this.name });
    };
    const now = new Date();
    const waiting = spec.trigger?.schedule
      ? { reason: 'WaitingForSchedule', message: 'Waiting for next scheduled synchronization' }
      : { reason: 'WaitingForManual', message: 'Waiting for manual trigger' };
    const syncing = conditions.some(c => c.type === 'Synchronizing' && c.status === 'True' && c.reason === SYNCING.reason);

    if (!syncing) {
      if (spec.paused) return undefined;
      const manual = spec.trigger?.manual;
      let due: boolean;
      if (manual !== undefined) due = manual !== status.lastManualSync;
      else if (spec.trigger?.schedule) {
        const next = status.nextSyncTime ? new Date(status.nextSyncTime as string) : nextCronTime(spec.trigger.schedule, now);
        if (!status.nextSyncTime) {
          status.nextSyncTime = next.toISOString().replace(/\.\d{3}Z$/, 'Z');
          setCondition(conditions, { type: 'Synchronizing', status: 'False', ...waiting }, nowRfc3339());
          await write();
          return undefined;
        }
        due = next.getTime() <= now.getTime();
        if (!due) return { requeueAfterMs: next.getTime() - now.getTime() };
      } else due = true;
      if (!due) {
        if (!conditions.some(c => c.type === 'Synchronizing')) {
          setCondition(conditions, { type: 'Synchronizing', status: 'False', ...waiting }, nowRfc3339());
          await write();
        }
        return undefined;
      }
      if (spec.sourcePVC && !this.pvcExists(spec.sourcePVC, source.metadata.namespace!)) {
        const message = `persistentvolumeclaims "${spec.sourcePVC}" not found`;
        if (!conditions.some(c => c.type === 'Synchronizing' && c.reason === 'Error' && c.message === message)) {
          setCondition(conditions, { type: 'Synchronizing', status: 'False', reason: 'Error', message }, nowRfc3339());
          await write();
        }
        return { requeueAfterMs: Math.max(this.duration(RETRY_MS), 100) };
      }
      this.timer.forget(uid);
      status.lastSyncStartTime = nowRfc3339();
      setCondition(conditions, { type: 'Synchronizing', status: 'True', ...SYNCING }, nowRfc3339());
      await write();
      return undefined;
    }

    const run = simulatedRun([source.metadata.annotations], [], DEFAULT_SYNC);
    const remaining = this.timer.remaining(uid, 'sync', this.duration(run.durationMs));
    if (remaining > 0) return { requeueAfterMs: remaining };
    const retryMs = Math.max(this.duration(RETRY_MS), 100);
    if (run.exitCode !== 0) {
      const failed = this.timer.remaining(uid, 'retry', retryMs);
      const firstFailure = (status.latestMoverStatus as { result?: string } | undefined)?.result !== 'Failed';
      if (firstFailure) {
        status.latestMoverStatus = { result: 'Failed', logs: `mover exited with code ${run.exitCode}` };
        await write();
      }
      if (failed > 0) return { requeueAfterMs: failed };
      this.timer.forget(uid);
      return { requeueAfterMs: 0 };
    }
    this.timer.forget(uid);
    const started = Date.parse((status.lastSyncStartTime as string | undefined) ?? now.toISOString());
    status.lastSyncTime = nowRfc3339();
    status.lastSyncDuration = goDuration(Math.max(0, now.getTime() - started));
    if (spec.trigger?.manual !== undefined) status.lastManualSync = spec.trigger.manual;
    status.nextSyncTime = spec.trigger?.schedule ? nextCronTime(spec.trigger.schedule, now).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
    status.latestMoverStatus = { result: 'Successful', logs: 'Synchronization completed successfully' };
    setCondition(conditions, { type: 'Synchronizing', status: 'False', ...waiting }, nowRfc3339());
    await write();
    // Without a trigger VolSync syncs back to back; a floor keeps time-scale 0 from spinning.
    return spec.trigger ? undefined : { requeueAfterMs: Math.max(this.duration(1_000), 1_000) };
  }

  private pvcExists(name: string, namespace: string): boolean {
    try {
      this.api.get(PVCS, name, { namespace });
      return true;
    } catch (error) {
      if (error instanceof StatusError && error.code === 404) return false;
      throw error;
    }
  }
}
