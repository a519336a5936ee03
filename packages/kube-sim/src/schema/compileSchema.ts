import { applyDefaultsNode } from './defaults';
import { FieldCause, forbidden, invalid, required } from './causes';
import { FieldPath } from './fieldPath';
import { formatChecker } from './formats';
import { canonicalJson, deepCopyJson, isPlainObject } from './jsonValue';
import { pruneNode } from './prune';
import { SchemaCompileError } from './SchemaCompileError';
import type { SchemaNode } from './SchemaNode';
import type { JSONSchemaProps } from './types';
import { validateNode } from './validate';

/** Where a node sits; the structural rules differ for each. */
type Context =
  | 'root'
  | 'property'
  | 'items'
  | 'additionalProperties'
  | 'valueValidation';

const rootMetaFields = new Set(['name', 'generateName']);
const valueValidationForbidden = [
  'default',
  'additionalProperties',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
] as const;

function compilePattern(
  pattern: string,
  path: FieldPath,
  errors: FieldCause[],
): RegExp | undefined {
  // CRD patterns are Go RE2; the common subset behaves the same in ECMAScript with the `u` flag.
  try {
    return new RegExp(pattern, 'u');
  } catch {
    try {
      return new RegExp(pattern);
    } catch (e) {
      errors.push(
        invalid(
          path,
          pattern,
          `must be a valid regular expression, but isn't: ${
            (e as Error).message
          }`,
        ),
      );
      return undefined;
    }
  }
}

/** True for the two shapes apiextensions allows next to `x-kubernetes-int-or-string`. */
function isIntOrStringAlternatives(
  list: JSONSchemaProps[] | undefined,
): boolean {
  if (!list || list.length !== 2) return false;
  const types = list.map(s => s.type).sort();
  return types[0] === 'integer' && types[1] === 'string';
}

function typesOf(type: string | undefined): string[] | undefined {
  return type ? [type] : undefined;
}

class Compiler {
  readonly errors: FieldCause[] = [];

  node(
    s: JSONSchemaProps,
    path: FieldPath,
    ctx: Context,
    intOrStringParent = false,
  ): SchemaNode {
    const errors = this.errors;
    // Schemas come from parsed YAML, so a node may be any JSON value whatever the static type says.
    if (!isPlainObject(s as unknown)) {
      errors.push(invalid(path, s, 'must be an object'));
      return {
        schema: {},
        nullable: false,
        preserveUnknownFields: true,
        embeddedResource: false,
        hasDefault: false,
        rulesBelow: false,
      };
    }
    const intOrString = s['x-kubernetes-int-or-string'] === true;
    const preserve = s['x-kubernetes-preserve-unknown-fields'];
    const embedded = s['x-kubernetes-embedded-resource'] === true;

    if (ctx === 'valueValidation') {
      if (s.type !== undefined && !intOrStringParent) {
        errors.push(
          forbidden(path.child('type'), 'must be empty to be structural'),
        );
      }
      if (s.nullable)
        errors.push(
          forbidden(path.child('nullable'), 'must be false to be structural'),
        );
      for (const key of valueValidationForbidden) {
        if (s[key] !== undefined)
          errors.push(
            forbidden(path.child(key), 'must be undefined to be structural'),
          );
      }
    } else {
      // `type` next to `x-kubernetes-int-or-string` is tolerated (external-snapshotter ships
      // `type: string` with it); the extension wins, as in the apiserver's validation.
      if (ctx === 'root' && s.type !== 'object') {
        errors.push(
          invalid(
            path.child('type'),
            s.type ?? '',
            'must be object at the root',
          ),
        );
      } else if (s.type === undefined && !intOrString && preserve !== true) {
        const where = ctx === 'items' ? 'array items' : 'object fields';
        errors.push(
          required(
            path.child('type'),
            `must not be empty for specified ${where}`,
          ),
        );
      }
      if (preserve === false) {
        errors.push(
          invalid(
            path.child('x-kubernetes-preserve-unknown-fields'),
            false,
            'must be true or undefined',
          ),
        );
      }
      if (embedded) {
        if (s.type !== 'object') {
          errors.push(
            invalid(
              path.child('type'),
              s.type ?? '',
              'must be object if x-kubernetes-embedded-resource is true',
            ),
          );
        } else if (!s.properties && preserve !== true) {
          errors.push(
            required(
              path.child('x-kubernetes-preserve-unknown-fields'),
              'must be true if x-kubernetes-embedded-resource is true and properties are empty',
            ),
          );
        }
      }
    }
    if (s.type === 'array' && !s.items && ctx !== 'valueValidation') {
      errors.push(required(path.child('items'), 'must be specified'));
    }
    if (s.uniqueItems === true) {
      errors.push(
        forbidden(
          path.child('uniqueItems'),
          'uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
        ),
      );
    }
    if (
      s.properties &&
      s.additionalProperties !== undefined &&
      s.additionalProperties !== true
    ) {
      errors.push(
        forbidden(
          path.child('additionalProperties'),
          'additionalProperties and properties are mutual exclusive',
        ),
      );
    }
    const listType = s['x-kubernetes-list-type'];
    if (listType !== undefined && s.type !== 'array') {
      errors.push(
        invalid(
          path.child('x-kubernetes-list-type'),
          listType,
          'must only be used on type array',
        ),
      );
    }
    if (listType === 'map' && !s['x-kubernetes-list-map-keys']?.length) {
      errors.push(
        required(
          path.child('x-kubernetes-list-map-keys'),
          'must not be empty if x-kubernetes-list-type is map',
        ),
      );
    }

    const child = (sub: JSONSchemaProps, p: FieldPath, c: Context) =>
      this.node(sub, p, ctx === 'valueValidation' ? 'valueValidation' : c);

    let properties: Map<string, SchemaNode> | undefined;
    if (s.properties) {
      properties = new Map();
      for (const [k, sub] of Object.entries(s.properties)) {
        properties.set(
          k,
          child(sub, path.child('properties').key(k), 'property'),
        );
      }
      if (ctx === 'root' && s.properties.metadata)
        this.checkRootMetadata(
          s.properties.metadata,
          path.child('properties').key('metadata'),
        );
    }
    let additionalProperties: SchemaNode | boolean | undefined;
    if (typeof s.additionalProperties === 'boolean')
      additionalProperties = s.additionalProperties;
    else if (s.additionalProperties) {
      additionalProperties = child(
        s.additionalProperties,
        path.child('additionalProperties'),
        'additionalProperties',
      );
    }
    const items = s.items
      ? child(s.items, path.child('items'), 'items')
      : undefined;

    const alternatives = (key: 'allOf' | 'anyOf' | 'oneOf') => {
      const list = s[key];
      if (!list) return undefined;
      const typed =
        intOrString &&
        (key === 'anyOf' || key === 'allOf') &&
        isIntOrStringAlternatives(list);
      return list.map((sub, i) =>
        this.node(sub, path.child(key).index(i), 'valueValidation', typed),
      );
    };

    const node: SchemaNode = {
      schema: s,
      types: intOrString ? ['integer', 'string'] : typesOf(s.type),
      typeName: intOrString ? 'integer,string' : s.type,
      nullable: s.nullable === true,
      preserveUnknownFields: preserve === true,
      embeddedResource: embedded,
      properties,
      additionalProperties,
      items,
      required: s.required?.length ? s.required : undefined,
      enumKeys: s.enum ? new Set(s.enum.map(canonicalJson)) : undefined,
      pattern:
        s.pattern !== undefined
          ? compilePattern(s.pattern, path.child('pattern'), errors)
          : undefined,
      checkFormat: formatChecker(s.format),
      allOf: alternatives('allOf'),
      anyOf: alternatives('anyOf'),
      oneOf: alternatives('oneOf'),
      not: s.not
        ? this.node(s.not, path.child('not'), 'valueValidation')
        : undefined,
      hasDefault: s.default !== undefined,
      listType,
      listMapKeys: s['x-kubernetes-list-map-keys'],
      rulesBelow:
        (s['x-kubernetes-validations']?.length ?? 0) > 0 ||
        [...(properties?.values() ?? [])].some(p => p.rulesBelow) ||
        (typeof additionalProperties === 'object' &&
          additionalProperties.rulesBelow) ||
        items?.rulesBelow === true,
    };
    if (node.hasDefault && ctx !== 'valueValidation')
      this.checkDefault(node, path.child('default'));
    return node;
  }

  /** The apiserver owns ObjectMeta: a CRD may only narrow name and generateName. */
  private checkRootMetadata(meta: JSONSchemaProps, path: FieldPath) {
    if (meta.type !== undefined && meta.type !== 'object') {
      this.errors.push(
        invalid(path.child('type'), meta.type, 'must be object'),
      );
    }
    for (const k of Object.keys(meta.properties ?? {})) {
      if (!rootMetaFields.has(k)) {
        this.errors.push(
          forbidden(
            path.child('properties').key(k),
            'must not specify anything other than name and generateName',
          ),
        );
      }
    }
    if (meta.default !== undefined)
      this.errors.push(
        forbidden(path.child('default'), 'must not be set for metadata'),
      );
  }

  /**
   * Defaults must survive pruning unchanged and, once their own nested defaults are applied, be
   * valid: the apiserver checks this when the CRD is written.
   */
  private checkDefault(node: SchemaNode, path: FieldPath) {
    const value = deepCopyJson(node.schema.default);
    if (value === null && !node.nullable) {
      // A null default on a non-nullable field would be pruned before use.
      this.errors.push(
        invalid(path, null, 'must not be null for non-nullable field'),
      );
      return;
    }
    const pruned: string[] = [];
    pruneNode(node, value, FieldPath.root, pruned, false);
    if (pruned.length) {
      this.errors.push(
        invalid(
          path,
          node.schema.default,
          `must not have unknown fields, got ${pruned.join(', ')}`,
        ),
      );
      return;
    }
    applyDefaultsNode(node, value);
    const causes: FieldCause[] = [];
    validateNode(node, value, FieldPath.root, causes, false);
    for (const c of causes)
      this.errors.push({
        ...c,
        field: c.field ? `${path}.${c.field}` : path.toString(),
      });
  }
}

/**
 * Prepares a CRD's `openAPIV3Schema` for validation, defaulting and pruning; throws
 * SchemaCompileError listing every structural violation, paths prefixed by `fieldPath`.
 */
export function compileSchema(
  schema: JSONSchemaProps,
  fieldPath = 'openAPIV3Schema',
): SchemaNode {
  const compiler = new Compiler();
  const node = compiler.node(schema, FieldPath.root.child(fieldPath), 'root');
  if (compiler.errors.length) throw new SchemaCompileError(compiler.errors);
  return node;
}
