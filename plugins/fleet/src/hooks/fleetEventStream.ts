import type { FleetEvent } from '@vworkspace/backstage-plugin-fleet-common';
import type { FleetApi } from '../api/FleetApi';

/** What a live view hears from {@link runFleetEventStream}. @public */
export interface FleetEventListener {
  onEvent(event: FleetEvent): void;
  /** The stream could not resume: the view must list again. */
  onResync(): void;
  /** Connected (true) or waiting to reconnect (false, with the error that broke it if any). */
  onConnectionChange?(connected: boolean, error?: Error): void;
}

/** Reconnect delays: start small, double, cap; a healthy connection resets them. */
export const reconnectDelays = { initialMs: 1000, maxMs: 30_000 };

/** The delay before reconnect attempt `attempt` (0-based). Pure. @public */
export function reconnectDelay(attempt: number): number {
  return Math.min(
    reconnectDelays.maxMs,
    reconnectDelays.initialMs * 2 ** attempt,
  );
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * Keeps one view subscribed to the fleet's change stream until `signal` aborts: it resumes
 * after the last event it delivered (so a reconnect neither drops nor repeats changes), and
 * when the backend answers `resync` it forgets the resume id and tells the listener to list again.
 * @public
 */
export async function runFleetEventStream(options: {
  api: Pick<FleetApi, 'streamEvents'>;
  signal: AbortSignal;
  listener: FleetEventListener;
  /** Injected by tests; waits for the reconnect delay or the abort, whichever is first. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}): Promise<void> {
  const { api, signal, listener, wait = sleep } = options;
  // Where to resume and how many attempts failed in a row; updated by the stream's callbacks.
  const position: { lastEventId?: number; attempt: number } = { attempt: 0 };
  while (!signal.aborted) {
    let failure: Error | undefined;
    try {
      await api.streamEvents({
        lastEventId: position.lastEventId,
        signal,
        onOpen: () => {
          position.attempt = 0;
          listener.onConnectionChange?.(true);
        },
        onEvent: event => {
          position.lastEventId = event.id;
          listener.onEvent(event);
        },
        onResync: () => {
          position.lastEventId = undefined;
          listener.onResync();
        },
      });
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
    if (signal.aborted) return;
    listener.onConnectionChange?.(false, failure);
    await wait(reconnectDelay(position.attempt), signal);
    position.attempt += 1;
  }
}
