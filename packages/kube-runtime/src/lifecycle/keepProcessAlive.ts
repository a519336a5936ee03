/**
 * A claim that the process must keep running; see {@link keepProcessAlive}.
 *
 * @public
 */
export interface ProcessHold {
  /** Why the process is held, e.g. `manager` or `cluster watcher sim-1`. */
  readonly reason: string;
  /** Gives the claim up; the process may end once no claim is left. Calling it again does nothing. */
  release(): void;
}

// Far beyond any real wait; the interval never does anything, it only keeps the event loop busy.
const holdIntervalMs = 2 ** 30;

const holds = new Set<ProcessHold>();
let handle: ReturnType<typeof setInterval> | undefined;

/**
 * Keeps the Node.js process alive until the returned hold is released, whatever else is (or
 * is not) pending: no listening socket, every wait a timer, every request in a retry backoff.
 *
 * A long-running program that only waits on the API server (a manager with every listener
 * disabled, a backend's per-cluster watchers) must not end because the event loop happens to
 * be empty mid-backoff: Node would exit with code 0, the main promise never settled, and
 * nothing logged. Take a hold for as long as the program runs and release it on a deliberate
 * stop. Holds are counted: the process is held while any of them is.
 *
 * @public
 */
export function keepProcessAlive(reason: string): ProcessHold {
  const hold: ProcessHold = {
    reason,
    release() {
      if (!holds.delete(hold)) return;
      if (holds.size === 0 && handle) {
        clearInterval(handle);
        handle = undefined;
      }
    },
  };
  holds.add(hold);
  handle ??= setInterval(() => undefined, holdIntervalMs);
  return hold;
}

/** The reasons of the holds not yet released (for diagnostics and tests). @public */
export function processHolds(): string[] {
  return [...holds].map(h => h.reason);
}
