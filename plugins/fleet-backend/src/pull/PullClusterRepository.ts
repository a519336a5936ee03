import type { DatabaseService } from '@backstage/backend-plugin-api';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { ClusterDefinition, ClusterSupplier } from '@vworkspace/backstage-plugin-fleet-node';
import type { Knex } from 'knex';
import { hashJoinToken, newJoinToken } from './joinToken';

/** Tokens remembered at most (one per cluster, a few more during rotations). */
const maxCachedTokens = 10_000;

const migrationsDir = resolvePackagePath('@vworkspace/backstage-plugin-fleet-backend', 'migrations');

/** Runs the plugin's knex migrations (unless the database service says to skip them). */
export async function migrateFleetDatabase(database: DatabaseService): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    await client.migrate.latest({ directory: migrationsDir, tableName: 'fleet_knex_migrations' });
  }
  return client;
}

interface ClusterRow {
  name: string;
  title: string;
  labels: string;
  token_hash: string | null;
}

/** A pull cluster as registered. */
export interface PullCluster {
  name: string;
  title: string;
  labels: Record<string, string>;
  /** False once its token was revoked (until a new one is issued). */
  hasToken: boolean;
}

function toCluster(row: ClusterRow): PullCluster {
  return { name: row.name, title: row.title, labels: JSON.parse(row.labels), hasToken: !!row.token_hash };
}

/**
 * Registered pull clusters and their join tokens, in the Backstage database. Supplies the
 * clusters to the registry like any other source, so a registration outlives the process and
 * every replica sees it.
 */
export class PullClusterRepository implements ClusterSupplier {
  readonly id = 'pull-clusters';

  /** Recent answers of {@link clusterOfToken}, by token hash. */
  private readonly tokenCache = new Map<string, { cluster: string; at: number }>();

  constructor(private readonly db: Knex) {}

  async getClusters(): Promise<ClusterDefinition[]> {
    const rows: ClusterRow[] = await this.db('fleet_pull_clusters').select();
    return rows.map(row => {
      const c = toCluster(row);
      return { name: c.name, title: c.title, labels: c.labels, mode: 'pull' as const };
    });
  }

  async get(name: string): Promise<PullCluster | undefined> {
    const row: ClusterRow | undefined = await this.db('fleet_pull_clusters').where({ name }).first();
    return row && toCluster(row);
  }

  /** Registers a cluster and returns its first join token; undefined when the name is taken. */
  async register(cluster: { name: string; title: string; labels: Record<string, string> }): Promise<string | undefined> {
    const token = newJoinToken(cluster.name);
    try {
      await this.db('fleet_pull_clusters').insert({
        name: cluster.name,
        title: cluster.title,
        labels: JSON.stringify(cluster.labels),
        token_hash: hashJoinToken(token),
        token_issued_at: new Date(),
      });
    } catch (error) {
      // a unique violation, whatever the dialect calls it: the name is taken
      if (await this.get(cluster.name)) return undefined;
      throw error;
    }
    return token;
  }

  /** Issues a new token (the old one stops working at once); undefined for an unknown cluster. */
  async rotateToken(name: string): Promise<string | undefined> {
    this.forgetTokensOf(name);
    const token = newJoinToken(name);
    const updated = await this.db('fleet_pull_clusters')
      .where({ name })
      .update({ token_hash: hashJoinToken(token), token_issued_at: new Date() });
    return updated > 0 ? token : undefined;
  }

  /** Revokes the token; false for an unknown cluster. */
  async revokeToken(name: string): Promise<boolean> {
    this.forgetTokensOf(name);
    const updated = await this.db('fleet_pull_clusters').where({ name }).update({ token_hash: null, token_issued_at: null });
    return updated > 0;
  }

  private forgetTokensOf(cluster: string): void {
    for (const [hash, entry] of this.tokenCache) if (entry.cluster === cluster) this.tokenCache.delete(hash);
  }

  /**
   * The cluster a token belongs to, or undefined when no cluster holds it (unknown, rotated or
   * revoked). With `maxAgeMs`, an answer read that recently may be reused: an agent's every ack
   * and report then costs no query. Rotations and revocations through this repository take
   * effect at once; those through another replica after at most `maxAgeMs`.
   */
  async clusterOfToken(token: string, options: { maxAgeMs?: number } = {}): Promise<string | undefined> {
    const hash = hashJoinToken(token);
    const cached = this.tokenCache.get(hash);
    if (cached && options.maxAgeMs && Date.now() - cached.at <= options.maxAgeMs) return cached.cluster;
    const row: { name: string } | undefined = await this.db('fleet_pull_clusters').where({ token_hash: hash }).first('name');
    if (row) {
      if (this.tokenCache.size >= maxCachedTokens) this.tokenCache.clear();
      this.tokenCache.set(hash, { cluster: row.name, at: Date.now() });
    } else this.tokenCache.delete(hash);
    return row?.name;
  }
}
