/**
 * Which names (of clusters or namespaces) the provider takes: those matching one `include`
 * pattern and no `exclude` pattern. Patterns are names with `*` for any run of characters.
 */
export interface NameFilter {
  include: string[];
  exclude: string[];
}

/** A filter that takes every name. */
export const takeAll: NameFilter = { include: ['*'], exclude: [] };

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .split('*')
    .map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`);
}

/** A predicate for the filter, with its patterns compiled once. */
export function compileNameFilter(
  filter: NameFilter,
): (name: string) => boolean {
  const include = filter.include.map(patternToRegExp);
  const exclude = filter.exclude.map(patternToRegExp);
  return name =>
    include.some(re => re.test(name)) && !exclude.some(re => re.test(name));
}
