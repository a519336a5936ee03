import { Clock, sleep, systemClock } from '../clock/Clock';

/**
 * A token bucket: `qps` tokens per second, at most `burst` saved up. `reserve()` always
 * succeeds and returns how long the caller must wait for its token (the bucket goes into debt),
 * which is what a work queue needs; `take()` waits for that time.
 *
 * @public
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly clock: Clock;

  constructor(
    readonly qps: number,
    readonly burst: number,
    clock: Clock = systemClock,
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new Error(`invalid token bucket qps=${qps} burst=${burst}`);
    this.clock = clock;
    this.tokens = burst;
    this.last = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
      this.last = now;
    }
  }

  /** Takes a token now or on credit; returns the delay in ms after which it is really available. */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  /** Takes a token if one is available right now. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Waits for a token. On abort the reserved token is returned. */
  async take(signal?: AbortSignal): Promise<void> {
    const delay = this.reserve();
    if (delay <= 0) return;
    try {
      await sleep(delay, signal, this.clock);
    } catch (err) {
      this.tokens += 1;
      throw err;
    }
  }
}
