/* Figures for the fleet backend plugin against many kube-sim clusters: time from backend start
 * to a complete fleet store, p50/p99 latency of `GET /api/fleet/instances` (filtered, one
 * page) and of the entity lookup `GET /api/fleet/entity` under concurrent clients, the
 * process RSS, and the same entity lookup through @backstage/plugin-kubernetes-backend (its
 * custom-resources query, which fans out to every cluster per request) for comparison.
 * Run with `node packages/kube-sim/bin/run-ts bench/fleet-backend/index.ts`.
 * Environment: BENCH_CLUSTERS (default 50), BENCH_INSTANCES (per cluster, default 200),
 * BENCH_CLIENTS (default 50), BENCH_SECONDS (per measurement, default 10). */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse, stringify } from 'yaml';
import { KubeClient } from '@vworkspace/kube-runtime';
import { instanceEntityRef } from '../../plugins/fleet-common/src';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 50);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 200);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const root = join(__dirname, '../..');
const apps = [
  {
    app: 'nextcloud',
    chart: 'nextcloud',
    version: '6.3.0',
    url: 'https://nextcloud.github.io/helm/',
  },
  {
    app: 'gitea',
    chart: 'gitea',
    version: '10.6.0',
    url: 'https://dl.gitea.com/charts/',
  },
  {
    app: 'vaultwarden',
    chart: 'vaultwarden',
    version: '0.30.0',
    url: 'https://guerzon.github.io/vaultwarden',
  },
  {
    app: 'mattermost',
    chart: 'mattermost-team-edition',
    version: '6.6.65',
    url: 'https://helm.mattermost.com',
  },
];
const instanceResource = {
  group: 'apps.vworkspace.io',
  version: 'v1alpha1',
  resource: 'applicationinstances',
};
const instanceKind = {
  apiVersion: 'apps.vworkspace.io/v1alpha1',
  kind: 'ApplicationInstance',
  plural: 'applicationinstances',
  namespaced: true,
};
const namespaceKind = {
  apiVersion: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
};
/** The label the kubernetes plugin's entity selects its instance by (its only way to find it). */
const entityLabel = 'bench.vworkspace.io/entity';

function report(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(72)} ${value}\n`);
}

const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

/** `clients` loops calling `request(i)` for `seconds`; latencies of the successful calls. */
async function load(
  clients: number,
  seconds: number,
  request: (i: number) => Promise<Response>,
): Promise<{ latencies: number[]; errors: number; firstError?: string }> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let counter = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        try {
          const response = await request(counter++);
          const body = await response.text();
          if (response.ok) latencies.push(performance.now() - started);
          else {
            errors++;
            firstError ??= `HTTP ${response.status}: ${body.slice(0, 300)}`;
          }
        } catch (error) {
          errors++;
          firstError ??= String(error);
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { latencies, errors, firstError };
}

function reportLoad(
  label: string,
  result: Awaited<ReturnType<typeof load>>,
): number {
  const p50 = percentile(result.latencies, 50);
  const p99 = percentile(result.latencies, 99);
  report(
    `${label}: requests / errors`,
    `${result.latencies.length} / ${result.errors}`,
  );
  report(`  p50 / p99`, `${ms(p50)} / ${ms(p99)}`);
  if (result.firstError) report('  first error', result.firstError);
  return p50;
}

/** Set when the backend process ends early: nothing will answer any more. */
let backendGone: string | undefined;

async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (backendGone)
      throw new Error(`${backendGone} while waiting for ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

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
          const app = apps[i % apps.length];
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
  const base = `http://127.0.0.1:${port}/api`;
  const headers = { Authorization: `Bearer ${token}` };
  return {
    spawnedAt,
    startingAt: () => startingAt,
    get: (path: string) => fetch(`${base}${path}`, { headers }),
    post: (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }),
    rss: () =>
      Number(
        /VmRSS:\s+(\d+)/.exec(
          readFileSync(`/proc/${child.pid}/status`, 'utf8'),
        )?.[1] ?? 0,
      ) * 1024,
    stop: async () => {
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
      const app = apps[i % apps.length];
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
          const page = (await (
            await get('/fleet/instances?limit=1')
          ).json()) as {
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
      const clusters = (await (await get('/fleet/clusters')).json()) as {
        items: unknown[];
      };
      report('clusters in /clusters', String(clusters.items.length));

      const list = await load(CLIENTS, SECONDS, i =>
        get(
          `/fleet/instances?cluster=bench-${
            (i % CLUSTERS) + 1
          }&app=nextcloud&limit=20`,
        ),
      );
      reportLoad(
        `GET /instances?cluster&app&limit=20, ${CLIENTS} clients`,
        list,
      );
      fleetLookup = await load(CLIENTS, SECONDS, i => {
        const s = samples[i % samples.length];
        return get(
          `/fleet/entity?entityRef=${encodeURIComponent(instanceEntityRef(s))}`,
        );
      });
      reportLoad(`GET /entity (fleet store), ${CLIENTS} clients`, fleetLookup);
      // One client: the service time of a request, without queueing behind the others.
      reportLoad(
        'GET /entity (fleet store), 1 client',
        await load(1, Math.min(SECONDS, 3), i => {
          const s = samples[i % samples.length];
          return get(
            `/fleet/entity?entityRef=${encodeURIComponent(
              instanceEntityRef(s),
            )}`,
          );
        }),
      );
      report('backend process RSS (target < 600 MiB)', mib(fleetBackend.rss()));
    } finally {
      await fleetBackend.stop();
    }

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
      const probe = (await (await k8sQuery(0)).json()) as {
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
      const k8sLookup = await load(CLIENTS, SECONDS, k8sQuery);
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
