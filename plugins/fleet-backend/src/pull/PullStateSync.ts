import type { LoggerService } from '@backstage/backend-plugin-api';
import type { OperationSummary } from '@vworkspace/backstage-plugin-fleet-common';
import type { ClusterRegistry } from '../cluster/ClusterRegistry';
import type { FleetStore } from '../store/FleetStore';
import type { AgentSessions } from './AgentSessions';
import type { Outbox, OutboxEntry } from './Outbox';
import type { ParsedReport, PullStateRepository, ReportedState } from './PullStateRepository';

/** Options of {@link PullStateSync}. */
export interface PullStateSyncOptions {
  store: FleetStore;
  state: PullStateRepository;
  outbox: Outbox;
  registry: ClusterRegistry;
  logger: LoggerService;
  /** This process's name among the replicas. */
  replica: string;
  /** Heartbeat interval of agent streams: how often a replica holding one says so. */
  heartbeatIntervalMs: number;
}

/** Deletions are kept this long, far longer than any replica takes to apply them. */
const deletionRetentionMs = 60 * 60 * 1000;

/**
 * Keeps this replica's fleet store in step with what pull clusters reported to any replica.
 *
 * Every write about a pull cluster (a report, new intent, an acknowledgement) goes to the
 * database first and raises the cluster's revision; this replica applies its own writes at
 * once and, every poll, reads the writes of the others: for each cluster whose revision moved,
 * the objects and outbox entries changed since the revision it had applied, waking the agent
 * streams held here when new intent is among them. Each object
 * remembers the revision applied last, so a late read never brings back an older state. The
 * agent streams each replica holds are recorded too, so that a cluster connected to another
 * replica is shown connected here.
 */
export class PullStateSync {
  private readonly store: FleetStore;
  private readonly state: PullStateRepository;
  private readonly outbox: Outbox;
  private readonly registry: ClusterRegistry;
  private readonly logger: LoggerService;
  private readonly replica: string;
  private readonly heartbeatIntervalMs: number;
  private sessions?: AgentSessions;
  /** Per cluster, the revision up to which every write is applied here. */
  private readonly cursors = new Map<string, number>();
  /** Per object (and per Operation's delivery), the revision applied last. */
  private readonly applied = new Map<string, number>();
  private readonly streamWrites = new Map<string, { streams: number; at: number; write: Promise<void> }>();
  private polling = false;

  constructor(options: PullStateSyncOptions) {
    this.store = options.store;
    this.state = options.state;
    this.outbox = options.outbox;
    this.registry = options.registry;
    this.logger = options.logger;
    this.replica = options.replica;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs;
  }

  /** The sessions whose clusters other replicas may hold. */
  follow(sessions: AgentSessions): void {
    this.sessions = sessions;
  }

  /**
   * Fills the store with what pull clusters last reported (shown before their agents are back)
   * and the Operations still on their way to them or refused by them.
   */
  async load(): Promise<void> {
    const revisions = await this.state.revisions();
    this.applyStates(await this.state.all());
    for (const entry of await this.outbox.undelivered()) this.applyDelivery(entry);
    for (const [cluster, revision] of revisions) {
      if (this.store.cluster(cluster)) this.cursors.set(cluster, revision);
    }
  }

  /** Stores an agent's report, then shows it. */
  async report(report: ParsedReport): Promise<void> {
    const { revision, changed } = await this.state.saveReport(report);
    this.applyStates(changed);
    if (revision !== undefined) this.appliedUpTo(report.cluster, revision);
  }

  /** Shows an acknowledgement (or new intent) this replica stored. */
  noteDelivery(entry: OutboxEntry): void {
    this.applyDelivery(entry);
    if (entry.revision !== undefined) this.appliedUpTo(entry.cluster, entry.revision);
  }

  /** Records how many streams of `cluster` this replica holds (at most once per half heartbeat unless it changed). */
  recordStreams(cluster: string, streams: number): void {
    const last = this.streamWrites.get(cluster);
    const now = Date.now();
    if (last && last.streams === streams && now - last.at < this.heartbeatIntervalMs / 2) return;
    const write = (last?.write ?? Promise.resolve())
      .then(() => this.state.recordStreams(cluster, this.replica, streams))
      .catch(error => this.logger.warn(`Recording the agent streams of cluster ${cluster} failed: ${(error as Error).message}`));
    this.streamWrites.set(cluster, { streams, at: now, write });
  }

  /**
   * Resolves once every stream count recorded so far is written, or after `timeoutMs`: at
   * shutdown the database may already be going, and the rows of a replica that stopped age out
   * for the others anyway.
   */
  async flush(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.streamWrites.values()].map(w => w.write)),
      new Promise(resolve => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** One look at what other replicas wrote. */
  async poll(): Promise<void> {
    const revisions = await this.state.revisions();
    let unknown = false;
    for (const [cluster, revision] of revisions) {
      const cursor = this.cursors.get(cluster) ?? 0;
      if (revision <= cursor) continue;
      if (!this.store.cluster(cluster)) {
        unknown = true;
        continue;
      }
      const [states, entries] = await Promise.all([
        this.state.changedSince(cluster, cursor),
        this.outbox.changedSince(cluster, cursor),
      ]);
      this.applyStates(states);
      for (const entry of entries) this.applyDelivery(entry);
      // intent stored through another replica: the streams held here read it now
      if (entries.some(e => !e.acked)) this.outbox.wake(cluster);
      let seen = revision;
      for (const s of states) seen = Math.max(seen, s.revision);
      for (const e of entries) seen = Math.max(seen, e.revision ?? 0);
      this.cursors.set(cluster, Math.max(seen, this.cursors.get(cluster) ?? 0));
    }
    // registered through another replica: known here after a refresh, applied on the next poll
    if (unknown) await this.registry.refresh();
    if (this.sessions) {
      const since = new Date(Date.now() - 2 * this.heartbeatIntervalMs);
      for (const [cluster, at] of await this.state.heardElsewhere(this.replica, since)) this.sessions.heardElsewhere(cluster, at);
    }
  }

  /** Polls every `intervalMs` (and forgets old deletions hourly); returns what stops it. */
  start(intervalMs: number): () => void {
    const timer = setInterval(() => {
      if (this.polling) return;
      this.polling = true;
      this.poll()
        .catch(error => this.logger.warn(`Reading what other replicas stored about pull clusters failed: ${(error as Error).message}`))
        .finally(() => {
          this.polling = false;
        });
    }, intervalMs);
    const pruner = setInterval(() => {
      this.state
        .pruneDeletions(new Date(Date.now() - deletionRetentionMs))
        .catch(error => this.logger.warn(`Pruning reported deletions failed: ${(error as Error).message}`));
    }, deletionRetentionMs);
    timer.unref();
    pruner.unref();
    return () => {
      clearInterval(timer);
      clearInterval(pruner);
    };
  }

  /** This replica applied the write that raised `cluster` to `revision`: when it had all before, it has all up to it. */
  private appliedUpTo(cluster: string, revision: number): void {
    if (this.cursors.get(cluster) === revision - 1) this.cursors.set(cluster, revision);
  }

  /** False when `key` already shows `revision` or a later one. */
  private isNews(key: string, revision: number | undefined): boolean {
    if (revision === undefined) return true;
    if ((this.applied.get(key) ?? -1) >= revision) return false;
    this.applied.set(key, revision);
    return true;
  }

  private applyStates(states: ReportedState[]): void {
    for (const s of states) {
      if (!this.store.cluster(s.cluster)) continue;
      if (!this.isNews(`${s.cluster}/${s.kind}/${s.namespace}/${s.name}`, s.revision)) continue;
      const ref = { metadata: { namespace: s.namespace, name: s.name } };
      if (s.kind === 'instance') {
        if (s.object) this.store.upsertInstance(s.cluster, s.object);
        else this.store.deleteInstance(s.cluster, ref);
      } else if (s.object) this.store.upsertOperation(s.cluster, s.object);
      else this.store.deleteOperation(s.cluster, ref);
    }
  }

  private applyDelivery(entry: OutboxEntry): void {
    if (entry.intent.type !== 'apply' || !this.store.cluster(entry.cluster)) return;
    const { object } = entry.intent;
    const { namespace, name } = object.metadata;
    if (!this.isNews(`${entry.cluster}/delivery/${namespace}/${name}`, entry.revision)) return;
    let delivery: NonNullable<OperationSummary['delivery']> = { state: 'pending' };
    if (entry.acked) delivery = 'error' in entry.acked ? { state: 'failed', error: entry.acked.error } : { state: 'delivered' };
    this.store.setDelivery(entry.cluster, { namespace, name }, delivery, object);
  }
}
