import { deepCopyJson, isPlainObject } from './jsonValue';
import type { SchemaNode } from './SchemaNode';

function isNonNullableNull(value: unknown, node: SchemaNode): boolean {
  return value === null && !node.nullable;
}

/**
 * Applies `default`s in place the way the apiserver's structural defaulting does: a property
 * gets its default when missing, or when null and not nullable; defaults are applied before
 * descending, so defaults nested inside a defaulted object apply too. Array items and map
 * values are only defaulted where they exist.
 */
export function applyDefaultsNode(node: SchemaNode, value: unknown): void {
  if (isPlainObject(value)) {
    if (node.properties) {
      for (const [k, prop] of node.properties) {
        if (!prop.hasDefault) continue;
        if (
          !Object.prototype.hasOwnProperty.call(value, k) ||
          isNonNullableNull(value[k], prop)
        ) {
          value[k] = deepCopyJson(prop.schema.default);
        }
      }
    }
    const additional =
      typeof node.additionalProperties === 'object'
        ? node.additionalProperties
        : undefined;
    for (const k of Object.keys(value)) {
      const prop = node.properties?.get(k);
      if (prop) {
        applyDefaultsNode(prop, value[k]);
      } else if (additional) {
        if (additional.hasDefault && isNonNullableNull(value[k], additional)) {
          value[k] = deepCopyJson(additional.schema.default);
        }
        applyDefaultsNode(additional, value[k]);
      }
    }
  } else if (Array.isArray(value) && node.items) {
    const items = node.items;
    for (let i = 0; i < value.length; i++) {
      if (items.hasDefault && isNonNullableNull(value[i], items))
        value[i] = deepCopyJson(items.schema.default);
      applyDefaultsNode(items, value[i]);
    }
  }
}
