/**
 * Whether every field of `want` is present in `have` with the same value. Objects may carry
 * more fields in `have` (defaults, fields of other managers); arrays must match element by
 * element, since a list we apply atomically is ours as a whole.
 * @public
 */
export function isSubset(want: unknown, have: unknown): boolean {
  if (want === have) return true;
  if (Array.isArray(want)) {
    return (
      Array.isArray(have) &&
      want.length === have.length &&
      want.every((w, i) => isSubset(w, have[i]))
    );
  }
  if (want && typeof want === 'object') {
    if (!have || typeof have !== 'object' || Array.isArray(have)) return false;
    const h = have as Record<string, unknown>;
    return Object.entries(want as Record<string, unknown>).every(
      ([k, v]) => v === undefined || isSubset(v, h[k]),
    );
  }
  return false;
}
