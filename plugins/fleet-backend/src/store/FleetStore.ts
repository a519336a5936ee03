import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  AppTemplate,
  ClusterConnection,
  ClusterSummary,
  FleetEvent,
  FleetSummary,
  InstanceDetail,
  instanceEntityName,
  InstancePage,
  InstanceQuery,
  instanceQuerySchema,
  OperationPage,
  OperationQuery,
  operationQuerySchema,
  OperationSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import type {
  ClusterDefinition,
  FleetStoreReader,
} from '@vworkspace/backstage-plugin-fleet-node';
import type { KubeClient, KubeObject } from '@vworkspace/kube-runtime';
import type { ClusterRegistry } from '../cluster/ClusterRegistry';
import { redact } from '../cluster/redact';
import { parseOr400 } from '../service/parseOr400';
import { ChangeFeed, FleetChange } from './ChangeFeed';
import { decodeCursor, encodeCursor } from './cursor';
import { PushClusterWatcher, ClusterSink } from './PushClusterWatcher';
import { SortedKeyIndex } from './SortedKeyIndex';
import { InstanceRecord, toInstanceRecord, toOperationSummary } from './summaries';

/** Options of {@link FleetStore}. */
export interface FleetStoreOptions {
  logger: LoggerService;
  registry: ClusterRegistry;
  /** The app catalog's templates, for `listApps`. */
  apps?: () => AppTemplate[];
  /** Events kept for SSE resumption. Default 10,000. */
  feedCapacity?: number;
  /** Backoff of the reflectors (tests shorten it). */
  watchBackoff?: { initialMs?: number; maxMs?: number };
}

interface ClusterEntry {
  definition: ClusterDefinition;
  connection: ClusterConnection;
  watcher?: PushClusterWatcher;
}

/** Most recent operations shown with an instance. */
const recentOperations = 20;

function instanceKey(cluster: string, namespace: string, name: string): string {
  return `${cluster}/${namespace}/${name}`;
}

function addTo(index: Map<string, Set<string>>, value: string | undefined, key: string) {
  if (value === undefined) return;
  let keys = index.get(value);
  if (!keys) index.set(value, (keys = new Set()));
  keys.add(key);
}

function removeFrom(index: Map<string, Set<string>>, value: string | undefined, key: string) {
  if (value === undefined) return;
  const keys = index.get(value);
  if (!keys) return;
  keys.delete(key);
  if (keys.size === 0) index.delete(value);
}

/** Newest first; objects without a creation time (not yet created) first of all; then by key. */
function compareOperations(a: [string, string], b: [string, string]): number {
  if (a[0] !== b[0]) return a[0] > b[0] ? -1 : 1;
  return compareText(a[1], b[1]);
}

/** Code-unit order, the order `Array.prototype.sort` gives strings. */
function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** First index in `sorted` whose element is after `probe` by `compare`. */
function upperBound<T>(sorted: readonly T[], probe: T, compare: (a: T, b: T) => number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(sorted[mid], probe) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One in-memory view of every cluster, ApplicationInstance and Operation of the fleet.
 *
 * Push clusters are mirrored by one list+watch per kind ({@link PushClusterWatcher}); what pull
 * clusters' agents report to any replica comes through the same {@link ClusterSink} methods
 * (see PullStateSync). Only lean records are kept
 * (summaries plus what the detail shows), indexed by cluster, app, owner, status and entity
 * name, so that every read is answered from memory in time proportional to the answer. Every
 * change goes to the {@link ChangeFeed}.
 *
 * An unreachable cluster keeps its data: its summaries are served with `stale: true`, and the
 * flip either way is announced for each of its objects.
 */
export class FleetStore implements FleetStoreReader, ClusterSink {
  private readonly logger: LoggerService;
  private readonly registry: ClusterRegistry;
  private readonly apps: () => AppTemplate[];
  private readonly watchBackoff?: { initialMs?: number; maxMs?: number };
  readonly feed: ChangeFeed;

  private readonly clusters = new Map<string, ClusterEntry>();
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly instancesByCluster = new SortedKeyIndex();
  private readonly instancesByApp = new SortedKeyIndex();
  private readonly instancesByOwner = new SortedKeyIndex();
  private readonly instancesByStatus = new SortedKeyIndex();
  private readonly instancesByNamespace = new SortedKeyIndex();
  private readonly instanceByEntityName = new Map<string, string>();
  private sortedInstanceKeys?: string[];

  private readonly operations = new Map<string, OperationSummary>();
  private readonly operationsByCluster = new Map<string, Set<string>>();
  private readonly operationsByInstance = new Map<string, Set<string>>();
  private sortedOperations?: Array<[string, string]>;
  /** Delivery of Operations sent to pull clusters through the outbox, by key. */
  private readonly deliveries = new Map<string, NonNullable<OperationSummary['delivery']>>();

  /** Id of the last change to any instance or cluster, and per cluster: see instancesRevision. */
  private instancesRevisionOfFleet = 0;
  private readonly instancesRevisionByCluster = new Map<string, number>();
  private unsubscribeRegistry?: () => void;

  constructor(options: FleetStoreOptions) {
    this.logger = options.logger;
    this.registry = options.registry;
    this.apps = options.apps ?? (() => []);
    this.watchBackoff = options.watchBackoff;
    this.feed = new ChangeFeed({ capacity: options.feedCapacity });
  }

  /** Follows the registry: watches every push cluster it knows now and later. */
  async start(): Promise<void> {
    this.unsubscribeRegistry = this.registry.subscribe({
      onAdded: cluster => this.addCluster(cluster),
      onChanged: cluster => {
        this.removeCluster(cluster.name, { keepData: true });
        this.addCluster(cluster);
      },
      onRemoved: name => this.removeCluster(name, { keepData: false }),
    });
    for (const cluster of this.registry.list()) this.addCluster(cluster);
  }

  stop(): void {
    this.unsubscribeRegistry?.();
    for (const entry of this.clusters.values()) entry.watcher?.stop();
  }

  /** Resolves when every push cluster known now has listed both kinds once (or `timeoutMs` passed). */
  async waitForSync(timeoutMs = 30_000): Promise<void> {
    const watchers = [...this.clusters.values()].flatMap(e => (e.watcher ? [e.watcher] : []));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(watchers.map(w => w.waitForSync())),
      new Promise(resolve => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** The client of a push cluster, for writes; undefined for unknown or pull clusters. */
  clientOf(cluster: string): KubeClient | undefined {
    return this.clusters.get(cluster)?.watcher?.client;
  }

  cluster(name: string): { definition: ClusterDefinition; connection: ClusterConnection } | undefined {
    return this.clusters.get(name);
  }

  private addCluster(definition: ClusterDefinition): void {
    if (this.clusters.has(definition.name)) return;
    const entry: ClusterEntry = {
      definition,
      connection: { state: 'pending', since: new Date().toISOString() },
    };
    this.clusters.set(definition.name, entry);
    if (definition.mode === 'push' && definition.push) {
      try {
        entry.watcher = new PushClusterWatcher({
          cluster: definition,
          sink: this,
          logger: this.logger,
          backoff: this.watchBackoff,
        });
        entry.connection = entry.watcher.connection;
        void entry.watcher.start();
      } catch (error) {
        // e.g. a supplied kubeconfig without a current context: this cluster is out, the rest go on
        const message = redact(`cannot connect with the configured settings: ${(error as Error).message}`);
        entry.connection = { state: 'unreachable', since: new Date().toISOString(), error: message };
        this.logger.error(`Cluster ${definition.name} is not watched: ${message}`);
      }
    }
    this.logger.info(`Cluster ${definition.name} registered (${definition.mode})`);
    this.publish({ kind: 'cluster', action: 'upsert', cluster: this.clusterSummary(entry) });
  }

  private removeCluster(name: string, options: { keepData: boolean }): void {
    const entry = this.clusters.get(name);
    if (!entry) return;
    entry.watcher?.stop();
    this.clusters.delete(name);
    if (options.keepData) return;
    for (const key of [...(this.instancesByCluster.get(name) ?? [])]) {
      const record = this.instances.get(key);
      if (record) this.removeInstanceRecord(key, record);
    }
    for (const key of [...(this.operationsByCluster.get(name) ?? [])]) {
      const summary = this.operations.get(key);
      if (summary) this.removeOperationSummary(key, summary);
    }
    this.logger.info(`Cluster ${name} unregistered`);
    this.publish({ kind: 'cluster', action: 'delete', cluster: this.clusterSummary(entry) });
  }

  // ---- ClusterSink -------------------------------------------------------------------------

  upsertInstance(cluster: string, raw: KubeObject): void {
    const record = toInstanceRecord(cluster, raw);
    const { namespace, name } = record.summary;
    const key = instanceKey(cluster, namespace, name);
    const old = this.instances.get(key);
    if (!old) this.sortedInstanceKeys = undefined;
    this.instances.set(key, record);
    this.indexInstance(key, record, old);
    if (old && JSON.stringify(old) === JSON.stringify(record)) return;
    this.publish({ kind: 'instance', action: 'upsert', instance: this.withStale(record.summary) });
  }

  deleteInstance(cluster: string, raw: KubeObject): void {
    const key = instanceKey(cluster, raw.metadata?.namespace ?? '', raw.metadata?.name ?? '');
    const record = this.instances.get(key);
    if (record) this.removeInstanceRecord(key, record);
  }

  upsertOperation(cluster: string, raw: KubeObject): void {
    const parsed = toOperationSummary(cluster, raw);
    const key = instanceKey(cluster, parsed.namespace, parsed.name);
    const delivery = this.deliveries.get(key);
    const summary = delivery ? { ...parsed, delivery } : parsed;
    const old = this.operations.get(key);
    if (old) this.unindexOperation(key, old);
    this.sortedOperations = undefined;
    this.operations.set(key, summary);
    this.indexOperation(key, summary);
    if (old && JSON.stringify(old) === JSON.stringify(summary)) return;
    this.publish({ kind: 'operation', action: 'upsert', operation: this.withStale(summary) });
  }

  deleteOperation(cluster: string, raw: KubeObject): void {
    const key = instanceKey(cluster, raw.metadata?.namespace ?? '', raw.metadata?.name ?? '');
    const summary = this.operations.get(key);
    this.deliveries.delete(key);
    if (summary) this.removeOperationSummary(key, summary);
  }

  /**
   * Records how far an Operation for a pull cluster got: `pending` while it waits in the
   * outbox, `delivered` once the agent applied it, `failed` with the cluster's error. With
   * `object`, an Operation the store does not hold yet is added from the intent.
   */
  setDelivery(
    cluster: string,
    ref: { namespace: string; name: string },
    delivery: NonNullable<OperationSummary['delivery']>,
    object?: KubeObject,
  ): OperationSummary | undefined {
    const key = instanceKey(cluster, ref.namespace, ref.name);
    this.deliveries.set(key, delivery);
    const current = this.operations.get(key);
    if (current) {
      const updated = { ...current, delivery };
      this.operations.set(key, updated);
      if (JSON.stringify(current) !== JSON.stringify(updated)) {
        this.publish({ kind: 'operation', action: 'upsert', operation: this.withStale(updated) });
      }
    } else if (object) {
      this.upsertOperation(cluster, object);
    }
    return this.getOperation({ cluster, ...ref });
  }

  /** Notes that a pull cluster's agent was heard from, without announcing it. */
  markSeen(cluster: string, at = new Date()): void {
    const entry = this.clusters.get(cluster);
    if (entry) entry.connection = { ...entry.connection, lastSeen: at.toISOString() };
  }

  /** Records an Operation the backend itself just created, so that reads see it at once. */
  noteOperation(cluster: string, raw: KubeObject): OperationSummary {
    const key = instanceKey(cluster, raw.metadata?.namespace ?? '', raw.metadata?.name ?? '');
    if (!this.operations.has(key)) this.upsertOperation(cluster, raw);
    return this.withStale(this.operations.get(key) ?? toOperationSummary(cluster, raw));
  }

  connectionChanged(cluster: string, connection: ClusterConnection): void {
    const entry = this.clusters.get(cluster);
    if (!entry) return;
    const wasStale = entry.connection.state === 'unreachable';
    entry.connection = connection;
    const message = `Cluster ${cluster} is ${connection.state}${connection.error ? `: ${connection.error}` : ''}`;
    if (connection.state === 'connected') this.logger.info(message);
    else this.logger.warn(message);
    this.publish({ kind: 'cluster', action: 'upsert', cluster: this.clusterSummary(entry) });
    if (wasStale !== (connection.state === 'unreachable')) {
      // every object of the cluster changes its `stale` flag: tell followers
      for (const key of this.instancesByCluster.get(cluster) ?? []) {
        const record = this.instances.get(key);
        if (record) this.publish({ kind: 'instance', action: 'upsert', instance: this.withStale(record.summary) });
      }
      for (const key of this.operationsByCluster.get(cluster) ?? []) {
        const summary = this.operations.get(key);
        if (summary) this.publish({ kind: 'operation', action: 'upsert', operation: this.withStale(summary) });
      }
    }
  }

  /**
   * Where the instances' data stands, for the whole fleet or for one cluster: it advances with
   * every change announced for an instance or a cluster (a cluster's state decides its
   * instances' `stale`), so an answer made from the instances at one revision is current for as
   * long as the revision is the same.
   */
  instancesRevision(cluster?: string): number {
    if (cluster === undefined) return this.instancesRevisionOfFleet;
    return this.instancesRevisionByCluster.get(cluster) ?? 0;
  }

  // ---- FleetStoreReader --------------------------------------------------------------------

  async listClusters(): Promise<ClusterSummary[]> {
    return [...this.clusters.values()]
      .map(entry => this.clusterSummary(entry))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async listInstances(query: InstanceQuery = {}): Promise<InstancePage> {
    const q = parseOr400(instanceQuerySchema, query ?? {}, 'query');
    const afterKey = q.cursor !== undefined ? decodeCursor(q.cursor, 'instances')[0] : undefined;
    const { sorted: candidates, others } = this.instanceCandidates(q);
    const needle = q.q?.toLowerCase();
    const start = afterKey === undefined ? 0 : upperBound(candidates, afterKey, compareText);
    const page = (keys: readonly string[], totalCount: number, more: boolean): InstancePage => {
      const items = keys.flatMap(key => {
        const record = this.instances.get(key);
        return record ? [this.withStale(record.summary)] : [];
      });
      const lastKey = keys[keys.length - 1];
      return {
        items,
        totalCount,
        ...(more && lastKey !== undefined ? { nextCursor: encodeCursor('instances', [lastKey]) } : {}),
      };
    };
    if (others.length === 0 && !needle) {
      // every candidate matches: the count is known and the page is a slice, whatever the fleet's size
      const keys = candidates.slice(start, start + q.limit);
      return page(keys, candidates.length, start + keys.length < candidates.length);
    }
    // the other filters are index groups too: membership tests, no record read unless searching
    const matches = (key: string): boolean => {
      for (const group of others) if (!group.has(key)) return false;
      return !needle || (this.instances.get(key)?.searchText.includes(needle) ?? false);
    };
    let totalCount = 0;
    const keys: string[] = [];
    let more = false;
    for (let i = 0; i < candidates.length; i++) {
      if (!matches(candidates[i])) continue;
      totalCount++;
      if (i < start) continue;
      if (keys.length < q.limit) keys.push(candidates[i]);
      else more = true;
    }
    return page(keys, totalCount, more);
  }

  /**
   * Keys to scan, sorted: the smallest index group among the filters, else every instance; and
   * the groups of the other filters, which a key must also be in.
   */
  private instanceCandidates(q: {
    cluster?: string;
    app?: string;
    status?: string;
    owner?: string;
    namespace?: string;
  }): { sorted: readonly string[]; others: Array<ReadonlySet<string>> } {
    const filters: Array<[SortedKeyIndex, string | undefined]> = [
      [this.instancesByCluster, q.cluster],
      [this.instancesByApp, q.app],
      [this.instancesByStatus, q.status],
      [this.instancesByOwner, q.owner],
      [this.instancesByNamespace, q.namespace],
    ];
    const groups: Array<[SortedKeyIndex, string, ReadonlySet<string>]> = [];
    for (const [index, value] of filters) {
      if (value === undefined) continue;
      const group = index.get(value);
      if (!group) return { sorted: [], others: [] };
      groups.push([index, value, group]);
    }
    if (groups.length === 0) {
      this.sortedInstanceKeys ??= [...this.instances.keys()].sort();
      return { sorted: this.sortedInstanceKeys, others: [] };
    }
    const smallest = groups.reduce((a, b) => (b[2].size < a[2].size ? b : a));
    return {
      // cached by the index until the group's membership changes: no sort per request
      sorted: smallest[0].sorted(smallest[1]) ?? [],
      others: groups.filter(g => g !== smallest).map(g => g[2]),
    };
  }

  async getInstance(ref: { cluster: string; namespace: string; name: string }): Promise<InstanceDetail | undefined> {
    const key = instanceKey(ref.cluster, ref.namespace, ref.name);
    const record = this.instances.get(key);
    if (!record) return undefined;
    const operations = [...(this.operationsByInstance.get(key) ?? [])]
      .map(k => this.operations.get(k))
      .filter((s): s is OperationSummary => !!s)
      .sort((a, b) => compareOperations([a.createdAt ?? '~', a.name], [b.createdAt ?? '~', b.name]))
      .slice(0, recentOperations)
      .map(s => this.withStale(s));
    return {
      summary: this.withStale(record.summary),
      spec: record.spec,
      conditions: record.conditions,
      annotations: record.annotations,
      labels: record.labels,
      ...(record.release ? { release: record.release } : {}),
      operations,
    };
  }

  /** The instance behind a catalog entity name (from the shared naming rule). */
  async getInstanceByEntityName(name: string): Promise<InstanceDetail | undefined> {
    const key = this.instanceByEntityName.get(name);
    if (!key) return undefined;
    const record = this.instances.get(key);
    return record ? this.getInstance(record.summary) : undefined;
  }

  async listOperations(query: OperationQuery = {}): Promise<OperationPage> {
    const q = parseOr400(operationQuerySchema, query ?? {}, 'query');
    const after = q.cursor !== undefined ? (decodeCursor(q.cursor, 'operations') as [string, string]) : undefined;
    this.sortedOperations ??= [...this.operations.entries()]
      .map(([key, s]) => [s.createdAt ?? '~', key] as [string, string])
      .sort(compareOperations);
    let candidates = this.sortedOperations;
    if (q.cluster !== undefined && q.namespace !== undefined && q.instance !== undefined) {
      const keys = this.operationsByInstance.get(instanceKey(q.cluster, q.namespace, q.instance));
      candidates = keys ? candidates.filter(([, key]) => keys.has(key)) : [];
    } else if (q.cluster !== undefined) {
      const keys = this.operationsByCluster.get(q.cluster);
      candidates = keys ? candidates.filter(([, key]) => keys.has(key)) : [];
    }
    const start = after ? upperBound(candidates, after, compareOperations) : 0;
    let totalCount = 0;
    const items: OperationSummary[] = [];
    let last: [string, string] | undefined;
    let more = false;
    for (let i = 0; i < candidates.length; i++) {
      const s = this.operations.get(candidates[i][1]);
      if (!s) continue;
      if (q.cluster !== undefined && s.cluster !== q.cluster) continue;
      if (q.namespace !== undefined && s.namespace !== q.namespace) continue;
      if (q.instance !== undefined && s.instance !== q.instance) continue;
      if (q.type !== undefined && s.type !== q.type) continue;
      if (q.phase !== undefined && s.phase !== q.phase) continue;
      totalCount++;
      if (i < start) continue;
      if (items.length < q.limit) {
        items.push(this.withStale(s));
        last = candidates[i];
      } else more = true;
    }
    return { items, totalCount, ...(more && last ? { nextCursor: encodeCursor('operations', last) } : {}) };
  }

  /** One Operation, when the store holds it. */
  getOperation(ref: { cluster: string; namespace: string; name: string }): OperationSummary | undefined {
    const summary = this.operations.get(instanceKey(ref.cluster, ref.namespace, ref.name));
    return summary && this.withStale(summary);
  }

  /** Operations of one instance that have not ended. */
  activeOperationsOf(ref: { cluster: string; namespace: string; name: string }): OperationSummary[] {
    return [...(this.operationsByInstance.get(instanceKey(ref.cluster, ref.namespace, ref.name)) ?? [])]
      .map(k => this.operations.get(k))
      .filter((s): s is OperationSummary => !!s && !['Succeeded', 'PartiallySucceeded', 'Failed', 'TimedOut', 'Cancelled'].includes(s.phase ?? ''));
  }

  async summary(): Promise<FleetSummary> {
    const out: FleetSummary = { total: 0, byStatus: {}, byCluster: {}, byApp: {} };
    for (const name of this.clusters.keys()) out.byCluster[name] = {};
    for (const { summary: s } of this.instances.values()) {
      out.total++;
      out.byStatus[s.status] = (out.byStatus[s.status] ?? 0) + 1;
      const c = (out.byCluster[s.cluster] ??= {});
      c[s.status] = (c[s.status] ?? 0) + 1;
      const a = (out.byApp[s.app] ??= {});
      a[s.status] = (a[s.status] ?? 0) + 1;
    }
    return out;
  }

  async listApps(): Promise<AppTemplate[]> {
    return this.apps();
  }

  subscribe(options: { afterId?: number; onEvent: (event: FleetEvent) => void; onResync?: () => void }): () => void {
    return this.feed.subscribe({ onEvent: options.onEvent, onResync: options.onResync }, options.afterId);
  }

  // ---- internals ---------------------------------------------------------------------------

  private publish(change: FleetChange): void {
    const { id } = this.feed.publish(change);
    if (change.kind === 'operation') return;
    this.instancesRevisionOfFleet = id;
    this.instancesRevisionByCluster.set(change.kind === 'instance' ? change.instance.cluster : change.cluster.name, id);
  }

  private isStale(cluster: string): boolean {
    return this.clusters.get(cluster)?.connection.state === 'unreachable';
  }

  private withStale<T extends { cluster: string; stale: boolean }>(summary: T): T {
    const stale = this.isStale(summary.cluster);
    return stale === summary.stale ? summary : { ...summary, stale };
  }

  private clusterSummary(entry: ClusterEntry): ClusterSummary {
    const { definition } = entry;
    return {
      name: definition.name,
      title: definition.title,
      mode: definition.mode,
      labels: definition.labels,
      connection: entry.watcher?.connection ?? entry.connection,
      instanceCount: this.instancesByCluster.get(definition.name)?.size ?? 0,
    };
  }

  /** Indexes `record`, moving it only in the indexes whose value changed since `old`. */
  private indexInstance(key: string, record: InstanceRecord, old?: InstanceRecord): void {
    const s = record.summary;
    const o = old?.summary;
    this.instancesByCluster.move(o?.cluster, s.cluster, key);
    this.instancesByApp.move(o?.app, s.app, key);
    this.instancesByOwner.move(o?.owner, s.owner, key);
    this.instancesByStatus.move(o?.status, s.status, key);
    this.instancesByNamespace.move(o?.namespace, s.namespace, key);
    if (o) this.instanceByEntityName.delete(instanceEntityName(o));
    this.instanceByEntityName.set(instanceEntityName(s), key);
  }

  private unindexInstance(key: string, record: InstanceRecord): void {
    const s = record.summary;
    this.instancesByCluster.delete(s.cluster, key);
    this.instancesByApp.delete(s.app, key);
    this.instancesByOwner.delete(s.owner, key);
    this.instancesByStatus.delete(s.status, key);
    this.instancesByNamespace.delete(s.namespace, key);
    this.instanceByEntityName.delete(instanceEntityName(s));
  }

  private removeInstanceRecord(key: string, record: InstanceRecord): void {
    this.unindexInstance(key, record);
    this.instances.delete(key);
    this.sortedInstanceKeys = undefined;
    this.publish({ kind: 'instance', action: 'delete', instance: this.withStale(record.summary) });
  }

  private indexOperation(key: string, s: OperationSummary): void {
    addTo(this.operationsByCluster, s.cluster, key);
    addTo(this.operationsByInstance, instanceKey(s.cluster, s.namespace, s.instance), key);
  }

  private unindexOperation(key: string, s: OperationSummary): void {
    removeFrom(this.operationsByCluster, s.cluster, key);
    removeFrom(this.operationsByInstance, instanceKey(s.cluster, s.namespace, s.instance), key);
  }

  private removeOperationSummary(key: string, summary: OperationSummary): void {
    this.unindexOperation(key, summary);
    this.operations.delete(key);
    this.sortedOperations = undefined;
    this.publish({ kind: 'operation', action: 'delete', operation: this.withStale(summary) });
  }
}
