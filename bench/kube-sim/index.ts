/* Figures for kube-sim: server-side apply writes/s, list and watch on 10,000 objects, and the
 * memory of a 50-cluster fleet. Run with `npm run bench --workspace @vworkspace/kube-sim`. */
import { dirname, join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import { SimCluster, SimFleet } from '@vworkspace/kube-sim';

const CRDS = join(dirname(require.resolve('@vworkspace/kube-sim/package.json')), 'crds/upstream');
const HELMRELEASE_CRD = join(CRDS, 'helm.toolkit.fluxcd.io_helmreleases.yaml');

function helmRelease(name: string, interval = '5m') {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: { interval, chart: { spec: { chart: 'nextcloud', version: '6.x', sourceRef: { kind: 'HelmRepository', name: 'nextcloud' } } }, values: { replicas: 1 } },
  };
}

function report(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(58)} ${value}\n`);
}

async function applyThroughput(): Promise<void> {
  const cluster = await SimCluster.start({ tls: false, crds: [HELMRELEASE_CRD] });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeConfig());
  const custom = kc.makeApiClient(CustomObjectsApi);
  const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
  const target = { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases', namespace: 'default', fieldManager: 'bench', force: true };
  const write = (i: number) => custom.patchNamespacedCustomObject({ ...target, name: `hr-${i % 100}`, body: helmRelease(`hr-${i % 100}`, `${(i % 50) + 1}m`) }, apply);
  for (let i = 0; i < 200; i++) await write(i); // warm-up
  const n = 3000;
  let start = performance.now();
  for (let i = 0; i < n; i++) await write(i);
  let seconds = (performance.now() - start) / 1000;
  report('server-side apply, 1 client, sequential', `${Math.round(n / seconds)} writes/s`);
  start = performance.now();
  const concurrency = 8;
  await Promise.all(Array.from({ length: concurrency }, async (_, c) => {
    for (let i = c; i < n; i += concurrency) await write(i);
  }));
  seconds = (performance.now() - start) / 1000;
  report(`server-side apply, 1 client, ${concurrency} in flight`, `${Math.round(n / seconds)} writes/s`);
  await cluster.stop();
}

async function listAndWatch(): Promise<void> {
  const cluster = await SimCluster.start({ tls: false, historySize: 20000 });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeConfig());
  const core = kc.makeApiClient(CoreV1Api);
  const gvr = { group: '', version: 'v1', resource: 'configmaps' };
  const count = 10_000;
  let start = performance.now();
  for (let i = 0; i < count; i++) {
    await cluster.api.create(gvr, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'default', labels: { shard: String(i % 10) } }, data: { key: `value-${i}` } });
  }
  report(`in-process creates (${count} ConfigMaps)`, `${Math.round(count / ((performance.now() - start) / 1000))} creates/s`);

  start = performance.now();
  const all = await core.listNamespacedConfigMap({ namespace: 'default' });
  report(`list ${all.items.length} objects, one page (client-node)`, `${Math.round(performance.now() - start)} ms`);
  start = performance.now();
  let pages = 0;
  let token: string | undefined;
  do {
    const page = await core.listNamespacedConfigMap({ namespace: 'default', limit: 500, _continue: token });
    token = page.metadata?._continue;
    pages++;
  } while (token);
  report(`list ${count} objects in ${pages} pages of 500`, `${Math.round(performance.now() - start)} ms`);
  start = performance.now();
  const selected = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'shard=3' });
  report(`list with label selector (${selected.items.length} of ${count})`, `${Math.round(performance.now() - start)} ms`);

  const watch = new Watch(kc);
  let seen = 0;
  let resolveInitial!: () => void;
  let resolveChanges!: () => void;
  const initial = new Promise<void>(r => (resolveInitial = r));
  const changes = new Promise<void>(r => (resolveChanges = r));
  const changesWanted = 5000;
  start = performance.now();
  const controller = await watch.watch('/api/v1/namespaces/default/configmaps', {}, () => {
    seen++;
    if (seen === count) resolveInitial();
    if (seen === count + changesWanted) resolveChanges();
  }, () => undefined);
  await initial;
  report(`watch: ${count} initial ADDED events received`, `${Math.round(performance.now() - start)} ms`);
  start = performance.now();
  for (let i = 0; i < changesWanted; i++) {
    await cluster.api.patch(gvr, `cm-${i}`, { data: { key: `changed-${i}` } }, { type: 'merge', namespace: 'default' });
  }
  await changes;
  report(`watch: ${changesWanted} changes written in-process and delivered`, `${Math.round(changesWanted / ((performance.now() - start) / 1000))} events/s`);
  controller.abort();
  await cluster.stop();
}

async function fleetMemory(): Promise<void> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  const start = performance.now();
  const fleet = await SimFleet.start({
    clusters: Array.from({ length: 50 }, (_, i) => ({ name: `c${i}` })),
    crds: [CRDS],
  });
  report('fleet: 50 clusters with all upstream CRDs started', `${Math.round(performance.now() - start)} ms`);
  const gvr = { group: 'helm.toolkit.fluxcd.io', version: 'v2', resource: 'helmreleases' };
  for (const cluster of fleet.clusters) {
    for (let i = 0; i < 200; i++) await cluster.api.create(gvr, helmRelease(`app-${i}`));
  }
  global.gc?.();
  const rss = process.memoryUsage().rss;
  report('fleet: RSS with 50 clusters x 200 HelmReleases', `${Math.round(rss / 2 ** 20)} MiB (process before: ${Math.round(before / 2 ** 20)} MiB)`);
  await fleet.stop();
}

async function main(): Promise<void> {
  await applyThroughput();
  await listAndWatch();
  await fleetMemory();
}

main().then(
  () => process.exit(0),
  e => {
    console.error(e);
    process.exit(1);
  },
);
