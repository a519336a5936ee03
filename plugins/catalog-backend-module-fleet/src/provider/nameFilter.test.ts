import { compileNameFilter } from './nameFilter';

describe('compileNameFilter', () => {
  it.each([
    {
      name: 'everything by default',
      filter: { include: ['*'], exclude: [] },
      value: 'eu-1',
      want: true,
    },
    {
      name: 'an exact include',
      filter: { include: ['eu-1'], exclude: [] },
      value: 'eu-1',
      want: true,
    },
    {
      name: 'not another name',
      filter: { include: ['eu-1'], exclude: [] },
      value: 'eu-10',
      want: false,
    },
    {
      name: 'a prefix pattern',
      filter: { include: ['eu-*'], exclude: [] },
      value: 'eu-10',
      want: true,
    },
    {
      name: 'exclude wins',
      filter: { include: ['*'], exclude: ['kube-*'] },
      value: 'kube-system',
      want: false,
    },
    {
      name: 'dots are literal',
      filter: { include: ['a.b'], exclude: [] },
      value: 'axb',
      want: false,
    },
    {
      name: 'nothing when include is empty',
      filter: { include: [], exclude: [] },
      value: 'eu-1',
      want: false,
    },
  ])('takes $name', ({ filter, value, want }) => {
    expect(compileNameFilter(filter)(value)).toBe(want);
  });
});
