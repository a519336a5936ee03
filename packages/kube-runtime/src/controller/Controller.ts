import { randomUUID } from 'node:crypto';
import { isConflict } from '../client/apiErrors';
import { Clock, systemClock } from '../clock/Clock';
import { MapFunc, UpdatePredicate } from './handlers';
import { Informer } from '../cache/Informer';
import { Logger, silentLogger } from '../log/Logger';
import { Metrics } from '../metrics/Metrics';
import { RateLimiter } from '../workqueue/rateLimiters';
import { isTerminalError, Reconciler, Request, requestKey, Result } from './reconcile';
import { KubeObject, splitKey } from '../client/types';
import { WorkQueue } from '../workqueue/WorkQueue';

/** One event source of a controller: an informer and how its objects map to requests. @public */
export interface ControllerSource {
  /** Usually an {@link Informer}. */
  informer: Pick<Informer, 'addEventHandler' | 'waitForSync'>;
  map: MapFunc;
  /** Ignore updates for which this returns false. */
  updatePredicate?: UpdatePredicate;
}

/** @public */
export interface ControllerOptions {
  /** Unique name; the `controller` label of metrics and logs. */
  name: string;
  reconciler: Reconciler;
  /** Parallel reconciles (never two for the same key). Default 1. */
  concurrency?: number;
  sources?: ControllerSource[];
  /** Default controller-runtime's (5 ms → 1000 s per key, 10 qps / 100 burst overall). */
  rateLimiter?: RateLimiter;
  /** How long in-flight reconciles may run after stop before their signal is aborted. Default 30 s. */
  drainTimeoutMs?: number;
  /**
   * Longest one reconcile may take (controller-runtime's `ReconciliationTimeout`). Past it the
   * reconcile's signal aborts with a {@link ReconcileTimeoutError}, the request is retried with
   * backoff, and the worker moves on even if the reconciler ignores its signal. Default none.
   */
  reconcileTimeoutMs?: number;
  metrics?: Metrics;
  logger?: Logger;
  clock?: Clock;
}

/** The reason a reconcile's signal aborts when it ran past `reconcileTimeoutMs`. @public */
export class ReconcileTimeoutError extends Error {
  override readonly name = 'ReconcileTimeoutError';
}

type Outcome =
  | { kind: 'terminal'; error: unknown }
  | { kind: 'error'; error: unknown }
  | { kind: 'requeue_after'; after: number }
  | { kind: 'success' };

/**
 * Runs a {@link Reconciler} over a de-duplicating work queue fed by informer events.
 * Start it with `run(signal)`; aborting the signal stops taking work, lets in-flight reconciles
 * finish within `drainTimeoutMs`, then aborts their context signal.
 *
 * @public
 */
export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly reconciler: Reconciler;
  private readonly concurrency: number;
  private readonly sources: ControllerSource[];
  private readonly drainTimeoutMs: number;
  private readonly reconcileTimeoutMs?: number;
  private readonly metrics?: Metrics;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly hardStop = new AbortController();

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.reconciler = options.reconciler;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.sources = options.sources ?? [];
    this.drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
    this.reconcileTimeoutMs = options.reconcileTimeoutMs && options.reconcileTimeoutMs > 0 ? options.reconcileTimeoutMs : undefined;
    this.metrics = options.metrics;
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? silentLogger).child({ controller: options.name });
    this.queue = new WorkQueue({
      rateLimiter: options.rateLimiter,
      clock: this.clock,
      metrics: options.metrics?.queueMetrics(options.name),
    });
    this.metrics?.initController(options.name, this.concurrency);
  }

  /** Queues a request (e.g. from an external trigger). */
  enqueue(request: Request): void {
    this.queue.add(requestKey(request));
  }

  /**
   * Subscribes to the sources (replaying what their caches hold), waits for them to sync,
   * runs the workers until `signal` aborts, then drains. Resolves when fully stopped.
   */
  async run(signal: AbortSignal): Promise<void> {
    const unsubscribe = this.sources.map(source => this.subscribe(source));
    try {
      await Promise.race([
        Promise.all(this.sources.map(s => s.informer.waitForSync())),
        new Promise(resolve => signal.addEventListener('abort', resolve, { once: true })),
      ]);
      if (signal.aborted) return;
      this.logger.info('starting workers', { workers: this.concurrency });
      const workers = Array.from({ length: this.concurrency }, () => this.worker());
      await new Promise(resolve => {
        if (signal.aborted) resolve(undefined);
        else signal.addEventListener('abort', resolve, { once: true });
      });
      this.logger.info('stopping, draining in-flight reconciles');
      const drained = this.queue.shutdownAndDrain();
      let timer: unknown;
      const deadline = new Promise<'timeout'>(resolve => {
        timer = this.clock.setTimeout(() => resolve('timeout'), this.drainTimeoutMs);
      });
      if ((await Promise.race([drained, deadline])) === 'timeout') {
        this.logger.warn('drain deadline passed, aborting in-flight reconciles', { inFlight: this.queue.inFlight });
        this.hardStop.abort(new Error('controller stopped'));
      }
      this.clock.clearTimeout(timer);
      await Promise.race([Promise.all(workers), deadline]);
    } finally {
      this.queue.shutdown();
      for (const u of unsubscribe) u();
    }
  }

  private subscribe(source: ControllerSource): () => void {
    const { map, updatePredicate } = source;
    const add = (obj: KubeObject) => {
      for (const req of map(obj)) this.queue.add(requestKey(req));
    };
    return source.informer.addEventHandler(
      {
        onAdd: add,
        onUpdate: (oldObj, newObj) => {
          if (updatePredicate && !updatePredicate(oldObj, newObj)) return;
          // both: an object whose owner changed must wake the old owner too
          add(oldObj);
          add(newObj);
        },
        onDelete: add,
      },
      { replay: true },
    );
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      let settled: Promise<unknown> | undefined;
      try {
        settled = (await this.reconcileHandler(key)).abandoned;
      } finally {
        // A reconcile past its timeout frees the worker, but its key stays held until the
        // reconciler really returns: never two reconciles of one object at once.
        if (settled) void settled.finally(() => this.queue.done(key));
        else this.queue.done(key);
      }
    }
  }

  /** Runs one reconcile; `abandoned` is the still-running call if it was given up past its timeout. */
  private async reconcileHandler(key: string): Promise<{ abandoned?: Promise<unknown> }> {
    const reconcileID = randomUUID();
    const logger = this.logger.child({ object: key, reconcileID });
    const request = splitKey(key);
    const started = this.clock.now();
    const deadline = this.reconcileDeadline();
    this.metrics?.activeWorkers.inc({ controller: this.name });
    let outcome: Outcome;
    let abandoned: Promise<unknown> | undefined;
    const reconciling = Promise.resolve().then(() => this.reconciler.reconcile(request, { reconcileID, logger, signal: deadline.signal }));
    try {
      const result: Result = (await Promise.race([reconciling, deadline.expired])) ?? {};
      outcome = result.requeueAfter && result.requeueAfter > 0 ? { kind: 'requeue_after', after: result.requeueAfter } : { kind: 'success' };
    } catch (error) {
      if (error instanceof ReconcileTimeoutError) abandoned = reconciling.catch(() => undefined);
      outcome = isTerminalError(error) ? { kind: 'terminal', error } : { kind: 'error', error };
    } finally {
      deadline.clear();
      this.metrics?.activeWorkers.dec({ controller: this.name });
    }
    const seconds = (this.clock.now() - started) / 1000;
    this.finish(key, outcome, seconds, logger);
    // wrapped: an async function returning a promise would wait for it
    return { abandoned };
  }

  /**
   * The signal of one reconcile: aborted at a hard stop, or past `reconcileTimeoutMs`; then
   * `expired` rejects with the reason.
   */
  private reconcileDeadline(): { signal: AbortSignal; expired: Promise<never>; clear(): void } {
    if (!this.reconcileTimeoutMs) return { signal: this.hardStop.signal, expired: new Promise<never>(() => undefined), clear: () => undefined };
    const timeout = new AbortController();
    const timeoutMs = this.reconcileTimeoutMs;
    const timer = this.clock.setTimeout(() => timeout.abort(new ReconcileTimeoutError(`reconcile exceeded its timeout of ${timeoutMs} ms`)), timeoutMs);
    const expired = new Promise<never>((_, reject) => {
      timeout.signal.addEventListener('abort', () => reject(timeout.signal.reason), { once: true });
    });
    return {
      signal: AbortSignal.any([this.hardStop.signal, timeout.signal]),
      expired,
      clear: () => this.clock.clearTimeout(timer),
    };
  }

  private finish(key: string, outcome: Outcome, seconds: number, logger: Logger): void {
    switch (outcome.kind) {
      case 'terminal':
        this.queue.forget(key);
        this.metrics?.observeReconcile(this.name, 'terminal_error', seconds);
        logger.error('Reconciler error (terminal, not retried)', { error: outcome.error });
        break;
      case 'error':
        this.queue.addRateLimited(key);
        this.metrics?.observeReconcile(this.name, 'error', seconds);
        // a conflict is routine optimistic concurrency: the retry reads the newer object
        if (isConflict(outcome.error)) logger.info('Reconciler conflict, retrying', { error: outcome.error });
        else if (outcome.error instanceof ReconcileTimeoutError) logger.error('Reconcile timed out, retrying', { error: outcome.error, retries: this.queue.numRequeues(key) });
        else logger.error('Reconciler error', { error: outcome.error, retries: this.queue.numRequeues(key) });
        break;
      case 'requeue_after':
        this.queue.forget(key);
        this.queue.addAfter(key, outcome.after);
        this.metrics?.observeReconcile(this.name, 'requeue_after', seconds);
        logger.debug('Reconcile done, requeue after', { requeueAfterMs: outcome.after });
        break;
      case 'success':
        this.queue.forget(key);
        this.metrics?.observeReconcile(this.name, 'success', seconds);
        logger.debug('Reconcile done');
        break;
      default: {
        const unknown: never = outcome;
        throw new Error(`unknown reconcile outcome ${JSON.stringify(unknown)}`);
      }
    }
  }
}
