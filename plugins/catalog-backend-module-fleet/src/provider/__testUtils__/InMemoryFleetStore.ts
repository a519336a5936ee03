import type {
  AppTemplate,
  ClusterSummary,
  FleetEvent,
  InstancePage,
  InstanceQuery,
  InstanceSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import { instanceEntityRef } from '@vworkspace/backstage-plugin-fleet-common';
import type { FleetStoreReader } from '@vworkspace/backstage-plugin-fleet-node';

type Listener = { onEvent: (event: FleetEvent) => void; onResync?: () => void };

const key = (i: { cluster: string; namespace: string; name: string }) =>
  `${i.cluster}/${i.namespace}/${i.name}`;

/**
 * A fleet store in memory, for the provider's tests and benchmark: the test changes it and
 * the store emits the change feed's events, as the fleet backend would.
 */
export class InMemoryFleetStore implements FleetStoreReader {
  readonly clusters = new Map<string, ClusterSummary>();
  readonly instances = new Map<string, InstanceSummary>();
  apps: AppTemplate[] = [];
  /** Number of `listInstances` calls, to see when the provider lists. */
  listCalls = 0;
  /** Makes the listing fail, e.g. while the fleet backend is away. */
  failListing: Error | undefined;
  /** While set, instance listings wait for it: changes can happen during a listing. */
  holdListing: Promise<void> | undefined;
  private nextId = 1;
  private readonly listeners = new Set<Listener>();

  setCluster(
    summary: ClusterSummary,
    options: { silent?: boolean } = {},
  ): void {
    this.clusters.set(summary.name, summary);
    if (!options.silent)
      this.emit({ kind: 'cluster', action: 'upsert', cluster: summary });
  }

  deleteCluster(name: string): void {
    const removed = this.clusters.get(name);
    if (!removed) return;
    this.clusters.delete(name);
    this.emit({ kind: 'cluster', action: 'delete', cluster: removed });
  }

  upsertInstance(
    summary: InstanceSummary,
    options: { silent?: boolean } = {},
  ): void {
    this.instances.set(key(summary), summary);
    if (!options.silent)
      this.emit({ kind: 'instance', action: 'upsert', instance: summary });
  }

  deleteInstance(coordinates: {
    cluster: string;
    namespace: string;
    name: string;
  }): void {
    const removed = this.instances.get(key(coordinates));
    if (!removed) return;
    this.instances.delete(key(coordinates));
    this.emit({ kind: 'instance', action: 'delete', instance: removed });
  }

  /** Tells every subscriber to list again, as the SSE stream's `resync` does. */
  resync(): void {
    for (const listener of this.listeners) listener.onResync?.();
  }

  async listClusters(): Promise<ClusterSummary[]> {
    if (this.failListing) throw this.failListing;
    return [...this.clusters.values()];
  }

  async listInstances(query: InstanceQuery = {}): Promise<InstancePage> {
    this.listCalls++;
    if (this.failListing) throw this.failListing;
    const all = [...this.instances.values()].filter(
      i =>
        (!query.cluster || i.cluster === query.cluster) &&
        (!query.namespace || i.namespace === query.namespace),
    );
    const offset = Number(query.cursor ?? 0);
    const limit = Number(query.limit ?? 100);
    const items = all.slice(offset, offset + limit);
    // The page is read before the hold: it is as old as the start of the listing.
    if (this.holdListing) await this.holdListing;
    return {
      items,
      totalCount: all.length,
      ...(offset + limit < all.length
        ? { nextCursor: String(offset + limit) }
        : {}),
    };
  }

  async getInstance(coordinates: {
    cluster: string;
    namespace: string;
    name: string;
  }) {
    const summary = this.instances.get(key(coordinates));
    if (!summary) return undefined;
    return {
      summary,
      spec: {},
      conditions: [],
      annotations: {},
      labels: {},
      operations: [],
    };
  }

  async listOperations() {
    return { items: [], totalCount: 0 };
  }

  async summary() {
    return {
      total: this.instances.size,
      byStatus: {},
      byCluster: {},
      byApp: {},
    };
  }

  async listApps(): Promise<AppTemplate[]> {
    if (this.failListing) throw this.failListing;
    return this.apps;
  }

  subscribe(options: Listener & { afterId?: number }): () => void {
    const listener = { onEvent: options.onEvent, onResync: options.onResync };
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  private emit(change: DistributiveOmit<FleetEvent, 'id'>): void {
    const event = { ...change, id: this.nextId++ } as FleetEvent;
    for (const listener of this.listeners) listener.onEvent(event);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown
  ? Omit<T, K>
  : never;

/** A connected push cluster. */
export function cluster(
  name: string,
  changes: Partial<ClusterSummary> = {},
): ClusterSummary {
  return {
    name,
    title: `Cluster ${name}`,
    mode: 'push',
    labels: { env: 'production', region: 'eu' },
    connection: { state: 'connected', since: '2026-12-04T10:00:00Z' },
    instanceCount: 0,
    ...changes,
  };
}

/** A Ready nextcloud instance. */
export function instance(
  coordinates: { cluster: string; namespace: string; name: string },
  changes: Partial<InstanceSummary> = {},
): InstanceSummary {
  return {
    ...coordinates,
    uid: `uid-${key(coordinates)}`,
    entityRef: instanceEntityRef(coordinates),
    app: 'nextcloud',
    engine: 'flux',
    chart: { name: 'nextcloud', version: '6.2.0', deployedVersion: '6.2.0' },
    status: 'Ready',
    capabilities: { backup: 'velero' },
    stale: false,
    ...changes,
  };
}

/** An app of the app catalog. */
export function app(
  id: string,
  changes: Partial<AppTemplate> = {},
): AppTemplate {
  return {
    id,
    title: id.charAt(0).toUpperCase() + id.slice(1),
    description: `Curated ${id}`,
    links: [{ url: `https://${id}.example.org/docs`, title: 'Documentation' }],
    chart: {
      name: id,
      repository: { url: `https://charts.example.org/${id}`, type: 'helm' },
      versions: ['1.0.0'],
    },
    defaultValues: {},
    capabilities: {},
    operations: [],
    ...changes,
  };
}
