import { compareValues } from './compareValues';
import {
  capUpdateManagers,
  decodeManagedFields,
  encodeManagedFields,
  managerId,
  unownedFields,
} from './managedFields';
import {
  resetForSubresource,
  withManagedFields,
  withoutManagedFields,
} from './objectParts';
import { rootSchema } from './rootSchema';
import { FieldPathError } from './schemaShape';
import type { FieldTrackingOptions, KubeObject } from './types';

/** @public */
export interface TrackUpdateOptions extends FieldTrackingOptions {
  /** The object as the write (create, update, merge or JSON patch) would store it. */
  updated: KubeObject;
}

/**
 * Records a non-apply write in managedFields: the fields it added or changed become owned by an
 * `Update` entry of `manager` (one per manager, apiVersion and subresource), taken from whoever
 * owned them before without conflicts; fields it removed are owned by nobody any more.
 * `live` is undefined for a create. Returns the object to store, with the status reset applied
 * (see `statusSubresource`).
 *
 * A client may send managedFields: a non-empty list replaces the stored one (`[{}]` clears it);
 * an absent or empty list keeps the stored one, as kube-apiserver does.
 * @public
 */
export function trackUpdate(opts: TrackUpdateOptions): KubeObject {
  const { live, manager, subresource, now } = opts;
  const statusSubresource = opts.statusSubresource ?? true;
  const updated = statusSubresource
    ? resetForSubresource(opts.updated, live, subresource)
    : opts.updated;
  const requested = opts.updated.metadata?.managedFields;
  const managers = decodeManagedFields(
    Array.isArray(requested) && requested.length > 0
      ? requested
      : live?.metadata?.managedFields,
  );
  const before = live ? withoutManagedFields(live) : {};
  const after = withoutManagedFields(updated);

  let diff;
  try {
    diff = compareValues(before, after, rootSchema(opts.schema));
  } catch (e) {
    // kube-apiserver stores the write without managedFields rather than failing it.
    if (e instanceof FieldPathError) return withManagedFields(after, []);
    throw e;
  }
  const touched = diff.added.union(diff.modified);

  for (const [id, m] of managers) {
    const set = m.set.difference(touched).difference(diff.removed);
    if (set !== m.set) managers.set(id, { ...m, set, source: m.source });
  }

  const current = touched.difference(unownedFields);
  if (!current.isEmpty()) {
    const self = {
      manager,
      operation: 'Update' as const,
      apiVersion: updated.apiVersion,
      subresource,
    };
    const id = managerId(self);
    const previous = managers.get(id);
    managers.set(id, {
      ...self,
      set: previous ? previous.set.union(current) : current,
      time: now,
    });
  }
  capUpdateManagers(managers);
  return withManagedFields(after, encodeManagedFields(managers.values()));
}
