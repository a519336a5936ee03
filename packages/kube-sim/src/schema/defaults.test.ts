import { StructuralSchema } from './StructuralSchema';
import type { JSONSchemaProps } from './types';

const schema = StructuralSchema.compile({
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer', default: 1 },
        strategy: {
          type: 'object',
          default: {},
          properties: {
            type: { type: 'string', default: 'RollingUpdate' },
            rollingUpdate: {
              type: 'object',
              properties: {
                maxSurge: {
                  'x-kubernetes-int-or-string': true,
                  default: '25%',
                },
              },
            },
          },
        },
        mode: { type: 'string', default: 'auto' },
        comment: { type: 'string', nullable: true, default: 'none' },
        containers: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              pullPolicy: { type: 'string', default: 'IfNotPresent' },
            },
          },
        },
        tags: { type: 'array', items: { type: 'string', default: 'latest' } },
        limits: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            properties: { max: { type: 'integer', default: 10 } },
          },
        },
      },
    },
  },
} satisfies JSONSchemaProps);

describe('StructuralSchema.applyDefaults', () => {
  it('fills missing fields of present objects, and defaults inside defaulted objects', () => {
    const obj = { spec: {} };
    expect(schema.applyDefaults(obj)).toBe(obj);
    expect(obj).toEqual({
      spec: {
        replicas: 1,
        mode: 'auto',
        comment: 'none',
        strategy: { type: 'RollingUpdate' },
      },
    });
  });

  it('does not create absent parents or items', () => {
    expect(schema.applyDefaults({})).toEqual({});
    expect(
      schema.applyDefaults({ spec: { strategy: { rollingUpdate: {} } } }).spec
        .strategy,
    ).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%' },
    });
  });

  it('keeps values that are set', () => {
    const obj = schema.applyDefaults({
      spec: { replicas: 3, strategy: { type: 'Recreate' }, mode: '' },
    });
    expect(obj.spec).toMatchObject({
      replicas: 3,
      strategy: { type: 'Recreate' },
      mode: '',
    });
  });

  it('replaces null of a non-nullable field with its default, keeps null of a nullable one', () => {
    const obj = schema.applyDefaults({
      spec: { replicas: null, comment: null },
    });
    expect(obj.spec).toMatchObject({ replicas: 1, comment: null });
  });

  it('defaults inside existing array items and map values only', () => {
    const obj = schema.applyDefaults({
      spec: {
        containers: [{ name: 'a' }, { name: 'b', pullPolicy: 'Always' }],
        tags: ['v1', null],
        limits: { cpu: {} },
      },
    });
    expect(obj.spec.containers).toEqual([
      { name: 'a', pullPolicy: 'IfNotPresent' },
      { name: 'b', pullPolicy: 'Always' },
    ]);
    expect(obj.spec.tags).toEqual(['v1', 'latest']);
    expect(obj.spec.limits).toEqual({ cpu: { max: 10 } });
  });

  it('gives every object its own copy of a default', () => {
    const a = schema.applyDefaults({ spec: {} }) as {
      spec: { strategy: { type: string } };
    };
    a.spec.strategy.type = 'changed';
    const b = schema.applyDefaults({ spec: {} }) as {
      spec: { strategy: { type: string } };
    };
    expect(b.spec.strategy.type).toBe('RollingUpdate');
  });
});
