/* Figures for pull mode at fleet scale: BENCH_AGENTS kube-sim clusters, each joined as a pull
 * cluster and reported by the operator's real ControlPlaneAgent (many agents per process), to
 * ONE backend replica on PostgreSQL. Prints the time until every cluster is connected and every
 * instance reported, the backend's RSS, p50/p99 from an Operation request to the agent's
 * acknowledgement (seen on the SSE stream), and, after the backend is killed with SIGKILL and
 * started again on the same database, the time until the fleet is whole again.
 * Run with `npm run pull-mode --workspace @vworkspace/bench` (see bench/pull-mode/README.md).
 * Environment: BENCH_AGENTS (default 500), BENCH_INSTANCES (per cluster, default 50),
 * BENCH_OPERATIONS (default 300), BENCH_CONCURRENCY (Operation requests in flight, default 20),
 * BENCH_CLUSTERS_PER_SIM (clusters per kube-sim process, default 250), BENCH_AGENTS_PER_PROCESS
 * (default 250), BENCH_IDLE_SECONDS (default 10), BENCH_PROFILE_DIR (CPU profiles of the backend per
 * phase), BENCH_SQL_LOG=1 (SQL statements per phase), BENCH_DB_POOL_MAX (the backend's
 * database pool; default knex's 10), BENCH_BACKEND_NODE_ARGS (extra node
 * options of the backend processes). */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import type { OperationSummary } from '@vworkspace/backstage-plugin-fleet-common';
// the throwaway server the plugin's tests use; not part of the plugin's exports, hence the path
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import {
  startPostgres,
  TestPostgres,
} from '../../plugins/fleet-backend/src/__testUtils__/postgres';
import type { AgentSpec } from './agents';
import { cpuByRole, isStopping, stopChildren, track } from './children';
import { fleetState, FleetApi, followDeliveries, register } from './FleetApi';
import { freePort } from '../../plugins/fleet-backend/src/demo/freePort';
import {
  load,
  mib,
  ms,
  percentile,
  pool,
  report,
  seconds,
  until,
} from '../common/measure';
import { PostgresProbe } from './postgresProbe';
import { rssOf } from '../common/procStats';
import { instanceName, namespaces, populate, startSim } from './simClusters';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 500);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 50);
const OPERATIONS = Number(process.env.BENCH_OPERATIONS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const CLUSTERS_PER_SIM = Number(process.env.BENCH_CLUSTERS_PER_SIM ?? 250);
const AGENTS_PER_PROCESS = Number(process.env.BENCH_AGENTS_PER_PROCESS ?? 250);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const root = join(__dirname, '../..');
/** Set when the backend process ends unasked: nothing will answer any more. */
let backendGone: string | undefined;

/** Waits as {@link until} does, giving up at once when the backend has ended. */
const waitFor = (
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
) => until(check, timeoutMs, what, () => backendGone);

/** The PostgreSQL server's CPU and (with BENCH_SQL_LOG=1) statements, per phase. */
let database: PostgresProbe | undefined;

/** What a phase of the bench used: CPU per process role, and SQL statements when they are logged. */
function startPhase(): { end: (wallMs: number) => void } {
  const cpu = cpuByRole();
  const databaseCpu = database?.cpuSeconds() ?? 0;
  const sqlMark = database?.mark();
  const activity = database?.activity();
  return {
    end(wallMs) {
      const after = cpuByRole();
      const used = (['backend', 'agents', 'kube-sim'] as const).map(role =>
        (after[role] - cpu[role]).toFixed(1),
      );
      used.push(((database?.cpuSeconds() ?? 0) - databaseCpu).toFixed(1));
      report(
        '  CPU seconds in this phase: backend / agents / kube-sim / PostgreSQL (wall)',
        `${used.join(' / ')} (${seconds(wallMs)})`,
      );
      if (database && activity) {
        const now = database.activity();
        const samples = now.samples - activity.samples;
        const mean = (
          key: 'open' | 'active' | 'waitingForLock' | 'idleInTransaction',
        ) =>
          samples > 0 ? ((now[key] - activity[key]) / samples).toFixed(1) : '-';
        report(
          '  fleet DB connections, mean: open / running / waiting on a lock / idle in tx',
          `${mean('open')} / ${mean('active')} / ${mean(
            'waitingForLock',
          )} / ${mean('idleInTransaction')} (${samples} samples)`,
        );
      }
      if (!database || sqlMark === undefined) return;
      const { total, shapes } = database.since(sqlMark);
      report('  SQL statements in this phase (all kinds)', String(total));
      for (const [shape, count] of shapes.slice(0, 8))
        process.stdout.write(`    ${String(count).padStart(7)}  ${shape}\n`);
    },
  };
}

/** What the backend says at the end of a phase (see backend.ts). */
interface PhaseFigures {
  loopP50: number;
  loopP99: number;
  loopMax: number;
  profile?: string;
}

/** A backend process (bench/pull-mode/backend.ts) on `port`, with its config file. */
async function startBackend(configFile: string, port: number) {
  backendGone = undefined;
  const child = spawn(
    process.execPath,
    [
      // e.g. BENCH_BACKEND_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the backend
      ...(process.env.BENCH_BACKEND_NODE_ARGS?.split(' ').filter(Boolean) ??
        []),
      join(root, 'packages/kube-sim/bin/run-ts'),
      join(__dirname, 'backend.ts'),
      '--config',
      configFile,
    ],
    {
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  createInterface({ input: child.stderr! }).on('line', line => {
    if (!isStopping()) process.stderr.write(`${line}\n`);
  });
  let killed = false;
  const exited = track(child, 'backend', 'the backend').then(code => {
    if (!killed) backendGone = `the backend exited with ${code}`;
    return code;
  });
  const spawnedAt = Date.now();
  let phaseEnded: ((figures: PhaseFigures) => void) | undefined;
  const startedAt = await new Promise<number>((resolve, reject) => {
    // once started, a later exit settles nothing here
    void exited.then(code =>
      reject(new Error(`the backend exited with ${code} while starting`)),
    );
    createInterface({ input: child.stdout! }).on('line', line => {
      if (line.startsWith('started '))
        resolve(Number(line.slice('started '.length)));
      else if (line.startsWith('phase '))
        phaseEnded?.(JSON.parse(line.slice('phase '.length)) as PhaseFigures);
      // (its log goes to stdout; requests still queued when it shuts down at the end answer 503)
      else if (!line.startsWith('starting ') && !isStopping())
        process.stdout.write(`  backend: ${line}\n`);
    });
  });
  return {
    port,
    spawnedAt,
    startedAt,
    rss: () => rssOf(child.pid),
    /**
     * Ends a phase in the backend (see backend.ts) and prints its event loop's delay during it
     * and, with BENCH_PROFILE_DIR, where its CPU profile went; `quiet` only starts a new one.
     */
    endPhase: async (phase: string, quiet = false) => {
      const figures = await new Promise<PhaseFigures>(resolve => {
        phaseEnded = resolve;
        child.kill('SIGUSR2');
      });
      if (quiet) return;
      report(
        '  backend event loop delay: p50 / p99 / max',
        `${[figures.loopP50, figures.loopP99, figures.loopMax]
          .map(value => value.toFixed(1))
          .join(' / ')} ms`,
      );
      if (figures.profile)
        report(`  CPU profile of the backend (${phase})`, figures.profile);
    },
    /** A crash: no shutdown hooks, open streams cut. */
    crash: async () => {
      killed = true;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Requests `count` Backup Operations, `concurrency` at a time, spread over the clusters, and
 * waits until the SSE follower has seen each delivered. Latencies in ms, sorted.
 */
async function requestOperations(
  api: FleetApi,
  specs: AgentSpec[],
  delivered: Map<string, number>,
  count: number,
  concurrency: number,
  offset: number,
): Promise<{
  requested: number;
  answered: number[];
  toAck: number[];
  answerToAck: number[];
  failures: string[];
}> {
  /** When each Operation was requested, and when its 202 came. */
  const requested = new Map<string, { started: number; answeredAt: number }>();
  const failures: string[] = [];
  const answered: number[] = [];
  await pool(count, concurrency, async j => {
    const k = offset + j;
    const i = (k * 13) % INSTANCES;
    const started = performance.now();
    const res = await api.post('/fleet/operations', {
      cluster: specs[(k * 7) % specs.length].cluster,
      namespace: namespaces[i % namespaces.length],
      instance: instanceName(i),
      type: 'Backup',
    });
    if (res.status !== 202) {
      failures.push(`HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
      return;
    }
    const answeredAt = performance.now();
    answered.push(answeredAt - started);
    const op = (await res.json()) as OperationSummary;
    requested.set(`${op.cluster}/${op.namespace}/${op.name}`, {
      started,
      answeredAt,
    });
  });
  await waitFor(
    async () => [...requested.keys()].every(key => delivered.has(key)),
    60_000,
    'every Operation acknowledged',
  ).catch(error => failures.push(String(error)));
  const seen = [...requested].flatMap(([key, times]) =>
    delivered.has(key) ? [{ ...times, deliveredAt: delivered.get(key)! }] : [],
  );
  const sorted = (values: number[]) => values.sort((a, b) => a - b);
  return {
    requested: requested.size,
    answered: sorted(answered),
    toAck: sorted(seen.map(t => t.deliveredAt - t.started)),
    answerToAck: sorted(seen.map(t => t.deliveredAt - t.answeredAt)),
    failures,
  };
}

/**
 * Waits until every pull cluster is connected and the store holds every instance; the ms from
 * `from` until the store first held them all, until all were first connected, and until both.
 */
async function waitForWholeFleet(
  api: FleetApi,
  from: number,
  what: string,
): Promise<{ instancesMs: number; connectedMs: number; wholeMs: number }> {
  const total = AGENTS * INSTANCES;
  let instancesAt: number | undefined;
  let connectedAt: number | undefined;
  let lastPrint = Date.now();
  await waitFor(
    async () => {
      const state = await fleetState(api);
      const now = Date.now();
      if (state.instances === total) instancesAt ??= now;
      if (state.connected === AGENTS) connectedAt ??= now;
      if (now - lastPrint > 10_000) {
        lastPrint = now;
        process.stdout.write(
          `  ${what}: ${state.connected} connected, ${
            state.instances
          } instances after ${seconds(now - from)}\n`,
        );
      }
      return state.connected === AGENTS && state.instances === total;
    },
    600_000,
    `${AGENTS} connected clusters and ${total} instances (${what})`,
  );
  return {
    instancesMs: instancesAt! - from,
    connectedMs: connectedAt! - from,
    wholeMs: Date.now() - from,
  };
}

async function main(): Promise<void> {
  report(
    'agents (clusters) × instances / operations / concurrency',
    `${AGENTS} × ${INSTANCES} / ${OPERATIONS} / ${CONCURRENCY}`,
  );
  report('load average at start (1, 5, 15 min)', load());
  const dir = mkdtempSync(join(tmpdir(), 'bench-pull-mode-'));
  let postgres: TestPostgres | undefined;
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    void stopChildren().finally(async () => {
      await database?.close().catch(() => undefined);
      await postgres?.stop();
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    postgres = await startPostgres();
    database = await PostgresProbe.attach(postgres, {
      logStatements: process.env.BENCH_SQL_LOG === '1',
    });

    // 1. The clusters, each with the fleet's CRDs and INSTANCES ApplicationInstances (not measured).
    const setupStart = performance.now();
    const sims = Math.ceil(AGENTS / CLUSTERS_PER_SIM);
    const clusters = (
      await Promise.all(
        Array.from({ length: sims }, (_, s) =>
          startSim(
            root,
            dir,
            `pull${s + 1}`,
            Math.min(CLUSTERS_PER_SIM, AGENTS - s * CLUSTERS_PER_SIM),
          ),
        ),
      )
    ).flat();
    await pool(clusters.length, 25, i => populate(clusters[i], INSTANCES));
    report(
      `setup: ${clusters.length} clusters in ${sims} kube-sim process(es), ${
        AGENTS * INSTANCES
      } instances written`,
      seconds(performance.now() - setupStart),
    );

    // 2. One backend replica on the PostgreSQL database.
    const port = await freePort();
    const configFile = join(dir, 'app-config.yaml');
    writeFileSync(
      configFile,
      stringify({
        app: { baseUrl: 'http://localhost:3000' },
        backend: {
          baseUrl: `http://127.0.0.1:${port}`,
          listen: { host: '127.0.0.1', port },
          database: {
            client: 'pg',
            connection: postgres.connection,
            // knex's default pool (10 connections) unless BENCH_DB_POOL_MAX says otherwise
            ...(process.env.BENCH_DB_POOL_MAX
              ? {
                  knexConfig: {
                    pool: { max: Number(process.env.BENCH_DB_POOL_MAX) },
                  },
                }
              : {}),
          },
        },
        // the bench's user; `dangerously...` because the backend does not run with NODE_ENV=development
        auth: {
          providers: { guest: { dangerouslyAllowOutsideDevelopment: true } },
        },
        // the demo app catalog bundled with the plugin: it offers Backup for the apps written above
        fleet: {
          appCatalog: {
            files: [join(root, 'plugins/fleet-backend/catalog/demo-apps.yaml')],
          },
        },
      }),
      { mode: 0o600 },
    );
    let backend = await startBackend(configFile, port);
    report(
      'backend: process spawned → started',
      seconds(backend.startedAt - backend.spawnedAt),
    );
    const api = new FleetApi(`http://127.0.0.1:${port}/api`);

    // 3. The pull clusters, registered through the API as an admin would (not measured).
    const registerStart = performance.now();
    const specs: AgentSpec[] = [];
    let lateRegistrations = 0;
    for (const { name, kubeconfig } of clusters) {
      const { token, late } = await register(api, name);
      if (late) lateRegistrations++;
      specs.push({ cluster: name, kubeconfig, token });
    }
    report(
      `setup: ${clusters.length} pull clusters registered (POST /fleet/clusters, one at a time)`,
      seconds(performance.now() - registerStart),
    );
    if (lateRegistrations > 0) {
      report(
        '  registrations answered 404 although stored (token rotated to recover)',
        String(lateRegistrations),
      );
    }

    // 4. The agents, AGENTS_PER_PROCESS to a process.
    await backend.endPhase('setup', true);
    const agentsStart = Date.now();
    const firstPhase = startPhase();
    const processes = Math.ceil(specs.length / AGENTS_PER_PROCESS);
    const agentPids: Array<number | undefined> = [];
    const agentsLoaded: Array<Promise<number>> = [];
    for (let p = 0; p < processes; p++) {
      const file = join(dir, `agents-${p + 1}.json`);
      writeFileSync(
        file,
        JSON.stringify(
          specs.slice(p * AGENTS_PER_PROCESS, (p + 1) * AGENTS_PER_PROCESS),
        ),
        { mode: 0o600 },
      );
      const child = spawn(
        process.execPath,
        [
          join(root, 'packages/kube-sim/bin/run-ts'),
          join(__dirname, 'agents.ts'),
          file,
        ],
        {
          env: {
            ...process.env,
            BENCH_CONTROL_PLANE: `http://127.0.0.1:${port}`,
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      void track(child, 'agents', `agent process ${p + 1}`);
      agentPids.push(child.pid);
      agentsLoaded.push(
        new Promise(resolve =>
          createInterface({ input: child.stdout! }).once('line', () =>
            resolve(Date.now()),
          ),
        ),
      );
    }
    const first = await waitForWholeFleet(api, agentsStart, 'first report');
    report(
      `agents spawned (${processes} process(es)) → code loaded, agents running`,
      seconds(Math.max(...(await Promise.all(agentsLoaded))) - agentsStart),
    );
    report(
      `agents spawned → all connected, ${
        AGENTS * INSTANCES
      } instances in the store`,
      seconds(first.wholeMs),
    );
    firstPhase.end(first.wholeMs);
    report('  load average then', load());
    await backend.endPhase('first report');
    report(
      'backend RSS with every agent connected (target < 1 GB)',
      mib(backend.rss()),
    );
    report(
      'agent processes RSS',
      agentPids.map(pid => mib(rssOf(pid))).join(', '),
    );

    // 5. Nothing happening: what holding AGENTS streams costs (heartbeats, polls, the agents' checks).
    const idlePhase = startPhase();
    await new Promise(resolve => setTimeout(resolve, IDLE_SECONDS * 1000));
    report(`idle, every agent connected, for ${IDLE_SECONDS} s`, '');
    idlePhase.end(IDLE_SECONDS * 1000);
    await backend.endPhase('idle');

    // 6. Operations: request → acknowledged by the agent (delivery `delivered` on the SSE stream),
    // first one at a time (the latency without queueing), then CONCURRENCY at a time.
    const sse = new AbortController();
    const delivered = await followDeliveries(api, sse.signal);
    const serial = Math.min(20, OPERATIONS);
    for (const [count, concurrency, offset] of [
      [serial, 1, 0],
      [OPERATIONS, CONCURRENCY, serial],
    ]) {
      const started = performance.now();
      const phase = startPhase();
      const result = await requestOperations(
        api,
        specs,
        delivered,
        count,
        concurrency,
        offset,
      );
      const wall = performance.now() - started;
      report(
        `${count} Operations, ${concurrency} at a time: requested (202) / acknowledged / failed`,
        `${result.requested} / ${result.toAck.length} / ${result.failures.length}`,
      );
      if (result.failures.length > 0)
        report('  first failure', result.failures[0]);
      const { answered, toAck } = result;
      report(
        '  POST /fleet/operations answered (202): p50 / p99',
        `${ms(percentile(answered, 50))} / ${ms(percentile(answered, 99))}`,
      );
      report(
        '  request → delivered on SSE: p50 / p99 (target p99 < 1 s)',
        `${ms(percentile(toAck, 50))} / ${ms(percentile(toAck, 99))}`,
      );
      report(
        '  of which 202 answered → delivered on SSE: p50 / p99',
        `${ms(percentile(result.answerToAck, 50))} / ${ms(
          percentile(result.answerToAck, 99),
        )}`,
      );
      phase.end(wall);
      await backend.endPhase(`${count} Operations, ${concurrency} at a time`);
    }
    sse.abort();
    report('  load average then', load());
    report(
      'backend RSS after the Operations (target < 1 GB)',
      mib(backend.rss()),
    );

    // 7. A crash: SIGKILL, then the same backend again on the same database and port.
    await backend.crash();
    const restartAt = Date.now();
    const restartPhase = startPhase();
    backend = await startBackend(configFile, port);
    report(
      'backend killed (SIGKILL) and spawned again → started',
      seconds(backend.startedAt - restartAt),
    );
    const again = await waitForWholeFleet(api, restartAt, 're-report');
    report(
      `  spawned again → ${AGENTS * INSTANCES} instances in the store again`,
      seconds(again.instancesMs),
    );
    report(
      `  spawned again → all ${AGENTS} clusters connected again (each re-reported first)`,
      seconds(again.connectedMs),
    );
    report('  spawned again → both (target < 30 s)', seconds(again.wholeMs));
    report(
      '  of which started → both (reconnect backoff of the agents, their reports)',
      seconds(restartAt + again.wholeMs - backend.startedAt),
    );
    restartPhase.end(again.wholeMs);
    report('  load average then', load());
    await backend.endPhase('restart and re-report');
    report('backend RSS after the re-report', mib(backend.rss()));
  } finally {
    if (!interrupted) {
      await stopChildren();
      await database?.close().catch(() => undefined);
      await postgres?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().then(
  () => process.exit(0),
  err => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
