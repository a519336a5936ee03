import type { JSONSchemaProps } from '../schema/types';
import {
  fieldSchema,
  indexList,
  isEmptyContainer,
  isPlainObject,
  shapeOf,
  type Shape,
} from './schemaShape';

function mergeList(
  shape: Extract<Shape, { kind: 'list' }>,
  lhs: unknown[],
  rhs: unknown[],
): unknown[] {
  const l = indexList(shape, lhs, false);
  const r = indexList(shape, rhs, true);
  const lKeys = l.keys.filter((k): k is string => k !== undefined);
  const rKeys = r.keys as string[];
  // Items both sides have keep the order of the applied list; items only the live object has
  // stay where they were relative to them.
  const shared = rKeys.filter(k => l.byKey.has(k));
  let nextShared = 0;
  const advanceShared = (key: string) => {
    if (shared[nextShared] === key) nextShared++;
  };
  const merged = new Set<string>();
  const out: unknown[] = [];
  let li = 0;
  let ri = 0;
  while (li < lKeys.length || ri < rKeys.length) {
    if (li < lKeys.length && ri < rKeys.length) {
      const lk = lKeys[li];
      if (lk === rKeys[ri]) {
        out.push(mergeValues(l.byKey.get(lk), r.byKey.get(lk), shape.items));
        merged.add(lk);
        advanceShared(lk);
        li++;
        ri++;
        continue;
      }
      if (
        r.byKey.has(lk) &&
        nextShared < shared.length &&
        shared[nextShared] !== lk
      ) {
        li++;
        continue;
      }
    }
    if (li < lKeys.length) {
      const lk = lKeys[li];
      if (!r.byKey.has(lk)) {
        out.push(l.byKey.get(lk));
        li++;
        continue;
      }
      if (merged.has(lk)) {
        li++;
        continue;
      }
    }
    if (ri < rKeys.length) {
      const rk = rKeys[ri];
      merged.add(rk);
      const lv = l.byKey.get(rk);
      const rv = r.byKey.get(rk);
      out.push(lv === undefined ? rv : mergeValues(lv, rv, shape.items));
      advanceShared(rk);
      ri++;
    }
  }
  return out;
}

/**
 * Merges an applied configuration (`rhs`) into a live value (`lhs`) the way structured-merge-diff
 * does: the applied side wins at leaves and atomic nodes, maps merge key by key, map and set
 * lists merge item by item. Untouched live subtrees are returned by reference, not copied.
 */
export function mergeValues(
  lhs: unknown,
  rhs: unknown,
  schema: JSONSchemaProps | undefined,
): unknown {
  if (rhs === undefined) return lhs;
  if (lhs === undefined || lhs === rhs) return rhs;
  const shape = shapeOf(schema, rhs);
  if (shape.kind === 'leaf') return rhs;
  if (shape.kind === 'map') {
    if (shape.atomic || !isPlainObject(lhs)) return rhs;
    if (isEmptyContainer(lhs) && isEmptyContainer(rhs)) return rhs;
    const r = rhs as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(lhs)) {
      const rv = Object.hasOwn(r, k) ? r[k] : undefined;
      out[k] =
        rv === undefined
          ? lhs[k]
          : mergeValues(lhs[k], rv, fieldSchema(shape.schema, k).schema);
    }
    for (const k of Object.keys(r)) if (!Object.hasOwn(lhs, k)) out[k] = r[k];
    return out;
  }
  if (shape.listType === 'atomic' || !Array.isArray(lhs)) return rhs;
  if (lhs.length === 0 && (rhs as unknown[]).length === 0) return rhs;
  return mergeList(shape, lhs, rhs as unknown[]);
}
