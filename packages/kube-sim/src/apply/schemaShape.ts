import type { JSONSchemaProps } from '../schema/types';

/**
 * How server-side apply treats one node of an object: the topology structured-merge-diff derives
 * from the OpenAPI schema, falling back to the value's own shape where the schema says nothing
 * (kube's "deduced" type: objects are granular maps, arrays are atomic).
 */
export type Shape =
  | { kind: 'leaf' }
  | { kind: 'map'; atomic: boolean; schema: JSONSchemaProps | undefined }
  | {
      kind: 'list';
      listType: 'atomic' | 'set' | 'map';
      keys: readonly string[];
      items: JSONSchemaProps | undefined;
    };

const LEAF: Shape = { kind: 'leaf' };
const DEDUCED_MAP: Shape = { kind: 'map', atomic: false, schema: undefined };
const DEDUCED_LIST: Shape = {
  kind: 'list',
  listType: 'atomic',
  keys: [],
  items: undefined,
};

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Absent, null, `[]` or `{}`: structured-merge-diff treats two of these as equal leaves. */
export function isEmptyContainer(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (!isPlainObject(v)) return false;
  // for-in stops at the first key, where Object.keys would list them all.
  // eslint-disable-next-line guard-for-in
  for (const _ in v) return false;
  return true;
}

function isObjectSchema(s: JSONSchemaProps): boolean {
  return (
    s.type === 'object' ||
    s.properties !== undefined ||
    (typeof s.additionalProperties === 'object' &&
      s.additionalProperties !== null)
  );
}

const shapeCache = new WeakMap<JSONSchemaProps, Shape>();

function schemaShape(s: JSONSchemaProps): Shape | undefined {
  const cached = shapeCache.get(s);
  if (cached) return cached;
  let shape: Shape | undefined;
  if (s['x-kubernetes-int-or-string']) shape = LEAF;
  else if (s.type === 'array' || s.items !== undefined) {
    const listType = s['x-kubernetes-list-type'] ?? 'atomic';
    shape = {
      kind: 'list',
      listType,
      keys:
        listType === 'map'
          ? [...(s['x-kubernetes-list-map-keys'] ?? [])].sort()
          : [],
      items: s.items,
    };
  } else if (isObjectSchema(s)) {
    shape = {
      kind: 'map',
      atomic: s['x-kubernetes-map-type'] === 'atomic',
      schema: s,
    };
  } else if (s.type !== undefined) shape = LEAF;
  // Untyped schemas (`{}`, preserve-unknown-fields only) leave the shape to the value.
  if (shape) shapeCache.set(s, shape);
  return shape;
}

/**
 * The shape of `value` under `schema`. A value that does not fit its schema (an object where the
 * schema wants a string, null anywhere) is a leaf: it is owned and replaced as a whole.
 */
export function shapeOf(
  schema: JSONSchemaProps | undefined,
  value: unknown,
): Shape {
  const declared = schema ? schemaShape(schema) : undefined;
  if (Array.isArray(value)) {
    if (!declared) return DEDUCED_LIST;
    return declared.kind === 'list' ? declared : LEAF;
  }
  if (isPlainObject(value)) {
    if (!declared) return DEDUCED_MAP;
    return declared.kind === 'map' ? declared : LEAF;
  }
  return LEAF;
}

/**
 * The schema of field `name` inside a map node, and whether it is a declared (named) field.
 * Named fields differ from free-form map keys in FieldsV1: a non-empty struct field is implied by
 * its children, while a map key is always recorded itself.
 */
export function fieldSchema(
  map: JSONSchemaProps | undefined,
  name: string,
): { schema: JSONSchemaProps | undefined; named: boolean } {
  if (!map) return { schema: undefined, named: false };
  const prop = map.properties?.[name];
  if (prop) return { schema: prop, named: true };
  const ap = map.additionalProperties;
  if (typeof ap === 'object' && ap !== null)
    return { schema: ap, named: false };
  return { schema: undefined, named: false };
}

/** Thrown when an object cannot be given field paths (missing list-map key, duplicate key...). */
export class FieldPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldPathError';
  }
}

/**
 * The FieldsV1 path element of list item `item` at `index`: `k:{...}` for map lists (key fields
 * sorted by name and JSON-encoded, schema defaults filling missing keys, as structured-merge-diff
 * does), `v:<json>` for sets, `i:<n>` otherwise.
 */
export function listItemKey(
  shape: Extract<Shape, { kind: 'list' }>,
  item: unknown,
  index: number,
): string {
  if (shape.listType === 'map' && shape.keys.length > 0) {
    if (!isPlainObject(item)) {
      throw new FieldPathError(
        `element ${index}: associative list with keys may not have non-map elements`,
      );
    }
    let out = '{';
    for (let i = 0; i < shape.keys.length; i++) {
      const name = shape.keys[i];
      let v = item[name];
      if (v === undefined) v = shape.items?.properties?.[name]?.default;
      if (v === undefined) {
        throw new FieldPathError(
          `element ${index}: associative list with keys has an element that omits key field ${JSON.stringify(
            name,
          )} (and doesn't have default value)`,
        );
      }
      out += `${i ? ',' : ''}${JSON.stringify(name)}:${JSON.stringify(v)}`;
    }
    return `k:${out}}`;
  }
  if (shape.listType === 'set' || shape.listType === 'map') {
    if (typeof item === 'object' && item !== null) {
      throw new FieldPathError(
        `element ${index}: associative list without keys has an element that's a map type`,
      );
    }
    return `v:${JSON.stringify(item)}`;
  }
  return `i:${index}`;
}

/** Keys of every item of a granular list, in order; later duplicates map to undefined. */
export function indexList(
  shape: Extract<Shape, { kind: 'list' }>,
  list: readonly unknown[],
  rejectDuplicates: boolean,
): { keys: (string | undefined)[]; byKey: Map<string, unknown> } {
  const keys: (string | undefined)[] = new Array(list.length);
  const byKey = new Map<string, unknown>();
  for (let i = 0; i < list.length; i++) {
    const key = listItemKey(shape, list[i], i);
    if (byKey.has(key)) {
      if (rejectDuplicates) {
        throw new FieldPathError(`duplicate entries for key ${key.slice(2)}`);
      }
      keys[i] = undefined;
      continue;
    }
    byKey.set(key, list[i]);
    keys[i] = key;
  }
  return { keys, byKey };
}
