/** A time in RFC 3339 with second precision, as metav1.Time serialises. */
export function rfc3339(time: Date | number): string {
  return new Date(time).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The current time as metav1.Time serialises it. */
export function now(): string {
  return rfc3339(Date.now());
}
