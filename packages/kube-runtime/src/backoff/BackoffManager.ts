import { Clock, sleep, systemClock } from '../clock/Clock';
import { backoffDelay, ExponentialBackoff } from './exponentialBackoff';

/** @public */
export interface BackoffOptions {
  /** First delay. Default 800 ms (client-go's reflector). */
  initialMs?: number;
  /** Ceiling of the delay. Default 30 s. */
  maxMs?: number;
  /** Growth per consecutive failure. Default 2. */
  factor?: number;
  /** Fraction of random spread added to each delay, so a fleet of clients does not retry in step. Default 1 (up to +100%). */
  jitter?: number;
  /** Quiet time after which the next failure starts from `initialMs` again. Default 2 min. */
  resetAfterMs?: number;
  clock?: Clock;
  /** Random source in [0, 1). Default Math.random. */
  random?: () => number;
}

/**
 * Jittered exponential backoff for a long-running loop (a reflector, a lease renewer).
 * Failures grow the delay; `reset()` after a success, or a quiet period, shrinks it again.
 *
 * @public
 */
export class BackoffManager {
  private readonly backoff: ExponentialBackoff;
  private readonly resetAfterMs: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  private failures = 0;
  private lastFailureAt = 0;

  constructor(options: BackoffOptions = {}) {
    this.backoff = { initialMs: options.initialMs ?? 800, maxMs: options.maxMs ?? 30_000, factor: options.factor ?? 2, jitter: options.jitter ?? 1 };
    this.resetAfterMs = options.resetAfterMs ?? 120_000;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  /** Records a failure and returns how long to wait before the next attempt. */
  next(): number {
    const now = this.clock.now();
    if (this.failures > 0 && now - this.lastFailureAt > this.resetAfterMs) this.failures = 0;
    this.lastFailureAt = now;
    return backoffDelay(this.backoff, this.failures++, this.random);
  }

  /** Records a failure and waits the resulting delay (or a longer one the server asked for). */
  async wait(signal?: AbortSignal, atLeastMs = 0): Promise<void> {
    await sleep(Math.max(this.next(), atLeastMs), signal, this.clock).catch(() => undefined);
  }

  /** Forgets past failures. */
  reset(): void {
    this.failures = 0;
  }

  /** Consecutive failures since the last reset. */
  get attempts(): number {
    return this.failures;
  }
}
