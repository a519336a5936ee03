import type { AgentReport } from '@vworkspace/backstage-plugin-fleet-common';
import type { KubeObject } from '@vworkspace/kube-runtime';
import type { Knex } from 'knex';

/** The kinds an agent reports. */
export type ReportedKind = 'instance' | 'operation';

/** The latest state of one reported object; `object` is null once the cluster deleted it. */
export interface ReportedState {
  cluster: string;
  kind: ReportedKind;
  namespace: string;
  name: string;
  object: KubeObject | null;
  revision: number;
}

/** A report as the agent API parsed it. */
export type ParsedReport = Omit<AgentReport, 'deleted'> & {
  deleted?: { instances: Array<{ namespace: string; name: string }>; operations: Array<{ namespace: string; name: string }> };
};

interface StateRow {
  cluster: string;
  kind: string;
  namespace: string;
  name: string;
  object: string | null;
  revision: number | string;
}

/** Rows written per statement: well under every dialect's limit on bound parameters. */
const batchSize = 200;

function toState(row: StateRow): ReportedState {
  return {
    cluster: row.cluster,
    kind: row.kind as ReportedKind,
    namespace: row.namespace,
    name: row.name,
    object: row.object === null ? null : (JSON.parse(row.object) as KubeObject),
    revision: Number(row.revision),
  };
}

/** What is kept of a reported object: all of it but the field managers' bookkeeping. */
function storedJson(object: KubeObject): string {
  if (!object.metadata?.managedFields) return JSON.stringify(object);
  const { managedFields: _dropped, ...metadata } = object.metadata;
  return JSON.stringify({ ...object, metadata });
}

const keyOf = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

/**
 * Raises a pull cluster's revision inside `tx` and returns it (undefined for a cluster that is
 * not registered). In PostgreSQL the update holds the cluster's row lock until `tx` ends, so the
 * writes about one cluster commit in revision order: a replica that has read every change up to
 * revision r has missed none below it.
 */
export async function raiseClusterRevision(tx: Knex.Transaction, cluster: string): Promise<number | undefined> {
  const rows = (await tx('fleet_pull_clusters').where({ name: cluster }).increment('revision', 1).returning('revision')) as Array<{
    revision: number | string;
  }>;
  return rows.length > 0 ? Number(rows[0].revision) : undefined;
}

/**
 * What pull clusters reported, in the Backstage database, so that every replica serves it and a
 * restarted backend has it before the agents report again; and which replica holds which agent
 * streams, so that every replica knows whether a cluster is connected.
 */
export class PullStateRepository {
  constructor(private readonly db: Knex) {}

  /**
   * Stores a report and returns the states it changed, with the cluster revision it took
   * (undefined for a cluster that is not registered). A snapshot replaces the cluster's state:
   * what it does not name is recorded as deleted. Unchanged objects are not written again.
   */
  async saveReport(report: ParsedReport): Promise<{ revision?: number; changed: ReportedState[] }> {
    const { cluster } = report;
    return this.db.transaction(async tx => {
      const revision = await raiseClusterRevision(tx, cluster);
      if (revision === undefined) return { changed: [] };
      const incoming = new Map<string, { kind: ReportedKind; object: KubeObject; json: string }>();
      for (const object of report.instances) {
        incoming.set(keyOf('instance', object.metadata.namespace, object.metadata.name), { kind: 'instance', object: object as KubeObject, json: storedJson(object as KubeObject) });
      }
      for (const object of report.operations) {
        incoming.set(keyOf('operation', object.metadata.namespace, object.metadata.name), { kind: 'operation', object: object as KubeObject, json: storedJson(object as KubeObject) });
      }
      const gone = new Map<string, { kind: ReportedKind; namespace: string; name: string }>();
      for (const ref of report.deleted?.instances ?? []) gone.set(keyOf('instance', ref.namespace, ref.name), { kind: 'instance', ...ref });
      for (const ref of report.deleted?.operations ?? []) gone.set(keyOf('operation', ref.namespace, ref.name), { kind: 'operation', ...ref });

      const current = new Map<string, string | null>();
      const rows: StateRow[] = report.snapshot
        ? await tx('fleet_pull_objects').where({ cluster }).select('kind', 'namespace', 'name', 'object')
        : [];
      for (const row of rows) current.set(keyOf(row.kind, row.namespace, row.name), row.object);
      if (report.snapshot) {
        for (const row of rows) {
          const key = keyOf(row.kind, row.namespace, row.name);
          if (row.object !== null && !incoming.has(key)) gone.set(key, { kind: row.kind as ReportedKind, namespace: row.namespace, name: row.name });
        }
      }

      const now = new Date();
      const changed: ReportedState[] = [];
      const upserts: Array<Record<string, unknown>> = [];
      for (const [key, { kind, object, json }] of incoming) {
        if (current.get(key) === json) continue;
        const { namespace, name } = object.metadata as { namespace: string; name: string };
        upserts.push({ cluster, kind, namespace, name, object: json, revision, updated_at: now });
        changed.push({ cluster, kind, namespace, name, object, revision });
      }
      for (const { kind, namespace, name } of gone.values()) {
        upserts.push({ cluster, kind, namespace, name, object: null, revision, updated_at: now });
        changed.push({ cluster, kind, namespace, name, object: null, revision });
      }
      for (let i = 0; i < upserts.length; i += batchSize) {
        await tx('fleet_pull_objects')
          .insert(upserts.slice(i, i + batchSize))
          .onConflict(['cluster', 'kind', 'namespace', 'name'])
          .merge(['object', 'revision', 'updated_at']);
      }
      return { revision, changed };
    });
  }

  /** Every cluster's revision. */
  async revisions(): Promise<Map<string, number>> {
    const rows: Array<{ name: string; revision: number | string }> = await this.db('fleet_pull_clusters').select('name', 'revision');
    return new Map(rows.map(row => [row.name, Number(row.revision)]));
  }

  /** States of `cluster` written after `revision` (deletions included). */
  async changedSince(cluster: string, revision: number): Promise<ReportedState[]> {
    const rows: StateRow[] = await this.db('fleet_pull_objects').where({ cluster }).andWhere('revision', '>', revision).select();
    return rows.map(toState);
  }

  /** Every object pull clusters reported and still hold. */
  async all(): Promise<ReportedState[]> {
    const rows: StateRow[] = await this.db('fleet_pull_objects').whereNotNull('object').select();
    return rows.map(toState);
  }

  /** Forgets deletions older than `before` (every replica has long applied them). */
  async pruneDeletions(before: Date): Promise<number> {
    return this.db('fleet_pull_objects').whereNull('object').andWhere('updated_at', '<', before).delete();
  }

  /** Records that `replica` holds `streams` agent streams of `cluster` (none: forgets the row). */
  async recordStreams(cluster: string, replica: string, streams: number, at = new Date()): Promise<void> {
    if (streams === 0) {
      await this.db('fleet_pull_sessions').where({ cluster, replica }).delete();
      return;
    }
    await this.db('fleet_pull_sessions')
      .insert({ cluster, replica, streams, seen_at: at })
      .onConflict(['cluster', 'replica'])
      .merge(['streams', 'seen_at']);
  }

  /** Per cluster, when another replica than `replica` last heard from its agent, if after `since`. */
  async heardElsewhere(replica: string, since: Date): Promise<Map<string, Date>> {
    const rows = (await this.db('fleet_pull_sessions')
      .whereNot({ replica })
      .andWhere('seen_at', '>', since)
      .groupBy('cluster')
      .select('cluster')
      .max({ seen: 'seen_at' })) as Array<{ cluster: string; seen: Date | string | number }>;
    return new Map(rows.map(row => [row.cluster, new Date(row.seen)]));
  }
}
