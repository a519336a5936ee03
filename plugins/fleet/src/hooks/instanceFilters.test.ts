import { instanceStatuses } from '@vworkspace/backstage-plugin-fleet-common';
import { instanceSummaryFixture } from '../__fixtures__/fleet';
import {
  distinctValues,
  filterInstances,
  filtersFromParams,
  filtersToParams,
  statusOrder,
  summarizeInstances,
} from './instanceFilters';

const items = [
  instanceSummaryFixture({ name: 'nextcloud', status: 'Ready' }),
  instanceSummaryFixture({
    name: 'wiki',
    app: 'wikijs',
    status: 'Failed',
    owner: 'group:team-b',
  }),
  instanceSummaryFixture({
    name: 'nextcloud',
    cluster: 'core-lyon',
    status: 'Ready',
    owner: undefined,
  }),
];

describe('filterInstances', () => {
  it.each([
    {
      name: 'no filter',
      filters: {},
      want: [
        'edge-paris/wiki',
        'edge-paris/nextcloud',
        'core-lyon/nextcloud',
      ].sort(),
    },
    {
      name: 'by cluster',
      filters: { cluster: 'core-lyon' },
      want: ['core-lyon/nextcloud'],
    },
    {
      name: 'by app and status',
      filters: { app: 'nextcloud', status: 'Ready' as const },
      want: ['core-lyon/nextcloud', 'edge-paris/nextcloud'],
    },
    {
      name: 'by owner',
      filters: { owner: 'group:team-b' },
      want: ['edge-paris/wiki'],
    },
    {
      name: 'search is case-insensitive over cluster too',
      filters: { q: 'LYON' },
      want: ['core-lyon/nextcloud'],
    },
    {
      name: 'search over the owner',
      filters: { q: 'team-b' },
      want: ['edge-paris/wiki'],
    },
    { name: 'nothing matches', filters: { q: 'gitlab' }, want: [] },
  ])('$name', ({ filters, want }) => {
    expect(
      filterInstances(items, filters)
        .map(i => `${i.cluster}/${i.name}`)
        .sort(),
    ).toEqual(want);
  });
});

describe('summarizeInstances', () => {
  it('counts statuses by cluster and by app', () => {
    expect(summarizeInstances(items)).toEqual({
      total: 3,
      byStatus: { Ready: 2, Failed: 1 },
      byCluster: {
        'edge-paris': { Ready: 1, Failed: 1 },
        'core-lyon': { Ready: 1 },
      },
      byApp: { nextcloud: { Ready: 2 }, wikijs: { Failed: 1 } },
    });
  });
});

describe('distinctValues', () => {
  it('lists each owner once, sorted, skipping instances without one', () => {
    expect(distinctValues(items, 'owner')).toEqual([
      'group:team-a',
      'group:team-b',
    ]);
  });
});

it('orders every instance status', () => {
  expect([...statusOrder].sort()).toEqual([...instanceStatuses].sort());
});

describe('filters in the URL', () => {
  it('round-trips through the query string', () => {
    const filters = {
      cluster: 'edge-paris',
      status: 'Failed' as const,
      q: 'next cloud',
    };
    expect(filtersFromParams(filtersToParams(filters))).toEqual(filters);
    expect(filtersToParams(filters).toString()).toBe(
      'cluster=edge-paris&status=Failed&q=next+cloud',
    );
  });
  it('ignores an unknown status and empty values', () => {
    expect(
      filtersFromParams(
        new URLSearchParams('status=Broken&app=&owner=group%3Ateam-a'),
      ),
    ).toEqual({
      owner: 'group:team-a',
    });
  });
});
