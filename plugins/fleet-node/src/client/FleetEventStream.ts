import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  fleetEventSchema,
  SseParser,
  type FleetEvent,
  type SseMessage,
} from '@vworkspace/backstage-plugin-fleet-common';

/**
 * Timing of the change-feed follower. Every field has a default fit for production; tests
 * shorten them.
 * @public
 */
export interface FleetEventStreamTiming {
  /**
   * A connection that delivers nothing (not even the 15 s heartbeat) for this long is
   * considered dead and replaced. Default 45 000 ms (three missed heartbeats).
   */
  heartbeatTimeoutMs?: number;
  /** First reconnect delay, doubled on every failed attempt. Default 1 000 ms. */
  initialBackoffMs?: number;
  /** Longest reconnect delay. Default 30 000 ms. */
  maxBackoffMs?: number;
}

/** What the follower needs from its owner. */
export interface FleetEventStreamOptions extends FleetEventStreamTiming {
  /** URL of `GET /events`, looked up afresh on every connection (the backend may move). */
  eventsUrl: () => Promise<string>;
  /** Headers of one request (the service token), fetched afresh on every connection. */
  headers: () => Promise<Record<string, string>>;
  logger?: LoggerService;
  afterId?: number;
  onEvent: (event: FleetEvent) => void;
  onResync?: () => void;
}

const defaults = {
  heartbeatTimeoutMs: 45_000,
  initialBackoffMs: 1_000,
  maxBackoffMs: 30_000,
};

/**
 * Follows `GET /events` of the fleet plugin for as long as it runs: resumes with
 * `Last-Event-ID` after a drop, reconnects with jittered exponential backoff, replaces a
 * connection whose heartbeats stop, and tells its owner to list again (`onResync`) whenever
 * changes may have been missed: on the server's `resync` message, and on a reconnect that
 * has no id to resume from.
 */
export class FleetEventStream {
  private readonly options: FleetEventStreamOptions;
  private readonly timing: Required<FleetEventStreamTiming>;
  private lastEventId: number | undefined;
  private stopped = false;
  private connection: AbortController | undefined;
  private wakeUp: (() => void) | undefined;
  /** Whether an earlier connection attempt was made: changes may have happened since. */
  private hadAttempt = false;

  constructor(options: FleetEventStreamOptions) {
    this.options = options;
    this.timing = {
      heartbeatTimeoutMs:
        options.heartbeatTimeoutMs ?? defaults.heartbeatTimeoutMs,
      initialBackoffMs: options.initialBackoffMs ?? defaults.initialBackoffMs,
      maxBackoffMs: options.maxBackoffMs ?? defaults.maxBackoffMs,
    };
    this.lastEventId = options.afterId;
  }

  start(): void {
    this.run().catch(error =>
      this.options.logger?.error(
        'Fleet change feed stopped unexpectedly',
        toError(error),
      ),
    );
  }

  stop(): void {
    this.stopped = true;
    this.connection?.abort();
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const accepted = await this.connectOnce();
      if (this.stopped) return;
      failures = accepted ? 0 : failures + 1;
      await this.sleep(this.backoff(failures));
    }
  }

  /** Full jitter between half and all of the exponential delay, so replicas spread out. */
  private backoff(failures: number): number {
    const { initialBackoffMs, maxBackoffMs } = this.timing;
    const ceiling = Math.min(
      maxBackoffMs,
      initialBackoffMs * 2 ** Math.min(failures, 20),
    );
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  /** Waits, unless `stop()` wakes it up first. */
  private sleep(ms: number): Promise<void> {
    return new Promise(resolve => {
      let timer: ReturnType<typeof setTimeout> | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  /**
   * One connection, from request to end of stream. Resolves true if the server accepted it
   * (answered 200), so that the backoff starts again from its shortest delay.
   */
  private async connectOnce(): Promise<boolean> {
    const { logger } = this.options;
    const controller = new AbortController();
    this.connection = controller;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const feedWatchdog = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(
        () => controller.abort(),
        this.timing.heartbeatTimeoutMs,
      );
    };
    const missedChanges = this.hadAttempt && this.lastEventId === undefined;
    this.hadAttempt = true;
    let url = '';
    let accepted = false;
    try {
      url = await this.options.eventsUrl();
      const headers: Record<string, string> = {
        ...(await this.options.headers()),
        accept: 'text/event-stream',
      };
      if (this.lastEventId !== undefined)
        headers['last-event-id'] = String(this.lastEventId);
      feedWatchdog();
      const response = await fetch(url, { headers, signal: controller.signal });
      if (!response.ok || !response.body) {
        const body = await response.text().catch(() => '');
        logger?.warn(
          `Fleet change feed ${url} answered ${response.status}: ${body.slice(
            0,
            300,
          )}`,
        );
        return false;
      }
      accepted = true;
      if (missedChanges) this.resync();
      const parser = new SseParser();
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      for (;;) {
        feedWatchdog();
        const { done, value } = await reader.read();
        if (done || this.stopped) break;
        for (const message of parser.push(
          decoder.decode(value, { stream: true }),
        )) {
          this.dispatch(message);
        }
      }
      if (!this.stopped)
        logger?.info(`Fleet change feed ${url} ended; reconnecting`);
      return true;
    } catch (error) {
      if (!this.stopped) {
        const reason = controller.signal.aborted
          ? `no heartbeat for ${this.timing.heartbeatTimeoutMs} ms`
          : toError(error).message;
        logger?.warn(
          `Fleet change feed ${url || '(fleet plugin)'} failed: ${reason}`,
        );
      }
      return accepted;
    } finally {
      clearTimeout(watchdog);
      controller.abort();
      this.connection = undefined;
    }
  }

  private dispatch(message: SseMessage): void {
    if (message.event === 'resync') {
      this.lastEventId = undefined;
      this.resync();
      return;
    }
    if (message.event !== 'fleet') return;
    const parsed = fleetEventSchema.safeParse(safeJson(message.data));
    if (!parsed.success) {
      this.options.logger?.warn(
        `Fleet change feed sent an event that does not match the contract (id ${
          message.id
        }): ${parsed.error.issues
          .map(issue => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
          .join('; ')}`,
      );
      this.rememberId(message.id);
      return;
    }
    this.lastEventId = parsed.data.id;
    try {
      this.options.onEvent(parsed.data);
    } catch (error) {
      this.options.logger?.error(
        'Fleet change feed listener failed',
        toError(error),
      );
    }
  }

  private rememberId(id: string | undefined): void {
    const numeric = Number(id);
    if (id !== undefined && id !== '' && Number.isInteger(numeric))
      this.lastEventId = numeric;
  }

  private resync(): void {
    try {
      this.options.onResync?.();
    } catch (error) {
      this.options.logger?.error(
        'Fleet change feed resync listener failed',
        toError(error),
      );
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
