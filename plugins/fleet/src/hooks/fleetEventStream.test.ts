import type { FleetEvent } from '@vworkspace/backstage-plugin-fleet-common';
import type { FleetEventStreamOptions } from '../api/FleetApi';
import { operationFixture } from '../__fixtures__/fleet';
import { reconnectDelay, runFleetEventStream } from './fleetEventStream';

const event = (id: number): FleetEvent => ({
  id,
  kind: 'operation',
  action: 'upsert',
  operation: operationFixture(),
});

describe('reconnectDelay', () => {
  it.each([
    { attempt: 0, want: 1000 },
    { attempt: 1, want: 2000 },
    { attempt: 4, want: 16000 },
    { attempt: 10, want: 30000 },
  ])('attempt $attempt waits $want ms', ({ attempt, want }) => {
    expect(reconnectDelay(attempt)).toBe(want);
  });
});

describe('runFleetEventStream', () => {
  it('resumes after the last event, forgets it on resync, and backs off between failures', async () => {
    const controller = new AbortController();
    const resumeIds: Array<number | undefined> = [];
    const waits: number[] = [];
    const script: Array<(o: FleetEventStreamOptions) => void> = [
      o => {
        o.onOpen?.();
        o.onEvent(event(1));
        o.onEvent(event(2));
      },
      () => {
        throw new Error('network down');
      },
      o => {
        o.onOpen?.();
        o.onResync();
      },
      o => {
        o.onEvent(event(3));
        controller.abort();
      },
    ];
    const api = {
      streamEvents: async (o: FleetEventStreamOptions) => {
        resumeIds.push(o.lastEventId);
        script[resumeIds.length - 1](o);
      },
    };
    const seen: number[] = [];
    const onResync = jest.fn();
    const connection: Array<[boolean, string | undefined]> = [];
    await runFleetEventStream({
      api,
      signal: controller.signal,
      wait: async ms => {
        waits.push(ms);
      },
      listener: {
        onEvent: e => seen.push(e.id),
        onResync,
        onConnectionChange: (connected, error) =>
          connection.push([connected, error?.message]),
      },
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(resumeIds).toEqual([undefined, 2, 2, undefined]);
    expect(onResync).toHaveBeenCalledTimes(1);
    // An accepted stream resets the back-off; consecutive failures grow it.
    expect(waits).toEqual([1000, 2000, 1000]);
    expect(connection).toEqual([
      [true, undefined],
      [false, undefined],
      [false, 'network down'],
      [true, undefined],
      [false, undefined],
    ]);
  });
});
