import { createHash } from 'node:crypto';
import { EventRecorder, IntentFilter, SimController, nowRfc3339, removeCondition, setCondition } from '../runtime';
import type { ObjectKey, ReconcileResult, ReconcileTrigger, SimControllerOptions } from '../runtime';
import type { KubeObject } from '../../types';
import type { ChartCatalog } from '../charts';
import { FLUX_FINALIZER, FluxStatus, clean, fluxStatus, handleReconcileRequest, parseGoDuration } from './fluxApi';

/** @public */
export interface SourceControllerOptions extends SimControllerOptions {
  catalog: ChartCatalog;
}

/** What fetching a source gave: an artifact, or an error as source-controller reports it. */
export type FetchResult =
  | { ok: true; artifact?: Artifact; message: string; readyReason: string; event?: { reason: string; message: string }; extra?: Record<string, unknown> }
  | { ok: false; reason: string; message: string; stalled?: boolean };

/** A source-controller artifact (`status.artifact`). */
export interface Artifact {
  path: string;
  url: string;
  revision: string;
  digest: string;
  lastUpdateTime: string;
  size: number;
  metadata?: Record<string, string>;
}

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

export const delay = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

/** Nominal time source-controller takes to fetch an index or pull a chart. */
const FETCH_MS = 1500;

/**
 * The reconcile loop source-controller runs for every source kind: finalizer,
 * suspend, Reconciling while fetching, then either an artifact (Ready and
 * ArtifactInStorage True, reason `Succeeded`) or a fetch failure (FetchFailed
 * True and Ready False with the failure's reason, retried on the interval);
 * `observedGeneration` advances on success and on stalling failures only, and
 * `reconcile.fluxcd.io/requestedAt` is echoed in `lastHandledReconcileAt`.
 * Subclasses only fetch.
 */
export abstract class SourceController extends SimController {
  readonly name = 'source-controller';
  protected readonly catalog: ChartCatalog;
  protected readonly events: EventRecorder;

  constructor(options: SourceControllerOptions) {
    super(options);
    this.catalog = options.catalog;
    this.events = new EventRecorder(this.api, this.name);
  }

  /** Resolves the source; `previous` is the artifact in status, if any. */
  protected abstract fetch(object: KubeObject, previous: Artifact | undefined): Promise<FetchResult> | FetchResult;

  /**
   * source-controller reconciles on a new generation or a `reconcile.fluxcd.io/requestedAt`
   * annotation (GenerationChanged / ReconcileRequested predicates), on its interval, and, for
   * a HelmChart, when its source's artifact changes: never on metadata edits alone, such as
   * owner references added by whoever shares the source.
   */
  private readonly intent = new IntentFilter(object => [
    object.metadata.generation,
    object.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'],
    object.metadata.deletionTimestamp,
    object.metadata.finalizers,
  ]);

  /** The next pass of `key` runs even if its intent is unchanged (a source it depends on moved). */
  protected forcePass(key: ObjectKey): void {
    this.intent.force(key);
  }

  protected async reconcile(key: ObjectKey, found: KubeObject | undefined, trigger: ReconcileTrigger): Promise<ReconcileResult> {
    if (!found) {
      this.intent.forget(key);
      return undefined;
    }
    if (trigger.requeued) this.intent.force(key);
    if (!this.intent.admit(key, found)) return undefined;
    let object = found;
    const finalizers = object.metadata.finalizers ?? [];
    if (object.metadata.deletionTimestamp) {
      if (finalizers.includes(FLUX_FINALIZER)) {
        await this.api.update(this.primary, { ...object, metadata: { ...object.metadata, finalizers: finalizers.filter(f => f !== FLUX_FINALIZER) } }, { fieldManager: this.name });
      }
      return undefined;
    }
    if (!finalizers.includes(FLUX_FINALIZER)) {
      await this.api.update(this.primary, { ...object, metadata: { ...object.metadata, finalizers: [...finalizers, FLUX_FINALIZER] } }, { fieldManager: this.name });
      return undefined;
    }
    const spec = (object.spec ?? {}) as { suspend?: boolean; interval?: string };
    if (spec.suspend) return undefined;

    const generation = object.metadata.generation ?? 1;
    const status = fluxStatus(object);
    const conditions = (status.conditions ??= []);
    let now = nowRfc3339();
    const fresh = status.observedGeneration !== generation;
    if (fresh) {
      const message = `processing object: new generation ${status.observedGeneration ?? 0} -> ${generation}`;
      setCondition(conditions, { type: 'Reconciling', status: 'True', reason: 'Progressing', message, observedGeneration: generation }, now);
      setCondition(conditions, { type: 'Ready', status: 'Unknown', reason: 'Progressing', message: 'reconciliation in progress', observedGeneration: generation }, now);
      object = await this.writeStatus(object, status);
      await delay(this.duration(FETCH_MS));
    }

    const previous = status.artifact as Artifact | undefined;
    const result = await this.fetch(object, previous);
    now = nowRfc3339();
    handleReconcileRequest(object, status);
    const intervalMs = this.duration(parseGoDuration(spec.interval, 10 * 60_000));
    if (!result.ok) {
      setCondition(conditions, { type: 'FetchFailed', status: 'True', reason: result.reason, message: result.message, observedGeneration: generation }, now);
      setCondition(conditions, { type: 'Ready', status: 'False', reason: result.reason, message: result.message, observedGeneration: generation }, now);
      if (result.stalled) {
        removeCondition(conditions, 'Reconciling');
        setCondition(conditions, { type: 'Stalled', status: 'True', reason: result.reason, message: result.message, observedGeneration: generation }, now);
        status.observedGeneration = generation;
      } else {
        setCondition(conditions, { type: 'Reconciling', status: 'True', reason: 'ProgressingWithRetry', message: result.message, observedGeneration: generation }, now);
      }
      await this.writeStatus(object, status);
      await this.events.record(object, 'Warning', result.reason, result.message);
      return intervalMs > 0 && !result.stalled ? { requeueAfterMs: intervalMs } : undefined;
    }

    const artifact = result.artifact;
    const changed = !!artifact && (previous?.revision !== artifact.revision || previous?.digest !== artifact.digest);
    // An unchanged artifact keeps the time it was first stored.
    status.artifact = artifact && previous && !changed ? { ...artifact, lastUpdateTime: previous.lastUpdateTime } : artifact;
    Object.assign(status, result.extra ?? {});
    for (const type of ['FetchFailed', 'Reconciling', 'Stalled']) removeCondition(conditions, type);
    if (artifact) {
      setCondition(conditions, { type: 'ArtifactInStorage', status: 'True', reason: 'Succeeded', message: result.message, observedGeneration: generation }, now);
    }
    setCondition(conditions, { type: 'Ready', status: 'True', reason: result.readyReason, message: result.message, observedGeneration: generation }, now);
    status.observedGeneration = generation;
    await this.writeStatus(object, status);
    if (changed && result.event) await this.events.record(object, 'Normal', result.event.reason, result.event.message);
    return intervalMs > 0 ? { requeueAfterMs: intervalMs } : undefined;
  }

  private async writeStatus(object: KubeObject, status: FluxStatus): Promise<KubeObject> {
    return this.api.updateStatus(this.primary, { ...object, status: clean(status) }, { fieldManager: this.name });
  }
}
