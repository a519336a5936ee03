import type { ClusterConnection } from '@vworkspace/backstage-plugin-fleet-common';
import { ConnectionTracker } from './ConnectionTracker';

type Step = ['ok' | 'failed', string, string?];

describe('ConnectionTracker', () => {
  it.each<{ name: string; steps: Step[]; want: string; error?: string }>([
    { name: 'nothing heard yet', steps: [], want: 'pending' },
    { name: 'one kind listed, the other not yet', steps: [['ok', 'A']], want: 'pending' },
    { name: 'every kind answers', steps: [['ok', 'A'], ['ok', 'B']], want: 'connected' },
    { name: 'one kind fails', steps: [['ok', 'A'], ['ok', 'B'], ['failed', 'B', 'forbidden']], want: 'degraded', error: 'forbidden' },
    { name: 'every kind fails', steps: [['ok', 'A'], ['ok', 'B'], ['failed', 'A', 'refused'], ['failed', 'B', 'refused']], want: 'unreachable', error: 'refused' },
    { name: 'fails before any answer', steps: [['failed', 'A', 'refused']], want: 'unreachable', error: 'refused' },
    { name: 'comes back', steps: [['failed', 'A', 'x'], ['failed', 'B', 'x'], ['ok', 'A'], ['ok', 'B']], want: 'connected' },
  ])('$name → $want', ({ steps, want, error }) => {
    const tracker = new ConnectionTracker(['A', 'B'], () => {});
    for (const [what, kind, message] of steps) {
      if (what === 'ok') tracker.ok(kind);
      else tracker.failed(kind, new Error(message));
    }
    expect(tracker.current.state).toBe(want);
    expect(tracker.current.error).toBe(error);
  });

  it('reports each change once, with since and lastSeen, and no credentials in the error', () => {
    const changes: ClusterConnection[] = [];
    let now = Date.parse('2026-01-01T00:00:00Z');
    const tracker = new ConnectionTracker(['A'], c => changes.push(c), () => ['s3cr3t-token'], () => new Date(now));
    tracker.ok('A');
    now += 1000;
    tracker.ok('A');
    now += 1000;
    tracker.failed('A', new Error('GET /apis: 401 with s3cr3t-token and Authorization: Bearer abc.def'));
    tracker.failed('A', new Error('GET /apis: 401 with s3cr3t-token and Authorization: Bearer abc.def'));
    expect(changes.map(c => c.state)).toEqual(['connected', 'unreachable']);
    expect(changes[1]).toEqual({
      state: 'unreachable',
      since: '2026-01-01T00:00:02.000Z',
      lastSeen: '2026-01-01T00:00:01.000Z',
      error: 'GET /apis: 401 with [redacted] and Authorization: Bearer [redacted]',
    });
  });
});
