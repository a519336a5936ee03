import { compareValues } from './compareValues';
import { deepEqual } from './deepEqual';
import { FieldSet } from './FieldSet';
import { pathToString } from './fieldsV1';
import {
  decodeManagedFields,
  encodeManagedFields,
  type Manager,
  managerId,
  sameManagedFields,
  unownedFields,
} from './managedFields';
import { mergeValues } from './mergeValues';
import {
  withManagedFields,
  withoutManagedFields,
  withoutSystemMetadata,
} from './objectParts';
import { pruneFields } from './pruneFields';
import { rootSchema } from './rootSchema';
import { toFieldSet } from './toFieldSet';
import type { ApplyConflict, FieldTrackingOptions, KubeObject } from './types';

/** @public */
export interface ApplyOptions extends FieldTrackingOptions {
  /** The applied configuration (the request body); its managedFields are ignored. */
  applied: KubeObject;
  force: boolean;
}

/** @public */
export type ApplyResult =
  | { ok: true; object: KubeObject; changed: boolean }
  | { ok: false; conflicts: ApplyConflict[] };

/**
 * Only the status of a status-subresource apply counts (plus the identity fields every applied
 * configuration carries); a main-resource apply cannot set status.
 */
function appliedContent(
  applied: KubeObject,
  subresource: 'status' | undefined,
  statusSubresource: boolean,
): KubeObject {
  const config = withoutSystemMetadata(applied);
  if (!statusSubresource) return config;
  if (subresource === 'status') {
    const metadata: KubeObject['metadata'] = {};
    if (config.metadata.name !== undefined)
      metadata.name = config.metadata.name;
    if (config.metadata.namespace !== undefined)
      metadata.namespace = config.metadata.namespace;
    const out: KubeObject = {
      apiVersion: config.apiVersion,
      kind: config.kind,
      metadata,
    };
    if (config.status !== undefined) out.status = config.status;
    return out;
  }
  delete config.status;
  return config;
}

function conflictsOf(owner: Manager, set: FieldSet): ApplyConflict[] {
  return set
    .paths()
    .map(pathToString)
    .sort()
    .map(field => {
      const c: ApplyConflict = {
        manager: owner.manager,
        field,
        operation: owner.operation,
        apiVersion: owner.apiVersion,
      };
      if (owner.time) c.time = owner.time;
      if (owner.subresource) c.subresource = owner.subresource;
      return c;
    });
}

/**
 * Server-side apply of `applied` onto `live` by `manager`, as kube-apiserver does it
 * (structured-merge-diff v4): merges the configuration, removes fields the manager stopped
 * applying that nobody else owns, and reports conflicts with other managers' fields unless
 * `force`. A no-op returns the live object itself with `changed: false`.
 *
 * Throws FieldPathError when the configuration cannot be keyed (a list-map item without its
 * key, duplicate keys); kube answers such requests with an error status.
 * @public
 */
export function applyObject(opts: ApplyOptions): ApplyResult {
  const { live, applied, manager, force, subresource, now } = opts;
  const schema = rootSchema(opts.schema);
  const config = appliedContent(
    applied,
    subresource,
    opts.statusSubresource ?? true,
  );
  const newSet = toFieldSet(config, schema);

  const liveContent: KubeObject = live
    ? withoutManagedFields(live)
    : ({} as KubeObject);
  const managers = decodeManagedFields(live?.metadata?.managedFields);
  const self = {
    manager,
    operation: 'Apply' as const,
    apiVersion: applied.apiVersion,
    subresource,
  };
  const id = managerId(self);
  const previous = managers.get(id);

  let merged = mergeValues(liveContent, config, schema) as KubeObject;
  if (previous) {
    let owned = newSet;
    for (const [otherId, m] of managers)
      if (otherId !== id) owned = owned.union(m.set);
    merged = pruneFields(merged, previous.set, owned, schema) as KubeObject;
  }

  const diff = compareValues(liveContent, merged, schema);
  const changedFields = diff.added.union(diff.modified);
  const taken = new Map<string, FieldSet>();
  const conflicts: ApplyConflict[] = [];
  for (const [otherId, m] of managers) {
    if (otherId === id) continue;
    const overlap = m.set.intersection(changedFields);
    if (overlap.isEmpty()) continue;
    taken.set(otherId, overlap);
    conflicts.push(...conflictsOf(m, overlap));
  }
  if (conflicts.length > 0 && !force) return { ok: false, conflicts };

  for (const [otherId, m] of managers) {
    if (otherId === id) continue;
    const overlap = taken.get(otherId);
    let set = overlap ? m.set.difference(overlap) : m.set;
    set = set.difference(diff.removed);
    if (set !== m.set) managers.set(otherId, { ...m, set });
  }

  const objectChanged = !deepEqual(liveContent, merged);
  const ownSet = newSet.difference(unownedFields);
  const entryChanged =
    !previous ||
    previous.apiVersion !== applied.apiVersion ||
    !previous.set.equals(ownSet);
  managers.set(id, {
    ...self,
    set: ownSet,
    time: objectChanged || entryChanged ? now : previous?.time,
    source: previous?.source,
  });

  const entries = encodeManagedFields(managers.values());
  if (
    live &&
    !objectChanged &&
    sameManagedFields(live.metadata?.managedFields, entries)
  ) {
    return { ok: true, object: live, changed: false };
  }
  return {
    ok: true,
    object: withManagedFields(merged, entries),
    changed: true,
  };
}
