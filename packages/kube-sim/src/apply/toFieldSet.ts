import type { JSONSchemaProps } from '../schema/types';
import { FieldSet } from './FieldSet';
import { fieldSchema, indexList, isPlainObject, shapeOf } from './schemaShape';

function walk(
  value: unknown,
  schema: JSONSchemaProps | undefined,
): FieldSet | undefined {
  const shape = shapeOf(schema, value);
  if (
    shape.kind === 'leaf' ||
    (shape.kind !== 'map' && shape.listType === 'atomic') ||
    (shape.kind === 'map' && shape.atomic)
  ) {
    const leaf = new FieldSet();
    leaf.member = true;
    return leaf;
  }
  let node: FieldSet | undefined;
  if (shape.kind === 'map') {
    const obj = value as Record<string, unknown>;
    for (const name of Object.keys(obj)) {
      const { schema: childSchema, named } = fieldSchema(shape.schema, name);
      let child = walk(obj[name], childSchema);
      // Free-form map keys are always owned themselves; a struct field only through its
      // children, so `spec: {}` claims nothing.
      if (!named) {
        if (!child) child = new FieldSet();
        child.member = true;
      }
      if (!child) continue;
      if (!node) node = new FieldSet();
      if (!node.children) node.children = new Map();
      node.children.set(`f:${name}`, child);
    }
    return node;
  }
  const list = value as unknown[];
  const { keys } = indexList(shape, list, true);
  for (let i = 0; i < list.length; i++) {
    const child = walk(list[i], shape.items) ?? new FieldSet();
    child.member = true;
    if (!node) node = new FieldSet();
    if (!node.children) node.children = new Map();
    node.children.set(keys[i]!, child);
  }
  return node;
}

/**
 * The fields an applied configuration sets, as structured-merge-diff's ToFieldSet computes them:
 * leaves, atomic lists and maps, list items and free-form map keys are members; struct fields
 * are implied by their children. Throws FieldPathError for lists whose items cannot be keyed.
 */
export function toFieldSet(
  value: unknown,
  schema: JSONSchemaProps | undefined,
): FieldSet {
  if (!isPlainObject(value)) return new FieldSet();
  return walk(value, schema) ?? new FieldSet();
}
