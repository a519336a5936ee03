import type { JSONSchemaProps } from '../schema/types';
import { deepEqual } from './deepEqual';
import { FieldSet } from './FieldSet';
import {
  fieldSchema,
  indexList,
  isEmptyContainer,
  isPlainObject,
  shapeOf,
} from './schemaShape';

/** What changed between two versions of an object, as field sets. */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

class Comparer {
  readonly result: Comparison = {
    added: new FieldSet(),
    modified: new FieldSet(),
    removed: new FieldSet(),
  };
  private readonly path: string[] = [];

  visit(lhs: unknown, rhs: unknown, schema: JSONSchemaProps | undefined): void {
    if (lhs === rhs) return;
    const shape = shapeOf(schema, rhs === undefined ? lhs : rhs);
    const big =
      shape.kind === 'leaf' ||
      (shape.kind === 'map' ? shape.atomic : shape.listType === 'atomic') ||
      (isEmptyContainer(lhs) && isEmptyContainer(rhs));
    if (big) {
      if (lhs === undefined) this.result.added.insert(this.path);
      else if (rhs === undefined) this.result.removed.insert(this.path);
      else if (!deepEqual(lhs, rhs)) this.result.modified.insert(this.path);
      return;
    }
    if (lhs === undefined) this.result.added.insert(this.path);
    else if (rhs === undefined) this.result.removed.insert(this.path);
    // A granular node whose kind changed (a list that became a map...) is one modified leaf.
    else if (
      Array.isArray(lhs) !== Array.isArray(rhs) ||
      isPlainObject(lhs) !== isPlainObject(rhs)
    ) {
      this.result.modified.insert(this.path);
      return;
    }
    if (shape.kind === 'map') {
      const l = (lhs ?? {}) as Record<string, unknown>;
      const r = (rhs ?? {}) as Record<string, unknown>;
      for (const k of Object.keys(l)) {
        this.descend(
          `f:${k}`,
          l[k],
          Object.hasOwn(r, k) ? r[k] : undefined,
          fieldSchema(shape.schema, k).schema,
        );
      }
      for (const k of Object.keys(r)) {
        if (!Object.hasOwn(l, k))
          this.descend(
            `f:${k}`,
            undefined,
            r[k],
            fieldSchema(shape.schema, k).schema,
          );
      }
      return;
    }
    const li = indexList(shape, (lhs ?? []) as unknown[], false);
    const ri = indexList(shape, (rhs ?? []) as unknown[], false);
    for (const [key, rv] of ri.byKey)
      this.descend(key, li.byKey.get(key), rv, shape.items);
    for (const [key, lv] of li.byKey) {
      if (!ri.byKey.has(key)) this.descend(key, lv, undefined, shape.items);
    }
  }

  private descend(
    key: string,
    lhs: unknown,
    rhs: unknown,
    schema: JSONSchemaProps | undefined,
  ) {
    this.path.push(key);
    this.visit(lhs, rhs, schema);
    this.path.pop();
  }
}

/**
 * Compares two versions of a value like structured-merge-diff: `added` and `removed` hold every
 * node that appeared or disappeared (intermediate ones included), `modified` the leaves and
 * atomic nodes whose value changed. Item order of granular lists is not a change.
 */
export function compareValues(
  lhs: unknown,
  rhs: unknown,
  schema: JSONSchemaProps | undefined,
): Comparison {
  const c = new Comparer();
  c.visit(lhs, rhs, schema);
  return c.result;
}
