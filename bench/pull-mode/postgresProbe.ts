/* What the bench's throwaway PostgreSQL server does per phase: the CPU time of its processes,
 * what the fleet plugin's connections are doing (sampled from pg_stat_activity every 100 ms),
 * and, with BENCH_SQL_LOG=1, the statements the backend sends (log_statement = all, which costs
 * the server some CPU, so it is off by default), counted by shape. */
import knexFactory, { Knex } from 'knex';
import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { cpuSecondsOf } from '../common/procStats';
// the throwaway server the plugin's tests use; not part of the plugin's exports, hence the path
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import type { TestPostgres } from '../../plugins/fleet-backend/src/__testUtils__/postgres';

/** The database Backstage gives the fleet plugin (one database per plugin). */
const fleetDatabase = 'backstage_plugin_fleet';

/** Sums over the samples of pg_stat_activity taken so far. */
export interface ActivitySums {
  samples: number;
  /** Connections of the fleet plugin (open in its pool). */
  open: number;
  /** Of those, running a statement... */
  active: number;
  /** ...of which waiting for a lock another transaction holds. */
  waitingForLock: number;
  /** Inside a transaction, between statements (the backend's turn). */
  idleInTransaction: number;
  maxOpen: number;
}

/** A statement as logged, without its literals: one line per kind of query. */
export function statementShape(logged: string): string {
  return logged
    .replace(/'(?:[^']|'')*'/g, "'…'")
    .replace(/\$\d+/g, '?')
    .replace(/\b\d+\b/g, 'N')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 110);
}

/** The server's processes (the postmaster and its children), its activity and its statement log. */
export class PostgresProbe {
  /** CPU seconds of the server processes seen at the last look, by pid. */
  private lastSeen = new Map<number, number>();
  /** CPU seconds of the server processes that ended since the first look. */
  private endedSeconds = 0;
  private readonly sums: ActivitySums = {
    samples: 0,
    open: 0,
    active: 0,
    waitingForLock: 0,
    idleInTransaction: 0,
    maxOpen: 0,
  };
  private readonly sampler: NodeJS.Timeout;
  private sampling = false;

  private constructor(
    private readonly db: Knex,
    private readonly dataDirectory: string,
    private readonly logging: boolean,
  ) {
    this.sampler = setInterval(() => {
      if (this.sampling) return;
      this.sampling = true;
      this.sample()
        .catch(() => undefined) // the fleet database may not exist yet
        .finally(() => {
          this.sampling = false;
        });
    }, 100);
  }

  /** Finds the server of `postgres`; with `logStatements`, turns statement logging on. */
  static async attach(
    postgres: TestPostgres,
    options: { logStatements: boolean },
  ): Promise<PostgresProbe> {
    const db = knexFactory({
      client: 'pg',
      connection: postgres.connection,
      pool: { min: 1, max: 1 },
    });
    if (options.logStatements) {
      await db.raw("ALTER SYSTEM SET log_statement = 'all'");
      await db.raw('SELECT pg_reload_conf()');
    }
    const result = await db.raw('SHOW data_directory');
    const dataDirectory = (result.rows as Array<{ data_directory: string }>)[0]
      .data_directory;
    return new PostgresProbe(db, dataDirectory, options.logStatements);
  }

  /** Stops sampling and closes the probe's connection. */
  async close(): Promise<void> {
    clearInterval(this.sampler);
    await this.db.destroy();
  }

  private async sample(): Promise<void> {
    const result = await this.db.raw(
      `select state, wait_event_type, count(*)::int as n from pg_stat_activity
       where datname = ? group by state, wait_event_type`,
      [fleetDatabase],
    );
    const rows = result.rows as Array<{
      state: string | null;
      wait_event_type: string | null;
      n: number;
    }>;
    let open = 0;
    for (const row of rows) {
      open += row.n;
      if (row.state === 'active') this.sums.active += row.n;
      if (row.state === 'active' && row.wait_event_type === 'Lock')
        this.sums.waitingForLock += row.n;
      if (row.state?.startsWith('idle in transaction'))
        this.sums.idleInTransaction += row.n;
    }
    this.sums.samples++;
    this.sums.open += open;
    this.sums.maxOpen = Math.max(this.sums.maxOpen, open);
  }

  /** The sums so far, to subtract from later ones. */
  activity(): ActivitySums {
    return { ...this.sums };
  }

  cpuSeconds(): number {
    const postmaster = Number(
      readFileSync(join(this.dataDirectory, 'postmaster.pid'), 'utf8').split(
        '\n',
      )[0],
    );
    const seen = new Map<number, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.split(') ')[1].split(' ')[1]);
        if (Number(entry) === postmaster || ppid === postmaster)
          seen.set(Number(entry), cpuSecondsOf(Number(entry)));
      } catch {
        // ended meanwhile
      }
    }
    // a connection's server process ends with it (a killed backend's): keep what it had used
    for (const [pid, used] of this.lastSeen) {
      if (!seen.has(pid)) this.endedSeconds += used;
    }
    this.lastSeen = seen;
    let sum = this.endedSeconds;
    for (const used of seen.values()) sum += used;
    return sum;
  }

  /** startPostgres keeps the server's log next to its data directory. */
  private get logFile(): string {
    return join(dirname(this.dataDirectory), 'log');
  }

  /** Where the statement log ends now; undefined without statement logging. */
  mark(): number | undefined {
    return this.logging ? statSync(this.logFile).size : undefined;
  }

  /** Statements logged since `from`, by shape, most frequent first. */
  since(from: number): { total: number; shapes: Array<[string, number]> } {
    const size = statSync(this.logFile).size - from;
    const buffer = Buffer.alloc(Math.max(0, size));
    const fd = openSync(this.logFile, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, from);
    } finally {
      closeSync(fd);
    }
    const counts = new Map<string, number>();
    let total = 0;
    for (const line of buffer.toString('utf8').split('\n')) {
      // simple protocol: "statement: ..."; extended protocol (pg's parameterised queries): "execute <name>: ..."
      const match = /LOG: {2}(?:statement|execute [^:]*): (.*)$/.exec(line);
      if (!match) continue;
      const shape = statementShape(match[1]);
      counts.set(shape, (counts.get(shape) ?? 0) + 1);
      total++;
    }
    return { total, shapes: [...counts].sort((a, b) => b[1] - a[1]) };
  }
}
