const SHORTHANDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@hourly': '0 * * * *',
};
const RANGES: Array<[number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]];

function field(text: string, [min, max]: [number, number]): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    const [from, upTo] = range === '*' ? [min, max] : range.split('-').map(Number);
    const to = upTo ?? (stepText ? max : from);
    if (![from, to, step].every(Number.isInteger) || step < 1) throw new Error(`invalid cron field ${text}`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/** The next minute after `after` matching a five-field cron schedule (UTC), as robfig/cron computes it. */
export function nextCronTime(schedule: string, after: Date): Date {
  const fields = (SHORTHANDS[schedule.trim()] ?? schedule).trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`invalid cron schedule ${schedule}`);
  const [minutes, hours, days, months, weekdays] = fields.map((f, i) => field(f, RANGES[i]));
  const dayRestricted = fields[2] !== '*';
  const weekdayRestricted = fields[4] !== '*';
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  for (let i = 0; i < 366 * 24 * 60; i++) {
    t.setUTCMinutes(t.getUTCMinutes() + 1);
    if (!minutes.has(t.getUTCMinutes()) || !hours.has(t.getUTCHours()) || !months.has(t.getUTCMonth() + 1)) continue;
    const dayOk = days.has(t.getUTCDate());
    const weekdayOk = weekdays.has(t.getUTCDay());
    // cron's rule: when both day fields are restricted, either may match.
    if (dayRestricted && weekdayRestricted ? dayOk || weekdayOk : dayOk && weekdayOk) return t;
  }
  throw new Error(`cron schedule ${schedule} never fires`);
}
