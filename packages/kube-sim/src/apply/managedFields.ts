import { FieldSet } from './FieldSet';
import { fieldSetToFieldsV1, fieldsV1ToFieldSet } from './fieldsV1';
import type { ManagedFieldsEntry } from './types';

/** A decoded managedFields entry. */
export interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
  /** The stored entry it came from, reused verbatim when nothing about it changed. */
  source?: ManagedFieldsEntry;
}

/**
 * kube keys managers by everything but time and fields, and leaves the apiVersion out for
 * appliers so that one applier keeps one entry across versions.
 */
export function managerId(m: {
  manager: string;
  operation: string;
  apiVersion: string;
  subresource?: string;
}): string {
  const version = m.operation === 'Apply' ? '' : m.apiVersion;
  return `${m.manager}\u0000${m.operation}\u0000${version}\u0000${
    m.subresource ?? ''
  }`;
}

export function decodeManagedFields(entries: unknown): Map<string, Manager> {
  const out = new Map<string, Manager>();
  if (!Array.isArray(entries)) return out;
  for (const e of entries as ManagedFieldsEntry[]) {
    if (!e || typeof e.manager !== 'string' || !e.manager) continue;
    const m: Manager = {
      manager: e.manager,
      operation: e.operation === 'Apply' ? 'Apply' : 'Update',
      apiVersion: e.apiVersion ?? '',
      subresource: e.subresource || undefined,
      time: e.time,
      set: fieldsV1ToFieldSet(e.fieldsV1),
      source: e,
    };
    out.set(managerId(m), m);
  }
  return out;
}

function sameAsSource(m: Manager): boolean {
  const s = m.source;
  if (!s) return false;
  return (
    s.time === m.time &&
    s.apiVersion === m.apiVersion &&
    (s.subresource || undefined) === m.subresource &&
    (fieldsV1ToFieldSet(s.fieldsV1) === m.set ||
      fieldsV1ToFieldSet(s.fieldsV1).equals(m.set))
  );
}

function epochSeconds(time: string | undefined): number {
  const t = time ? Date.parse(time) : NaN;
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

function cmp(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Serialises managers in kube's order: operation, then time, manager, apiVersion, subresource. */
export function encodeManagedFields(
  managers: Iterable<Manager>,
): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const m of managers) {
    if (m.set.isEmpty()) continue;
    if (sameAsSource(m)) {
      out.push(m.source!);
      continue;
    }
    const entry: ManagedFieldsEntry = {
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      time: m.time ?? '',
      fieldsType: 'FieldsV1',
      fieldsV1: fieldSetToFieldsV1(m.set),
    };
    if (!m.time) delete (entry as Partial<ManagedFieldsEntry>).time;
    if (m.subresource) entry.subresource = m.subresource;
    out.push(entry);
  }
  return out.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      epochSeconds(p.time) - epochSeconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
}

/** Whether two encoded lists say the same thing (entries reused by identity compare cheaply). */
export function sameManagedFields(
  a: readonly ManagedFieldsEntry[] | undefined,
  b: readonly ManagedFieldsEntry[],
): boolean {
  const al = a ?? [];
  if (al.length !== b.length) return false;
  return al.every((e, i) => e === b[i]);
}

/**
 * Fields kube never records as owned: identity and server-maintained metadata
 * (membership only: `metadata` as a whole is dropped, its labels are kept).
 */
export const unownedFields = FieldSet.fromPaths([
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ['f:metadata', 'f:name'],
  ['f:metadata', 'f:namespace'],
  ['f:metadata', 'f:creationTimestamp'],
  ['f:metadata', 'f:selfLink'],
  ['f:metadata', 'f:uid'],
  ['f:metadata', 'f:clusterName'],
  ['f:metadata', 'f:generation'],
  ['f:metadata', 'f:managedFields'],
  ['f:metadata', 'f:resourceVersion'],
]);

/** kube keeps at most this many Update entries; older ones fold into `ancient-changes`. */
export const MAX_UPDATE_MANAGERS = 10;

const ANCIENT = 'ancient-changes';

function hasAncient(managers: Map<string, Manager>): boolean {
  for (const m of managers.values())
    if (m.manager === ANCIENT && m.operation === 'Update') return true;
  return false;
}

export function capUpdateManagers(managers: Map<string, Manager>): void {
  const updates = [...managers.entries()].filter(
    ([, m]) => m.operation === 'Update' && m.manager !== ANCIENT,
  );
  let count = updates.length + (hasAncient(managers) ? 1 : 0);
  if (count <= MAX_UPDATE_MANAGERS) return;
  updates.sort(([, a], [, b]) => epochSeconds(a.time) - epochSeconds(b.time));
  for (const [id, m] of updates) {
    if (count <= MAX_UPDATE_MANAGERS) break;
    managers.delete(id);
    const bucket: Manager = {
      manager: ANCIENT,
      operation: 'Update',
      apiVersion: m.apiVersion,
      set: m.set,
      time: m.time,
    };
    const bucketId = managerId(bucket);
    const prev = managers.get(bucketId);
    if (prev) {
      managers.set(bucketId, {
        ...prev,
        set: prev.set.union(m.set),
        time: m.time,
        source: undefined,
      });
      count--;
    } else {
      managers.set(bucketId, bucket);
    }
  }
}
