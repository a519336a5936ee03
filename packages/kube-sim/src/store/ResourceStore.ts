import type { KubeObject } from '../types';
import { encodeObject } from './encode';

function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/** @public */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * One committed change. Stored objects are never mutated after commit, so an event can be
 * shared by every watcher and its JSON encoded once.
 */
export class StoredEvent {
  constructor(
    readonly type: WatchEventType,
    readonly object: KubeObject,
    readonly prev: KubeObject | undefined,
    readonly rv: number,
  ) {}

  /** The watch-stream line for this event, seen as `type` by a watcher (selectors may change it). */
  line(type: WatchEventType = this.type): string {
    return `{"type":"${type}","object":${encodeObject(this.object)}}\n`;
  }
}

/** Receives the events of one resource; `namespace` narrows delivery when set. */
export interface StoreWatcher {
  namespace?: string;
  deliver(event: StoredEvent): void;
}

/** Key of an object inside its resource: `ns/name`, or `name` when cluster-scoped. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/**
 * The objects of one resource (e.g. jobs.batch) with a bounded window of recent events, which is
 * what lets watches resume from a resourceVersion and lists page consistently (410 past it).
 */
export class ResourceStore {
  readonly objects = new Map<string, KubeObject>();
  private readonly history: StoredEvent[] = [];
  private historyStart = 0;
  /** Highest resourceVersion no longer in the window: resuming at or after it is possible. */
  compactedRv = 0;
  private sortedKeys?: string[];
  readonly watchers = new Set<StoreWatcher>();

  constructor(readonly historySize: number) {}

  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  /** Keys in etcd order (namespace, then name), cached until the key set changes. */
  keys(): string[] {
    if (!this.sortedKeys) {
      this.sortedKeys = [...this.objects.keys()].sort(compareStrings);
    }
    return this.sortedKeys;
  }

  /**
   * Index of the first key not before `key` in {@link ResourceStore.keys}: where a namespace's
   * keys (`<ns>/`) start, or where `key` is or would be.
   */
  seek(key: string): number {
    const keys = this.keys();
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  record(event: StoredEvent, key: string): void {
    if (event.type === 'DELETED') {
      if (this.objects.delete(key) && this.sortedKeys) this.sortedKeys.splice(this.seek(key), 1);
    } else {
      // Kept sorted in place: a create burst between lists must not re-sort every key each time.
      if (!this.objects.has(key) && this.sortedKeys) this.sortedKeys.splice(this.seek(key), 0, key);
      this.objects.set(key, event.object);
    }
    this.history.push(event);
    if (this.history.length - this.historyStart > this.historySize) {
      this.compactedRv = this.history[this.historyStart].rv;
      this.historyStart++;
      // Drop the consumed head in batches so that trimming stays O(1) amortised.
      if (this.historyStart > 1024 && this.historyStart * 2 > this.history.length) {
        this.history.splice(0, this.historyStart);
        this.historyStart = 0;
      }
    }
    for (const watcher of this.watchers) {
      if (watcher.namespace && watcher.namespace !== event.object.metadata.namespace) continue;
      watcher.deliver(event);
    }
  }

  /** Whether events after `rv` are all still in the window. */
  canResumeFrom(rv: number): boolean {
    return rv >= this.compactedRv;
  }

  /** Events with a resourceVersion greater than `rv`, oldest first. */
  eventsSince(rv: number): StoredEvent[] {
    const out: StoredEvent[] = [];
    for (let i = this.history.length - 1; i >= this.historyStart; i--) {
      const event = this.history[i];
      if (event.rv <= rv) break;
      out.push(event);
    }
    return out.reverse();
  }

  /**
   * The objects as they were at `rv`, rebuilt by undoing newer events; undefined when the window
   * no longer reaches back that far.
   */
  snapshotAt(rv: number): Map<string, KubeObject> | undefined {
    if (!this.canResumeFrom(rv)) return undefined;
    const newer = this.eventsSince(rv);
    if (newer.length === 0) return this.objects;
    const snapshot = new Map(this.objects);
    for (let i = newer.length - 1; i >= 0; i--) {
      const { type, object, prev } = newer[i];
      const key = objectKey(object.metadata.namespace, object.metadata.name!);
      if (type === 'ADDED') snapshot.delete(key);
      else snapshot.set(key, type === 'DELETED' ? (prev ?? object) : prev!);
    }
    return snapshot;
  }

  /** Removes every object without recording events (a cluster wiped). */
  clear(): void {
    this.objects.clear();
    this.history.length = 0;
    this.historyStart = 0;
    this.compactedRv = 0;
    this.sortedKeys = undefined;
  }
}
