import { setFlagsFromString } from 'node:v8';

/**
 * V8 garbage-collector settings the backend runs with, measured in bench/fleet-backend (50
 * clusters × 200 instances, 50 clients):
 *
 * - `--heap-growing-percent=60`: after each full collection V8 lets the heap grow to 1.6× what
 *   survived, instead of up to 4×. With V8's default the backend's RSS settles around 0.8–1.1 GiB
 *   for a live heap under 200 MiB, and stays there; with this, about 500 MiB.
 * - `--no-allocation-site-pretenuring`: V8 otherwise learns, from objects that survive while
 *   the fleet is first listed, to allocate objects of the same sites directly in the old
 *   generation; afterwards requests allocate there too, the bounded heap fills within seconds,
 *   and full collections every couple of seconds took the p99 of a request from about 25 ms
 *   to 55–80 ms.
 *
 * They are not `NODE_OPTIONS` options, so the backend sets them itself, first thing. A flag
 * given on node's command line wins: the backend then leaves that setting alone.
 */
export const heapFlags: ReadonlyArray<{ name: string; flag: string }> = [
  { name: 'heap-growing-percent', flag: '--heap-growing-percent=60' },
  {
    name: 'allocation-site-pretenuring',
    flag: '--no-allocation-site-pretenuring',
  },
];

/** Whether node's command line (`execArgv`) already sets V8 flag `name`, in any spelling. */
function givenOnCommandLine(
  name: string,
  execArgv: readonly string[],
): boolean {
  const spellings = [name, name.replace(/-/g, '_')].flatMap(spelling => [
    `--${spelling}`,
    `--no-${spelling}`,
    `--no${spelling}`,
  ]);
  return execArgv.some(arg =>
    spellings.some(
      spelling => arg === spelling || arg.startsWith(`${spelling}=`),
    ),
  );
}

/** The `heapFlags` that node's command line (`execArgv`) does not set already. */
export function heapFlagsToApply(execArgv: readonly string[]): string[] {
  return heapFlags
    .filter(({ name }) => !givenOnCommandLine(name, execArgv))
    .map(({ flag }) => flag);
}

/** Sets the `heapFlags` not given on this process's command line; answers the flags it set. */
export function applyHeapSettings(): string[] {
  const applied = heapFlagsToApply(process.execArgv);
  for (const flag of applied) setFlagsFromString(flag);
  return applied;
}
