import type { CatalogEntry } from './resourceCatalog';

/** A metav1.LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

/** The selector in the query syntax the apiserver's list understands, so one implementation matches. */
export function selectorString(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

/** Velero's include/exclude rule for namespaces: empty includes mean everything; globs allowed. */
export function namespaceIncluded(namespace: string, includes: string[] | undefined, excludes: string[] | undefined): boolean {
  const inc = includes?.length ? includes : ['*'];
  if ((excludes ?? []).some(p => glob(p).test(namespace))) return false;
  return inc.some(p => glob(p).test(namespace));
}

/** The same rule for resources, matched against the names the kind goes by. */
export function resourceIncluded(entry: CatalogEntry, includes: string[] | undefined, excludes: string[] | undefined): boolean {
  const matches = (p: string) => p === '*' || entry.names.includes(p.toLowerCase());
  if ((excludes ?? []).some(matches)) return false;
  return (includes?.length ? includes : ['*']).some(matches);
}

/** Velero's validation that an item is not both included and excluded. */
export function includeExcludeErrors(includes: string[] | undefined, excludes: string[] | undefined): string[] {
  const inc = new Set(includes ?? []);
  return (excludes ?? []).filter(e => inc.has(e)).map(e => `excludes list cannot contain an item in the includes list: ${e}`);
}

/** Kinds Velero never restores, hence never worth backing up here. */
export const NON_RESTORABLE = new Set([
  'nodes',
  'events',
  'events.events.k8s.io',
  'backups.velero.io',
  'restores.velero.io',
  'resticrepositories.velero.io',
  'backuprepositories.velero.io',
  'csinodes.storage.k8s.io',
  'volumeattachments.storage.k8s.io',
]);

/** Go's time.ParseDuration for the units Velero's ttl uses (h, m, s, ms). */
export function parseGoDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[m[2] as 'h' | 'm' | 's' | 'ms'];
    consumed += m[0].length;
  }
  return consumed === text.length ? total : undefined;
}
