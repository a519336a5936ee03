import { FieldSet } from './FieldSet';

const set = (...paths: string[][]) => FieldSet.fromPaths(paths);
const list = (s: FieldSet) =>
  s
    .paths()
    .map(p => p.join('/'))
    .sort();

describe('FieldSet', () => {
  const a = set(['f:spec', 'f:a'], ['f:spec', 'f:b'], ['f:meta']);
  const b = set(['f:spec', 'f:b'], ['f:spec', 'f:c'], ['f:spec']);

  it.each([
    {
      name: 'union',
      got: () => a.union(b),
      want: ['f:meta', 'f:spec', 'f:spec/f:a', 'f:spec/f:b', 'f:spec/f:c'],
    },
    {
      name: 'difference',
      got: () => a.difference(b),
      want: ['f:meta', 'f:spec/f:a'],
    },
    {
      name: 'difference is membership-wise',
      got: () => b.difference(set(['f:spec'])),
      want: ['f:spec/f:b', 'f:spec/f:c'],
    },
    {
      name: 'intersection',
      got: () => a.intersection(b),
      want: ['f:spec/f:b'],
    },
  ])('$name', ({ got, want }) => {
    expect(list(got())).toEqual(want);
  });

  it('leaves no empty nodes behind a difference', () => {
    const d = a.difference(set(['f:spec', 'f:a'], ['f:spec', 'f:b']));
    expect(d.child('f:spec')).toBeUndefined();
    expect(d.equals(set(['f:meta']))).toBe(true);
  });

  it('does not change its inputs', () => {
    a.union(b);
    a.difference(b);
    expect(list(a)).toEqual(['f:meta', 'f:spec/f:a', 'f:spec/f:b']);
    expect(b.has(['f:spec'])).toBe(true);
  });
});
