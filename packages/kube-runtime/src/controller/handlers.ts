import { Request } from './reconcile';
import { groupOf, KubeObject, ResourceKind } from '../client/types';

/**
 * Maps an object that changed to the requests to reconcile (none, one or many).
 *
 * @public
 */
export type MapFunc<T extends KubeObject = KubeObject> = (obj: T) => Request[];

/** The object itself: what `For` uses. @public */
export const enqueueForObject: MapFunc = obj => {
  const name = obj.metadata?.name;
  return name ? [{ namespace: obj.metadata?.namespace || undefined, name }] : [];
};

/**
 * The controlling owner of the object, if it is of `ownerKind`: what `Owns` uses. Only the
 * ownerReference with `controller: true` counts, so objects merely referencing an owner (for
 * garbage collection) do not wake its controller. Owners live in the child's namespace, or are
 * cluster-scoped.
 *
 * @public
 */
export function enqueueOwner(ownerKind: Pick<ResourceKind, 'apiVersion' | 'kind' | 'namespaced'>): MapFunc {
  const group = groupOf(ownerKind.apiVersion);
  return obj => {
    const ref = obj.metadata?.ownerReferences?.find(r => r.controller);
    if (!ref || ref.kind !== ownerKind.kind || groupOf(ref.apiVersion) !== group) return [];
    return [{ namespace: ownerKind.namespaced ? obj.metadata?.namespace : undefined, name: ref.name }];
  };
}

/**
 * Filters update events. Returns false to ignore the update.
 *
 * @public
 */
export type UpdatePredicate<T extends KubeObject = KubeObject> = (oldObj: T, newObj: T) => boolean;

/**
 * Lets through updates that changed `metadata.generation` (spec changes), and deletions
 * starting; ignores status-only and metadata-only writes, such as the controller's own status updates.
 *
 * @public
 */
export const generationChanged: UpdatePredicate = (oldObj, newObj) =>
  oldObj.metadata?.generation !== newObj.metadata?.generation ||
  oldObj.metadata?.deletionTimestamp !== newObj.metadata?.deletionTimestamp;
