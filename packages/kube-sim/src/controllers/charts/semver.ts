/** Just enough semantic versioning to resolve the version constraints a HelmChart or Application names. */

const parse = (v: string): number[] | undefined => {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
};

/** Orders two versions (numerically; pre-release tags are not ordered). */
export function compareVersions(a: string, b: string): number {
  const x = parse(a) ?? [0, 0, 0];
  const y = parse(b) ?? [0, 0, 0];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

function matchesOne(version: string, constraint: string): boolean {
  const c = constraint.trim();
  if (c === '' || c === '*' || c === 'x') return parse(version) !== undefined;
  const v = parse(version);
  if (!v) return false;
  const wildcard = /^v?(\d+)(?:\.(\d+|x|\*))?(?:\.(x|\*))?$/.exec(c);
  if (wildcard && (c.includes('x') || c.includes('*') || !c.includes('.'))) {
    if (v[0] !== Number(wildcard[1])) return false;
    return wildcard[2] === undefined || wildcard[2] === 'x' || wildcard[2] === '*' || v[1] === Number(wildcard[2]);
  }
  const op = /^(>=|<=|>|<|=|\^|~)?\s*(.+)$/.exec(c)!;
  const target = parse(op[2]);
  if (!target) return false;
  const cmp = compareVersions(version, op[2]);
  switch (op[1]) {
    case '>=': return cmp >= 0;
    case '<=': return cmp <= 0;
    case '>': return cmp > 0;
    case '<': return cmp < 0;
    case '^': return cmp >= 0 && v[0] === target[0];
    case '~': return cmp >= 0 && v[0] === target[0] && v[1] === target[1];
    default: return cmp === 0 && version.replace(/^v/, '') === op[2].replace(/^v/, '');
  }
}

/**
 * Whether `version` satisfies `constraint`: an exact version, `*`, wildcards (`6.x`, `6.2.x`),
 * comparisons (`>=6.0.0`, `<7.0.0`, `^6.1.0`, `~6.2.0`), space- or comma-separated for AND.
 */
export function satisfies(version: string, constraint: string): boolean {
  const parts = constraint.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return matchesOne(version, '*');
  return parts.every(p => matchesOne(version, p));
}
