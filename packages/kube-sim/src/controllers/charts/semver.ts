import semver from 'semver';

/**
 * Chart version constraints as Helm resolves them (Masterminds/semver v3, which Flux's
 * source-controller and Argo CD's repo server use too), through the `semver` library: `*`, exact
 * versions, wildcards (`6.x`), comparisons, `^` and `~`, hyphen ranges, comma or space for AND and
 * `||` for OR. Pre-releases follow Helm's rule: a constraint matches pre-release versions only
 * when it names a pre-release itself (then any pre-release in the range), so `>=6.2.0` never
 * picks `6.3.0-rc.1`, while `>=6.2.0-0` may.
 */

const options = (includePrerelease: boolean): semver.RangeOptions => ({ loose: true, includePrerelease });

/** Whether a constraint names a pre-release (`1.2.3-rc.1`, `>=6.2.0-0`). */
function namesPrerelease(constraint: string): boolean {
  return /\d+\.\d+\.\d+-[0-9A-Za-z]/.test(constraint);
}

/** Masterminds separates AND with commas too; npm's ranges with spaces. */
const asNpmRange = (constraint: string) => constraint.split('||').map(part => part.replace(/,/g, ' ').trim()).join(' || ');

/** Orders two versions by semantic version precedence (pre-releases before their release). */
export function compareVersions(a: string, b: string): number {
  const x = semver.coerce(a, { loose: true, includePrerelease: true });
  const y = semver.coerce(b, { loose: true, includePrerelease: true });
  if (!x || !y) return (x ? 1 : 0) - (y ? 1 : 0);
  return semver.compare(semver.valid(a, true) ?? x, semver.valid(b, true) ?? y, true);
}

/** Whether `version` satisfies `constraint` (`*` when empty); a malformed constraint matches nothing. */
export function satisfies(version: string, constraint: string): boolean {
  const wanted = constraint.trim() || '*';
  if (!semver.valid(version, true)) return false;
  const range = asNpmRange(wanted);
  if (semver.validRange(range, options(true)) === null) return false;
  return semver.satisfies(version, range, options(namesPrerelease(wanted)));
}
