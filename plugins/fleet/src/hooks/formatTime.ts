const units: Array<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
];

/** A duration in the two largest units, e.g. `39 s`, `2 min 5 s`, `1 h 3 min`. Pure. @public */
export function formatDuration(milliseconds: number): string {
  const ms = Math.max(0, Math.round(milliseconds));
  if (ms < 1000) return '< 1 s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0 || parts.length > 0) {
      if (count > 0) parts.push(`${count} ${unit}`);
      rest -= count * size;
      if (parts.length === 2 || (parts.length === 1 && count === 0)) break;
    }
  }
  return parts.join(' ');
}

/** How long ago `timestamp` was, e.g. `5 min ago`; `just now` under a second. Pure. @public */
export function formatAge(timestamp: string | undefined, now: number): string {
  if (!timestamp) return '—';
  const then = Date.parse(timestamp);
  if (Number.isNaN(then)) return '—';
  const elapsed = now - then;
  if (elapsed < 1000) return 'just now';
  return `${formatDuration(elapsed)} ago`;
}

/** How long an operation took, or has been running: from start to completion or `now`. Pure. @public */
export function operationDuration(
  operation: { startedAt?: string; completedAt?: string },
  now: number,
): string {
  if (!operation.startedAt) return '—';
  const start = Date.parse(operation.startedAt);
  const end = operation.completedAt ? Date.parse(operation.completedAt) : now;
  return formatDuration(end - start);
}
