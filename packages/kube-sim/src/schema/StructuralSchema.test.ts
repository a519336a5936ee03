import { StructuralSchema } from './StructuralSchema';

const schema = StructuralSchema.compile({
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['replicas', 'image'],
      properties: {
        replicas: { type: 'integer', default: 1, minimum: 0 },
        image: { type: 'string' },
        containers: {
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string' } } },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        values: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
        },
      },
    },
  },
});

describe('StructuralSchema', () => {
  it('admits like the apiserver: prune, then default, then validate', () => {
    const obj = {
      apiVersion: 'x.io/v1',
      kind: 'X',
      metadata: { name: 'a' },
      spec: { image: 'nginx', imagePullPolicy: 'Always' },
    };
    expect(schema.admit(obj)).toEqual({
      pruned: ['spec.imagePullPolicy'],
      causes: [],
    });
    expect(obj.spec).toEqual({ image: 'nginx', replicas: 1 });
  });

  it('reports causes after pruning and defaulting', () => {
    const obj = { spec: { replicas: -1, junk: 1 } };
    const result = schema.admit(obj);
    expect(result.pruned).toEqual(['spec.junk']);
    expect(result.causes.map(c => [c.field, c.reason])).toEqual([
      ['spec.image', 'FieldValueRequired'],
      ['spec.replicas', 'FieldValueInvalid'],
    ]);
  });

  it.each([
    [['spec', 'replicas'], 'integer'],
    [['spec', 'containers', '0', 'name'], 'string'],
    [['spec', 'labels', 'app'], 'string'],
    [['spec', 'values'], 'object'],
  ])('finds the schema at %j', (path, type) => {
    expect(schema.at(path)?.type).toBe(type);
  });

  it.each([
    [['spec', 'nope']],
    [['spec', 'values', 'free']],
    [['spec', 'replicas', 'x']],
  ])('has no schema at %j', path => {
    expect(schema.at(path)).toBeUndefined();
  });
});
