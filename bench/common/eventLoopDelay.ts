/* How late a benchmark backend's event loop ran, measured inside that backend. */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const resolutionMs = 10;

/** The event loop's delay (ms) since the previous `take()`: p50, p99 and max. */
export function eventLoopDelay() {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  // the histogram holds the intervals of a 10 ms timer: the delay is what exceeds 10 ms
  const toMs = (ns: number) => Math.max(0, ns / 1e6 - resolutionMs);
  return {
    take() {
      const figures = {
        p50: toMs(histogram.percentile(50)),
        p99: toMs(histogram.percentile(99)),
        max: toMs(histogram.max),
      };
      histogram.reset();
      return figures;
    },
  };
}
