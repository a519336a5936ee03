/* Figures for the fleet backend plugin against many kube-sim clusters: time from backend start
 * to a complete fleet store, p50/p99 latency of `GET /api/fleet/instances` (filtered, one
 * page) and of the entity lookup `GET /api/fleet/entity` under concurrent clients, the
 * process RSS, and the same entity lookup through @backstage/plugin-kubernetes-backend (its
 * custom-resources query, which fans out to every cluster per request) for comparison.
 * Run with `node packages/kube-sim/bin/run-ts bench/fleet-backend/index.ts`.
 * Environment: BENCH_CLUSTERS (default 50), BENCH_INSTANCES (per cluster, default 200),
 * BENCH_CLIENTS (default 50), BENCH_SECONDS (per measurement, default 10),
 * BENCH_AUTH (`plugin`, default: a plugin-to-plugin token as the catalog module sends; `user`:
 * the auth backend's guest, as the frontend; `static`: the external-access static token), BENCH_COMPARE (`0` skips the kubernetes plugin),
 * BENCH_ACCEPT_ENCODING (default `gzip, deflate`), BENCH_CHANGES (instance status changes per
 * second written into the clusters during the `/instances` phase "while the fleet changes",
 * default 20),
 * BENCH_BACKEND_NODE_ARGS (extra node options of the backend processes), BENCH_HEAP_SNAPSHOT (a
 * directory: the fleet backend writes a heap snapshot there after the load). */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { gunzipSync, inflateSync } from 'node:zlib';
import { parse, stringify } from 'yaml';
import { KubeClient } from '@vworkspace/kube-runtime';
import { apiResources, instanceEntityRef } from '../../plugins/fleet-common/src';
import { benchAppOf, benchApps } from '../common/benchApps';
import { freePort } from '../../plugins/fleet-backend/src/demo/freePort';
import { mib, percentile, report, until as untilOrGone } from '../common/measure';
import { cpuSecondsOf, rssOf } from '../common/procStats';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 50);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 200);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const AUTH =
  (['static', 'user'] as const).find(mode => mode === process.env.BENCH_AUTH) ??
  'plugin';
const COMPARE = process.env.BENCH_COMPARE !== '0';
const CHANGES_PER_SECOND = Number(process.env.BENCH_CHANGES ?? 20);
const credentialsOf = {
  plugin: 'plugin-to-plugin token (as the catalog module)',
  user: 'guest user token (as the frontend)',
  static: 'static external-access token (as a script)',
};
const root = join(__dirname, '../..');
const instanceResource = {
  group: 'apps.vworkspace.io',
  version: 'v1alpha1',
  resource: 'applicationinstances',
};
const instanceKind = apiResources.ApplicationInstance;
const namespaceKind = apiResources.Namespace;
/** The label the kubernetes plugin's entity selects its instance by (its only way to find it). */
const entityLabel = 'bench.vworkspace.io/entity';

const ms = (value: number) => `${value.toFixed(1)} ms`;
const cpuMsOf = (pid: number) => cpuSecondsOf(pid) * 1000;


/** An HTTP answer, read whole; the body is decoded only when asked for. */
interface HttpAnswer {
  status: number;
  ok: boolean;
  text(): string;
  json(): unknown;
}

/**
 * One request over a keep-alive agent. Plain `node:http` rather than global fetch: the load
 * generator shares the machine's cores with the backend, so it should cost as little as
 * possible. Compressed answers are accepted (as browsers and Node's fetch ask for them) but
 * only inflated when read.
 */
function send(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, headers, agent },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const encoding = res.headers['content-encoding'];
          const text = () => {
            const raw = Buffer.concat(chunks);
            if (encoding === 'gzip') return gunzipSync(raw).toString('utf8');
            if (encoding === 'deflate')
              return inflateSync(raw).toString('utf8');
            return raw.toString('utf8');
          };
          resolve({
            status,
            ok: status >= 200 && status < 300,
            text,
            json: () => JSON.parse(text()),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A process's resident memory by kind of mapping, from /proc/<pid>/smaps, in bytes: mapped
 * files (the node binary, native addons), the malloc heap, small anonymous mappings (V8 heap
 * pages are 256 KiB each) and larger anonymous ones (malloc arenas of other threads, V8's
 * reserved ranges, large objects).
 */
function rssByMapping(pid: number): Record<string, number> {
  const out = { files: 0, mallocHeap: 0, smallAnon: 0, largeAnon: 0 };
  let kind: keyof typeof out = 'files';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (range) {
      const size = parseInt(range[2], 16) - parseInt(range[1], 16);
      const name = range[3];
      if (name.startsWith('/')) kind = 'files';
      else if (name === '[heap]') kind = 'mallocHeap';
      else kind = size < 1024 * 1024 ? 'smallAnon' : 'largeAnon';
    } else if (line.startsWith('Rss:')) {
      out[kind] += Number(line.split(/\s+/)[1]) * 1024;
    }
  }
  return out;
}

interface LoadResult {
  latencies: number[];
  errors: number;
  firstError?: string;
  seconds: number;
  /** CPU the backend process used during the load, ms. */
  backendCpuMs: number;
  /** CPU this process (the load generator) used during the load, ms. */
  clientCpuMs: number;
}

/** `clients` loops calling `request(i)` for `seconds` against the backend process `pid`. */
async function load(
  pid: number,
  clients: number,
  seconds: number,
  request: (i: number) => Promise<HttpAnswer>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let counter = 0;
  const backendCpuBefore = cpuMsOf(pid);
  const clientCpuBefore = process.cpuUsage();
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const sent = performance.now();
        try {
          const response = await request(counter++);
          if (response.ok) latencies.push(performance.now() - sent);
          else {
            errors++;
            firstError ??= `HTTP ${response.status}: ${response
              .text()
              .slice(0, 300)}`;
          }
        } catch (error) {
          errors++;
          firstError ??= String(error);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const backendCpuMs = cpuMsOf(pid) - backendCpuBefore;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  latencies.sort((a, b) => a - b);
  return {
    latencies,
    errors,
    firstError,
    seconds: elapsed,
    backendCpuMs,
    clientCpuMs: (clientCpu.user + clientCpu.system) / 1000,
  };
}

function reportLoad(label: string, result: LoadResult): number {
  const p50 = percentile(result.latencies, 50);
  const p99 = percentile(result.latencies, 99);
  const requests = result.latencies.length + result.errors;
  report(
    `${label}: requests / errors / per s`,
    `${result.latencies.length} / ${result.errors} / ${Math.round(
      requests / result.seconds,
    )}`,
  );
  report(`  p50 / p99`, `${ms(p50)} / ${ms(p99)}`);
  // service cost apart from queueing: CPU per request, and how busy each side was
  report(
    '  backend CPU per request / backend CPU use (cores)',
    `${(result.backendCpuMs / Math.max(1, requests)).toFixed(2)} ms / ${(
      result.backendCpuMs /
      1000 /
      result.seconds
    ).toFixed(2)}`,
  );
  report(
    '  load generator CPU per request / its CPU use (cores)',
    `${(result.clientCpuMs / Math.max(1, requests)).toFixed(2)} ms / ${(
      result.clientCpuMs /
      1000 /
      result.seconds
    ).toFixed(2)}`,
  );
  if (result.firstError) report('  first error', result.firstError);
  return p50;
}

/** What held a backend's event loop during a load, as its `bench` plugin reports it. */
interface Pauses {
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  gc: Record<string, { count: number; totalMs: number; maxMs: number }>;
}

function reportPauses(pauses: Pauses): void {
  report('  backend event loop delay p99 / max', `${ms(pauses.loopDelayP99Ms)} / ${ms(pauses.loopDelayMaxMs)}`);
  report(
    '  backend GC pauses: kind count / total / longest',
    Object.entries(pauses.gc)
      .map(([kind, g]) => `${kind} ${g.count} / ${ms(g.totalMs)} / ${ms(g.maxMs)}`)
      .join('; '),
  );
}

/** Set when the backend process ends early: nothing will answer any more. */
let backendGone: string | undefined;

const until = (check: () => Promise<boolean>, timeoutMs: number, what: string) =>
  untilOrGone(check, timeoutMs, what, () => backendGone);


/** A simulated cluster as the kube-sim command announces it. */
interface BenchCluster {
  name: string;
  url: string;
  token: string;
  kubeconfig: string;
}

/**
 * Starts the clusters in a kube-sim process of their own, so that the RSS measured here is the
 * backend's alone. Resolves once every cluster answers.
 */
async function startClusters(
  dir: string,
): Promise<{ clusters: BenchCluster[]; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      join(root, 'packages/kube-sim/bin/kube-sim'),
      '--clusters',
      String(CLUSTERS),
      '--name',
      'bench',
      '--dir',
      join(dir, 'kube'),
      '--http',
      '--controllers',
      'none',
      '--crds',
      join(root, 'operator/crds'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise(resolve => child.once('exit', resolve));
  const clusters: BenchCluster[] = [];
  await new Promise<void>((resolve, reject) => {
    child.once('exit', code =>
      reject(new Error(`kube-sim exited with ${code}`)),
    );
    createInterface({ input: child.stdout! }).on('line', line => {
      const [name, url, path] = line.split('\t');
      if (line.startsWith('all contexts:')) resolve();
      else if (name && url && path) {
        const text = readFileSync(path, 'utf8');
        const token = (
          parse(text) as { users: Array<{ user: { token: string } }> }
        ).users[0].user.token;
        clusters.push({ name, url, token, kubeconfig: text });
      }
    });
  });
  return {
    clusters,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Writes INSTANCES ApplicationInstances into a cluster over its API (setup, not measured). */
async function populate(cluster: BenchCluster, index: number): Promise<void> {
  const client = KubeClient.fromString(cluster.kubeconfig, {
    qps: 5000,
    burst: 5000,
  });
  try {
    for (const namespace of ['team-a', 'team-b']) {
      await client.create(namespaceKind, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: namespace },
      });
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < INSTANCES) {
          const i = next++;
          const app = benchAppOf(i);
          const name = `${app.app}-${i}`;
          const namespace = i % 2 ? 'team-b' : 'team-a';
          await client.create(instanceKind, {
            apiVersion: instanceKind.apiVersion,
            kind: 'ApplicationInstance',
            metadata: {
              name,
              namespace,
              labels: { [entityLabel]: `c${index}-${name}` },
              annotations: {
                'backstage.io/owner': `group:${namespace}`,
                'ops.vworkspace.io/backup': 'velero',
              },
            },
            spec: {
              app: app.app,
              chart: {
                name: app.chart,
                version: app.version,
                repository: { url: app.url, type: 'helm' },
              },
            },
          });
        }
      }),
    );
  } finally {
    client.close();
  }
}

/**
 * Changes instances' status in the clusters, `perSecond` of them spread over every cluster,
 * as operators reporting progress do, until the returned function is called (it resolves with
 * the number of changes written).
 */
function changeStatuses(clusters: BenchCluster[], perSecond: number): () => Promise<number> {
  const clients = clusters.map(c => KubeClient.fromString(c.kubeconfig, { qps: 5000, burst: 5000 }));
  let written = 0;
  let stopped = false;
  const writes = new Set<Promise<unknown>>();
  const timer = setInterval(() => {
    for (let k = 0; k < perSecond / 10; k++) {
      const n = written++;
      const i = (n * 37) % INSTANCES;
      const name = `${benchAppOf(i).app}-${i}`;
      const ready = n % 2 === 0;
      const write = clients[n % clients.length]
        .patch(
          instanceKind,
          name,
          i % 2 ? 'team-b' : 'team-a',
          {
            status: {
              conditions: [
                {
                  type: 'Ready',
                  status: ready ? 'True' : 'False',
                  reason: ready ? 'Succeeded' : 'Progressing',
                  message: `change ${n}`,
                  lastTransitionTime: new Date().toISOString(),
                },
              ],
            },
          },
          { type: 'merge', subresource: 'status' },
        )
        .catch(error => {
          if (!stopped) process.stderr.write(`status change failed: ${String(error)}\n`);
        })
        .finally(() => writes.delete(write));
      writes.add(write);
    }
  }, 100);
  return async () => {
    clearInterval(timer);
    await Promise.all(writes);
    stopped = true;
    for (const client of clients) client.close();
    return written;
  };
}

/** A backend process (bench/fleet-backend/backend.ts) with the catalog and one more plugin. */
async function startBackend(
  dir: string,
  plugin: 'fleet' | 'kubernetes',
  pluginConfig: Record<string, unknown>,
) {
  const port = await freePort();
  const token = randomBytes(24).toString('hex');
  const config = {
    app: { baseUrl: 'http://localhost:3000' },
    backend: {
      baseUrl: `http://127.0.0.1:${port}`,
      listen: { host: '127.0.0.1', port },
      database: { client: 'better-sqlite3', connection: ':memory:' },
      auth: {
        externalAccess: [
          { type: 'static', options: { token, subject: 'bench' } },
        ],
      },
    },
    // BENCH_AUTH=user: the guest is the user; `dangerously...` as NODE_ENV is not development
    ...(AUTH === 'user'
      ? {
          auth: {
            providers: { guest: { dangerouslyAllowOutsideDevelopment: true } },
          },
        }
      : {}),
    catalog: {
      rules: [{ allow: ['Component'] }],
      locations: [{ type: 'file', target: join(dir, 'entities.yaml') }],
    },
    ...pluginConfig,
  };
  const configFile = join(dir, `app-config.${plugin}.yaml`);
  writeFileSync(configFile, stringify(config), { mode: 0o600 });
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
      env: {
        ...process.env,
        BENCH_PLUGIN: plugin,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise(resolve =>
    child.once('exit', code => {
      backendGone = `the ${plugin} backend exited with ${code}`;
      resolve(code);
    }),
  );
  const spawnedAt = Date.now();
  let startingAt = 0;
  createInterface({ input: child.stdout! }).on('line', line => {
    if (line.startsWith('starting '))
      startingAt = Number(line.slice('starting '.length));
    else if (!line.startsWith('started '))
      process.stdout.write(`  ${plugin} backend: ${line}\n`);
  });
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const headers: Record<string, string> = {
    Authorization: `Bearer ${token}`,
    // as browsers and Node's fetch ask; BENCH_ACCEPT_ENCODING=identity shows what compression costs
    'Accept-Encoding': process.env.BENCH_ACCEPT_ENCODING ?? 'gzip, deflate',
  };
  const api = (method: string, path: string, body?: unknown) =>
    send(
      agent,
      port,
      method,
      `/api${path}`,
      body === undefined
        ? headers
        : { ...headers, 'Content-Type': 'application/json' },
      body === undefined ? undefined : JSON.stringify(body),
    );
  return {
    pid: child.pid!,
    spawnedAt,
    startingAt: () => startingAt,
    get: (path: string) => api('GET', path),
    post: (path: string, body: unknown) => api('POST', path, body),
    /**
     * From now on, calls `plugin` with a plugin-to-plugin token (as another plugin, e.g. the
     * catalog module, does) instead of the static external-access token.
     */
    usePluginToken: async (plugin: string) => {
      const answer = await api('GET', `/bench/token?target=${plugin}`);
      if (!answer.ok) throw new Error(`no plugin token: ${answer.text()}`);
      headers.Authorization = `Bearer ${
        (answer.json() as { token: string }).token
      }`;
    },
    /** From now on, calls as the auth backend's guest user, with the token the frontend would send. */
    useUserToken: async () => {
      const answer = await send(agent, port, 'GET', '/api/auth/guest/refresh', {
        'X-Requested-With': 'XMLHttpRequest',
      });
      if (!answer.ok) throw new Error(`no user token: ${answer.text()}`);
      const body = answer.json() as { backstageIdentity: { token: string } };
      headers.Authorization = `Bearer ${body.backstageIdentity.token}`;
    },
    /** The backend's `process.memoryUsage()` and used size of each heap space, after a full GC
     * when it runs with --expose-gc. */
    memory: async () =>
      (await api('GET', '/bench/memory?gc=1')).json() as NodeJS.MemoryUsage & {
        spaces: Record<string, number>;
      },
    /** Event loop delay and GC pauses since the previous call (bench/fleet-backend/backend.ts). */
    pauses: async () => (await api('GET', '/bench/pauses')).json() as Pauses,
    rss: () => rssOf(child.pid),
    stop: async () => {
      agent.destroy();
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function main(): Promise<void> {
  report(
    'clusters × instances per cluster / clients / seconds',
    `${CLUSTERS} × ${INSTANCES} / ${CLIENTS} / ${SECONDS}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'bench-fleet-backend-'));
  const sim = await startClusters(dir);
  const fleet = { clusters: sim.clusters };
  try {
    const setupStart = performance.now();
    await Promise.all(fleet.clusters.map((cluster, i) => populate(cluster, i)));
    report(
      `setup: ${CLUSTERS * INSTANCES} instances written (not measured below)`,
      `${((performance.now() - setupStart) / 1000).toFixed(1)} s`,
    );

    // Entities the kubernetes plugin looks up: one per sampled instance, selecting it by label.
    const samples = Array.from({ length: 100 }, (_, k) => {
      const cluster = (k * 7) % CLUSTERS;
      const i = (k * 13) % INSTANCES;
      const app = benchAppOf(i);
      const name = `${app.app}-${i}`;
      return {
        cluster: `bench-${cluster + 1}`,
        namespace: i % 2 ? 'team-b' : 'team-a',
        name,
        k8sEntity: `k8s-c${cluster}-${name}`,
        label: `c${cluster}-${name}`,
      };
    });
    writeFileSync(
      join(dir, 'entities.yaml'),
      samples
        .map(s =>
          stringify({
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name: s.k8sEntity,
              annotations: {
                'backstage.io/kubernetes-label-selector': `${entityLabel}=${s.label}`,
              },
            },
            spec: {
              type: 'service',
              lifecycle: 'production',
              owner: 'group:team-a',
            },
          }),
        )
        .join('---\n'),
    );

    const clusterToken = (c: BenchCluster) => c.token;
    const total = CLUSTERS * INSTANCES;

    // 1. A backend with the fleet plugin (and the catalog, as in the portal).
    const fleetBackend = await startBackend(dir, 'fleet', {
      fleet: {
        // Plain HTTP: client-node wants TLS verification marked skipped for it.
        clusters: fleet.clusters.map(c => ({
          name: c.name,
          url: c.url,
          skipTLSVerify: true,
          auth: { type: 'serviceAccountToken', token: clusterToken(c) },
        })),
      },
    });
    let fleetLookup: Awaited<ReturnType<typeof load>>;
    try {
      const { get } = fleetBackend;
      await until(
        async () => {
          const page = (await get('/fleet/instances?limit=1')).json() as {
            totalCount?: number;
          };
          return page.totalCount === total;
        },
        300_000,
        `${total} instances in the fleet store`,
      );
      const completeAt = Date.now();
      report(
        'backend process spawned → starting (loading modules)',
        `${(
          (fleetBackend.startingAt() - fleetBackend.spawnedAt) /
          1000
        ).toFixed(1)} s`,
      );
      report(
        `backend starting → complete fleet store (${total} instances, target < 15 s)`,
        `${((completeAt - fleetBackend.startingAt()) / 1000).toFixed(1)} s`,
      );
      const clusters = (await get('/fleet/clusters')).json() as {
        items: unknown[];
      };
      report('clusters in /clusters', String(clusters.items.length));
      if (AUTH === 'plugin') await fleetBackend.usePluginToken('fleet');
      if (AUTH === 'user') await fleetBackend.useUserToken();
      report('caller credentials (BENCH_AUTH)', credentialsOf[AUTH]);

      /** A load against the fleet backend, reported with what held its event loop meanwhile. */
      const measure = async (
        label: string,
        clients: number,
        seconds: number,
        request: (i: number) => Promise<HttpAnswer>,
      ) => {
        await fleetBackend.pauses();
        const result = await load(fleetBackend.pid, clients, seconds, request);
        reportLoad(label, result);
        reportPauses(await fleetBackend.pauses());
        return result;
      };
      const page = (i: number) =>
        get(`/fleet/instances?cluster=bench-${(i % CLUSTERS) + 1}&app=nextcloud&limit=20`);
      const lookup = (i: number) => {
        const s = samples[i % samples.length];
        return get(`/fleet/entity?entityRef=${encodeURIComponent(instanceEntityRef(s))}`);
      };
      // Warm-up, not counted: the first requests compile the code they run, whichever phase is first.
      await load(fleetBackend.pid, CLIENTS, Math.min(SECONDS, 3), i => (i % 2 ? page(i) : lookup(i)));
      await measure(`GET /instances?cluster&app&limit=20, ${CLIENTS} clients`, CLIENTS, SECONDS, page);
      // The same pages while operators report progress: a change makes its cluster's pages anew.
      const stopChanges = changeStatuses(fleet.clusters, CHANGES_PER_SECOND);
      await measure(`  the same while ${CHANGES_PER_SECOND} instance statuses change per second`, CLIENTS, SECONDS, page);
      report('  status changes written', String(await stopChanges()));
      // Pages not asked for lately: clusters × apps × namespaces × 10 page sizes in turn (4,000
      // pages of 10 KB at 50 × 200), far more than the backend keeps serialized (16 MiB), so
      // that each one is made and compressed for its request.
      const apps = benchApps.map(a => a.app);
      await measure(
        '  pages made for each request (cluster × app × namespace × limit 11–20 in turn)',
        CLIENTS,
        SECONDS,
        i => {
          const app = apps[Math.floor(i / CLUSTERS) % apps.length];
          const namespace = Math.floor(i / (CLUSTERS * apps.length)) % 2 ? 'team-b' : 'team-a';
          const limit = 11 + (Math.floor(i / (CLUSTERS * apps.length * 2)) % 10);
          return get(
            `/fleet/instances?cluster=bench-${(i % CLUSTERS) + 1}&app=${app}&namespace=${namespace}&limit=${limit}`,
          );
        },
      );
      fleetLookup = await measure(`GET /entity (fleet store), ${CLIENTS} clients`, CLIENTS, SECONDS, lookup);
      // One client: the service time of a request, without queueing behind the others.
      await measure('GET /entity (fleet store), 1 client', 1, Math.min(SECONDS, 3), lookup);
      report('backend process RSS (target < 600 MiB)', mib(fleetBackend.rss()));
      const mapped = rssByMapping(fleetBackend.pid);
      report(
        '  RSS: files / malloc heap / anon < 1 MiB (V8 heap pages) / larger anon',
        [mapped.files, mapped.mallocHeap, mapped.smallAnon, mapped.largeAnon]
          .map(mib)
          .join(' / '),
      );
      const memory = await fleetBackend.memory();
      report(
        `  ${
          /--expose-gc/.test(process.env.BENCH_BACKEND_NODE_ARGS ?? '')
            ? 'after a full GC: '
            : ''
        }RSS / heap used / heap total / external`,
        [memory.rss, memory.heapUsed, memory.heapTotal, memory.external]
          .map(mib)
          .join(' / '),
      );
      report(
        '  used heap by space',
        Object.entries(memory.spaces)
          .filter(([, bytes]) => bytes >= 1024 * 1024)
          .map(([space, bytes]) => `${space} ${mib(bytes)}`)
          .join(', '),
      );
      // what an idle backend keeps of what it grew to under the load
      await new Promise(resolve => setTimeout(resolve, 15_000));
      report('backend process RSS after 15 s without requests', mib(fleetBackend.rss()));
    } finally {
      await fleetBackend.stop();
    }

    if (!COMPARE) return;
    // 2. The same lookup through the kubernetes plugin, configured with the same clusters.
    const k8sBackend = await startBackend(dir, 'kubernetes', {
      kubernetes: {
        serviceLocatorMethod: { type: 'multiTenant' },
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: fleet.clusters.map(c => ({
              name: c.name,
              url: c.url,
              authProvider: 'serviceAccount',
              serviceAccountToken: clusterToken(c),
              skipTLSVerify: true,
            })),
          },
        ],
      },
    });
    try {
      const { get, post } = k8sBackend;
      // The kubernetes plugin needs the catalog entities before it can answer for them.
      await until(
        async () => {
          const answers = await Promise.all(
            samples.map(s =>
              get(`/catalog/entities/by-name/component/default/${s.k8sEntity}`),
            ),
          );
          return answers.every(answer => answer.ok);
        },
        120_000,
        `${samples.length} catalog entities`,
      );
      if (AUTH === 'plugin') await k8sBackend.usePluginToken('kubernetes');
      if (AUTH === 'user') await k8sBackend.useUserToken();
      const customResources = [
        {
          group: instanceResource.group,
          apiVersion: instanceResource.version,
          plural: instanceResource.resource,
        },
      ];
      const k8sQuery = (i: number) =>
        post('/kubernetes/resources/custom/query', {
          entityRef: `component:default/${
            samples[i % samples.length].k8sEntity
          }`,
          auth: {},
          customResources,
        });
      const probe = (await k8sQuery(0)).json() as {
        items?: Array<{ resources?: Array<{ resources?: unknown[] }> }>;
      };
      const found = (probe.items ?? []).reduce(
        (n, c) =>
          n +
          (c.resources ?? []).reduce(
            (m, r) => m + (r.resources?.length ?? 0),
            0,
          ),
        0,
      );
      report(
        'kubernetes-backend: clusters with results / instances found for one entity',
        `${probe.items?.length ?? 0} / ${found}`,
      );
      const k8sLookup = await load(k8sBackend.pid, CLIENTS, SECONDS, k8sQuery);
      reportLoad(
        `kubernetes-backend custom-resources query, ${CLIENTS} clients`,
        k8sLookup,
      );
      report(
        'entity lookup p50: kubernetes-backend / fleet (target ≥ 20)',
        (
          percentile(k8sLookup.latencies, 50) /
          percentile(fleetLookup.latencies, 50)
        ).toFixed(1),
      );
      report(
        'entity lookup p99: kubernetes-backend / fleet',
        (
          percentile(k8sLookup.latencies, 99) /
          percentile(fleetLookup.latencies, 99)
        ).toFixed(1),
      );
      report(
        'kubernetes-backend process RSS after its run',
        mib(k8sBackend.rss()),
      );
    } finally {
      await k8sBackend.stop();
    }
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  err => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
