/**
 * Remembers when each simulated step of an object began, so that a reconcile
 * pass can tell whether the step's (scaled) duration has elapsed: steps take
 * wall-clock time without blocking the controller's queue.
 */
export class StepTimer {
  private readonly started = new Map<string, number>();

  /** Milliseconds left of `step` for `uid` (0 once done); the first call starts the clock. */
  remaining(uid: string, step: string, durationMs: number): number {
    const key = `${uid}/${step}`;
    let start = this.started.get(key);
    if (start === undefined) {
      start = Date.now();
      this.started.set(key, start);
    }
    return Math.max(0, start + durationMs - Date.now());
  }

  /** Forgets an object's steps (done, or the object is gone). */
  forget(uid: string): void {
    for (const key of this.started.keys()) if (key.startsWith(`${uid}/`)) this.started.delete(key);
  }
}
