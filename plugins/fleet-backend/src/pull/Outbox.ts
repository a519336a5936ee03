import type { AgentIntent } from '@vworkspace/backstage-plugin-fleet-common';
import type { Knex } from 'knex';
import { raiseClusterRevision } from './PullStateRepository';

/** Intent as the outbox stores it: a stream message without its sequence number. */
export type NewIntent = AgentIntent extends infer I ? (I extends AgentIntent ? Omit<I, 'seq'> : never) : never;

/** The Operation an `apply` intent carries. */
export type OperationIntentObject = Extract<AgentIntent, { type: 'apply' }>['object'];

/** Outcome of applying one intent, as the agent acknowledged it. */
export type AckOutcome = { uid: string; resourceVersion: string } | { error: string };

/** An outbox row. */
export interface OutboxEntry {
  cluster: string;
  seq: number;
  intent: AgentIntent;
  acked?: AckOutcome;
  /** The cluster revision of the entry's last change (stored, acknowledged); see {@link raiseClusterRevision}. */
  revision?: number;
}

interface OutboxRow {
  cluster: string;
  seq: number | string;
  intent: string;
  acked_at: unknown;
  ack_uid: string | null;
  ack_resource_version: string | null;
  ack_error: string | null;
  revision?: number | string | null;
}

function toEntry(row: OutboxRow): OutboxEntry {
  const seq = Number(row.seq);
  const intent = { ...JSON.parse(row.intent), seq } as AgentIntent;
  let acked: AckOutcome | undefined;
  if (row.acked_at) {
    acked = row.ack_error !== null ? { error: row.ack_error } : { uid: row.ack_uid ?? '', resourceVersion: row.ack_resource_version ?? '' };
  }
  const revision = row.revision === null || row.revision === undefined ? undefined : Number(row.revision);
  return { cluster: row.cluster, seq, intent, ...(acked ? { acked } : {}), ...(revision !== undefined ? { revision } : {}) };
}

/** Tries of one enqueue when concurrent writers collide on a sequence number. */
const maxEnqueueAttempts = 20;

/** Most intents one read hands to a stream; the rest follow on the next read. */
export const outboxPageSize = 500;

/**
 * Intent for pull clusters, durable in the Backstage database until the cluster's agent
 * acknowledges it. Each cluster's entries are numbered 1, 2, 3, ... so that an agent resumes
 * after the last number it applied. Delivery is at least once: an entry is handed out again on
 * every new stream until it is acknowledged (the agent's apply is idempotent).
 *
 * Streams of this process are woken at once by {@link Outbox.onEnqueue}; intent stored by another
 * replica wakes them when PullStateSync reads it.
 */
export class Outbox {
  private readonly listeners = new Map<string, Set<() => void>>();

  constructor(private readonly db: Knex) {}

  /** Stores intent for `cluster` and returns its sequence number. */
  async enqueue(cluster: string, intent: NewIntent): Promise<number> {
    const target = intent.type === 'cancel' ? intent.operation : intent.object.metadata;
    for (let attempt = 0; ; attempt++) {
      try {
        const seq = await this.db.transaction(async tx => {
          // first: in PostgreSQL this also queues concurrent writers for the cluster
          const revision = await raiseClusterRevision(tx, cluster);
          const row = (await tx('fleet_outbox').where({ cluster }).max({ max: 'seq' }).first()) as
            | { max: number | string | null }
            | undefined;
          const next = Number(row?.max ?? 0) + 1;
          await tx('fleet_outbox').insert({
            cluster,
            seq: next,
            type: intent.type,
            namespace: target.namespace,
            name: target.name,
            intent: JSON.stringify(intent),
            revision: revision ?? null,
          });
          return next;
        });
        this.wake(cluster);
        return seq;
      } catch (error) {
        // two writers took the same number: the unique (cluster, seq) index refused one; retry
        if (attempt >= maxEnqueueAttempts) throw error;
        await new Promise(resolve => setTimeout(resolve, Math.random() * 10 * (attempt + 1)));
      }
    }
  }

  /** Unacknowledged entries of `cluster` after `afterSeq`, oldest first. */
  async pending(cluster: string, afterSeq = 0): Promise<OutboxEntry[]> {
    const rows: OutboxRow[] = await this.db('fleet_outbox')
      .where({ cluster })
      .whereNull('acked_at')
      .andWhere('seq', '>', afterSeq)
      .orderBy('seq', 'asc')
      .limit(outboxPageSize)
      .select();
    return rows.map(toEntry);
  }

  /** Records the outcome of an entry; the entry, or undefined when `cluster` has no entry `seq`. */
  async ack(cluster: string, seq: number, outcome: AckOutcome): Promise<OutboxEntry | undefined> {
    return this.db.transaction(async tx => {
      const row: OutboxRow | undefined = await tx('fleet_outbox').where({ cluster, seq }).first();
      if (!row) return undefined;
      // the first outcome stands: an agent that applied an entry twice acknowledges it twice
      if (row.acked_at) return toEntry(row);
      const revision = await raiseClusterRevision(tx, cluster);
      const update = {
        acked_at: new Date(),
        ack_uid: 'uid' in outcome ? outcome.uid : null,
        ack_resource_version: 'uid' in outcome ? outcome.resourceVersion : null,
        ack_error: 'error' in outcome ? outcome.error : null,
        revision: revision ?? row.revision ?? null,
      };
      await tx('fleet_outbox').where({ cluster, seq }).update(update);
      return toEntry({ ...row, ...update });
    });
  }

  /** Entries of `cluster` stored or acknowledged after cluster revision `revision`. */
  async changedSince(cluster: string, revision: number): Promise<OutboxEntry[]> {
    const rows: OutboxRow[] = await this.db('fleet_outbox')
      .where({ cluster })
      .andWhere('revision', '>', revision)
      .orderBy('seq', 'asc')
      .select();
    return rows.map(toEntry);
  }

  /** One entry of `cluster`, acknowledged or not. */
  async entry(cluster: string, seq: number): Promise<OutboxEntry | undefined> {
    const row: OutboxRow | undefined = await this.db('fleet_outbox').where({ cluster, seq }).first();
    return row && toEntry(row);
  }

  /** The newest `apply` entry for an Operation, acknowledged or not. */
  async findApply(cluster: string, namespace: string, name: string): Promise<OutboxEntry | undefined> {
    const row: OutboxRow | undefined = await this.db('fleet_outbox')
      .where({ cluster, namespace, name, type: 'apply' })
      .orderBy('seq', 'desc')
      .first();
    return row && toEntry(row);
  }

  /**
   * `apply` entries not yet acknowledged, or acknowledged with an error, of every cluster: the
   * Operations the store must show (pending or failed delivery) that no cluster reports.
   */
  async undelivered(): Promise<OutboxEntry[]> {
    const rows: OutboxRow[] = await this.db('fleet_outbox')
      .where({ type: 'apply' })
      .andWhere(q => q.whereNull('acked_at').orWhereNotNull('ack_error'))
      .orderBy('seq', 'asc')
      .select();
    return rows.map(toEntry);
  }

  /** Wakes the streams of `cluster` held here: it has intent they have not read. */
  wake(cluster: string): void {
    for (const listener of this.listeners.get(cluster) ?? []) listener();
  }

  /** Calls `listener` whenever intent for `cluster` is stored (here at once, by another replica on the next poll). */
  onEnqueue(cluster: string, listener: () => void): () => void {
    let set = this.listeners.get(cluster);
    if (!set) this.listeners.set(cluster, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(cluster);
    };
  }
}
