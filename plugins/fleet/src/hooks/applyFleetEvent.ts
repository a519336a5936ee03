import type {
  ClusterSummary,
  FleetEvent,
  InstanceSummary,
  OperationSummary,
} from '@vworkspace/backstage-plugin-fleet-common';

/** Identity of a namespaced fleet object across clusters. @public */
export function fleetObjectKey(object: {
  cluster: string;
  namespace: string;
  name: string;
}): string {
  return `${object.cluster}/${object.namespace}/${object.name}`;
}

function upsert<T>(
  items: T[],
  item: T,
  keyOf: (item: T) => string,
  action: 'upsert' | 'delete',
): T[] {
  const key = keyOf(item);
  const index = items.findIndex(existing => keyOf(existing) === key);
  if (action === 'delete') {
    return index === -1 ? items : items.filter((_, i) => i !== index);
  }
  if (index === -1) return [...items, item];
  const next = items.slice();
  next[index] = item;
  return next;
}

/** A list of instances after one change; other kinds of event leave it as it is. Pure. @public */
export function applyInstanceEvent(
  items: InstanceSummary[],
  event: FleetEvent,
): InstanceSummary[] {
  if (event.kind !== 'instance') return items;
  return upsert(items, event.instance, fleetObjectKey, event.action);
}

/** A list of clusters after one change. Pure. @public */
export function applyClusterEvent(
  clusters: ClusterSummary[],
  event: FleetEvent,
): ClusterSummary[] {
  if (event.kind !== 'cluster') return clusters;
  return upsert(clusters, event.cluster, c => c.name, event.action);
}

function newestFirst(a: OperationSummary, b: OperationSummary): number {
  return (b.createdAt ?? '').localeCompare(a.createdAt ?? '');
}

/**
 * The operations of one instance after one change, newest first. Operations of other
 * instances are ignored, so every live view can be fed the whole stream. Pure.
 * @public
 */
export function applyOperationEvent(
  operations: OperationSummary[],
  event: FleetEvent,
  instance: { cluster: string; namespace: string; name: string },
): OperationSummary[] {
  if (event.kind !== 'operation') return operations;
  const { operation } = event;
  if (
    operation.cluster !== instance.cluster ||
    operation.namespace !== instance.namespace ||
    operation.instance !== instance.name
  ) {
    return operations;
  }
  return upsert(operations, operation, fleetObjectKey, event.action).sort(
    newestFirst,
  );
}
