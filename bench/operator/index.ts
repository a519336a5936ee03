/* Figures for the ApplicationInstance controller on kube-sim with simulated Flux (timeScale 0):
 * convergence of N instances created at once against a plain server-side-apply loop, writes of
 * a full resync of an unchanged fleet, and the RSS of an operator process caching 10,000
 * instances. Run with `node packages/kube-sim/bin/run-ts bench/operator/index.ts` (or
 * `npm run bench --workspace @vworkspace/fleet-operator`).
 * Environment: BENCH_N (default 2000), BENCH_RSS_N (default 10000, 0 skips), BENCH_CONCURRENCY (default 8). */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SimCluster, startControllers } from '@vworkspace/kube-sim';
import { applicationInstanceSpecSchema, fieldManager } from '@vworkspace/backstage-plugin-fleet-common';
import { buildFluxSource, buildHelmRelease, instanceKinds as k, registerApplicationInstanceController } from '@vworkspace/fleet-operator/controllers';
import { fleetCrdDirs, startCountingProxy } from '@vworkspace/fleet-operator/testing';
import { Informer, KubeClient, KubeObject, Manager } from '@vworkspace/kube-runtime';

const N = Number(process.env.BENCH_N ?? 2000);
const RSS_N = Number(process.env.BENCH_RSS_N ?? 10000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const QPS = 5000;
const operatorBin = join(dirname(require.resolve('@vworkspace/fleet-operator/package.json')), 'bin/fleet-operator');
const crds = [...fleetCrdDirs];
const chart = { name: 'nextcloud', version: '6.2.0', repository: { url: 'https://nextcloud.github.io/helm/', type: 'helm' as const } };

function report(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(64)} ${value}\n`);
}

const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;

function instance(name: string, namespace: string): KubeObject {
  return { apiVersion: k.ApplicationInstance.apiVersion, kind: 'ApplicationInstance', metadata: { name, namespace }, spec: { app: 'nextcloud', chart } };
}

function isReady(obj: KubeObject): boolean {
  const status = obj.status as { conditions?: Array<{ type: string; status: string; observedGeneration?: number }>; observedGeneration?: number } | undefined;
  const ready = status?.conditions?.find(c => c.type === 'Ready');
  return ready?.status === 'True' && (ready.observedGeneration ?? status?.observedGeneration) === obj.metadata?.generation;
}

/** Runs `work(i)` for i in [0, n) on `concurrency` workers. */
async function pool(n: number, concurrency: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await work(next++);
  }));
}

/** A cache of one kind in one namespace, to wait on without polling the server. */
function watchNamespace(client: KubeClient, kind: (typeof k)[keyof typeof k], namespace: string, signal: AbortSignal): Informer {
  const informer = new Informer({ client, kind, namespace, freeze: false });
  void informer.run(signal);
  return informer;
}

async function until(check: () => boolean, timeoutMs = 600_000, progress?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastReport = Date.now();
  while (!check()) {
    if (progress && process.env.BENCH_DEBUG && Date.now() - lastReport > 2000) {
      lastReport = Date.now();
      process.stderr.write(`  … ${progress()}\n`);
    }
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise(r => setTimeout(r, 50));
  }
}

async function startSim(): Promise<{ cluster: SimCluster; client: KubeClient; stop: () => Promise<void> }> {
  const cluster = await SimCluster.start({ tls: false, crds });
  const controllers = startControllers(cluster, { flux: true, timeScale: 0 });
  const client = KubeClient.fromString(cluster.kubeConfig(), { qps: QPS, burst: QPS });
  for (const name of ['baseline', 'bench', 'bench-rss', 'argocd']) {
    await client.create({ apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  return {
    cluster,
    client,
    stop: async () => {
      controllers.stop();
      client.close();
      await cluster.stop();
    },
  };
}

function startOperator(kubeConfig: string, namespace: string) {
  const client = KubeClient.fromString(kubeConfig, { qps: QPS, burst: QPS });
  const manager = new Manager({ client, namespace, concurrency: CONCURRENCY });
  registerApplicationInstanceController(manager, { watchApplications: false });
  const running = manager.start();
  return { manager, stop: async () => { await manager.stop(); await running; } };
}

async function reconciles(manager: Manager): Promise<number> {
  const metric = await manager.metrics.reconcileTotal.get();
  return metric.values.reduce((sum, v) => sum + v.value, 0);
}

/** Baseline: a plain loop server-side-applying the same HelmReleases, then waiting for Flux. */
async function baseline(client: KubeClient, signal: AbortSignal): Promise<number> {
  const spec = applicationInstanceSpecSchema.parse({ app: 'nextcloud', chart });
  const releases = watchNamespace(client, k.HelmRelease, 'baseline', signal);
  await releases.waitForSync();
  const start = performance.now();
  await client.apply(k.HelmRepository, buildFluxSource(spec.chart, 'baseline', []), { fieldManager });
  await pool(N, CONCURRENCY, i => client.apply(k.HelmRelease, buildHelmRelease({ name: `app-${i}`, namespace: 'baseline' }, spec), { fieldManager }));
  await until(() => releases.store.size === N && releases.store.list().every(isReady), undefined, () => {
    const notReady = releases.store.list().find(o => !isReady(o));
    return `${releases.store.size} releases, e.g. ${JSON.stringify(notReady?.status ?? null).slice(0, 300)}`;
  });
  return (performance.now() - start) / 1000;
}

async function operatorRun(sim: { cluster: SimCluster; client: KubeClient }, signal: AbortSignal): Promise<number> {
  const instances = watchNamespace(sim.client, k.ApplicationInstance, 'bench', signal);
  const releases = watchNamespace(sim.client, k.HelmRelease, 'bench', signal);
  await Promise.all([instances.waitForSync(), releases.waitForSync()]);
  const operator = startOperator(sim.cluster.kubeConfig(), 'bench');
  await until(() => operator.manager.cachesSynced());
  const start = performance.now();
  await pool(N, CONCURRENCY, i => sim.client.create(k.ApplicationInstance, instance(`app-${i}`, 'bench')));
  await until(() => releases.store.size === N && instances.store.size === N && instances.store.list().every(isReady));
  const seconds = (performance.now() - start) / 1000;
  await operator.stop();
  return seconds;
}

/** Writes a fresh operator makes while it reconciles every unchanged instance once. */
async function resyncWrites(sim: { cluster: SimCluster }): Promise<{ writes: number; reconciled: number }> {
  await sim.cluster.idle();
  const proxy = await startCountingProxy(sim.cluster.url);
  const operator = startOperator(proxy.kubeConfig(sim.cluster.kubeConfig()), 'bench');
  let last = -1;
  let quietSince = Date.now();
  let reconciled = 0;
  await until(() => {
    void reconciles(operator.manager).then(n => {
      reconciled = n;
      if (n !== last) {
        last = n;
        quietSince = Date.now();
      }
    });
    return reconciled >= N && Date.now() - quietSince > 2000;
  });
  await operator.stop();
  const writes = proxy.writes(path => !path.includes('/leases')).length;
  await proxy.stop();
  return { writes, reconciled };
}

/** RSS of an operator process (bin/fleet-operator) caching RSS_N instances once they are all Ready. */
async function operatorRss(sim: { cluster: SimCluster; client: KubeClient }, signal: AbortSignal): Promise<{ rss: number; seconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-operator-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, sim.cluster.kubeConfig());
  const instances = watchNamespace(sim.client, k.ApplicationInstance, 'bench-rss', signal);
  await instances.waitForSync();
  const child = spawn(process.execPath, [
    operatorBin, 'run', '--kubeconfig', kubeconfig, '--namespace', 'bench-rss',
    '--concurrency', String(CONCURRENCY), '--kube-api-qps', String(QPS), '--kube-api-burst', String(QPS),
    '--metrics-bind-address', '0', '--health-probe-bind-address', '0', '--webhook-bind-address', '0', '--log-level', 'error',
  ], { stdio: ['ignore', 'inherit', 'inherit'] });
  try {
    const start = performance.now();
    await pool(RSS_N, CONCURRENCY, i => sim.client.create(k.ApplicationInstance, instance(`app-${i}`, 'bench-rss')));
    await until(() => instances.store.size === RSS_N && instances.store.list().every(isReady), 1_800_000);
    const seconds = (performance.now() - start) / 1000;
    await new Promise(r => setTimeout(r, 2000));
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { rss: kb * 1024, seconds };
  } finally {
    child.kill('SIGTERM');
    await new Promise(r => child.once('exit', r));
  }
}

async function main(): Promise<void> {
  report('instances / concurrency / client qps', `${N} / ${CONCURRENCY} / ${QPS}`);
  const sim = await startSim();
  const stop = new AbortController();
  try {
    // The cluster-wide resourceVersion counts every write (ours and the simulated Flux's).
    const writesSince = (rv: string) => ((Number(sim.cluster.resourceVersion) - Number(rv)) / N).toFixed(1);
    let rv = sim.cluster.resourceVersion;
    const base = await baseline(sim.client, stop.signal);
    report(`baseline: SSA ${N} HelmReleases + wait for Flux Ready`, `${base.toFixed(1)} s`);
    report('  API writes per release, all writers', writesSince(rv));
    rv = sim.cluster.resourceVersion;
    const op = await operatorRun(sim, stop.signal);
    report(`operator: ${N} instances created → HelmReleases applied, all Ready`, `${op.toFixed(1)} s`);
    report('  API writes per instance, all writers', writesSince(rv));
    report('ratio operator / baseline (target ≤ 2)', `${(op / base).toFixed(2)}`);
    const resync = await resyncWrites(sim);
    report(`full resync of ${N} unchanged instances (${resync.reconciled} reconciles)`, `${resync.writes} writes (target 0)`);
    if (RSS_N > 0) {
      const { rss, seconds } = await operatorRss(sim, stop.signal);
      report(`operator process RSS with ${RSS_N} instances cached (target < 300 MiB)`, mib(rss));
      report(`  (its ${RSS_N} instances became Ready in)`, `${seconds.toFixed(1)} s`);
    }
  } finally {
    stop.abort();
    await sim.stop();
  }
}

main().then(
  () => process.exit(0),
  err => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
