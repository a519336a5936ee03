import { StructuralSchema } from './StructuralSchema';

const schema = StructuralSchema.compile({
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        size: { type: 'string', default: '1Gi' },
        note: { type: 'string', nullable: true },
        containers: {
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string' } } },
        },
        labels: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            properties: { v: { type: 'string' } },
          },
        },
        values: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
        },
        config: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: {
            known: { type: 'object', properties: { a: { type: 'string' } } },
          },
        },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: {
            spec: { type: 'object', properties: { x: { type: 'string' } } },
          },
        },
        anything: { type: 'object', additionalProperties: true },
      },
    },
    status: { type: 'object', properties: { phase: { type: 'string' } } },
  },
});

describe('StructuralSchema.prune', () => {
  it('removes unknown fields and reports their paths', () => {
    const obj = {
      apiVersion: 'x.io/v1',
      kind: 'X',
      metadata: { name: 'a', whatever: 1 },
      extra: true,
      spec: {
        name: 'n',
        foo: { bar: 1 },
        containers: [{ name: 'c', image: 'i' }],
        labels: { a: { v: 'x', w: 'y' } },
      },
      status: { phase: 'Ready', conditions: [] },
    };
    expect(schema.prune(obj)).toEqual([
      'extra',
      'spec.foo',
      'spec.containers[0].image',
      'spec.labels[a].w',
      'status.conditions',
    ]);
    expect(obj).toEqual({
      apiVersion: 'x.io/v1',
      kind: 'X',
      metadata: { name: 'a', whatever: 1 },
      spec: {
        name: 'n',
        containers: [{ name: 'c' }],
        labels: { a: { v: 'x' } },
      },
      status: { phase: 'Ready' },
    });
  });

  it('keeps everything under x-kubernetes-preserve-unknown-fields and additionalProperties: true', () => {
    const spec = {
      values: { a: { b: [1, { c: 2 }] } },
      anything: { x: { y: 1 } },
    };
    const obj = { spec: structuredClone(spec) };
    expect(schema.prune(obj)).toEqual([]);
    expect(obj.spec).toEqual(spec);
  });

  it('keeps unknown fields next to known properties, but prunes inside known ones', () => {
    const obj = { spec: { config: { other: 1, known: { a: 'x', b: 'y' } } } };
    expect(schema.prune(obj)).toEqual(['spec.config.known.b']);
    expect(obj.spec.config).toEqual({ other: 1, known: { a: 'x' } });
  });

  it('keeps apiVersion, kind and metadata of an embedded resource', () => {
    const obj = {
      spec: {
        template: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'p' },
          spec: { x: 'a', y: 'b' },
          z: 1,
        },
      },
    };
    expect(schema.prune(obj)).toEqual([
      'spec.template.spec.y',
      'spec.template.z',
    ]);
    expect(obj.spec.template).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { x: 'a' },
    });
  });

  it('drops nulls of non-nullable fields without default, silently, so defaulting can fill the others', () => {
    const obj = { spec: { name: null, size: null, note: null } };
    expect(schema.prune(obj)).toEqual([]);
    expect(obj.spec).toEqual({ size: null, note: null });
    schema.applyDefaults(obj);
    expect(obj.spec).toEqual({ size: '1Gi', note: null });
  });
});
