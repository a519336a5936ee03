import {
  duplicate,
  FieldCause,
  invalid,
  notSupported,
  required,
  tooLong,
  tooMany,
  typeInvalid,
} from './causes';
import { FieldPath } from './fieldPath';
import { canonicalJson, isPlainObject, jsonTypeOf } from './jsonValue';
import type { SchemaNode } from './SchemaNode';

/**
 * Schema validation of a decoded custom resource, producing the causes kube-apiserver puts in
 * its 422: kube-openapi's messages (`<path> in body must be of type integer: "string"`) wrapped
 * in field.Error bodies, followed by the list-set/list-map uniqueness check.
 *
 * `x-kubernetes-validations` (CEL) rules are not evaluated: they never produce a cause here.
 */

const resourceRootFields = new Set(['apiVersion', 'kind', 'metadata']);

/** kube-openapi names the field in its message; the root has an empty name. */
function named(path: FieldPath): string {
  return path.toString();
}

function typeMatches(types: readonly string[], actual: string): boolean {
  return (
    types.includes(actual) || (actual === 'integer' && types.includes('number'))
  );
}

/** Unicode code points, as Go's utf8.RuneCountInString counts for maxLength. */
function runeLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

function checkString(
  node: SchemaNode,
  value: string,
  path: FieldPath,
  out: FieldCause[],
) {
  const s = node.schema;
  if (s.maxLength !== undefined && runeLength(value) > s.maxLength)
    out.push(tooLong(path, s.maxLength));
  if (s.minLength !== undefined && runeLength(value) < s.minLength) {
    out.push(
      invalid(
        path,
        value,
        `${named(path)} in body should be at least ${s.minLength} chars long`,
      ),
    );
  }
  if (node.pattern && !node.pattern.test(value)) {
    out.push(
      invalid(
        path,
        value,
        `${named(path)} in body should match '${s.pattern}'`,
      ),
    );
  }
  if (node.checkFormat && !node.checkFormat(value)) {
    out.push(
      typeInvalid(
        path,
        value,
        `${named(path)} in body must be of type ${s.format}: ${JSON.stringify(
          value,
        )}`,
      ),
    );
  }
}

function checkNumber(
  node: SchemaNode,
  value: number,
  path: FieldPath,
  out: FieldCause[],
) {
  const s = node.schema;
  if (s.minimum !== undefined) {
    if (s.exclusiveMinimum ? value <= s.minimum : value < s.minimum) {
      const rel = s.exclusiveMinimum
        ? 'greater than'
        : 'greater than or equal to';
      out.push(
        invalid(
          path,
          value,
          `${named(path)} in body should be ${rel} ${s.minimum}`,
        ),
      );
    }
  }
  if (s.maximum !== undefined) {
    if (s.exclusiveMaximum ? value >= s.maximum : value > s.maximum) {
      const rel = s.exclusiveMaximum ? 'less than' : 'less than or equal to';
      out.push(
        invalid(
          path,
          value,
          `${named(path)} in body should be ${rel} ${s.maximum}`,
        ),
      );
    }
  }
  if (s.multipleOf !== undefined && s.multipleOf > 0) {
    const q = value / s.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) {
      out.push(
        invalid(
          path,
          value,
          `${named(path)} in body should be a multiple of ${s.multipleOf}`,
        ),
      );
    }
  }
}

function checkArray(
  node: SchemaNode,
  value: unknown[],
  path: FieldPath,
  out: FieldCause[],
) {
  const s = node.schema;
  if (s.maxItems !== undefined && value.length > s.maxItems)
    out.push(tooMany(path, value.length, s.maxItems));
  if (s.minItems !== undefined && value.length < s.minItems) {
    out.push(
      invalid(
        path,
        value.length,
        `${named(path)} in body should have at least ${s.minItems} items`,
      ),
    );
  }
  if (node.items) {
    for (let i = 0; i < value.length; i++)
      validateNode(node.items, value[i], path.index(i), out, false);
  }
  // List types only exist on the structural skeleton (value validations may not declare them).
  if (node.listType === 'set') checkSet(value, path, out);
  if (node.listType === 'map' && node.listMapKeys)
    checkMap(node, value, path, out);
}

function checkSet(value: unknown[], path: FieldPath, out: FieldCause[]) {
  const seen = new Set<string>();
  value.forEach((v, i) => {
    const key = canonicalJson(v);
    if (seen.has(key)) out.push(duplicate(path.index(i), v));
    else seen.add(key);
  });
}

function checkMap(
  node: SchemaNode,
  value: unknown[],
  path: FieldPath,
  out: FieldCause[],
) {
  const keys = node.listMapKeys ?? [];
  const seen = new Set<string>();
  value.forEach((v, i) => {
    if (!isPlainObject(v)) return;
    const tuple: Record<string, unknown> = {};
    for (const k of keys) {
      if (v[k] === undefined) {
        // Keys with a default were filled in by defaulting; anything else cannot be identified.
        if (!node.items?.properties?.get(k)?.hasDefault)
          out.push(required(path.index(i).child(k), ''));
        continue;
      }
      tuple[k] = v[k];
    }
    const key = canonicalJson(tuple);
    if (seen.has(key)) out.push(duplicate(path.index(i), tuple));
    else seen.add(key);
  });
}

function checkObject(
  node: SchemaNode,
  value: Record<string, unknown>,
  path: FieldPath,
  out: FieldCause[],
  resourceRoot: boolean,
) {
  const s = node.schema;
  const keys = Object.keys(value);
  if (s.maxProperties !== undefined && keys.length > s.maxProperties)
    out.push(tooMany(path, keys.length, s.maxProperties));
  if (s.minProperties !== undefined && keys.length < s.minProperties) {
    out.push(
      invalid(
        path,
        keys.length,
        `${named(path)} in body should have at least ${
          s.minProperties
        } properties`,
      ),
    );
  }
  if (node.required) {
    for (const k of node.required) {
      if (resourceRoot && resourceRootFields.has(k)) continue;
      if (!Object.prototype.hasOwnProperty.call(value, k))
        out.push(required(path.child(k)));
    }
  }
  const keepMeta = resourceRoot || node.embeddedResource;
  if (node.embeddedResource) checkEmbeddedResource(value, path, out);
  for (const k of keys) {
    if (keepMeta && resourceRootFields.has(k)) {
      if (k === 'metadata' && !isPlainObject(value[k])) {
        const actual = jsonTypeOf(value[k]);
        out.push(
          typeInvalid(
            path.child(k),
            actual,
            `${named(
              path.child(k),
            )} in body must be of type object: "${actual}"`,
          ),
        );
      }
      continue;
    }
    const prop = node.properties?.get(k);
    if (prop) {
      validateNode(prop, value[k], path.child(k), out, false);
    } else if (typeof node.additionalProperties === 'object') {
      validateNode(
        node.additionalProperties,
        value[k],
        path.key(k),
        out,
        false,
      );
    } else if (node.additionalProperties === false) {
      out.push(
        invalid(
          path.child(k),
          k,
          `${named(path.child(k))} in body is a forbidden property`,
        ),
      );
    }
  }
}

/** Embedded objects must identify their kind; metadata is the apiserver's ObjectMeta. */
function checkEmbeddedResource(
  value: Record<string, unknown>,
  path: FieldPath,
  out: FieldCause[],
) {
  for (const k of ['apiVersion', 'kind']) {
    const v = value[k];
    if (v === undefined) out.push(required(path.child(k), 'must not be empty'));
    else if (typeof v !== 'string')
      out.push(invalid(path.child(k), v, 'must be a string'));
    else if (v === '') out.push(invalid(path.child(k), v, 'must not be empty'));
  }
}

function checkAlternatives(
  node: SchemaNode,
  value: unknown,
  path: FieldPath,
  out: FieldCause[],
) {
  // kube-openapi reports the composite error itself with an empty bad value, plus the failures
  // of the branch that came closest.
  const run = (n: SchemaNode) => {
    const errs: FieldCause[] = [];
    validateNode(n, value, path, errs, false);
    return errs;
  };
  if (node.allOf) {
    let failed = false;
    for (const sub of node.allOf) {
      const errs = run(sub);
      if (errs.length) {
        failed = true;
        out.push(...errs);
      }
    }
    if (failed)
      out.push(
        invalid(
          path,
          '',
          `${named(path)} must validate all the schemas (allOf)`,
        ),
      );
  }
  const best = (results: FieldCause[][]) =>
    results.reduce((a, b) => (b.length < a.length ? b : a), results[0] ?? []);
  if (node.anyOf) {
    const results: FieldCause[][] = [];
    let ok = false;
    for (const sub of node.anyOf) {
      const errs = run(sub);
      if (!errs.length) {
        ok = true;
        break;
      }
      results.push(errs);
    }
    if (!ok) {
      out.push(
        invalid(
          path,
          '',
          `${named(path)} must validate at least one schema (anyOf)`,
        ),
      );
      out.push(...best(results));
    }
  }
  if (node.oneOf) {
    const results = node.oneOf.map(run);
    const valid = results.filter(r => r.length === 0).length;
    if (valid === 0) {
      out.push(
        invalid(
          path,
          '',
          `${named(path)} must validate one and only one schema (oneOf)`,
        ),
      );
      out.push(...best(results));
    } else if (valid > 1) {
      out.push(
        invalid(
          path,
          '',
          `${named(
            path,
          )} must validate one and only one schema (oneOf). Found ${valid} valid alternatives`,
        ),
      );
    }
  }
  if (node.not && run(node.not).length === 0) {
    out.push(
      invalid(path, '', `${named(path)} must not validate the schema (not)`),
    );
  }
}

/**
 * Validates `value` against `node`, appending causes to `out`. `resourceRoot` marks the top of a
 * custom resource, whose apiVersion, kind and metadata belong to the apiserver.
 */
export function validateNode(
  node: SchemaNode,
  value: unknown,
  path: FieldPath,
  out: FieldCause[],
  resourceRoot: boolean,
): void {
  if (value === null || value === undefined) {
    if (node.nullable) return;
    if (node.types) {
      out.push(
        typeInvalid(
          path,
          'null',
          `${named(path)} in body must be of type ${node.typeName}: "null"`,
        ),
      );
      return;
    }
  } else if (node.types) {
    const actual = jsonTypeOf(value);
    if (!typeMatches(node.types, actual)) {
      out.push(
        typeInvalid(
          path,
          actual,
          `${named(path)} in body must be of type ${
            node.typeName
          }: "${actual}"`,
        ),
      );
      return;
    }
  }
  if (node.allOf || node.anyOf || node.oneOf || node.not)
    checkAlternatives(node, value, path, out);
  if (typeof value === 'string') checkString(node, value, path, out);
  else if (typeof value === 'number') checkNumber(node, value, path, out);
  else if (Array.isArray(value)) checkArray(node, value, path, out);
  if (node.enumKeys && !node.enumKeys.has(canonicalJson(value))) {
    out.push(notSupported(path, value, node.schema.enum ?? []));
  }
  if (isPlainObject(value)) checkObject(node, value, path, out, resourceRoot);
}
