import type { JSONSchemaProps } from '../schema/types';
import type { FieldSet } from './FieldSet';
import { fieldSchema, indexList, isPlainObject, shapeOf } from './schemaShape';

/**
 * Removes from `value` what an applier gave up: paths of its previous apply (`last`) that no
 * manager owns any more (`owned`: every manager's set, the applier's new one included).
 * A node with an owned descendant stays; a removed node takes its whole subtree with it.
 * Declared struct fields count as part of `last` when it owns something below them, as with
 * structured-merge-diff's EnsureNamedFieldsAreMembers. Returns `value` itself when nothing goes.
 */
export function pruneFields(
  value: unknown,
  last: FieldSet,
  owned: FieldSet | undefined,
  schema: JSONSchemaProps | undefined,
): unknown {
  if (!last.children) return value;
  const shape = shapeOf(schema, value);
  if (shape.kind === 'map') {
    if (shape.atomic) return value;
    const obj = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const [key, lastChild] of last.children) {
      if (!key.startsWith('f:')) continue;
      const name = key.slice(2);
      if (!Object.hasOwn(obj, name)) continue;
      const { schema: childSchema, named } = fieldSchema(shape.schema, name);
      const ownedChild = owned?.child(key);
      const candidate =
        lastChild.member || (named && lastChild.children !== undefined);
      if (candidate && (!ownedChild || ownedChild.isEmpty())) {
        if (!out) out = { ...obj };
        delete out[name];
        continue;
      }
      const pruned = pruneFields(obj[name], lastChild, ownedChild, childSchema);
      if (pruned !== obj[name]) {
        if (!out) out = { ...obj };
        out[name] = pruned;
      }
    }
    return out ?? value;
  }
  if (shape.kind === 'list' && shape.listType !== 'atomic') {
    const list = value as unknown[];
    const { keys } = indexList(shape, list, false);
    let out: unknown[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const key = keys[i];
      const lastChild = key === undefined ? undefined : last.children.get(key);
      if (!lastChild) {
        out?.push(list[i]);
        continue;
      }
      const ownedChild = owned?.child(key!);
      if (lastChild.member && (!ownedChild || ownedChild.isEmpty())) {
        if (!out) out = list.slice(0, i);
        continue;
      }
      const pruned = isPlainObject(list[i])
        ? pruneFields(list[i], lastChild, ownedChild, shape.items)
        : list[i];
      if (pruned !== list[i] && !out) out = list.slice(0, i);
      out?.push(pruned);
    }
    return out ?? value;
  }
  return value;
}
