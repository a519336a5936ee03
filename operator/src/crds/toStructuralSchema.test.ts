import { z } from 'zod';
import { toStructuralSchema } from './toStructuralSchema';

describe('toStructuralSchema', () => {
  it('turns records of unknown values and loose objects into preserved fields', () => {
    expect(
      toStructuralSchema(
        z.object({
          free: z.record(z.string(), z.unknown()),
          loose: z.looseObject({ a: z.string() }),
          any: z.unknown().optional(),
        }),
      ),
    ).toEqual({
      type: 'object',
      properties: {
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        loose: {
          type: 'object',
          properties: { a: { type: 'string' } },
          required: ['a'],
          'x-kubernetes-preserve-unknown-fields': true,
        },
        any: { 'x-kubernetes-preserve-unknown-fields': true },
      },
      required: ['free', 'loose'],
    });
  });

  it('keeps typed maps, drops additionalProperties: false and int bounds zod adds', () => {
    expect(
      toStructuralSchema(
        z.strictObject({
          labels: z.record(z.string(), z.string()),
          n: z.int(),
        }),
      ),
    ).toEqual({
      type: 'object',
      properties: {
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        n: { type: 'integer' },
      },
      required: ['labels', 'n'],
    });
  });

  it('merges unions of literals into one enum, and makes nullable fields nullable', () => {
    expect(
      toStructuralSchema(z.union([z.literal('a'), z.literal('b')])),
    ).toEqual({ type: 'string', enum: ['a', 'b'] });
    expect(toStructuralSchema(z.string().nullable())).toMatchObject({
      type: 'string',
      nullable: true,
    });
  });

  it.each([
    {
      name: 'a union of objects',
      schema: z.union([
        z.object({ a: z.string() }),
        z.object({ b: z.string() }),
      ]),
    },
    {
      name: 'a union of numbers and strings',
      schema: z.union([z.number(), z.string()]),
    },
    { name: 'a tuple', schema: z.tuple([z.string(), z.number()]) },
  ])('refuses $name, which is not structural', ({ schema }) => {
    expect(() => toStructuralSchema(schema, 'spec.x')).toThrow(/^spec\.x/);
  });
});
