import type { agentReportSchema } from '@vworkspace/backstage-plugin-fleet-common';
import type { KubeObject } from '@vworkspace/kube-runtime';
import type { Knex } from 'knex';
import type { z } from 'zod';

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
export type ParsedReport = z.output<typeof agentReportSchema>;

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
   * what it does not name is recorded as deleted, and what it names unchanged is not written again.
   */
  async saveReport(report: ParsedReport): Promise<{ revision?: number; changed: ReportedState[] }> {
    const { cluster } = report;
    return this.db.transaction(async tx => {
      const revision = await raiseClusterRevision(tx, cluster);
      if (revision === undefined) return { changed: [] };
      const incoming = new Map<string, { kind: ReportedKind; object: KubeObject; json: string }>();
      const gone = new Map<string, { kind: ReportedKind; namespace: string; name: string }>();
      const reported = [
        ['instance', report.instances, report.deleted?.instances ?? []],
        ['operation', report.operations, report.deleted?.operations ?? []],
      ] as const;
      for (const [kind, objects, deleted] of reported) {
        for (const object of objects) {
          const json = storedJson(object as KubeObject);
          incoming.set(keyOf(kind, object.metadata.namespace, object.metadata.name), { kind, object: object as KubeObject, json });
        }
        for (const ref of deleted) gone.set(keyOf(kind, ref.namespace, ref.name), { kind, ...ref });
      }
      // a snapshot is compared with what is stored: only changes are written, and what it no
      // longer names is deleted
      const stored = new Map<string, string | null>();
      if (report.snapshot) {
        const rows: StateRow[] = await tx('fleet_pull_objects').where({ cluster }).select('kind', 'namespace', 'name', 'object');
        for (const row of rows) {
          const key = keyOf(row.kind, row.namespace, row.name);
          stored.set(key, row.object);
          if (row.object !== null && !incoming.has(key)) gone.set(key, { kind: row.kind as ReportedKind, namespace: row.namespace, name: row.name });
        }
      }

      const now = new Date();
      const changed: ReportedState[] = [];
      const upserts: Array<Record<string, unknown>> = [];
      const record = (kind: ReportedKind, namespace: string, name: string, object: KubeObject | null, json: string | null) => {
        upserts.push({ cluster, kind, namespace, name, object: json, revision, updated_at: now });
        changed.push({ cluster, kind, namespace, name, object, revision });
      };
      for (const [key, { kind, object, json }] of incoming) {
        const { namespace, name } = object.metadata as { namespace: string; name: string };
        if (stored.get(key) !== json) record(kind, namespace, name, object, json);
      }
      for (const { kind, namespace, name } of gone.values()) record(kind, namespace, name, null, null);
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
