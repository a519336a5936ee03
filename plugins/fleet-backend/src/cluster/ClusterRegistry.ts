import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  ClusterDefinition,
  ClusterSupplier,
} from '@vworkspace/backstage-plugin-fleet-node';

/** Receives the registry's changes. */
export interface ClusterRegistryListener {
  onAdded(cluster: ClusterDefinition): void;
  onChanged(cluster: ClusterDefinition): void;
  onRemoved(name: string): void;
}

/** Options of {@link ClusterRegistry}. */
export interface ClusterRegistryOptions {
  logger: LoggerService;
  /** Clusters from `fleet.clusters`. */
  staticClusters?: ClusterDefinition[];
  /** How often suppliers are asked again. Default 60 s. */
  supplierPollIntervalMs?: number;
}

/** What of a definition can be compared (functions such as token sources cannot). */
function fingerprint(cluster: ClusterDefinition): string {
  return JSON.stringify(cluster);
}

/**
 * Every cluster of the fleet, whatever declares it: `fleet.clusters` config, or suppliers on the
 * `fleet.cluster-supplier` extension point (the demo fleet, an inventory). The registry only
 * knows definitions; how a cluster's state reaches the store (push watch or pull agent) follows
 * from its `mode`. Names are unique: the first declaration of a name wins and later ones are
 * logged and ignored.
 */
export class ClusterRegistry {
  private readonly logger: LoggerService;
  private readonly pollIntervalMs: number;
  private readonly suppliers: ClusterSupplier[] = [];
  private readonly staticClusters: ClusterDefinition[];
  /** Last answer of each supplier, kept when a later poll fails. */
  private readonly supplied = new Map<string, ClusterDefinition[]>();
  private readonly current = new Map<string, ClusterDefinition>();
  private readonly listeners: ClusterRegistryListener[] = [];
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private nextPoll?: Promise<void>;

  constructor(options: ClusterRegistryOptions) {
    this.logger = options.logger;
    this.pollIntervalMs = options.supplierPollIntervalMs ?? 60_000;
    this.staticClusters = options.staticClusters ?? [];
  }

  addSupplier(supplier: ClusterSupplier): void {
    this.suppliers.push(supplier);
  }

  subscribe(listener: ClusterRegistryListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  list(): ClusterDefinition[] {
    return [...this.current.values()];
  }

  get(name: string): ClusterDefinition | undefined {
    return this.current.get(name);
  }

  /** Asks every supplier once, publishes the result, and keeps polling until {@link stop}. */
  async start(): Promise<void> {
    await this.refresh();
    if (this.suppliers.length > 0) {
      this.timer = setInterval(() => {
        this.refresh().catch(error =>
          this.logger.error(`Refreshing the cluster registry failed: ${(error as Error).message}`),
        );
      }, this.pollIntervalMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Polls the suppliers (one failing supplier keeps its last clusters) and publishes changes.
   * Resolves once a poll that started after the call has ended, so the caller's own change
   * (e.g. a registration just stored) is seen.
   */
  refresh(): Promise<void> {
    if (!this.polling) {
      this.polling = this.poll().finally(() => {
        this.polling = undefined;
      });
      return this.polling;
    }
    // the poll in flight may have read before the caller's change: one more after it, for
    // every caller until then
    this.nextPoll ??= this.polling
      .catch(() => undefined)
      .then(() => {
        this.nextPoll = undefined;
        return this.refresh();
      });
    return this.nextPoll;
  }

  private async poll(): Promise<void> {
    await Promise.all(
      this.suppliers.map(async supplier => {
        try {
          this.supplied.set(supplier.id, await supplier.getClusters());
        } catch (error) {
          this.logger.warn(
            `Cluster supplier ${supplier.id} failed, keeping its last clusters: ${(error as Error).message}`,
          );
        }
      }),
    );
    this.publish();
  }

  private notify(call: (listener: ClusterRegistryListener) => void, cluster: string): void {
    for (const listener of this.listeners) {
      try {
        call(listener);
      } catch (error) {
        this.logger.error(`Cluster ${cluster} could not be taken up: ${(error as Error).message}`);
      }
    }
  }

  private publish(): void {
    const next = new Map<string, ClusterDefinition>();
    const sources: Array<[string, ClusterDefinition[]]> = [
      ['config', this.staticClusters],
      ...this.suppliers.map(
        s => [`supplier ${s.id}`, this.supplied.get(s.id) ?? []] as [string, ClusterDefinition[]],
      ),
    ];
    for (const [source, clusters] of sources) {
      for (const cluster of clusters) {
        if (next.has(cluster.name)) {
          this.logger.warn(
            `Cluster ${cluster.name} from ${source} ignored: a cluster of that name is already registered`,
          );
          continue;
        }
        next.set(cluster.name, cluster);
      }
    }
    for (const [name, cluster] of next) {
      const old = this.current.get(name);
      if (!old) {
        this.current.set(name, cluster);
        this.notify(l => l.onAdded(cluster), name);
      } else if (fingerprint(old) !== fingerprint(cluster)) {
        this.current.set(name, cluster);
        this.notify(l => l.onChanged(cluster), name);
      }
    }
    for (const name of [...this.current.keys()]) {
      if (!next.has(name)) {
        this.current.delete(name);
        this.notify(l => l.onRemoved(name), name);
      }
    }
  }
}
