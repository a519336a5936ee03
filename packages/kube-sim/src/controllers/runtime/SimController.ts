import type { ClusterApi } from '../../cluster/ClusterApi';
import { StatusError } from '../../server/StatusError';
import type { WatchHandle } from '../../server/Apiserver';
import type { GroupVersionResource, KubeObject } from '../../types';
import { SimTimings, scaled } from './timing';

/** Identifies one object a simulated controller reconciles. @public */
export interface ObjectKey {
  namespace?: string;
  name: string;
}

/** What a reconcile asks for next: nothing, or another pass after a delay. @public */
export type ReconcileResult = void | { requeueAfterMs: number };

/** Why a pass runs: `requeued` when a delay the controller asked for ran out. @public */
export interface ReconcileTrigger {
  requeued: boolean;
}

/** @public */
export interface SimControllerOptions {
  api: ClusterApi;
  timings: SimTimings;
  /** Receives errors a reconcile could not recover from; default: ignored. */
  onError?: (controller: string, key: ObjectKey, error: unknown) => void;
}

const keyString = (key: ObjectKey) => `${key.namespace ?? ''}/${key.name}`;

/**
 * Base of the simulated controllers: watches one primary resource in-process
 * (through the same admission and validation path as HTTP clients), and
 * reconciles each object one pass at a time, like a real controller's work
 * queue: events for a key being reconciled coalesce into one more pass.
 * Subclasses implement {@link SimController.reconcile} with the current object
 * and call {@link SimController.enqueue} for related objects.
 * @public
 */
export abstract class SimController {
  /** Field manager and event source name, e.g. `helm-controller`. */
  abstract readonly name: string;
  /** The resource this controller owns the status of. */
  protected abstract readonly primary: GroupVersionResource;
  /** Further resources whose changes re-trigger reconciles (mapped by {@link SimController.mapSecondary}). */
  protected readonly secondaries: GroupVersionResource[] = [];

  protected readonly api: ClusterApi;
  protected readonly timings: SimTimings;
  private readonly onError?: SimControllerOptions['onError'];
  private readonly watches: WatchHandle[] = [];
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; dueAt: number }>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly requeued = new Set<string>();
  private readonly keys = new Map<string, ObjectKey>();
  private stopped = true;
  private idleWaiters: Array<() => void> = [];

  constructor(options: SimControllerOptions) {
    this.api = options.api;
    this.timings = options.timings;
    this.onError = options.onError;
  }

  /** One reconcile pass for the current state of `object` (undefined once deleted). */
  protected abstract reconcile(
    key: ObjectKey,
    object: KubeObject | undefined,
    trigger: ReconcileTrigger,
  ): Promise<ReconcileResult>;

  /** Keys of primary objects to reconcile when a secondary object changes. */
  protected mapSecondary(_gvr: GroupVersionResource, _object: KubeObject): ObjectKey[] {
    return [];
  }

  start(): this {
    if (!this.stopped) return this;
    this.stopped = false;
    this.watches.push(
      this.api.watch(this.primary, (type, object) => {
        if (type === 'BOOKMARK' || type === 'ERROR') return;
        const meta = (object as KubeObject).metadata;
        this.enqueue({ namespace: meta.namespace, name: meta.name! });
      }),
    );
    for (const gvr of this.secondaries) {
      this.watches.push(
        this.api.watch(gvr, (type, object) => {
          if (type === 'BOOKMARK' || type === 'ERROR') return;
          for (const key of this.mapSecondary(gvr, object as KubeObject)) this.enqueue(key);
        }),
      );
    }
    return this;
  }

  stop(): void {
    this.stopped = true;
    for (const watch of this.watches.splice(0)) watch.stop();
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.dirty.clear();
    this.requeued.clear();
    this.releaseIdleWaiters();
  }

  /**
   * Schedules a reconcile of `key`, after `delayMs` if given. Of two delayed calls the sooner
   * wins, whichever came first, as client-go's delaying queue keeps the earliest ready time
   * (`waitingForQueue` in k8s.io/client-go/util/workqueue/delaying_queue.go): a 1 s retry is
   * not lost behind a 10-minute interval. An immediate pass leaves a pending delayed one in
   * place, as a work queue's AddAfter does: a periodic pass is not lost to an unrelated event.
   */
  enqueue(key: ObjectKey, delayMs = 0): void {
    if (this.stopped) return;
    const id = keyString(key);
    this.keys.set(id, key);
    if (delayMs > 0) {
      const dueAt = Date.now() + delayMs;
      const pending = this.timers.get(id);
      if (pending) {
        if (pending.dueAt <= dueAt) return;
        clearTimeout(pending.timer);
      }
      const timer = setTimeout(() => {
        this.timers.delete(id);
        this.requeued.add(id);
        this.enqueue(key);
      }, delayMs);
      this.timers.set(id, { timer, dueAt });
      return;
    }
    if (this.running.has(id)) {
      this.dirty.add(id);
      return;
    }
    this.running.add(id);
    setImmediate(() => void this.process(id));
  }

  /** Resolves once no reconcile is running or due without delay: for tests and benchmarks. */
  whenIdle(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise(resolve => this.idleWaiters.push(resolve));
  }

  /** Nominal duration scaled by the run's time scale. */
  protected duration(nominalMs: number): number {
    return scaled(this.timings, nominalMs);
  }

  private async process(id: string): Promise<void> {
    const key = this.keys.get(id)!;
    let result: ReconcileResult;
    try {
      const object = this.getOrUndefined(key);
      result = await this.reconcile(key, object, { requeued: this.requeued.delete(id) });
    } catch (error) {
      // A conflict means someone wrote in between: the next pass sees the new state.
      if (!(error instanceof StatusError && error.code === 409)) this.onError?.(this.name, key, error);
      result = { requeueAfterMs: Math.max(this.duration(1000), 50) };
    } finally {
      this.running.delete(id);
    }
    if (this.stopped) return;
    if (result) {
      // Asked-for passes are marked as such whatever their delay (0 at time scale 0).
      if (result.requeueAfterMs > 0) this.enqueue(key, result.requeueAfterMs);
      else {
        this.requeued.add(id);
        this.enqueue(key);
      }
    }
    if (this.dirty.delete(id)) this.enqueue(key);
    if (this.running.size === 0) this.releaseIdleWaiters();
  }

  private getOrUndefined(key: ObjectKey): KubeObject | undefined {
    try {
      return this.api.get(this.primary, key.name, { namespace: key.namespace });
    } catch (error) {
      if (error instanceof StatusError && error.code === 404) return undefined;
      throw error;
    }
  }

  private releaseIdleWaiters(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
