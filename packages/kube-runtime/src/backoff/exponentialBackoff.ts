/**
 * The shape of an exponential backoff: `initialMs * factor^attempt`, capped at `maxMs`, spread
 * by up to `jitter` of itself. Every wait of the runtime is one of these: the client's request
 * retries, {@link BackoffManager} (reflectors, lease renewals) and the work queue's per-key
 * rate limiter.
 *
 * @public
 */
export interface ExponentialBackoff {
  /** Delay of the first retry. */
  initialMs: number;
  /** Ceiling of every delay, jitter included. */
  maxMs: number;
  /** Growth per consecutive failure. Default 2. */
  factor?: number;
  /** Fraction of random spread added to a delay (0..1), so clients do not retry in step. Default 0. */
  jitter?: number;
}

// Past this many doublings any sane ceiling is reached; it also keeps the power finite.
const maxExponent = 60;

/**
 * The delay before retry number `attempt + 1` (attempt 0 is the first retry): a value in
 * `[base, base * (1 + jitter)]` capped at `maxMs`, where `base = min(maxMs, initialMs * factor^attempt)`.
 *
 * @public
 */
export function backoffDelay(backoff: ExponentialBackoff, attempt: number, random: () => number = Math.random): number {
  const { initialMs, maxMs, factor = 2, jitter = 0 } = backoff;
  const base = Math.min(maxMs, initialMs * Math.pow(factor, Math.min(Math.max(0, attempt), maxExponent)));
  return jitter > 0 ? Math.min(maxMs, base * (1 + jitter * random())) : base;
}
