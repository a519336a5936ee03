import type { FleetEvent } from '@vworkspace/backstage-plugin-fleet-common';
import {
  clusterFixture,
  instanceSummaryFixture,
  operationFixture,
} from '../__fixtures__/fleet';
import {
  applyClusterEvent,
  applyInstanceEvent,
  applyOperationEvent,
} from './applyFleetEvent';

const nextcloud = {
  cluster: 'edge-paris',
  namespace: 'team-a',
  name: 'nextcloud',
};

describe('applyInstanceEvent', () => {
  const a = instanceSummaryFixture({ name: 'a' });
  const b = instanceSummaryFixture({ name: 'b' });
  it.each<{ name: string; event: FleetEvent; want: string[] }>([
    {
      name: 'an update replaces the instance in place',
      event: {
        id: 1,
        kind: 'instance',
        action: 'upsert',
        instance: { ...a, status: 'Ready' },
      },
      want: ['a:Ready', 'b:Progressing'],
    },
    {
      name: 'a new instance is appended',
      event: {
        id: 1,
        kind: 'instance',
        action: 'upsert',
        instance: instanceSummaryFixture({ name: 'c' }),
      },
      want: ['a:Progressing', 'b:Progressing', 'c:Progressing'],
    },
    {
      name: 'a delete removes it',
      event: { id: 1, kind: 'instance', action: 'delete', instance: a },
      want: ['b:Progressing'],
    },
    {
      name: 'the same name on another cluster is another instance',
      event: {
        id: 1,
        kind: 'instance',
        action: 'delete',
        instance: { ...a, cluster: 'other' },
      },
      want: ['a:Progressing', 'b:Progressing'],
    },
    {
      name: 'other kinds change nothing',
      event: {
        id: 1,
        kind: 'cluster',
        action: 'delete',
        cluster: clusterFixture(),
      },
      want: ['a:Progressing', 'b:Progressing'],
    },
  ])('$name', ({ event, want }) => {
    expect(
      applyInstanceEvent([a, b], event).map(i => `${i.name}:${i.status}`),
    ).toEqual(want);
  });
});

describe('applyOperationEvent', () => {
  const old = operationFixture({
    name: 'old',
    createdAt: '2026-12-01T00:00:00Z',
    phase: 'Succeeded',
  });
  it('puts a new operation of the instance first', () => {
    const fresh = operationFixture({
      name: 'new',
      createdAt: '2026-12-04T00:00:00Z',
      phase: 'Pending',
    });
    const result = applyOperationEvent(
      [old],
      { id: 2, kind: 'operation', action: 'upsert', operation: fresh },
      nextcloud,
    );
    expect(result.map(o => o.name)).toEqual(['new', 'old']);
  });
  it('updates the phase of a known operation', () => {
    const result = applyOperationEvent(
      [old],
      {
        id: 2,
        kind: 'operation',
        action: 'upsert',
        operation: { ...old, phase: 'Failed' },
      },
      nextcloud,
    );
    expect(result.map(o => o.phase)).toEqual(['Failed']);
  });
  it('ignores operations of another instance', () => {
    const other = operationFixture({ name: 'x', instance: 'wiki' });
    const list = [old];
    expect(
      applyOperationEvent(
        list,
        { id: 2, kind: 'operation', action: 'upsert', operation: other },
        nextcloud,
      ),
    ).toBe(list);
  });
});

describe('applyClusterEvent', () => {
  it('replaces the cluster by name', () => {
    const result = applyClusterEvent([clusterFixture()], {
      id: 3,
      kind: 'cluster',
      action: 'upsert',
      cluster: clusterFixture({
        connection: { state: 'unreachable', since: '2026-12-04T11:00:00Z' },
      }),
    });
    expect(result.map(c => c.connection.state)).toEqual(['unreachable']);
  });
});
