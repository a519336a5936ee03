import type { FleetEvent } from '@vworkspace/backstage-plugin-fleet-common';

/** A change before it gets its id. */
export type FleetChange = FleetEvent extends infer E
  ? E extends FleetEvent
    ? Omit<E, 'id'>
    : never
  : never;

/** A follower of the feed. */
export interface FeedSubscriber {
  onEvent(event: FleetEvent): void;
  /** The follower asked to resume from an id the feed no longer holds: it must list again. */
  onResync?(): void;
}

/** Options of {@link ChangeFeed}. */
export interface ChangeFeedOptions {
  /** Events kept for resumption. Default 10,000. */
  capacity?: number;
  /** First id. Default `Date.now() * 1000`, see the class comment. */
  firstId?: number;
}

/**
 * The fleet's change feed: every change gets an increasing id and goes to every subscriber; the
 * last `capacity` events stay in a ring buffer so that a follower that lost its connection can
 * resume from its last id.
 *
 * Ids start at the start time in microseconds, so the ids of a later process are higher than
 * any id of an earlier one: an id from another process is always older than this buffer, and
 * the follower is told to resync instead of silently missing changes.
 */
export class ChangeFeed {
  private readonly capacity: number;
  private readonly ring: FleetEvent[];
  private start = 0;
  private count = 0;
  private nextId: number;
  private readonly subscribers = new Set<FeedSubscriber>();

  constructor(options: ChangeFeedOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? 10_000);
    this.ring = new Array(this.capacity);
    this.nextId = options.firstId ?? Date.now() * 1000;
  }

  /** Id of the newest event, or one below the first id when there is none yet. */
  get lastId(): number {
    return this.nextId - 1;
  }

  publish(change: FleetChange): FleetEvent {
    const event = { ...change, id: this.nextId++ } as FleetEvent;
    if (this.count < this.capacity) {
      this.ring[(this.start + this.count) % this.capacity] = event;
      this.count++;
    } else {
      this.ring[this.start] = event;
      this.start = (this.start + 1) % this.capacity;
    }
    for (const subscriber of [...this.subscribers]) {
      try {
        subscriber.onEvent(event);
      } catch {
        // one broken follower must not stop the others; it is dropped
        this.subscribers.delete(subscriber);
      }
    }
    return event;
  }

  /**
   * Follows the feed: first the buffered events after `afterId` (when given), then every new
   * one. When `afterId` is older than the buffer or newer than the feed (another process's id),
   * `onResync` is called instead of the replay, and new events follow.
   */
  subscribe(subscriber: FeedSubscriber, afterId?: number): () => void {
    if (afterId !== undefined) {
      const replay = this.since(afterId);
      if (replay === undefined) subscriber.onResync?.();
      else for (const event of replay) subscriber.onEvent(event);
    }
    this.subscribers.add(subscriber);
    return () => {
      this.subscribers.delete(subscriber);
    };
  }

  /** Buffered events after `afterId`, or undefined when they cannot all be given. */
  since(afterId: number): FleetEvent[] | undefined {
    if (afterId > this.lastId) return undefined;
    const oldest = this.count > 0 ? this.ring[this.start].id : this.nextId;
    if (afterId < oldest - 1) return undefined;
    const out: FleetEvent[] = [];
    for (let i = 0; i < this.count; i++) {
      const event = this.ring[(this.start + i) % this.capacity];
      if (event.id > afterId) out.push(event);
    }
    return out;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }
}
