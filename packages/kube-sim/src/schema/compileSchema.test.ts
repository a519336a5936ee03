import { SchemaCompileError } from './SchemaCompileError';
import { StructuralSchema } from './StructuralSchema';
import type { JSONSchemaProps } from './types';

function compileError(
  schema: JSONSchemaProps,
  fieldPath?: string,
): SchemaCompileError {
  try {
    StructuralSchema.compile(schema, { fieldPath });
  } catch (e) {
    if (e instanceof SchemaCompileError) return e;
    throw e;
  }
  throw new Error('compiled');
}

const spec = (s: JSONSchemaProps): JSONSchemaProps => ({
  type: 'object',
  properties: { spec: s },
});

describe('StructuralSchema.compile', () => {
  it.each([
    [
      'a field without type',
      spec({ properties: {} }),
      'openAPIV3Schema.properties[spec].type',
      'FieldValueRequired',
    ],
    [
      'a root that is not an object',
      { type: 'string' },
      'openAPIV3Schema.type',
      'FieldValueInvalid',
    ],
    [
      'array without items',
      spec({ type: 'array' }),
      'openAPIV3Schema.properties[spec].items',
      'FieldValueRequired',
    ],
    [
      'uniqueItems: true',
      spec({ type: 'array', items: { type: 'string' }, uniqueItems: true }),
      'openAPIV3Schema.properties[spec].uniqueItems',
      'FieldValueForbidden',
    ],
    [
      'properties with additionalProperties',
      spec({
        type: 'object',
        properties: { a: { type: 'string' } },
        additionalProperties: { type: 'string' },
      }),
      'openAPIV3Schema.properties[spec].additionalProperties',
      'FieldValueForbidden',
    ],
    [
      'a type inside anyOf',
      spec({ type: 'string', anyOf: [{ type: 'string' }] }),
      'openAPIV3Schema.properties[spec].anyOf[0].type',
      'FieldValueForbidden',
    ],
    [
      'a default inside allOf',
      spec({ type: 'string', allOf: [{ default: 'x' }] }),
      'openAPIV3Schema.properties[spec].allOf[0].default',
      'FieldValueForbidden',
    ],
    [
      'preserve-unknown-fields: false',
      spec({ type: 'object', 'x-kubernetes-preserve-unknown-fields': false }),
      'openAPIV3Schema.properties[spec].x-kubernetes-preserve-unknown-fields',
      'FieldValueInvalid',
    ],
    [
      'an invalid pattern',
      spec({ type: 'string', pattern: '([a-z' }),
      'openAPIV3Schema.properties[spec].pattern',
      'FieldValueInvalid',
    ],
    [
      'a default of the wrong type',
      spec({ type: 'integer', default: 'one' }),
      'openAPIV3Schema.properties[spec].default',
      'FieldValueTypeInvalid',
    ],
    [
      'a default with unknown fields',
      spec({
        type: 'object',
        properties: { a: { type: 'string' } },
        default: { b: 1 },
      }),
      'openAPIV3Schema.properties[spec].default',
      'FieldValueInvalid',
    ],
    [
      'metadata beyond name and generateName',
      {
        type: 'object',
        properties: {
          metadata: {
            type: 'object',
            properties: { labels: { type: 'object' } },
          },
        },
      },
      'openAPIV3Schema.properties[metadata].properties[labels]',
      'FieldValueForbidden',
    ],
    [
      'list-type map without keys',
      spec({
        type: 'array',
        items: { type: 'object' },
        'x-kubernetes-list-type': 'map',
      }),
      'openAPIV3Schema.properties[spec].x-kubernetes-list-map-keys',
      'FieldValueRequired',
    ],
  ] as Array<[string, JSONSchemaProps, string, string]>)(
    'rejects %s',
    (_name, schema, field, reason) => {
      const err = compileError(schema);
      expect(err.causes.map(c => [c.field, c.reason])).toContainEqual([
        field,
        reason,
      ]);
      expect(err.field).toBe(field);
    },
  );

  it('accepts the structural forms the rules allow', () => {
    expect(() =>
      StructuralSchema.compile({
        type: 'object',
        properties: {
          metadata: {
            type: 'object',
            properties: { name: { type: 'string', maxLength: 63 } },
          },
          spec: {
            type: 'object',
            properties: {
              port: {
                'x-kubernetes-int-or-string': true,
                anyOf: [{ type: 'integer' }, { type: 'string' }],
              },
              raw: { 'x-kubernetes-preserve-unknown-fields': true },
              size: { type: 'integer', default: 3, minimum: 1 },
              mode: {
                type: 'string',
                allOf: [{ minLength: 1 }],
                not: { enum: ['x'] },
              },
              nested: {
                type: 'object',
                default: {},
                properties: { a: { type: 'string', default: 'b' } },
                required: ['a'],
              },
            },
          },
        },
      }),
    ).not.toThrow();
  });

  it('prefixes paths with the CRD location given', () => {
    const err = compileError(
      spec({}),
      'spec.versions[1].schema.openAPIV3Schema',
    );
    expect(err.field).toBe(
      'spec.versions[1].schema.openAPIV3Schema.properties[spec].type',
    );
    expect(err.message).toBe(
      'spec.versions[1].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
    );
  });

  it('compiles a schema object once', () => {
    const s: JSONSchemaProps = spec({ type: 'object' });
    expect(StructuralSchema.compile(s)).toBe(StructuralSchema.compile(s));
  });
});
