import { z } from 'zod';

/**
 * The apiextensions.k8s.io/v1 JSONSchemaProps we emit. Only the keywords a structural schema
 * may hold; anything else zod produces is refused, so that a schema construct the API server
 * would reject fails generation rather than `kubectl apply`.
 */
export interface StructuralSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  properties?: Record<string, StructuralSchema>;
  additionalProperties?: StructuralSchema;
  items?: StructuralSchema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'granular' | 'atomic';
  'x-kubernetes-validations'?: Array<{ rule: string; message?: string }>;
}

type JsonSchema = Record<string, unknown>;

/** Keywords copied as they are. */
const copied = [
  'type',
  'description',
  'default',
  'nullable',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'enum',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
] as const;

/** Keywords handled by hand below, or meaningless to the API server. */
const handled = new Set<string>([
  ...copied,
  'properties',
  'required',
  'additionalProperties',
  'items',
  'const',
  'anyOf',
  'oneOf',
  'propertyNames',
  '$schema',
  'id',
]);

/** Formats the API server validates; zod's own regex for them is redundant and unreadable. */
const kubeFormats = new Set([
  'date-time',
  'date',
  'int32',
  'int64',
  'byte',
  'uuid',
  'email',
]);

function isEmpty(schema: unknown): boolean {
  return (
    schema === true ||
    (typeof schema === 'object' &&
      schema !== null &&
      Object.keys(schema).length === 0)
  );
}

function convert(node: JsonSchema, path: string): StructuralSchema {
  for (const key of Object.keys(node)) {
    if (!handled.has(key)) {
      throw new Error(
        `${path}: JSON Schema keyword "${key}" has no structural equivalent`,
      );
    }
  }
  if (node.allOf || node.$ref || node.not) {
    throw new Error(`${path}: intersections and references are not structural`);
  }
  const union = (node.anyOf ?? node.oneOf) as JsonSchema[] | undefined;
  if (union) {
    return convertUnion(node, union, path);
  }

  const out: Record<string, unknown> = {};
  for (const key of copied) {
    if (node[key] !== undefined) out[key] = node[key];
  }
  if (node.const !== undefined) out.enum = [node.const];

  if (
    out.type === 'string' &&
    typeof out.format === 'string' &&
    kubeFormats.has(out.format)
  ) {
    delete out.pattern;
  }
  if (typeof out.pattern === 'string') {
    // RegExp#source escapes "/", which RE2 does not need; upstream CRDs write it bare.
    out.pattern = out.pattern.replace(/(?<!\\)((?:\\\\)*)\\\//g, '$1/');
  }
  if (out.type === 'integer') {
    // zod bounds every int to the safe range; the API server stores int64 anyway.
    if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
    if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  }

  if (node.properties) {
    const properties: Record<string, StructuralSchema> = {};
    for (const [name, child] of Object.entries(
      node.properties as Record<string, JsonSchema>,
    )) {
      properties[name] = convert(child, path ? `${path}.${name}` : name);
    }
    out.properties = properties;
    const required = (node.required as string[] | undefined)?.filter(
      r => r in properties,
    );
    if (required?.length) out.required = required;
  }

  const additional = node.additionalProperties;
  if (additional !== undefined && additional !== false) {
    if (isEmpty(additional)) {
      out['x-kubernetes-preserve-unknown-fields'] = true;
    } else if (node.properties) {
      throw new Error(
        `${path}: properties and additionalProperties are mutually exclusive`,
      );
    } else {
      out.additionalProperties = convert(
        additional as JsonSchema,
        `${path}[*]`,
      );
    }
  }

  if (node.items !== undefined) {
    if (Array.isArray(node.items))
      throw new Error(`${path}: tuples are not structural`);
    out.items = convert(node.items as JsonSchema, `${path}[]`);
  }

  if (!out.type && !out['x-kubernetes-preserve-unknown-fields']) {
    if (
      Object.keys(out).length === 0 ||
      Object.keys(out).every(k => k === 'description')
    ) {
      // z.unknown(): any JSON value, which a structural schema can only say this way.
      out['x-kubernetes-preserve-unknown-fields'] = true;
    } else {
      throw new Error(`${path}: a structural schema needs a type here`);
    }
  }
  return out as StructuralSchema;
}

/** Unions of constants (a zod enum of literals) become one enum; nothing else is structural. */
function convertUnion(
  node: JsonSchema,
  branches: JsonSchema[],
  path: string,
): StructuralSchema {
  const converted = branches.map(b => convert(b, path));
  const type = converted[0]?.type;
  if (
    !converted.every(
      b => b.type === type && b.enum && Object.keys(b).length <= 3,
    )
  ) {
    throw new Error(
      `${path}: only unions of constants can be expressed in a structural schema`,
    );
  }
  const out: StructuralSchema = {
    type,
    enum: converted.flatMap(b => b.enum ?? []),
  };
  if (typeof node.description === 'string') out.description = node.description;
  if (node.default !== undefined) out.default = node.default;
  return out;
}

/**
 * A structural OpenAPI v3 schema for `schema`, as a CRD version needs it: no references, no
 * `additionalProperties: false`, free-form only where zod says any object is fine (a record of
 * unknown values or a loose object), Kubernetes extensions taken from `.meta()`.
 * Defaulted fields are optional, as in the API request a user writes.
 */
export function toStructuralSchema(
  schema: z.ZodType,
  path = '',
): StructuralSchema {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'throw',
    reused: 'inline',
    cycles: 'throw',
  }) as JsonSchema;
  return convert(json, path);
}
