/** An owner reference as stored in `metadata.ownerReferences`. @public */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Object metadata fields the runtime reads. @public */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
}

/** Any Kubernetes object. @public */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** A list answer. @public */
export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

/** One event of a watch stream. @public */
export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/**
 * Where a kind lives in the API. Explicit rather than discovered: the operator knows the kinds
 * it handles, and discovery would be one more thing that can fail at start.
 *
 * @public
 */
export interface ResourceKind {
  /** `v1` or `group/version`. */
  apiVersion: string;
  kind: string;
  /** Lower-case plural used in URLs, e.g. `configmaps`. */
  plural: string;
  namespaced: boolean;
}

/** Kinds the runtime itself needs, plus a few common ones. @public */
export const coreKinds = {
  ConfigMap: { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  Secret: { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  Namespace: { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  Event: { apiVersion: 'v1', kind: 'Event', plural: 'events', namespaced: true },
  Lease: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', plural: 'leases', namespaced: true },
  Job: { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true },
} as const satisfies Record<string, ResourceKind>;

/** `namespace/name` (or `name` for cluster-scoped objects), as client-go's MetaNamespaceKeyFunc. @public */
export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

/** Splits a key made by {@link objectKey}. @public */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The group of an apiVersion (`''` for the core group). @public */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** A stable identifier of a kind for maps: `group/Kind`. @public */
export function kindId(kind: Pick<ResourceKind, 'apiVersion' | 'kind'>): string {
  return `${groupOf(kind.apiVersion)}/${kind.kind}`;
}
