/**
 * How long simulated work takes. Every controller declares nominal durations
 * (what a real controller roughly takes on a small cluster) and multiplies them
 * by `timeScale`: 0 in tests (work completes as fast as events flow), 1 in the
 * demo (seconds, as a person watching the portal would see it).
 * @public
 */
export interface SimTimings {
  /** Multiplier applied to every nominal duration. Default 1. */
  timeScale: number;
}

/** Nominal duration in milliseconds scaled for this run. */
export function scaled(timings: SimTimings, nominalMs: number): number {
  return Math.max(0, Math.round(nominalMs * timings.timeScale));
}
