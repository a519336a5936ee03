import type { ClusterApi } from '../../cluster/ClusterApi';
import type { KubeObject } from '../../types';
import { LabelSelector, NON_RESTORABLE, namespaceIncluded, resourceIncluded, selectorString } from './filters';
import { resourceCatalog } from './resourceCatalog';

/** The part of a Backup's spec that decides what it holds. */
export interface BackupScope {
  includedNamespaces?: string[];
  excludedNamespaces?: string[];
  includedResources?: string[];
  excludedResources?: string[];
  labelSelector?: LabelSelector;
  orLabelSelectors?: LabelSelector[];
}

const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' };

/**
 * The objects a Backup records, as Velero's item collector finds them: every
 * namespaced kind the cluster serves (minus the ones Velero never restores) in the
 * included namespaces, filtered by resource and label selectors, plus the
 * Namespace objects themselves (so a restore can recreate a deleted namespace).
 * Cluster-scoped kinds other than namespaces are not collected.
 */
export function collectBackupItems(api: ClusterApi, scope: BackupScope): KubeObject[] {
  const namespaces = api.list(NAMESPACES).items
    .filter(ns => namespaceIncluded(ns.metadata.name!, scope.includedNamespaces, scope.excludedNamespaces));
  const names = new Set(namespaces.map(ns => ns.metadata.name!));
  const selectors = scope.orLabelSelectors?.length
    ? scope.orLabelSelectors.map(selectorString)
    : [scope.labelSelector ? selectorString(scope.labelSelector) : undefined];
  const items: KubeObject[] = [];
  const seen = new Set<string>();
  for (const entry of resourceCatalog(api)) {
    if (NON_RESTORABLE.has(entry.id)) continue;
    if (!resourceIncluded(entry, scope.includedResources, scope.excludedResources)) continue;
    if (entry.id === 'namespaces') {
      items.unshift(...namespaces.map(ns => ({ ...ns, apiVersion: 'v1', kind: 'Namespace' })));
      continue;
    }
    if (!entry.namespaced) continue;
    for (const labelSelector of selectors) {
      for (const item of api.list(entry.gvr, { labelSelector }).items) {
        if (!names.has(item.metadata.namespace!) || seen.has(item.metadata.uid!)) continue;
        seen.add(item.metadata.uid!);
        items.push({ ...item, apiVersion: entry.apiVersion, kind: entry.kind });
      }
    }
  }
  return items;
}
