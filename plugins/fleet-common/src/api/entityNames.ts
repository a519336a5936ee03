/**
 * The one rule that turns fleet objects into catalog entity names. The backend authorizes
 * against these refs and the catalog module emits them, so both must come from here.
 *
 * Backstage names are at most 63 characters of [a-zA-Z0-9] separated by one of [-_.]. A name
 * made of cluster, namespace and instance joined by `--` is kept when it fits and is
 * unambiguous; otherwise it is shortened and suffixed with a hash of the full coordinates, so it
 * stays unique and stable.
 */

/** Longest valid Backstage entity name. @public */
export const maxEntityNameLength = 63;

const separator = '--';
const hashLength = 10;

/** FNV-1a, 64 bit: small, browser-safe and stable; collisions only matter among shortened names. */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * prime) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

function joinUnique(parts: string[]): string {
  const plain = parts.join(separator);
  const ambiguous = parts.some(part => part.includes(separator) || part === '');
  if (!ambiguous && plain.length <= maxEntityNameLength) return plain;
  const suffix = fnv1a64(parts.join('/')).slice(0, hashLength);
  const prefix = plain
    .slice(0, maxEntityNameLength - hashLength - 1)
    .replace(/[-_.]+$/, '');
  return `${prefix}-${suffix}`;
}

/** Catalog entity name of an ApplicationInstance (kind Component). @public */
export function instanceEntityName(instance: {
  cluster: string;
  namespace: string;
  name: string;
}): string {
  return joinUnique([instance.cluster, instance.namespace, instance.name]);
}

/** Catalog entity name of a cluster (kind Resource, type kubernetes-cluster). @public */
export function clusterEntityName(cluster: string): string {
  return joinUnique([cluster]);
}

/** Catalog entity name of an app of the app catalog (kind System). @public */
export function appSystemName(app: string): string {
  return joinUnique([app]);
}

/** Namespace of every entity the fleet emits. @public */
export const fleetEntityNamespace = 'default';

/** Full entity ref of an ApplicationInstance's Component. @public */
export function instanceEntityRef(instance: {
  cluster: string;
  namespace: string;
  name: string;
}): string {
  return `component:${fleetEntityNamespace}/${instanceEntityName(instance)}`;
}

/** Full entity ref of a cluster's Resource. @public */
export function clusterEntityRef(cluster: string): string {
  return `resource:${fleetEntityNamespace}/${clusterEntityName(cluster)}`;
}

/** Full entity ref of an app's System. @public */
export function appSystemRef(app: string): string {
  return `system:${fleetEntityNamespace}/${appSystemName(app)}`;
}

/** Annotations by which the frontend finds the fleet object behind an entity. @public */
export const fleetAnnotations = {
  cluster: 'vworkspace.io/cluster',
  namespace: 'vworkspace.io/namespace',
  instance: 'vworkspace.io/instance',
  app: 'vworkspace.io/app',
  connectivity: 'vworkspace.io/connectivity',
  connectionState: 'vworkspace.io/connection-state',
  stale: 'vworkspace.io/stale',
} as const;
