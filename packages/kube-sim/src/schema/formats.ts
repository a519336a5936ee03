/**
 * String formats the apiserver checks on custom resources. The apiextensions format registry
 * knows more names than it checks: `int32`, `int64`, `float`, `double`, `password` and unknown
 * names are accepted without a check, as there.
 */
const patterns: Record<string, RegExp> = {
  // strfmt accepts RFC 3339 with or without fraction, `t`/`T`, and offsets with or without colon.
  'date-time':
    /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):?[0-5]\d)$/,
  datetime:
    /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):?[0-5]\d)$/,
  date: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
  uuid: /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i,
  uuid3: /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i,
  uuid4:
    /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i,
  uuid5:
    /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i,
  byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
  ipv4: /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/,
  hostname:
    /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/,
  email: /^[^\s@]+@[^\s@]+$/,
  mac: /^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$/,
  cidr: /^[0-9A-Fa-f:.]+\/\d{1,3}$/,
  hexcolor: /^#?([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$/,
  bsonobjectid: /^[0-9a-f]{24}$/i,
  // Go durations plus strfmt's day/week units.
  duration: /^[-+]?(\d+(\.\d+)?\s*(ns|us|µs|ms|s|m|h|d|w)\s*)+$/,
};

function isValidDate(s: string): boolean {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function ipv6(s: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || s.split('::').length > 2) return false;
  const groups = s.split(':').filter(g => g !== '');
  return (
    groups.length <= 8 &&
    groups.every(g => /^[0-9A-Fa-f]{1,4}$/.test(g) || patterns.ipv4.test(g))
  );
}

/** Returns the check for a format, or undefined when the apiserver does not check it. */
export function formatChecker(
  format: string | undefined,
): ((s: string) => boolean) | undefined {
  if (!format) return undefined;
  if (format === 'ipv6') return ipv6;
  const re = patterns[format];
  if (!re) return undefined;
  if (format === 'date' || format === 'date-time' || format === 'datetime') {
    return s => re.test(s) && isValidDate(s);
  }
  return s => re.test(s);
}
