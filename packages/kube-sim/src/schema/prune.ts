import { FieldPath } from './fieldPath';
import { isPlainObject } from './jsonValue';
import type { SchemaNode } from './SchemaNode';

const resourceMetaFields = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * Removes in place the fields the schema does not specify, appending their paths to `pruned`
 * (what the apiserver reports as `unknown field "spec.foo"`).
 *
 * Like the apiserver, it also drops nulls of non-nullable fields that have no default, without
 * reporting them: "null values for fields that either don't specify nullable or set it to false
 * are pruned before defaulting", and a default then fills them in.
 */
export function pruneNode(
  node: SchemaNode,
  value: unknown,
  path: FieldPath,
  pruned: string[],
  resourceRoot: boolean,
): void {
  if (Array.isArray(value)) {
    if (node.items) {
      for (let i = 0; i < value.length; i++)
        pruneNode(node.items, value[i], path.index(i), pruned, false);
    }
    return;
  }
  if (!isPlainObject(value)) return;
  const keepMeta = resourceRoot || node.embeddedResource;
  const additional = node.additionalProperties;
  for (const k of Object.keys(value)) {
    // The apiserver keeps and coerces ObjectMeta itself.
    if (keepMeta && resourceMetaFields.has(k)) continue;
    const sub =
      node.properties?.get(k) ??
      (typeof additional === 'object' ? additional : undefined);
    if (sub) {
      if (value[k] === null && !sub.nullable && !sub.hasDefault) {
        delete value[k];
        continue;
      }
      const childPath = node.properties?.has(k) ? path.child(k) : path.key(k);
      pruneNode(sub, value[k], childPath, pruned, false);
    } else if (!node.preserveUnknownFields && additional !== true) {
      delete value[k];
      pruned.push(path.child(k).toString());
    }
  }
}
