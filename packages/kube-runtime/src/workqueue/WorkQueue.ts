import { Clock, systemClock } from '../clock/Clock';
import { noopQueueMetrics, QueueMetrics } from '../metrics/Metrics';
import { defaultControllerRateLimiter, RateLimiter } from './rateLimiters';

/** @public */
export interface WorkQueueOptions {
  /** Delays of `addRateLimited`. Default {@link defaultControllerRateLimiter}. */
  rateLimiter?: RateLimiter;
  clock?: Clock;
  metrics?: QueueMetrics;
}

interface Delayed {
  at: number;
  handle: unknown;
}

/**
 * A de-duplicating, rate-limited work queue of keys (client-go's workqueue semantics):
 *
 * - a key added several times before a worker takes it is handed out once;
 * - a key is never handed to two workers at once; if it is added while being processed it is
 *   handed out again after `done()`;
 * - `addAfter` delays an add; `addRateLimited` delays it by the rate limiter (per-key
 *   exponential backoff plus an overall bucket); `forget` resets the key's backoff.
 *
 * @public
 */
export class WorkQueue {
  private readonly rateLimiter: RateLimiter;
  private readonly clock: Clock;
  private readonly metrics: QueueMetrics;
  // FIFO as array + head index: shift() on a large array is O(n) per item
  private queue: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Map<string, number>();
  private readonly addedAt = new Map<string, number>();
  private readonly delayed = new Map<string, Delayed>();
  private readonly getters: Array<(key: string | undefined) => void> = [];
  private readonly drainWaiters: Array<() => void> = [];
  private shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter(this.clock);
    this.metrics = options.metrics ?? noopQueueMetrics;
  }

  /** Queues `key` unless it is already queued. Ignored after shutdown. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.metrics.add();
    this.dirty.add(key);
    this.addedAt.set(key, this.clock.now());
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Queues `key` after `delayMs`; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing) {
      if (existing.at <= at) return;
      this.clock.clearTimeout(existing.handle);
    }
    const handle = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { at, handle });
  }

  /** Queues `key` after the rate limiter's delay, counting a retry. */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.metrics.retry();
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Resets the backoff of `key` (call after it was processed successfully). */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  /** Retries of `key` since it was last forgotten. */
  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /**
   * Waits for the next key and marks it as being processed; the caller must call `done(key)`.
   * Resolves undefined once the queue is shut down.
   */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.pop();
    if (key !== undefined) return Promise.resolve(this.start(key));
    return new Promise(resolve => this.getters.push(resolve));
  }

  /** Marks `key` as processed; if it was added meanwhile it is queued again. */
  done(key: string): void {
    const started = this.processing.get(key);
    if (started === undefined) return;
    this.processing.delete(key);
    this.metrics.worked((this.clock.now() - started) / 1000);
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
    if (this.processing.size === 0) for (const w of this.drainWaiters.splice(0)) w();
  }

  /** Keys waiting for a worker (not counting delayed ones). */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Keys currently held by workers. */
  get inFlight(): number {
    return this.processing.size;
  }

  /** Keys scheduled for later. */
  get pendingDelayed(): number {
    return this.delayed.size;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Stops handing out keys and accepting adds; waiting `get()` calls resolve undefined.
   * Queued and delayed keys are dropped: after a restart or failover the next owner relists
   * and requeues everything anyway.
   */
  shutdown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const d of this.delayed.values()) this.clock.clearTimeout(d.handle);
    this.delayed.clear();
    this.queue = [];
    this.head = 0;
    this.dirty.clear();
    this.addedAt.clear();
    this.metrics.depth(0);
    for (const g of this.getters.splice(0)) g(undefined);
  }

  /** Shuts down and resolves when every key handed out has been marked done. */
  async shutdownAndDrain(): Promise<void> {
    this.shutdown();
    if (this.processing.size === 0) return;
    await new Promise<void>(resolve => this.drainWaiters.push(resolve));
  }

  private push(key: string): void {
    const getter = this.getters.shift();
    if (getter) {
      getter(this.start(key));
      return;
    }
    this.queue.push(key);
    this.metrics.depth(this.length);
  }

  private pop(): string | undefined {
    if (this.head >= this.queue.length) return undefined;
    const key = this.queue[this.head++];
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.metrics.depth(this.length);
    return key;
  }

  private start(key: string): string {
    const now = this.clock.now();
    this.dirty.delete(key);
    this.processing.set(key, now);
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.metrics.queued((now - added) / 1000);
    return key;
  }
}
