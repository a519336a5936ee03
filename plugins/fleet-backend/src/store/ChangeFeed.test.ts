import type { FleetEvent } from '@vworkspace/backstage-plugin-fleet-common';
import { ChangeFeed } from './ChangeFeed';

const cluster = {
  name: 'eu-1',
  title: 'eu-1',
  mode: 'push' as const,
  labels: {},
  connection: { state: 'connected' as const, since: '2026-01-01T00:00:00Z' },
  instanceCount: 0,
};

function change() {
  return { kind: 'cluster' as const, action: 'upsert' as const, cluster };
}

describe('ChangeFeed', () => {
  it('numbers events increasingly and delivers them to subscribers', () => {
    const feed = new ChangeFeed({ firstId: 100 });
    const seen: FleetEvent[] = [];
    feed.subscribe({ onEvent: e => seen.push(e) });
    feed.publish(change());
    feed.publish(change());
    expect(seen.map(e => e.id)).toEqual([100, 101]);
    expect(feed.lastId).toBe(101);
  });

  it('replays what a follower missed, then follows', () => {
    const feed = new ChangeFeed({ firstId: 1 });
    for (let i = 0; i < 5; i++) feed.publish(change());
    const seen: number[] = [];
    feed.subscribe({ onEvent: e => seen.push(e.id) }, 3);
    feed.publish(change());
    expect(seen).toEqual([4, 5, 6]);
  });

  it('asks for a resync when the id is older than the buffer or from another process', () => {
    const feed = new ChangeFeed({ firstId: 1, capacity: 3 });
    for (let i = 0; i < 10; i++) feed.publish(change());
    const outcomes: string[] = [];
    const subscriber = { onEvent: (e: FleetEvent) => outcomes.push(`event ${e.id}`), onResync: () => outcomes.push('resync') };
    feed.subscribe(subscriber, 2)();
    feed.subscribe(subscriber, 7)();
    feed.subscribe(subscriber, 500)();
    expect(outcomes).toEqual(['resync', 'event 8', 'event 9', 'event 10', 'resync']);
  });

  it('starts above the ids of any earlier process', () => {
    const earlier = new ChangeFeed();
    for (let i = 0; i < 1000; i++) earlier.publish(change());
    const later = new ChangeFeed();
    expect(later.lastId).toBeGreaterThanOrEqual(earlier.lastId - 1000);
    const outcomes: string[] = [];
    later.publish(change());
    later.subscribe({ onEvent: () => outcomes.push('event'), onResync: () => outcomes.push('resync') }, earlier.lastId - 1001);
    expect(outcomes).toEqual(['resync']);
  });

  it('drops a subscriber that throws, and keeps the others', () => {
    const feed = new ChangeFeed();
    const seen: number[] = [];
    feed.subscribe({ onEvent: () => { throw new Error('broken'); } });
    feed.subscribe({ onEvent: e => seen.push(e.id) });
    feed.publish(change());
    feed.publish(change());
    expect(seen).toHaveLength(2);
    expect(feed.subscriberCount).toBe(1);
  });
});
