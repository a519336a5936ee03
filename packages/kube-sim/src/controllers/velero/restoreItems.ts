import type { ClusterApi } from '../../cluster/ClusterApi';
import { StatusError } from '../../server/StatusError';
import type { KubeObject, OwnerReference } from '../../types';
import { deepEqual } from '../../apply/deepEqual';
import { LabelSelector, NON_RESTORABLE, namespaceIncluded, resourceIncluded, selectorString } from './filters';
import { CatalogEntry, entryFor, resourceCatalog } from './resourceCatalog';
import type { BackupScope } from './collectBackupItems';
import { parseLabelSelector } from '../../server/selectors';

/** The part of a Restore's spec that decides what comes back, and how. */
export interface RestoreScope extends BackupScope {
  namespaceMapping?: Record<string, string>;
  restoreStatus?: { includedResources?: string[]; excludedResources?: string[] };
}

/** What a restore did, counted as Velero counts it, with the messages its results file would hold. */
export interface RestoreResult {
  totalItems: number;
  itemsRestored: number;
  warnings: string[];
  errors: string[];
}

/** Velero's default restore order: what others depend on first. */
const PRIORITIES = [
  'customresourcedefinitions', 'namespaces', 'storageclasses', 'volumesnapshotclass.snapshot.storage.k8s.io',
  'volumesnapshotcontents.snapshot.storage.k8s.io', 'volumesnapshots.snapshot.storage.k8s.io', 'persistentvolumes',
  'persistentvolumeclaims', 'serviceaccounts', 'secrets', 'configmaps', 'limitranges', 'pods', 'replicasets.apps',
];

const rank = (entry: CatalogEntry | undefined) => {
  const index = entry ? PRIORITIES.indexOf(entry.id) : -1;
  return index < 0 ? PRIORITIES.length : index;
};

/** Kubernetes label values stop at 63 characters; Velero shortens longer names with a hash suffix. */
export function validLabelValue(name: string): string {
  if (name.length <= 63) return name;
  let hash = 2166136261;
  for (const ch of name) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  return `${name.slice(0, 57)}${hash.toString(16).padStart(8, '0').slice(0, 6)}`;
}

const SERVER_SET = ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'deletionTimestamp',
  'deletionGracePeriodSeconds', 'selfLink'];

/** An item as Velero would submit it: server-set metadata gone, status kept only when asked. */
function prepared(item: KubeObject, entry: CatalogEntry, keepStatus: boolean, labels: Record<string, string>, namespace?: string): KubeObject {
  const object = structuredClone(item);
  for (const field of SERVER_SET) delete object.metadata[field];
  if (!keepStatus) delete object.status;
  if (namespace !== undefined) object.metadata.namespace = namespace;
  object.metadata.labels = { ...object.metadata.labels, ...labels };
  if (entry.kind === 'Namespace') delete object.spec;
  return object;
}

/** Compares as Velero does before warning: the live object, with the restore labels added, against the one it would have created. */
function sameAsLive(live: KubeObject, candidate: KubeObject, labels: Record<string, string>): boolean {
  const strip = (o: KubeObject) => {
    const copy = structuredClone(o);
    copy.metadata = { name: copy.metadata.name, namespace: copy.metadata.namespace, labels: copy.metadata.labels ?? {}, annotations: copy.metadata.annotations ?? {} };
    delete copy.status;
    return copy;
  };
  const liveWithLabels = { ...live, metadata: { ...live.metadata, labels: { ...live.metadata.labels, ...labels } } };
  return deepEqual(strip(liveWithLabels), strip(candidate));
}

/**
 * Recreates the backed-up items that no longer exist (Velero's default
 * `existingResourcePolicy: none`): an existing item is left alone, with a warning
 * when it differs from the backed-up one. Owner references are kept only when the
 * owner exists now (pointing at its current uid).
 */
export async function restoreItems(
  api: ClusterApi,
  items: KubeObject[],
  scope: RestoreScope,
  names: { backup: string; restore: string },
  fieldManager: string,
): Promise<RestoreResult> {
  const catalog = resourceCatalog(api);
  const labels = { 'velero.io/backup-name': validLabelValue(names.backup), 'velero.io/restore-name': validLabelValue(names.restore) };
  let selectorList: LabelSelector[] = scope.labelSelector ? [scope.labelSelector] : [];
  if (scope.orLabelSelectors?.length) selectorList = scope.orLabelSelectors;
  const selectors = selectorList.map(s => parseLabelSelector(selectorString(s)));
  const result: RestoreResult = { totalItems: 0, itemsRestored: 0, warnings: [], errors: [] };

  const chosen = items
    .map(item => ({ item, entry: entryFor(catalog, item) }))
    .filter(({ item, entry }) => {
      const namespace = item.kind === 'Namespace' ? item.metadata.name! : item.metadata.namespace;
      if (namespace !== undefined && !namespaceIncluded(namespace, scope.includedNamespaces, scope.excludedNamespaces)) return false;
      if (entry && (NON_RESTORABLE.has(entry.id) || !resourceIncluded(entry, scope.includedResources, scope.excludedResources))) return false;
      return selectors.length === 0 || item.kind === 'Namespace' || selectors.some(selector => selector.matches(item));
    })
    .sort((a, b) => rank(a.entry) - rank(b.entry));
  result.totalItems = chosen.length;

  const mapNamespace = (ns: string | undefined) => (ns === undefined ? undefined : scope.namespaceMapping?.[ns] ?? ns);
  const ensured = new Set<string>();
  const ensureNamespace = async (name: string) => {
    if (ensured.has(name)) return;
    ensured.add(name);
    try {
      await api.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }, { fieldManager });
    } catch (error) {
      if (!(error instanceof StatusError && error.code === 409)) throw error;
    }
  };

  for (const { item, entry } of chosen) {
    const what = `${item.kind} ${item.metadata.namespace ? `${item.metadata.namespace}/` : ''}${item.metadata.name}`;
    if (!entry) {
      result.errors.push(`error restoring ${what}: the server could not find the requested resource`);
      continue;
    }
    const namespace = entry.namespaced ? mapNamespace(item.metadata.namespace) : undefined;
    const keepStatus = !!scope.restoreStatus && resourceIncluded(entry, scope.restoreStatus.includedResources, scope.restoreStatus.excludedResources);
    const object = prepared(item, entry, keepStatus, labels, namespace);
    if (entry.kind === 'Namespace') object.metadata.name = mapNamespace(item.metadata.name);
    try {
      if (namespace) await ensureNamespace(namespace);
      object.metadata.ownerReferences = liveOwners(api, catalog, object.metadata.ownerReferences, namespace);
      if (!object.metadata.ownerReferences) delete object.metadata.ownerReferences;
      await api.create(entry.gvr, object, { fieldManager, namespace });
      result.itemsRestored += 1;
    } catch (error) {
      if (error instanceof StatusError && error.code === 409) {
        result.itemsRestored += 1;
        if (entry.kind === 'Namespace') continue;
        const live = api.get(entry.gvr, object.metadata.name!, { namespace });
        if (!sameAsLive(live, object, labels)) {
          result.warnings.push(`could not restore, ${entry.kind} "${object.metadata.name}" already exists. Warning: the in-cluster version is different than the backed-up version`);
        }
      } else {
        result.errors.push(`error restoring ${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  return result;
}

function liveOwners(api: ClusterApi, catalog: CatalogEntry[], refs: OwnerReference[] | undefined, namespace: string | undefined): OwnerReference[] | undefined {
  if (!refs?.length) return undefined;
  const kept: OwnerReference[] = [];
  for (const ref of refs) {
    const entry = catalog.find(e => e.apiVersion === ref.apiVersion && e.kind === ref.kind);
    if (!entry) continue;
    try {
      const owner = api.get(entry.gvr, ref.name, { namespace: entry.namespaced ? namespace : undefined });
      kept.push({ ...ref, uid: owner.metadata.uid! });
    } catch (error) {
      if (!(error instanceof StatusError && error.code === 404)) throw error;
    }
  }
  return kept.length ? kept : undefined;
}
