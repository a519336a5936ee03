import { isGone, isTooLargeResourceVersion, retryAfterSeconds } from '../client/apiErrors';
import { BackoffManager, BackoffOptions } from '../backoff/BackoffManager';
import { Clock, systemClock } from '../clock/Clock';
import { KubeClient } from '../client/KubeClient';
import { Logger, silentLogger } from '../log/Logger';
import { Store } from './Store';
import { KubeObject, ResourceKind } from '../client/types';

/** @public */
export interface ReflectorOptions<T extends KubeObject> {
  client: KubeClient;
  kind: ResourceKind;
  store: Store<T>;
  /** Namespace to mirror; empty or undefined mirrors all namespaces. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size of lists. Default 500 (client-go). */
  pageSize?: number;
  /** Server-side watch duration is drawn uniformly from [min, max] seconds per watch. Default 300–600. */
  watchTimeoutSeconds?: { min: number; max: number };
  /** Extra silence tolerated beyond the watch timeout before the watchdog restarts it. Default 30 s. */
  watchdogGraceMs?: number;
  backoff?: BackoffOptions;
  /**
   * Applied to every object before it is stored. Default: drop `metadata.managedFields`, which
   * is often half an object's size and never read by a controller (controller-runtime advises the same).
   */
  transform?: (obj: T) => T;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
}

/**
 * Keeps a {@link Store} equal to the server's state of one kind, for ever: list (paginated),
 * then watch from the list's resourceVersion, re-watch from the last seen resourceVersion when
 * the stream ends, and list again from scratch when the server no longer has that version.
 *
 * Recovery rules (client-go's reflector, plus what client-node's informer lacks):
 * - `continue` token expired (410) during a paginated list: list again from the start.
 * - watch answers 410 Gone (HTTP or ERROR event) or 504 "Too large resource version" (the server
 *   restarted with less history than we saw): relist; the store is replaced and objects that
 *   vanished get a delete event.
 * - any other error (refused, reset, 5xx, 429): jittered exponential backoff, honouring
 *   Retry-After, then re-watch (or re-list if the list was what failed).
 * - a watch that is silent past its timeout plus a grace is torn down by a client-side idle
 *   timeout (the server should have closed it), so a half-open connection cannot stall the cache.
 *
 * @public
 */
export class Reflector<T extends KubeObject = KubeObject> {
  private readonly client: KubeClient;
  private readonly kind: ResourceKind;
  private readonly store: Store<T>;
  private readonly options: ReflectorOptions<T>;
  private readonly backoff: BackoffManager;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly transform: (obj: T) => T;
  private synced = false;
  private lastRv = '';
  private syncWaiters: Array<() => void> = [];
  /** Number of completed lists (initial + relists); for observability and tests. */
  listCount = 0;

  constructor(options: ReflectorOptions<T>) {
    this.options = options;
    this.client = options.client;
    this.kind = options.kind;
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.backoff = new BackoffManager({ clock: this.clock, ...options.backoff });
    this.logger = (options.logger ?? silentLogger).child({ kind: options.kind.kind });
    this.random = options.random ?? Math.random;
    this.transform = options.transform ?? stripManagedFields;
  }

  /** True once the first list has been stored. Stays true through later relists. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves when {@link Reflector.hasSynced} becomes true. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise(resolve => this.syncWaiters.push(resolve));
  }

  /** The resourceVersion the store reflects. */
  get resourceVersion(): string {
    return this.lastRv;
  }

  /** Runs until `signal` aborts. Never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.listAll(signal);
          needList = false;
        }
        const started = this.clock.now();
        const events = await this.watchOnce(signal);
        // A clean end that came at once with nothing in it is a server refusing to hold a watch: slow down.
        if (events === 0 && this.clock.now() - started < 1000 && !signal.aborted) await this.backoff.wait(signal);
      } catch (err) {
        if (signal.aborted) break;
        if (isGone(err) || isTooLargeResourceVersion(err)) {
          this.logger.info('resourceVersion no longer served, relisting', { error: err });
          needList = true;
          // Relisting at once is safe for 410; for 504 the server may still be catching up
          if (isTooLargeResourceVersion(err)) await this.backoff.wait(signal);
          continue;
        }
        this.logger.warn(needList ? 'list failed' : 'watch failed', { error: err });
        const after = retryAfterSeconds(err);
        await this.backoff.wait(signal, after !== undefined ? after * 1000 : 0);
      }
    }
  }

  private async listAll(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    for (;;) {
      let page;
      try {
        page = await this.client.list<T>(this.kind, {
          namespace: this.options.namespace || undefined,
          labelSelector: this.options.labelSelector,
          fieldSelector: this.options.fieldSelector,
          limit: this.options.pageSize ?? 500,
          continue: cont,
          signal,
        });
      } catch (err) {
        if (cont && isGone(err)) {
          // the snapshot the continue token pointed at is gone: start over
          this.logger.info('list continue token expired, listing from the start');
          items.length = 0;
          cont = undefined;
          continue;
        }
        throw err;
      }
      for (const item of page.items) items.push(this.prepare(item));
      rv = page.metadata.resourceVersion ?? rv;
      cont = page.metadata.continue || undefined;
      if (!cont) break;
    }
    const changes = this.store.replace(items);
    this.lastRv = rv;
    this.listCount++;
    this.backoff.reset();
    this.logger.debug('listed', { items: items.length, resourceVersion: rv, ...changes });
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private async watchOnce(signal: AbortSignal): Promise<number> {
    const { min, max } = this.options.watchTimeoutSeconds ?? { min: 300, max: 600 };
    const timeoutSeconds = Math.max(1, Math.round(min + (max - min) * this.random()));
    const grace = this.options.watchdogGraceMs ?? 30_000;
    let events = 0;
    const stream = this.client.watch<T>(this.kind, {
      namespace: this.options.namespace || undefined,
      labelSelector: this.options.labelSelector,
      fieldSelector: this.options.fieldSelector,
      resourceVersion: this.lastRv,
      allowWatchBookmarks: true,
      timeoutSeconds,
      idleTimeoutMs: timeoutSeconds * 1000 + grace,
      signal,
    });
    for await (const event of stream) {
      events++;
      const rv = event.object?.metadata?.resourceVersion;
      switch (event.type) {
        case 'ADDED':
        case 'MODIFIED':
          this.store.upsert(this.prepare(event.object));
          break;
        case 'DELETED':
          this.store.remove(this.prepare(event.object));
          break;
        case 'BOOKMARK':
          break;
        default:
          continue;
      }
      if (rv) this.lastRv = rv;
      // a healthy stream proves the server is back: forget earlier failures
      if (events === 1) this.backoff.reset();
    }
    return events;
  }

  private prepare(obj: T): T {
    // list items carry no apiVersion/kind; fill them so handlers can tell kinds apart
    if (!obj.kind) {
      obj.apiVersion = this.kind.apiVersion;
      obj.kind = this.kind.kind;
    }
    return this.transform(obj);
  }
}

/** Drops `metadata.managedFields` in place. @public */
export function stripManagedFields<T extends KubeObject>(obj: T): T {
  if (obj.metadata?.managedFields) delete obj.metadata.managedFields;
  return obj;
}
