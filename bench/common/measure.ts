/* Small measuring and waiting tools of the benchmarks. */
import { loadavg } from 'node:os';

/** Prints one figure, aligned. */
export function report(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(76)} ${value}\n`);
}

export const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;
export const ms = (value: number) => `${value.toFixed(0)} ms`;
export const seconds = (value: number) => `${(value / 1000).toFixed(1)} s`;
export const load = () =>
  loadavg()
    .map(l => l.toFixed(2))
    .join(' ');


export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

/** Runs `task(i)` for i in [0, count) with at most `limit` in flight. */
export async function pool(
  count: number,
  limit: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/**
 * Polls `check` every 250 ms until it answers true; fails after `timeoutMs`, or at once when
 * `gone` names a reason (the process that should answer has ended).
 */
export async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  gone: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    const reason = gone();
    if (reason) throw new Error(`${reason} while waiting for ${what}`);
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${
          lastError ? ` (last error: ${String(lastError)})` : ''
        }`,
      );
    }
    await new Promise(r => setTimeout(r, 250));
  }
}
