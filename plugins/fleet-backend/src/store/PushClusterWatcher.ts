import type { LoggerService } from '@backstage/backend-plugin-api';
import type { ClusterConnection } from '@vworkspace/backstage-plugin-fleet-common';
import type { ClusterDefinition } from '@vworkspace/backstage-plugin-fleet-node';
import {
  Informer,
  keepProcessAlive,
  KubeClient,
  KubeList,
  KubeObject,
  ListOptions,
  Logger,
  ResourceKind,
  WatchEvent,
  WatchOptions,
} from '@vworkspace/kube-runtime';
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeConfigFor } from '../cluster/kubeClientFor';
import { redact } from '../cluster/redact';
import { ConnectionTracker } from './ConnectionTracker';
import { fleetKinds } from './kinds';
import { leanForCache } from './summaries';

/** Where a cluster's objects and connection state go: the fleet store, whatever the mode. */
export interface ClusterSink {
  upsertInstance(cluster: string, raw: KubeObject): void;
  deleteInstance(cluster: string, raw: KubeObject): void;
  upsertOperation(cluster: string, raw: KubeObject): void;
  deleteOperation(cluster: string, raw: KubeObject): void;
  connectionChanged(cluster: string, connection: ClusterConnection): void;
}

/** What a client reports about each kind's requests. */
interface RequestObserver {
  ok(kind: string): void;
  watchFailed(kind: string, error: unknown): void;
  listFailed(kind: string, error: unknown): void;
}

/**
 * A KubeClient that tells the connection tracker how lists and watches of each kind fare; the
 * reflector itself only logs its failures.
 */
class ObservedKubeClient extends KubeClient {
  observer?: RequestObserver;

  override async list<T extends KubeObject = KubeObject>(
    kind: ResourceKind,
    options: ListOptions = {},
  ): Promise<KubeList<T>> {
    try {
      const page = await super.list<T>(kind, options);
      this.observer?.ok(kind.kind);
      return page;
    } catch (error) {
      if (!options.signal?.aborted) this.observer?.listFailed(kind.kind, error);
      throw error;
    }
  }

  override async *watch<T extends KubeObject = KubeObject>(
    kind: ResourceKind,
    options: WatchOptions = {},
  ): AsyncGenerator<WatchEvent<T>> {
    try {
      for await (const event of super.watch<T>(kind, options)) {
        this.observer?.ok(kind.kind);
        yield event;
      }
    } catch (error) {
      if (!options.signal?.aborted) this.observer?.watchFailed(kind.kind, error);
      throw error;
    }
  }
}

/** Options of {@link PushClusterWatcher}. */
export interface PushClusterWatcherOptions {
  cluster: ClusterDefinition;
  sink: ClusterSink;
  logger: LoggerService;
  /** Longest pause between probes of a failing kind. Default 15 s. */
  maxProbeIntervalMs?: number;
  /** Backoff of the reflectors. */
  backoff?: { initialMs?: number; maxMs?: number };
}

/** Secrets a cluster definition holds, so that no error message can carry them. */
async function secretsOf(cluster: ClusterDefinition): Promise<string[]> {
  const secrets: string[] = [];
  try {
    const token = await cluster.push?.token?.();
    if (token) secrets.push(token);
  } catch {
    // an unreadable token file shows up as a failing connection anyway
  }
  return secrets;
}

/**
 * One push cluster's list+watch of ApplicationInstances and Operations, through kube-runtime
 * informers, feeding the fleet store, plus its connection state.
 *
 * A watch that breaks does not by itself make the cluster unreachable: the reflector re-watches
 * on its own, and a quick list probe (no retries) decides whether the kind is still served. A
 * failing kind is probed again with a growing pause until it answers, so a cluster that comes
 * back is seen as connected even when nothing changed in it.
 */
export class PushClusterWatcher {
  readonly name: string;
  /** The client of this cluster, shared by the watches and by writes. */
  readonly client: KubeClient;
  private readonly probeClient: KubeClient;
  private readonly tracker: ConnectionTracker;
  private readonly abort = new AbortController();
  // While a cluster is watched, its retries and backoffs must never let the process end, even
  // in a program that has nothing else pending (the runtime's guarantee for the operator too).
  private hold?: ReturnType<typeof keepProcessAlive>;
  private readonly informers: Informer[];
  private readonly probing = new Set<string>();
  private readonly maxProbeIntervalMs: number;
  private readonly logger: LoggerService;
  private secrets: string[] = [];
  private readonly kubeConfig: KubeConfig;

  constructor(private readonly options: PushClusterWatcherOptions) {
    const { cluster, sink } = options;
    if (!cluster.push) throw new Error(`cluster ${cluster.name} has no push connection`);
    this.name = cluster.name;
    this.logger = options.logger.child({ cluster: cluster.name });
    this.maxProbeIntervalMs = options.maxProbeIntervalMs ?? 15_000;
    const kc = kubeConfigFor(cluster.name, cluster.push);
    this.kubeConfig = kc;
    const kubeLogger = this.kubeLogger();
    const client = new ObservedKubeClient(kc, { userAgent: 'vworkspace-control-plane', logger: kubeLogger });
    this.client = client;
    this.probeClient = new KubeClient(kc, {
      userAgent: 'vworkspace-control-plane',
      maxRetries: 0,
      requestTimeoutMs: 10_000,
    });
    this.tracker = new ConnectionTracker(
      Object.keys(fleetKinds),
      connection => sink.connectionChanged(cluster.name, connection),
      () => this.secrets,
    );
    client.observer = {
      ok: kind => this.tracker.ok(kind),
      listFailed: (kind, error) => {
        this.tracker.failed(kind, error);
        this.probe(kind);
      },
      watchFailed: (kind) => this.probe(kind),
    };
    const instances = new Informer({
      client,
      kind: fleetKinds.ApplicationInstance,
      logger: kubeLogger,
      backoff: options.backoff,
      transform: leanForCache,
    });
    instances.addEventHandler({
      onAdd: obj => sink.upsertInstance(cluster.name, obj),
      onUpdate: (_old, obj) => sink.upsertInstance(cluster.name, obj),
      onDelete: obj => sink.deleteInstance(cluster.name, obj),
    });
    const operations = new Informer({
      client,
      kind: fleetKinds.Operation,
      logger: kubeLogger,
      backoff: options.backoff,
      transform: leanForCache,
    });
    operations.addEventHandler({
      onAdd: obj => sink.upsertOperation(cluster.name, obj),
      onUpdate: (_old, obj) => sink.upsertOperation(cluster.name, obj),
      onDelete: obj => sink.deleteOperation(cluster.name, obj),
    });
    this.informers = [instances, operations];
  }

  get connection(): ClusterConnection {
    return this.tracker.current;
  }

  /** Starts the watches; they run until {@link stop}. */
  async start(): Promise<void> {
    this.secrets = await secretsOf(this.options.cluster);
    try {
      // TLS and credential settings fail here rather than inside every request; a client
      // whose connection settings never worked is also safe to close later
      await this.kubeConfig.applyToHTTPSOptions({});
    } catch (error) {
      const reason = new Error(`cannot connect with the configured settings: ${(error as Error).message}`);
      for (const kind of Object.keys(fleetKinds)) this.tracker.failed(kind, reason);
      this.logger.error(`Cluster ${this.name} is not watched: ${redact(reason.message, this.secrets)}`);
      return;
    }
    this.hold = keepProcessAlive(`fleet cluster watcher ${this.name}`);
    for (const informer of this.informers) void informer.run(this.abort.signal);
  }

  /** Resolves once every kind has been listed once. */
  async waitForSync(): Promise<void> {
    await Promise.all(this.informers.map(i => i.waitForSync()));
  }

  stop(): void {
    this.hold?.release();
    this.abort.abort();
    this.client.close();
    this.probeClient.close();
  }

  /** Probes a kind with a single list of one item until it answers. */
  private probe(kind: string): void {
    if (this.probing.has(kind) || this.abort.signal.aborted) return;
    this.probing.add(kind);
    const resource = fleetKinds[kind as keyof typeof fleetKinds];
    void (async () => {
      let pause = 250;
      while (!this.abort.signal.aborted) {
        try {
          await this.probeClient.list(resource, { limit: 1, signal: this.abort.signal });
          this.tracker.ok(kind);
          break;
        } catch (error) {
          if (this.abort.signal.aborted) break;
          this.tracker.failed(kind, error);
        }
        await sleep(pause, this.abort.signal);
        pause = Math.min(pause * 2, this.maxProbeIntervalMs);
      }
      this.probing.delete(kind);
    })();
  }

  /** The runtime's logger interface over Backstage's, with credentials kept out of every line. */
  private kubeLogger(): Logger {
    const write =
      (level: 'debug' | 'info' | 'warn' | 'error', logger: LoggerService) =>
      (msg: string, fields?: Record<string, unknown>) => {
        const meta: Record<string, string | number | boolean> = {};
        for (const [key, value] of Object.entries(fields ?? {})) {
          if (value === undefined) continue;
          meta[key] = describeField(value, this.secrets);
        }
        // a failing watch is routine while a cluster is away: the connection state says so once
        logger[level === 'warn' ? 'debug' : level](redact(msg, this.secrets), meta);
      };
    const make = (logger: LoggerService): Logger => ({
      debug: write('debug', logger),
      info: write('debug', logger),
      warn: write('warn', logger),
      error: write('error', logger),
      child: fields => make(logger.child(fields as Record<string, string>)),
    });
    return make(this.logger);
  }
}

/** A log field as text or a primitive, with credentials removed. */
function describeField(value: unknown, secrets: ReadonlyArray<string>): string | number | boolean {
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Error) return redact(value.message, secrets);
  return redact(typeof value === 'string' ? value : JSON.stringify(value), secrets);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
