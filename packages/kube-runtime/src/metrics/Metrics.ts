import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Outcomes of one reconcile, as the `result` label of `controller_runtime_reconcile_total`. @public */
export type ReconcileOutcome = 'success' | 'error' | 'requeue' | 'requeue_after';

const outcomes: readonly ReconcileOutcome[] = ['success', 'error', 'requeue', 'requeue_after'];

/** What a work queue reports. @public */
export interface QueueMetrics {
  add(): void;
  depth(n: number): void;
  retry(): void;
  /** Seconds an item waited in the queue before a worker took it. */
  queued(seconds: number): void;
  /** Seconds a worker spent on an item. */
  worked(seconds: number): void;
}

/** A QueueMetrics that records nothing. @public */
export const noopQueueMetrics: QueueMetrics = {
  add() {},
  depth() {},
  retry() {},
  queued() {},
  worked() {},
};

const durationBuckets = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2,
  2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
const queueBuckets = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100, 1000];

/** @public */
export interface MetricsOptions {
  /** Registry to register into. Default: a new one (never prom-client's global, so tests stay isolated). */
  registry?: Registry;
  /** Also export process metrics (CPU, RSS, event loop lag). Default false. */
  processMetrics?: boolean;
}

/**
 * The operator's Prometheus metrics, named as controller-runtime names them so existing
 * dashboards and alerts work unchanged.
 *
 * @public
 */
export class Metrics {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly terminalReconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly activeWorkers: Gauge<'controller'>;
  readonly maxConcurrentReconciles: Gauge<'controller'>;
  readonly workqueueDepth: Gauge<'name' | 'controller'>;
  readonly workqueueAdds: Counter<'name' | 'controller'>;
  readonly workqueueRetries: Counter<'name' | 'controller'>;
  readonly workqueueQueueDuration: Histogram<'name' | 'controller'>;
  readonly workqueueWorkDuration: Histogram<'name' | 'controller'>;
  readonly leaderStatus: Gauge<'name'>;

  constructor(options: MetricsOptions = {}) {
    const registry = (this.registry = options.registry ?? new Registry());
    const registers = [registry];
    if (options.processMetrics) collectDefaultMetrics({ register: registry });
    this.reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.terminalReconcileErrors = new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: durationBuckets,
      registers,
    });
    this.activeWorkers = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    });
    this.maxConcurrentReconciles = new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    });
    this.workqueueDepth = new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name', 'controller'],
      registers,
    });
    this.workqueueAdds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name', 'controller'],
      registers,
    });
    this.workqueueRetries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: ['name', 'controller'],
      registers,
    });
    this.workqueueQueueDuration = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: ['name', 'controller'],
      buckets: queueBuckets,
      registers,
    });
    this.workqueueWorkDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes',
      labelNames: ['name', 'controller'],
      buckets: queueBuckets,
      registers,
    });
    this.leaderStatus = new Gauge({
      name: 'leader_election_master_status',
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
      labelNames: ['name'],
      registers,
    });
  }

  /** Zeroes every series of a controller, so rates and alerts see it from the first scrape. */
  initController(controller: string, concurrency: number): void {
    for (const result of outcomes) this.reconcileTotal.inc({ controller, result }, 0);
    this.reconcileErrors.inc({ controller }, 0);
    this.terminalReconcileErrors.inc({ controller }, 0);
    this.activeWorkers.set({ controller }, 0);
    this.maxConcurrentReconciles.set({ controller }, concurrency);
    const q = { name: controller, controller };
    this.workqueueDepth.set(q, 0);
    this.workqueueAdds.inc(q, 0);
    this.workqueueRetries.inc(q, 0);
    this.reconcileTime.zero({ controller });
    this.workqueueQueueDuration.zero(q);
    this.workqueueWorkDuration.zero(q);
  }

  /** Records the outcome and duration of one reconcile. */
  observeReconcile(controller: string, outcome: ReconcileOutcome | 'terminal_error', seconds: number): void {
    this.reconcileTime.observe({ controller }, seconds);
    if (outcome === 'terminal_error') {
      this.reconcileTotal.inc({ controller, result: 'error' });
      this.reconcileErrors.inc({ controller });
      this.terminalReconcileErrors.inc({ controller });
      return;
    }
    this.reconcileTotal.inc({ controller, result: outcome });
    if (outcome === 'error') this.reconcileErrors.inc({ controller });
  }

  /** The metrics sink of a controller's work queue. */
  queueMetrics(controller: string): QueueMetrics {
    const labels = { name: controller, controller };
    const depth = this.workqueueDepth.labels(labels);
    const adds = this.workqueueAdds.labels(labels);
    const retries = this.workqueueRetries.labels(labels);
    const queued = this.workqueueQueueDuration.labels(labels);
    const worked = this.workqueueWorkDuration.labels(labels);
    return {
      add: () => adds.inc(),
      depth: n => depth.set(n),
      retry: () => retries.inc(),
      queued: s => queued.observe(s),
      worked: s => worked.observe(s),
    };
  }

  /** Sets `leader_election_master_status` for a lease. */
  setLeader(name: string, leader: boolean): void {
    this.leaderStatus.set({ name }, leader ? 1 : 0);
  }
}
