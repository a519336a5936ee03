import { Clock, systemClock } from '../clock/Clock';
import { TokenBucket } from '../client/TokenBucket';
import { backoffDelay } from '../backoff/exponentialBackoff';

/**
 * Decides how long a key waits before it is retried (controller-runtime's RateLimiter).
 *
 * @public
 */
export interface RateLimiter {
  /** Delay in ms for the next retry of `key`; counts as a failure of that key. */
  when(key: string): number;
  /** Stops tracking `key` (it succeeded). */
  forget(key: string): void;
  /** Failures of `key` since it was last forgotten. */
  numRequeues(key: string): number;
}

/**
 * Per-key exponential backoff: `baseMs * 2^failures`, capped at `maxMs`.
 * Defaults 5 ms → 1000 s, as controller-runtime.
 *
 * @public
 */
export class ItemExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
  ) {}

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return backoffDelay({ initialMs: this.baseMs, maxMs: this.maxMs }, n);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/**
 * An overall limit on retries across all keys, so a burst of failures cannot hammer the API
 * server. Defaults 10 qps / 100 burst, as controller-runtime.
 *
 * @public
 */
export class BucketRateLimiter implements RateLimiter {
  private readonly bucket: TokenBucket;

  constructor(qps = 10, burst = 100, clock: Clock = systemClock) {
    this.bucket = new TokenBucket(qps, burst, clock);
  }

  when(): number {
    return this.bucket.reserve();
  }

  forget(): void {}

  numRequeues(): number {
    return 0;
  }
}

/** The largest delay of several limiters. @public */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(key: string): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(key));
    return max;
  }

  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }

  numRequeues(key: string): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(key));
    return max;
  }
}

/** controller-runtime's default: per-key 5 ms → 1000 s, and 10 qps / 100 burst overall. @public */
export function defaultControllerRateLimiter(clock: Clock = systemClock): RateLimiter {
  return new MaxOfRateLimiter(new ItemExponentialRateLimiter(5, 1_000_000), new BucketRateLimiter(10, 100, clock));
}
