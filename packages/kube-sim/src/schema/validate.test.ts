import type { CauseReason } from './causes';
import { StructuralSchema } from './StructuralSchema';
import type { JSONSchemaProps } from './types';

/** A CRD schema whose `spec` is the schema under test. */
function crd(spec: JSONSchemaProps): StructuralSchema {
  return StructuralSchema.compile({ type: 'object', properties: { spec } });
}

function validateSpec(spec: JSONSchemaProps, value: unknown) {
  return crd(spec).validate({
    apiVersion: 'x.io/v1',
    kind: 'X',
    metadata: { name: 'a' },
    spec: value,
  });
}

type Row = {
  name: string;
  schema: JSONSchemaProps;
  value: unknown;
  want: Array<[string, CauseReason]>;
};

const obj = (
  properties: Record<string, JSONSchemaProps>,
  extra: JSONSchemaProps = {},
): JSONSchemaProps => ({
  type: 'object',
  properties,
  ...extra,
});

const rows: Row[] = [
  {
    name: 'integer accepts 3',
    schema: obj({ n: { type: 'integer' } }),
    value: { n: 3 },
    want: [],
  },
  {
    name: 'integer accepts 1.0 from JSON',
    schema: obj({ n: { type: 'integer' } }),
    value: JSON.parse('{"n": 1.0}'),
    want: [],
  },
  {
    name: 'integer rejects 1.5',
    schema: obj({ n: { type: 'integer' } }),
    value: { n: 1.5 },
    want: [['spec.n', 'FieldValueTypeInvalid']],
  },
  {
    name: 'number accepts integers',
    schema: obj({ n: { type: 'number' } }),
    value: { n: 2 },
    want: [],
  },
  {
    name: 'number rejects true',
    schema: obj({ n: { type: 'number' } }),
    value: { n: true },
    want: [['spec.n', 'FieldValueTypeInvalid']],
  },
  {
    name: 'boolean rejects "true"',
    schema: obj({ b: { type: 'boolean' } }),
    value: { b: 'true' },
    want: [['spec.b', 'FieldValueTypeInvalid']],
  },
  {
    name: 'array rejects an object',
    schema: obj({ a: { type: 'array', items: { type: 'string' } } }),
    value: { a: {} },
    want: [['spec.a', 'FieldValueTypeInvalid']],
  },
  {
    name: 'nullable accepts null',
    schema: obj({ s: { type: 'string', nullable: true } }),
    value: { s: null },
    want: [],
  },
  {
    name: 'non-nullable rejects null',
    schema: obj({ s: { type: 'string' } }),
    value: { s: null },
    want: [['spec.s', 'FieldValueTypeInvalid']],
  },
  {
    name: 'int-or-string accepts 8080',
    schema: obj({ p: { 'x-kubernetes-int-or-string': true } }),
    value: { p: 8080 },
    want: [],
  },
  {
    name: 'int-or-string accepts "50%"',
    schema: obj({ p: { 'x-kubernetes-int-or-string': true } }),
    value: { p: '50%' },
    want: [],
  },
  {
    name: 'int-or-string rejects a boolean',
    schema: obj({ p: { 'x-kubernetes-int-or-string': true } }),
    value: { p: true },
    want: [['spec.p', 'FieldValueTypeInvalid']],
  },
  {
    name: 'int-or-string with anyOf accepts a string',
    schema: obj({
      p: {
        'x-kubernetes-int-or-string': true,
        anyOf: [{ type: 'integer' }, { type: 'string' }],
      },
    }),
    value: { p: '1Gi' },
    want: [],
  },
  {
    name: 'required present',
    schema: obj({ a: { type: 'string' } }, { required: ['a'] }),
    value: { a: 'x' },
    want: [],
  },
  {
    name: 'required missing',
    schema: obj({ a: { type: 'string' } }, { required: ['a'] }),
    value: {},
    want: [['spec.a', 'FieldValueRequired']],
  },
  {
    name: 'enum member',
    schema: obj({ e: { type: 'string', enum: ['a', 'b'] } }),
    value: { e: 'a' },
    want: [],
  },
  {
    name: 'enum non-member',
    schema: obj({ e: { type: 'string', enum: ['a', 'b'] } }),
    value: { e: 'x' },
    want: [['spec.e', 'FieldValueNotSupported']],
  },
  {
    name: 'maxLength ok',
    schema: obj({ s: { type: 'string', maxLength: 3 } }),
    value: { s: 'äbc' },
    want: [],
  },
  {
    name: 'maxLength exceeded',
    schema: obj({ s: { type: 'string', maxLength: 3 } }),
    value: { s: 'abcd' },
    want: [['spec.s', 'FieldValueTooLong']],
  },
  {
    name: 'minLength short',
    schema: obj({ s: { type: 'string', minLength: 2 } }),
    value: { s: 'a' },
    want: [['spec.s', 'FieldValueInvalid']],
  },
  {
    name: 'pattern matches',
    schema: obj({ s: { type: 'string', pattern: '^[a-z]+$' } }),
    value: { s: 'abc' },
    want: [],
  },
  {
    name: 'pattern fails',
    schema: obj({ s: { type: 'string', pattern: '^[a-z]+$' } }),
    value: { s: 'aBc' },
    want: [['spec.s', 'FieldValueInvalid']],
  },
  {
    name: 'minimum ok',
    schema: obj({ n: { type: 'integer', minimum: 1 } }),
    value: { n: 1 },
    want: [],
  },
  {
    name: 'minimum below',
    schema: obj({ n: { type: 'integer', minimum: 1 } }),
    value: { n: 0 },
    want: [['spec.n', 'FieldValueInvalid']],
  },
  {
    name: 'exclusiveMinimum equal',
    schema: obj({ n: { type: 'number', minimum: 1, exclusiveMinimum: true } }),
    value: { n: 1 },
    want: [['spec.n', 'FieldValueInvalid']],
  },
  {
    name: 'maximum ok',
    schema: obj({ n: { type: 'integer', maximum: 5 } }),
    value: { n: 5 },
    want: [],
  },
  {
    name: 'exclusiveMaximum equal',
    schema: obj({ n: { type: 'integer', maximum: 5, exclusiveMaximum: true } }),
    value: { n: 5 },
    want: [['spec.n', 'FieldValueInvalid']],
  },
  {
    name: 'multipleOf ok',
    schema: obj({ n: { type: 'integer', multipleOf: 5 } }),
    value: { n: 15 },
    want: [],
  },
  {
    name: 'multipleOf off',
    schema: obj({ n: { type: 'integer', multipleOf: 5 } }),
    value: { n: 7 },
    want: [['spec.n', 'FieldValueInvalid']],
  },
  {
    name: 'maxItems ok',
    schema: obj({
      a: { type: 'array', items: { type: 'string' }, maxItems: 2 },
    }),
    value: { a: ['x', 'y'] },
    want: [],
  },
  {
    name: 'maxItems exceeded',
    schema: obj({
      a: { type: 'array', items: { type: 'string' }, maxItems: 1 },
    }),
    value: { a: ['x', 'y'] },
    want: [['spec.a', 'FieldValueTooMany']],
  },
  {
    name: 'minItems short',
    schema: obj({
      a: { type: 'array', items: { type: 'string' }, minItems: 1 },
    }),
    value: { a: [] },
    want: [['spec.a', 'FieldValueInvalid']],
  },
  {
    name: 'item type checked with index',
    schema: obj({ a: { type: 'array', items: { type: 'string' } } }),
    value: { a: ['x', 2] },
    want: [['spec.a[1]', 'FieldValueTypeInvalid']],
  },
  {
    name: 'maxProperties exceeded',
    schema: obj({
      m: {
        type: 'object',
        additionalProperties: { type: 'string' },
        maxProperties: 1,
      },
    }),
    value: { m: { a: 'x', b: 'y' } },
    want: [['spec.m', 'FieldValueTooMany']],
  },
  {
    name: 'minProperties short',
    schema: obj({
      m: {
        type: 'object',
        additionalProperties: { type: 'string' },
        minProperties: 1,
      },
    }),
    value: { m: {} },
    want: [['spec.m', 'FieldValueInvalid']],
  },
  {
    name: 'map values checked with key',
    schema: obj({
      labels: { type: 'object', additionalProperties: { type: 'string' } },
    }),
    value: { labels: { foo: 1, bar: 'b' } },
    want: [['spec.labels[foo]', 'FieldValueTypeInvalid']],
  },
  {
    name: 'additionalProperties: true keeps anything',
    schema: obj({ m: { type: 'object', additionalProperties: true } }),
    value: { m: { a: { b: 1 } } },
    want: [],
  },
  {
    name: 'additionalProperties: false forbids keys',
    schema: obj({ m: { type: 'object', additionalProperties: false } }),
    value: { m: { a: 1 } },
    want: [['spec.m.a', 'FieldValueInvalid']],
  },
  {
    name: 'list-type set unique',
    schema: obj({
      s: {
        type: 'array',
        items: { type: 'string' },
        'x-kubernetes-list-type': 'set',
      },
    }),
    value: { s: ['a', 'b'] },
    want: [],
  },
  {
    name: 'list-type set duplicate',
    schema: obj({
      s: {
        type: 'array',
        items: { type: 'string' },
        'x-kubernetes-list-type': 'set',
      },
    }),
    value: { s: ['a', 'b', 'a'] },
    want: [['spec.s[2]', 'FieldValueDuplicate']],
  },
  ...(() => {
    const ports: JSONSchemaProps = {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['port', 'protocol'],
      items: obj(
        {
          port: { type: 'integer' },
          protocol: { type: 'string', default: 'TCP' },
        },
        { required: ['port'] },
      ),
    };
    return [
      {
        name: 'list-type map distinct keys',
        schema: obj({ ports }),
        value: {
          ports: [
            { port: 80, protocol: 'TCP' },
            { port: 80, protocol: 'UDP' },
          ],
        },
        want: [],
      },
      {
        name: 'list-type map duplicate key',
        schema: obj({ ports }),
        value: {
          ports: [
            { port: 80, protocol: 'TCP' },
            { port: 80, protocol: 'TCP' },
          ],
        },
        want: [['spec.ports[1]', 'FieldValueDuplicate']],
      },
    ] as Row[];
  })(),
  {
    name: 'date-time ok',
    schema: obj({ t: { type: 'string', format: 'date-time' } }),
    value: { t: '2025-01-10T03:00:00.123+01:00' },
    want: [],
  },
  {
    name: 'date-time bad',
    schema: obj({ t: { type: 'string', format: 'date-time' } }),
    value: { t: '2025-01-10' },
    want: [['spec.t', 'FieldValueTypeInvalid']],
  },
  {
    name: 'date ok',
    schema: obj({ t: { type: 'string', format: 'date' } }),
    value: { t: '2024-02-29' },
    want: [],
  },
  {
    name: 'date impossible',
    schema: obj({ t: { type: 'string', format: 'date' } }),
    value: { t: '2025-02-30' },
    want: [['spec.t', 'FieldValueTypeInvalid']],
  },
  {
    name: 'byte ok',
    schema: obj({ b: { type: 'string', format: 'byte' } }),
    value: { b: 'aGVsbG8=' },
    want: [],
  },
  {
    name: 'byte bad',
    schema: obj({ b: { type: 'string', format: 'byte' } }),
    value: { b: 'not base64!' },
    want: [['spec.b', 'FieldValueTypeInvalid']],
  },
  {
    name: 'uuid ok',
    schema: obj({ u: { type: 'string', format: 'uuid' } }),
    value: { u: '8f1c5a62-0b1f-4a2e-9a55-6a1d8f0c2b11' },
    want: [],
  },
  {
    name: 'uuid bad',
    schema: obj({ u: { type: 'string', format: 'uuid' } }),
    value: { u: 'nope' },
    want: [['spec.u', 'FieldValueTypeInvalid']],
  },
  {
    name: 'int32/int64 formats are not checked',
    schema: obj({
      a: { type: 'integer', format: 'int32' },
      b: { type: 'integer', format: 'int64' },
    }),
    value: { a: 2 ** 40, b: 2 ** 60 },
    want: [],
  },
  {
    name: 'allOf satisfied',
    schema: obj({
      s: { type: 'string', allOf: [{ minLength: 1 }, { maxLength: 3 }] },
    }),
    value: { s: 'ab' },
    want: [],
  },
  {
    name: 'allOf violated',
    schema: obj({
      s: { type: 'string', allOf: [{ minLength: 1 }, { pattern: '^a' }] },
    }),
    value: { s: 'b' },
    want: [
      ['spec.s', 'FieldValueInvalid'],
      ['spec.s', 'FieldValueInvalid'],
    ],
  },
  {
    name: 'anyOf one matches',
    schema: obj({
      s: { type: 'string', anyOf: [{ pattern: '^a' }, { pattern: '^b' }] },
    }),
    value: { s: 'b' },
    want: [],
  },
  {
    name: 'anyOf none matches',
    schema: obj({
      s: { type: 'string', anyOf: [{ pattern: '^a' }, { pattern: '^b' }] },
    }),
    value: { s: 'c' },
    want: [
      ['spec.s', 'FieldValueInvalid'],
      ['spec.s', 'FieldValueInvalid'],
    ],
  },
  {
    name: 'oneOf exactly one (required alternatives)',
    schema: obj({
      src: obj(
        { a: { type: 'string' }, b: { type: 'string' } },
        { oneOf: [{ required: ['a'] }, { required: ['b'] }] },
      ),
    }),
    value: { src: { a: 'x' } },
    want: [],
  },
  {
    name: 'oneOf both',
    schema: obj({
      src: obj(
        { a: { type: 'string' }, b: { type: 'string' } },
        { oneOf: [{ required: ['a'] }, { required: ['b'] }] },
      ),
    }),
    value: { src: { a: 'x', b: 'y' } },
    want: [['spec.src', 'FieldValueInvalid']],
  },
  {
    name: 'not avoided',
    schema: obj({ s: { type: 'string', not: { enum: ['root'] } } }),
    value: { s: 'jane' },
    want: [],
  },
  {
    name: 'not matched',
    schema: obj({ s: { type: 'string', not: { enum: ['root'] } } }),
    value: { s: 'root' },
    want: [['spec.s', 'FieldValueInvalid']],
  },
  {
    name: 'preserve-unknown-fields still validates known properties',
    schema: obj(
      { n: { type: 'integer' } },
      { 'x-kubernetes-preserve-unknown-fields': true },
    ),
    value: { n: 'x', other: { anything: true } },
    want: [['spec.n', 'FieldValueTypeInvalid']],
  },
  {
    name: 'preserve-unknown-fields without type takes any value',
    schema: { 'x-kubernetes-preserve-unknown-fields': true },
    value: [1, 'a', { b: null }],
    want: [],
  },
  {
    name: 'embedded resource with apiVersion and kind',
    schema: obj({
      tpl: {
        type: 'object',
        'x-kubernetes-embedded-resource': true,
        'x-kubernetes-preserve-unknown-fields': true,
      },
    }),
    value: {
      tpl: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} },
    },
    want: [],
  },
  {
    name: 'embedded resource without kind',
    schema: obj({
      tpl: {
        type: 'object',
        'x-kubernetes-embedded-resource': true,
        'x-kubernetes-preserve-unknown-fields': true,
      },
    }),
    value: { tpl: { apiVersion: 'v1' } },
    want: [['spec.tpl.kind', 'FieldValueRequired']],
  },
  {
    name: 'CEL rules are not evaluated',
    schema: obj(
      { s: { type: 'string' } },
      {
        'x-kubernetes-validations': [{ rule: 'false', message: 'never valid' }],
      },
    ),
    value: { s: 'x' },
    want: [],
  },
  {
    name: 'nested paths',
    schema: obj({
      template: obj({
        containers: {
          type: 'array',
          items: obj({ name: { type: 'string' } }, { required: ['name'] }),
        },
      }),
    }),
    value: { template: { containers: [{ name: 'a' }, {}] } },
    want: [['spec.template.containers[1].name', 'FieldValueRequired']],
  },
];

describe('StructuralSchema.validate', () => {
  it.each(rows)('$name', ({ schema, value, want }) => {
    const got = validateSpec(schema, value).map(c => [c.field, c.reason]);
    expect(got).toEqual(want);
  });

  it.each([
    [
      { n: { type: 'integer' } },
      { n: 'string' },
      'Invalid value: "string": spec.n in body must be of type integer: "string"',
    ],
    [
      { n: { type: 'integer' } },
      { n: null },
      'Invalid value: "null": spec.n in body must be of type integer: "null"',
    ],
    [
      { p: { 'x-kubernetes-int-or-string': true } },
      { p: false },
      'Invalid value: "boolean": spec.p in body must be of type integer,string: "boolean"',
    ],
    [
      { e: { type: 'string', enum: ['a', 'b'] } },
      { e: 'x' },
      'Unsupported value: "x": supported values: "a", "b"',
    ],
    [
      { e: { type: 'integer', enum: [1, 2] } },
      { e: 3 },
      'Unsupported value: 3: supported values: "1", "2"',
    ],
    [
      { s: { type: 'string', maxLength: 3 } },
      { s: 'abcd' },
      'Too long: may not be more than 3 bytes',
    ],
    [
      { s: { type: 'string', minLength: 2 } },
      { s: 'a' },
      'Invalid value: "a": spec.s in body should be at least 2 chars long',
    ],
    [
      { s: { type: 'string', pattern: '^a$' } },
      { s: 'b' },
      `Invalid value: "b": spec.s in body should match '^a$'`,
    ],
    [
      { n: { type: 'integer', minimum: 1 } },
      { n: 0 },
      'Invalid value: 0: spec.n in body should be greater than or equal to 1',
    ],
    [
      { n: { type: 'integer', maximum: 1, exclusiveMaximum: true } },
      { n: 1 },
      'Invalid value: 1: spec.n in body should be less than 1',
    ],
    [
      { a: { type: 'array', items: { type: 'string' }, maxItems: 1 } },
      { a: ['x', 'y'] },
      'Too many: 2: must have at most 1 items',
    ],
    [
      { a: { type: 'array', items: { type: 'string' }, minItems: 2 } },
      { a: ['x'] },
      'Invalid value: 1: spec.a in body should have at least 2 items',
    ],
    [
      {
        s: {
          type: 'array',
          items: { type: 'string' },
          'x-kubernetes-list-type': 'set',
        },
      },
      { s: ['a', 'a'] },
      'Duplicate value: "a"',
    ],
    [
      { t: { type: 'string', format: 'date-time' } },
      { t: 'x' },
      'Invalid value: "x": spec.t in body must be of type date-time: "x"',
    ],
  ] as Array<[Record<string, JSONSchemaProps>, unknown, string]>)(
    'message for %j with %j',
    (props, value, message) => {
      expect(validateSpec(obj(props), value).map(c => c.message)).toEqual([
        message,
      ]);
    },
  );

  it('prints a missing field as Required value without detail', () => {
    expect(
      validateSpec(obj({ a: { type: 'string' } }, { required: ['a'] }), {}),
    ).toEqual([
      {
        reason: 'FieldValueRequired',
        field: 'spec.a',
        message: 'Required value',
      },
    ]);
  });

  it('leaves apiVersion, kind and metadata to the server but wants metadata to be an object', () => {
    const schema = StructuralSchema.compile({
      type: 'object',
      required: ['metadata'],
      properties: { spec: { type: 'object' } },
    });
    expect(
      schema.validate({ apiVersion: 1, kind: 2, metadata: { anything: true } }),
    ).toEqual([]);
    expect(
      schema.validate({ apiVersion: 'a/v1', kind: 'X', metadata: 'x' }),
    ).toEqual([
      {
        reason: 'FieldValueTypeInvalid',
        field: 'metadata',
        message:
          'Invalid value: "string": metadata in body must be of type object: "string"',
      },
    ]);
  });

  it('reports a missing required list-map key', () => {
    const schema = obj({
      ports: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: obj({ name: { type: 'string' } }),
      },
    });
    expect(
      validateSpec(schema, { ports: [{}] }).map(c => [c.field, c.reason]),
    ).toEqual([['spec.ports[0].name', 'FieldValueRequired']]);
  });
});
