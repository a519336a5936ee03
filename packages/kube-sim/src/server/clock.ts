/** RFC 3339 with second precision, as metav1.Time serialises. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
