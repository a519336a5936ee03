/** Misbehaviour a cluster can be told to show at run time. @public */
export interface FaultSettings {
  /** Added to every request, in milliseconds. Default 0. */
  latencyMs?: number;
  /** Up to this many more milliseconds, drawn uniformly per request. Default 0. */
  jitterMs?: number;
  /** Share (0..1) of requests answered 500 InternalError. Default 0. */
  errorRate?: number;
  /** Share (0..1) of requests answered 429 TooManyRequests with Retry-After. Default 0. */
  throttleRate?: number;
  /** Retry-After of throttled requests, in seconds. Default 1. */
  retryAfterSeconds?: number;
  /** Watches are cut (connection ended) after this many events. */
  watchMaxEvents?: number;
  /** Watches are cut after this many seconds. */
  watchMaxSeconds?: number;
}

/** The fault settings of one cluster; changes apply to the next request. @public */
export class Faults {
  private settings: FaultSettings = {};

  set(settings: FaultSettings): void {
    this.settings = { ...settings };
  }

  /** Adds to the current settings. */
  update(settings: FaultSettings): void {
    this.settings = { ...this.settings, ...settings };
  }

  clear(): void {
    this.settings = {};
  }

  get current(): Readonly<FaultSettings> {
    return this.settings;
  }

  /** Milliseconds to hold the next request. */
  delayMs(): number {
    const { latencyMs = 0, jitterMs = 0 } = this.settings;
    return latencyMs + (jitterMs > 0 ? Math.random() * jitterMs : 0);
  }

  /** Which failure, if any, the next request gets. */
  draw(): 'error' | 'throttle' | undefined {
    const { errorRate = 0, throttleRate = 0 } = this.settings;
    const roll = Math.random();
    if (roll < errorRate) return 'error';
    if (roll < errorRate + throttleRate) return 'throttle';
    return undefined;
  }
}
