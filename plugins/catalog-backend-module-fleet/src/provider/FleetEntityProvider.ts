import type {
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import type {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  clusterEntityRef,
  instanceEntityRef,
  type AppTemplate,
  type ClusterSummary,
  type FleetEvent,
  type InstanceSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { FleetStoreReader } from '@vworkspace/backstage-plugin-fleet-node';
import type { FleetProviderConfig } from '../config';
import {
  appSystemEntity,
  clusterEntity,
  instanceEntity,
  isClusterOutOfReach,
} from './fleetEntities';
import { compileNameFilter } from './nameFilter';

/**
 * Options of {@link FleetEntityProvider}.
 * @public
 */
export interface FleetEntityProviderOptions {
  store: FleetStoreReader;
  logger: LoggerService;
  config: FleetProviderConfig;
  /**
   * Runs the full mutation on the configured schedule (the first run at start). Without one,
   * the provider lists only when `refresh()` is called or the change feed asks for a resync.
   */
  taskRunner?: SchedulerServiceTaskRunner;
  /** How long changes from the feed are gathered into one delta mutation. Default 250 ms. */
  deltaDelayMs?: number;
  /**
   * After a failed listing, the next try comes after this delay, doubled on each failure up to
   * 5 minutes, rather than at the next scheduled run. Default 5 000 ms.
   */
  retryDelayMs?: number;
}

const maxRetryDelayMs = 5 * 60_000;

type Coordinates = { cluster: string; namespace: string; name: string };

/** Entities a change of the fleet affects. */
interface Affected {
  instances: Coordinates[];
  /** Clusters whose Resource changes. */
  clusters: string[];
  /** Clusters whose instances' Components change too (lifecycle, stale marking). */
  clusterInstances: string[];
}

/** Instances are listed in pages of the API's largest size. */
const pageSize = 1000;
/** Every entity comes from the fleet, so one location key lets the catalog spot a clash. */
const locationKey = 'fleet-provider';

const keyOf = (c: Coordinates) => `${c.cluster}/${c.namespace}/${c.name}`;

/** The parts of a cluster that show on its instances' Components. */
function componentView(
  cluster: ClusterSummary | undefined,
  lifecycleLabel: string,
): string {
  if (!cluster) return '';
  return JSON.stringify([
    cluster.mode,
    isClusterOutOfReach(cluster),
    cluster.labels[lifecycleLabel],
  ]);
}

/**
 * Provides the fleet to the catalog: a Resource per cluster, a System per app of the app
 * catalog, a Component per ApplicationInstance.
 *
 * It keeps a model of the fleet (clusters, apps, instances) and the serialized form of every
 * entity it has given the catalog. A full mutation lists the fleet afresh; between them, the
 * change feed updates the model and only the entities whose serialized form changed go to the
 * catalog, batched into one delta mutation. An unreachable cluster's instances stay as last
 * seen, marked stale: neither a listing that lacks them nor a delete from the feed removes them
 * until the cluster is back (which triggers a listing).
 * @public
 */
export class FleetEntityProvider implements EntityProvider {
  private readonly store: FleetStoreReader;
  private readonly logger: LoggerService;
  private readonly config: FleetProviderConfig;
  private readonly taskRunner?: SchedulerServiceTaskRunner;
  private readonly deltaDelayMs: number;
  private readonly takeCluster: (name: string) => boolean;
  private readonly takeNamespace: (name: string) => boolean;

  private connection: EntityProviderConnection | undefined;
  private unsubscribe: (() => void) | undefined;
  private clusters = new Map<string, ClusterSummary>();
  private apps = new Map<string, AppTemplate>();
  private instances = new Map<string, InstanceSummary>();
  /** JSON of every entity the catalog holds from this provider, by entity ref. */
  private emitted = new Map<string, string>();
  private readonly pendingAdded = new Map<string, Entity>();
  private readonly pendingRemoved = new Set<string>();
  /** Events that arrive while a listing runs, applied on top of it. */
  private buffered: FleetEvent[] | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Mutations reach the catalog one at a time and in order. */
  private queue: Promise<void> = Promise.resolve();
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private readonly retryDelayMs: number;
  private failedListings = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: FleetEntityProviderOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.config = options.config;
    this.taskRunner = options.taskRunner;
    this.deltaDelayMs = options.deltaDelayMs ?? 250;
    this.retryDelayMs = options.retryDelayMs ?? 5_000;
    this.takeCluster = compileNameFilter(options.config.clusters);
    this.takeNamespace = compileNameFilter(options.config.namespaces);
  }

  getProviderName(): string {
    return 'fleet';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    this.unsubscribe = this.store.subscribe({
      onEvent: event => this.onEvent(event),
      onResync: () => this.requestRefresh('the change feed asked for a resync'),
    });
    await this.taskRunner?.run({
      id: `${this.getProviderName()}:refresh`,
      fn: () => this.refresh(),
    });
  }

  /** Stops following the change feed (at shutdown). */
  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.connection = undefined;
  }

  /**
   * Lists the fleet and gives the catalog all of it in one full mutation. Calls made while one
   * runs are folded into one more run after it.
   */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.refreshAgain = false;
          await this.fullMutation();
        } while (this.refreshAgain);
        this.failedListings = 0;
      } catch (error) {
        // At start the fleet plugin may not answer yet: try again soon, not at the next
        // scheduled run half an hour later.
        this.scheduleRetry();
        throw error;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Resolves once every change received so far has reached the catalog. */
  async settled(): Promise<void> {
    while (this.flushTimer || this.refreshing) {
      if (this.flushTimer) {
        clearTimeout(this.flushTimer);
        this.flushTimer = undefined;
        await this.flush();
      }
      await this.refreshing?.catch(() => undefined);
    }
    await this.queue;
  }

  private scheduleRetry(): void {
    if (this.retryTimer || !this.connection) return;
    const delay = Math.min(
      maxRetryDelayMs,
      this.retryDelayMs * 2 ** this.failedListings,
    );
    this.failedListings++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.requestRefresh(`retrying a failed listing after ${delay} ms`);
    }, delay);
  }

  private requestRefresh(reason: string): void {
    this.logger.info(`Listing the fleet again: ${reason}`);
    this.refresh().catch(error =>
      this.logger.warn(`Could not list the fleet: ${(error as Error).message}`),
    );
  }

  private requireConnection(): EntityProviderConnection {
    if (!this.connection)
      throw new Error('The fleet entity provider is not connected yet');
    return this.connection;
  }

  private async fullMutation(): Promise<void> {
    const connection = this.requireConnection();
    const started = Date.now();
    this.buffered = [];
    let kept = 0;
    try {
      const [clusters, apps, instances] = await Promise.all([
        this.store.listClusters(),
        this.store.listApps(),
        this.listAllInstances(),
      ]);
      const previous = this.instances;
      this.clusters = new Map(
        clusters.filter(c => this.takeCluster(c.name)).map(c => [c.name, c]),
      );
      this.apps = new Map(apps.map(a => [a.id, a]));
      this.instances = new Map(
        instances.filter(i => this.takeInstance(i)).map(i => [keyOf(i), i]),
      );
      // A cluster out of reach lists what the store still holds of it, possibly nothing (e.g.
      // after the fleet backend restarted): keep the last state seen rather than drop it.
      for (const [key, last] of previous) {
        if (
          !this.instances.has(key) &&
          isClusterOutOfReach(this.clusters.get(last.cluster))
        ) {
          this.instances.set(key, { ...last, stale: true });
          kept++;
        }
      }
    } finally {
      const events = this.buffered;
      this.buffered = undefined;
      // On success these land on the fresh listing; on failure they go out as deltas.
      for (const event of events) this.onEvent(event);
    }

    const entities = this.buildAll();
    this.emitted = new Map(
      [...entities].map(([ref, entity]) => [ref, JSON.stringify(entity)]),
    );
    this.pendingAdded.clear();
    this.pendingRemoved.clear();
    await this.enqueue(() =>
      connection.applyMutation({
        type: 'full',
        entities: [...entities.values()].map(entity => ({
          entity,
          locationKey,
        })),
      }),
    );
    this.logger.info(
      `Provided ${entities.size} fleet entities (${
        this.clusters.size
      } clusters, ${this.apps.size} apps, ${
        this.instances.size
      } instances, ${kept} kept from clusters out of reach) in ${
        Date.now() - started
      } ms`,
    );
  }

  private async listAllInstances(): Promise<InstanceSummary[]> {
    const all: InstanceSummary[] = [];
    let cursor: string | undefined;
    const seen = new Set<string>();
    do {
      const page = await this.store.listInstances({ limit: pageSize, cursor });
      all.push(...page.items);
      cursor = page.nextCursor;
      if (cursor !== undefined && seen.has(cursor)) {
        throw new Error(`The fleet's instance list repeats cursor '${cursor}'`);
      }
      if (cursor !== undefined) seen.add(cursor);
    } while (cursor !== undefined);
    return all;
  }

  private takeInstance(instance: Coordinates): boolean {
    return (
      this.takeCluster(instance.cluster) &&
      this.takeNamespace(instance.namespace)
    );
  }

  /** Every entity of the model, by entity ref. */
  private buildAll(): Map<string, Entity> {
    const entities = new Map<string, Entity>();
    const add = (entity: Entity, source: string) => {
      const ref = stringifyEntityRef(entity);
      if (entities.has(ref)) {
        // The naming rule makes this practically impossible; never let one hide another silently.
        this.logger.error(
          `Fleet entity name collision: ${ref} (${source}) is left out`,
        );
        return;
      }
      entities.set(ref, entity);
    };
    const defaults = this.config;
    for (const cluster of this.clusters.values()) {
      add(clusterEntity(cluster, defaults), `cluster ${cluster.name}`);
    }
    for (const app of this.apps.values())
      add(appSystemEntity(app, defaults), `app ${app.id}`);
    for (const instance of this.instances.values()) {
      add(this.instanceEntity(instance), `instance ${keyOf(instance)}`);
    }
    return entities;
  }

  private instanceEntity(instance: InstanceSummary): Entity {
    return instanceEntity(instance, {
      cluster: this.clusters.get(instance.cluster),
      app: this.apps.get(instance.app),
      defaults: this.config,
    });
  }

  private onEvent(event: FleetEvent): void {
    if (this.buffered) {
      this.buffered.push(event);
      return;
    }
    const affected = this.apply(event);
    for (const name of affected.clusters) {
      const cluster = this.clusters.get(name);
      this.setEntity(
        clusterEntityRef(name),
        cluster && clusterEntity(cluster, this.config),
      );
    }
    const instanceKeys = new Set(affected.instances.map(keyOf));
    if (affected.clusterInstances.length > 0) {
      const clusters = new Set(affected.clusterInstances);
      for (const [key, instance] of this.instances) {
        if (clusters.has(instance.cluster)) instanceKeys.add(key);
      }
    }
    for (const key of instanceKeys) {
      const [cluster, namespace, name] = key.split('/');
      const instance = this.instances.get(key);
      this.setEntity(
        instanceEntityRef({ cluster, namespace, name }),
        instance && this.instanceEntity(instance),
      );
    }
    this.scheduleFlush();
  }

  /** Applies one change of the fleet to the model and says which entities it affects. */
  private apply(event: FleetEvent): Affected {
    const affected: Affected = {
      instances: [],
      clusters: [],
      clusterInstances: [],
    };
    if (event.kind === 'instance') {
      const instance = event.instance;
      const key = keyOf(instance);
      affected.instances.push(instance);
      if (event.action === 'upsert' && this.takeInstance(instance)) {
        this.instances.set(key, instance);
      } else if (
        event.action === 'delete' &&
        this.instances.has(key) &&
        isClusterOutOfReach(this.clusters.get(instance.cluster))
      ) {
        // Nobody can know an unreachable cluster's instance is gone: keep it, marked.
        this.instances.set(key, { ...this.instances.get(key)!, stale: true });
      } else {
        this.instances.delete(key);
      }
    } else if (event.kind === 'cluster') {
      const name = event.cluster.name;
      const previous = this.clusters.get(name);
      affected.clusters.push(name);
      if (event.action === 'upsert' && this.takeCluster(name)) {
        this.clusters.set(name, event.cluster);
        const lifecycleLabel = this.config.lifecycleLabel;
        if (
          componentView(previous, lifecycleLabel) !==
          componentView(event.cluster, lifecycleLabel)
        ) {
          affected.clusterInstances.push(name);
        }
        if (
          previous &&
          isClusterOutOfReach(previous) &&
          !isClusterOutOfReach(event.cluster)
        ) {
          // Back in reach: its listing is the truth again (instances may have gone meanwhile).
          this.requestRefresh(
            `cluster ${name} is ${event.cluster.connection.state} again`,
          );
        }
      } else {
        // A cluster removed from the fleet (or filtered out) takes its instances with it.
        this.clusters.delete(name);
        for (const [key, instance] of this.instances) {
          if (instance.cluster === name) {
            this.instances.delete(key);
            affected.instances.push(instance);
          }
        }
      }
    }
    return affected;
  }

  /** Records the entity the catalog should hold under a ref (undefined: none). */
  private setEntity(ref: string, entity: Entity | undefined): void {
    if (!entity) {
      if (this.emitted.delete(ref)) {
        this.pendingAdded.delete(ref);
        this.pendingRemoved.add(ref);
      }
      return;
    }
    const text = JSON.stringify(entity);
    if (this.emitted.get(ref) === text) return;
    this.emitted.set(ref, text);
    this.pendingRemoved.delete(ref);
    this.pendingAdded.set(ref, entity);
  }

  private scheduleFlush(): void {
    if (
      this.flushTimer ||
      (this.pendingAdded.size === 0 && this.pendingRemoved.size === 0)
    ) {
      return;
    }
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush().catch(() => undefined);
    }, this.deltaDelayMs);
  }

  private async flush(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    const added = [...this.pendingAdded.values()];
    const removed = [...this.pendingRemoved];
    this.pendingAdded.clear();
    this.pendingRemoved.clear();
    if (added.length === 0 && removed.length === 0) return;
    try {
      await this.enqueue(() =>
        connection.applyMutation({
          type: 'delta',
          added: added.map(entity => ({ entity, locationKey })),
          removed: removed.map(entityRef => ({ entityRef, locationKey })),
        }),
      );
      this.logger.debug(
        `Fleet delta: ${added.length} entities added or changed, ${removed.length} removed`,
      );
    } catch (error) {
      // What the catalog holds is unknown now: give it everything again.
      this.logger.warn(
        `Fleet delta mutation failed: ${(error as Error).message}`,
      );
      this.requestRefresh('a delta mutation failed');
    }
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
