import { z } from 'zod';
import {
  ResourceValidationError,
  issuesOf,
  parseResource,
} from './parseResource';

const schema = z.strictObject({
  spec: z.strictObject({
    items: z.array(z.strictObject({ name: z.string() })),
  }),
});

describe('parseResource', () => {
  it('returns the parsed value', () => {
    expect(
      parseResource(schema, { spec: { items: [{ name: 'a' }] } }, 'Thing t'),
    ).toEqual({
      spec: { items: [{ name: 'a' }] },
    });
  });

  it('names every failing field path, array indexes included', () => {
    const run = () =>
      parseResource(
        schema,
        { spec: { items: [{ name: 'a' }, { name: 3 }], extra: 1 } },
        'Thing t',
      );
    expect(run).toThrow(ResourceValidationError);
    expect(run).toThrow(/^Thing t is invalid: /);
    expect(run).toThrow(/spec\.items\[1\]\.name: Invalid input/);
    expect(run).toThrow(/spec\.extra: unknown field/);
  });

  it('reports a wrong root as (root)', () => {
    expect(() => parseResource(schema, 'nope', 'Thing t')).toThrow(
      /\(root\): /,
    );
  });
});

describe('issuesOf', () => {
  it('lists unknown keys one path each', () => {
    const result = schema.safeParse({ spec: { items: [], a: 1, b: 2 } });
    expect(result.success).toBe(false);
    expect(issuesOf(result.error!)).toEqual([
      { path: 'spec.a', message: 'unknown field' },
      { path: 'spec.b', message: 'unknown field' },
    ]);
  });
});
