import http from 'node:http';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { Clock, systemClock } from '../clock/Clock';
import { Controller, ControllerSource } from '../controller/Controller';
import { enqueueForObject, enqueueOwner, MapFunc, UpdatePredicate } from '../controller/handlers';
import { Informer } from '../cache/Informer';
import { KubeClient } from '../client/KubeClient';
import { LeaderElector } from '../leaderelection/LeaderElector';
import { Logger, silentLogger } from '../log/Logger';
import { Metrics } from '../metrics/Metrics';
import { RateLimiter } from '../workqueue/rateLimiters';
import { Reconciler } from '../controller/reconcile';
import { ReflectorOptions } from '../cache/Reflector';
import { kindId, KubeObject, ResourceKind } from '../client/types';
import { keepProcessAlive } from '../lifecycle/keepProcessAlive';

/** @public */
export interface LeaderElectionOptions {
  /** Default true. */
  enabled?: boolean;
  /** Lease name, e.g. `fleet-operator-leader`. */
  name: string;
  /** Lease namespace. Default the manager's namespace, else `default`. */
  namespace?: string;
  /** Default `<hostname>_<random>`. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

/** @public */
export interface ManagerOptions {
  client: KubeClient;
  /** Namespace the caches of namespaced kinds are limited to; empty watches all namespaces. */
  namespace?: string;
  logger?: Logger;
  metrics?: Metrics;
  /** `host:port` for /metrics; `:8080` listens on all interfaces; `0` disables. Default `0`. */
  metricsBindAddress?: string;
  /** `host:port` for /healthz and /readyz; may equal metricsBindAddress. `0` disables. Default `0`. */
  healthProbeBindAddress?: string;
  leaderElection?: LeaderElectionOptions;
  /** Default concurrency of controllers. Default 1. */
  concurrency?: number;
  /** Default longest time one reconcile may take before it is cancelled and retried. Default none. */
  reconcileTimeoutMs?: number;
  /** How long stop() waits for in-flight reconciles. Default 30 s. */
  gracefulShutdownTimeoutMs?: number;
  /** Tuning shared by every cache (watch timeouts, backoff, page size). */
  cache?: Pick<ReflectorOptions<KubeObject>, 'watchTimeoutSeconds' | 'watchdogGraceMs' | 'backoff' | 'pageSize'>;
  clock?: Clock;
}

/** Options of one controller. @public */
export interface ControllerBuilderOptions {
  concurrency?: number;
  rateLimiter?: RateLimiter;
  /** Longest time one reconcile may take; see the Controller's `reconcileTimeoutMs`. Default the manager's. */
  reconcileTimeoutMs?: number;
}

/**
 * Declares a controller: `mgr.controller('widgets').for(kinds.Widget).owns(kinds.ConfigMap)
 * .complete(reconciler)`.
 *
 * @public
 */
export class ControllerBuilder {
  private forKind?: ResourceKind;
  private readonly sources: Array<{ kind: ResourceKind; map: MapFunc; updatePredicate?: UpdatePredicate }> = [];
  private opts: ControllerBuilderOptions = {};

  constructor(
    private readonly manager: Manager,
    private readonly name: string,
  ) {}

  /** The primary kind: its events reconcile the object itself. */
  for(kind: ResourceKind, options: { updatePredicate?: UpdatePredicate } = {}): this {
    if (this.forKind) throw new Error(`controller ${this.name}: for() called twice`);
    this.forKind = kind;
    this.sources.push({ kind, map: enqueueForObject, updatePredicate: options.updatePredicate });
    return this;
  }

  /** A child kind: its events reconcile the owner named by its controller ownerReference. */
  owns(kind: ResourceKind, options: { updatePredicate?: UpdatePredicate } = {}): this {
    if (!this.forKind) throw new Error(`controller ${this.name}: call for() before owns()`);
    this.sources.push({ kind, map: enqueueOwner(this.forKind), updatePredicate: options.updatePredicate });
    return this;
  }

  /** Any kind, mapped to requests by `map`. */
  watches<T extends KubeObject>(kind: ResourceKind, map: (obj: T) => { namespace?: string; name: string }[], options: { updatePredicate?: UpdatePredicate } = {}): this {
    this.sources.push({ kind, map: map as MapFunc, updatePredicate: options.updatePredicate });
    return this;
  }

  withOptions(options: ControllerBuilderOptions): this {
    this.opts = { ...this.opts, ...options };
    return this;
  }

  /** Registers the controller with the manager. */
  complete(reconciler: Reconciler): void {
    if (!this.forKind) throw new Error(`controller ${this.name}: for() is required`);
    this.manager.addController({ name: this.name, reconciler, sources: this.sources, ...this.opts });
  }
}

interface ControllerSpec extends ControllerBuilderOptions {
  name: string;
  reconciler: Reconciler;
  sources: Array<{ kind: ResourceKind; map: MapFunc; updatePredicate?: UpdatePredicate }>;
}

/** Raised (as `start()`'s rejection) when this process lost leadership and must stop. @public */
export class LeadershipLostError extends Error {
  override readonly name = 'LeadershipLostError';
}

/**
 * Owns everything a controller process runs: the cluster client, one shared informer per kind,
 * the controllers, leader election, and the HTTP endpoints `/metrics`, `/healthz`, `/readyz`.
 *
 * Caches start at once (a standby keeps them warm, so failover is fast); controllers start only
 * once this process leads, and leadership loss stops the manager (like controller-runtime, the
 * process should exit and restart rather than risk two active leaders).
 *
 * @public
 */
export class Manager {
  readonly client: KubeClient;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly namespace?: string;
  readonly elector?: LeaderElector;
  private readonly options: ManagerOptions;
  private readonly clock: Clock;
  private readonly informers = new Map<string, Informer>();
  private readonly specs: ControllerSpec[] = [];
  private readonly controllers: Controller[] = [];
  private readonly servers: http.Server[] = [];
  private readonly stopController = new AbortController();
  private readonly cacheStop = new AbortController();
  private readonly electionStop = new AbortController();
  private controllersRunning: Promise<unknown>[] = [];
  private electing: Promise<unknown> = Promise.resolve();
  private started = false;
  private stopping?: Promise<void>;
  private lost = false;
  private resolveLeading: () => void = () => {};
  private readonly leading = new Promise<void>(resolve => (this.resolveLeading = resolve));
  /** Bound addresses, once started (port 0 resolves to the real port). */
  readonly addresses: { metrics?: string; health?: string } = {};

  constructor(options: ManagerOptions) {
    this.options = options;
    this.client = options.client;
    this.namespace = options.namespace || undefined;
    this.logger = options.logger ?? silentLogger;
    this.metrics = options.metrics ?? new Metrics();
    this.clock = options.clock ?? systemClock;
    const le = options.leaderElection;
    if (le && le.enabled !== false) {
      this.elector = new LeaderElector({
        client: this.client,
        name: le.name,
        namespace: le.namespace ?? this.namespace ?? 'default',
        identity: le.identity ?? `${os.hostname()}_${randomBytes(4).toString('hex')}`,
        leaseDurationMs: le.leaseDurationMs,
        renewDeadlineMs: le.renewDeadlineMs,
        retryPeriodMs: le.retryPeriodMs,
        metrics: this.metrics,
        logger: this.logger,
        clock: this.clock,
        onStartedLeading: () => this.resolveLeading(),
        onStoppedLeading: () => {
          this.lost = true;
          this.logger.error('leadership lost, stopping');
          void this.stop();
        },
      });
    }
  }

  /** The shared informer of a kind (created on first use; started with the manager). */
  getInformer<T extends KubeObject = KubeObject>(kind: ResourceKind): Informer<T> {
    const id = kindId(kind);
    let informer = this.informers.get(id);
    if (!informer) {
      informer = new Informer({
        ...this.options.cache,
        client: this.client,
        kind,
        namespace: kind.namespaced ? this.namespace : undefined,
        logger: this.logger,
        clock: this.clock,
      });
      this.informers.set(id, informer);
      if (this.started) void informer.run(this.cacheStop.signal);
    }
    return informer as unknown as Informer<T>;
  }

  /** Starts declaring a controller. */
  controller(name: string): ControllerBuilder {
    return new ControllerBuilder(this, name);
  }

  /** Registers a controller (usually through {@link Manager.controller}). */
  addController(spec: ControllerSpec): void {
    if (this.started) throw new Error('controllers must be added before start()');
    if (this.specs.some(s => s.name === spec.name)) throw new Error(`controller "${spec.name}" already exists`);
    for (const source of spec.sources) this.getInformer(source.kind);
    this.specs.push(spec);
    this.metrics.initController(spec.name, spec.concurrency ?? this.options.concurrency ?? 1);
  }

  /** True once every cache has listed. */
  cachesSynced(): boolean {
    return [...this.informers.values()].every(i => i.hasSynced());
  }

  /** Ready: caches synced, and either leader, not electing, or a standby that can reach the lease. */
  ready(): boolean {
    if (!this.started || this.stopping) return false;
    if (!this.cachesSynced()) return false;
    return !this.elector || this.elector.isLeader() || this.elector.healthy();
  }

  /**
   * Starts servers, caches, leader election and (when leading) controllers. Resolves after a
   * graceful stop(); rejects with {@link LeadershipLostError} if leadership was lost. The process
   * stays alive until then (see {@link keepProcessAlive}), whatever is bound.
   */
  async start(): Promise<void> {
    if (this.started) throw new Error('manager already started');
    this.started = true;
    // Caches and controllers mostly wait (backoffs, watches, lease renewals): hold the process
    // so it cannot end between two of those waits, whether or not a listener is bound.
    const hold = keepProcessAlive('manager');
    try {
      await this.run();
    } finally {
      hold.release();
    }
  }

  private async run(): Promise<void> {
    await this.listen();
    for (const informer of this.informers.values()) void informer.run(this.cacheStop.signal);
    this.logger.info('manager started', { namespace: this.namespace ?? '(all)', controllers: this.specs.map(s => s.name) });

    if (this.elector) this.electing = this.elector.run(this.electionStop.signal);
    if (this.elector) {
      const aborted = new Promise<void>(resolve => this.stopController.signal.addEventListener('abort', () => resolve(), { once: true }));
      await Promise.race([this.leading, aborted]);
    }
    if (!this.stopController.signal.aborted) this.startControllers();
    await new Promise<void>(resolve => {
      if (this.stopController.signal.aborted) resolve();
      else this.stopController.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await this.stopping;
    if (this.lost) throw new LeadershipLostError('leadership lost');
  }

  private startControllers(): void {
    for (const spec of this.specs) {
      const sources: ControllerSource[] = spec.sources.map(s => ({
        informer: this.getInformer(s.kind),
        map: s.map,
        updatePredicate: s.updatePredicate,
      }));
      const controller = new Controller({
        name: spec.name,
        reconciler: spec.reconciler,
        concurrency: spec.concurrency ?? this.options.concurrency ?? 1,
        rateLimiter: spec.rateLimiter,
        reconcileTimeoutMs: spec.reconcileTimeoutMs ?? this.options.reconcileTimeoutMs,
        sources,
        drainTimeoutMs: this.options.gracefulShutdownTimeoutMs,
        metrics: this.metrics,
        logger: this.logger,
        clock: this.clock,
      });
      this.controllers.push(controller);
      this.controllersRunning.push(controller.run(this.stopController.signal));
    }
  }

  /**
   * Graceful stop: readiness goes false, controllers stop taking work and drain (bounded by
   * `gracefulShutdownTimeoutMs`), the lease is released, caches and servers close.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.logger.info('stopping manager');
      this.stopController.abort();
      await Promise.allSettled(this.controllersRunning);
      // the lease is released only after the last reconcile ended, so the next leader never overlaps
      this.electionStop.abort();
      await this.electing.catch(() => undefined);
      this.cacheStop.abort();
      await Promise.all(this.servers.map(s => new Promise(resolve => {
        s.close(resolve);
        s.closeAllConnections();
      })));
      this.client.close();
      this.logger.info('manager stopped');
    })();
    return this.stopping;
  }

  /** Stops gracefully on SIGTERM/SIGINT; a second signal exits at once. Returns an uninstaller. */
  handleSignals(exit: (code: number) => void = code => process.exit(code)): () => void {
    let count = 0;
    const handler = (sig: NodeJS.Signals) => {
      count++;
      if (count > 1) {
        this.logger.warn('second signal, exiting now', { signal: sig });
        exit(1);
        return;
      }
      this.logger.info('signal received, shutting down', { signal: sig });
      void this.stop();
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
    return () => {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    };
  }

  private async listen(): Promise<void> {
    const metricsAddr = parseBindAddress(this.options.metricsBindAddress);
    const healthAddr = parseBindAddress(this.options.healthProbeBindAddress);
    const same = metricsAddr && healthAddr && metricsAddr.host === healthAddr.host && metricsAddr.port === healthAddr.port && metricsAddr.port !== 0;
    if (metricsAddr) this.addresses.metrics = await this.serve(metricsAddr, { metrics: true, health: !!same });
    if (healthAddr && !same) this.addresses.health = await this.serve(healthAddr, { metrics: false, health: true });
    if (same) this.addresses.health = this.addresses.metrics;
  }

  private serve(addr: { host: string; port: number }, routes: { metrics: boolean; health: boolean }): Promise<string> {
    const server = http.createServer((req, res) => {
      void this.route(req.url ?? '/', routes, res);
    });
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(addr.port, addr.host, () => {
        const a = server.address() as { address: string; port: number };
        resolve(`${a.address}:${a.port}`);
      });
    });
  }

  private notReadyReason(): string {
    if (!this.cachesSynced()) return 'caches not synced';
    if (this.stopping) return 'shutting down';
    return 'not ready';
  }

  private async route(url: string, routes: { metrics: boolean; health: boolean }, res: http.ServerResponse): Promise<void> {
    const path = url.split('?')[0];
    const text = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': type });
      res.end(body);
    };
    if (routes.metrics && path === '/metrics') {
      try {
        text(200, await this.metrics.registry.metrics(), this.metrics.registry.contentType);
      } catch (err) {
        text(500, String(err));
      }
      return;
    }
    if (routes.health && path === '/healthz') {
      // alive unless a leader is stuck: then a restart is the fix
      const stuck = this.elector?.isLeader() && !this.elector.healthy();
      text(stuck ? 500 : 200, stuck ? 'lease renewal failing' : 'ok');
      return;
    }
    if (routes.health && path === '/readyz') {
      const ready = this.ready();
      text(ready ? 200 : 503, ready ? 'ok' : this.notReadyReason());
      return;
    }
    text(404, 'not found');
  }
}

/** Parses `host:port`, `:port` or `0` (disabled). @public */
export function parseBindAddress(value: string | undefined): { host: string; port: number } | undefined {
  if (!value || value === '0') return undefined;
  const i = value.lastIndexOf(':');
  const host = i < 0 ? '0.0.0.0' : value.slice(0, i).replace(/^\[|\]$/g, '') || '0.0.0.0';
  const port = Number(i < 0 ? value : value.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid bind address "${value}"`);
  return { host, port };
}
