// Wire responses are checked as untyped JSON, hence `any` in assertions.
import { CoreV1Api, KubeConfig, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
import { startTestCluster, failure } from './__testUtils__/testCluster';
import type { SimCluster } from '../../cluster/SimCluster';
import { join } from 'node:path';

interface Seen {
  type: string;
  object: any;
}

/** Watches until `until` says stop (or the server ends the stream); resolves with every event. */
function collect(kc: KubeConfig, path: string, query: Record<string, string | number | boolean | undefined>, until: (events: Seen[]) => boolean = () => false): Promise<Seen[]> {
  return new Promise((resolve, reject) => {
    const events: Seen[] = [];
    let controller: AbortController | undefined;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      controller?.abort();
      resolve(events);
    };
    new Watch(kc)
      .watch(path, query, (type, object) => {
        events.push({ type, object });
        if (until(events)) finish();
      }, err => (err && !finished && (err as Error).name !== 'AbortError' ? reject(err) : finish()))
      .then(c => {
        controller = c;
        if (finished) c.abort();
      }, reject);
  });
}

describe('watch', () => {
  let cluster: SimCluster;
  let kc: KubeConfig;
  let core: CoreV1Api;
  const path = '/api/v1/namespaces/default/configmaps';
  beforeAll(async () => {
    ({ cluster, kc } = await startTestCluster({ historySize: 20, bookmarkIntervalMs: 50 }));
    core = kc.makeApiClient(CoreV1Api);
  });
  afterAll(() => cluster.stop());

  it('replays changes after a resourceVersion in order', async () => {
    const first = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w1' } } });
    await core.patchNamespacedConfigMap({ namespace: 'default', name: 'w1', body: { data: { a: '1' } } }, merge);
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'w1' });
    const events = await collect(kc, path, { resourceVersion: first.metadata!.resourceVersion }, e => e.length === 2);
    expect(events.map(e => [e.type, e.object.metadata.name])).toEqual([['MODIFIED', 'w1'], ['DELETED', 'w1']]);
    expect(Number(events[1].object.metadata.resourceVersion)).toBeGreaterThan(Number(events[0].object.metadata.resourceVersion));
  });

  it('starts with the current state as ADDED when no resourceVersion is given', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w2', labels: { w: 'two' } } } });
    const events = await collect(kc, path, { labelSelector: 'w=two' }, e => e.length === 1);
    expect(events.map(e => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'w2']]);
  });

  it('sends DELETED when an object leaves the label selection', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w3', labels: { pick: 'yes' } } } });
    const watching = collect(kc, path, { labelSelector: 'pick=yes', resourceVersion: cm.metadata!.resourceVersion }, e => e.length === 1);
    await core.patchNamespacedConfigMap({ namespace: 'default', name: 'w3', body: { metadata: { labels: { pick: 'no' } } } }, merge);
    const events = await watching;
    expect(events.map(e => [e.type, e.object.metadata.labels.pick])).toEqual([['DELETED', 'no']]);
  });

  it('sends BOOKMARK events carrying only a resourceVersion', async () => {
    const events = await collect(kc, path, { allowWatchBookmarks: true, resourceVersion: cluster.resourceVersion }, e => e.some(x => x.type === 'BOOKMARK'));
    const bookmark = events.find(e => e.type === 'BOOKMARK')!;
    expect(bookmark.object).toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: cluster.resourceVersion } });
  });

  it('ends the stream at timeoutSeconds', async () => {
    const events = await collect(kc, path, { timeoutSeconds: 1, resourceVersion: cluster.resourceVersion });
    expect(events).toEqual([]);
  });

  it('answers a resourceVersion older than the window with an ERROR event carrying 410 Expired', async () => {
    const start = Number(cluster.resourceVersion);
    for (let i = 0; i < 25; i++) await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: `churn-${i}` } } });
    const events = await collect(kc, path, { resourceVersion: String(start) });
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe('ERROR');
    expect(events[0].object).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    expect(events[0].object.message).toMatch(new RegExp(`^too old resource version: ${start} \\(\\d+\\)$`));
  });

  // staging/src/k8s.io/apiserver/pkg/storage/cacher: a resource's watch cache starts at the
  // revision it began to be served at; an older resourceVersion is too old, not a replay.
  it('answers 410 Expired for a resourceVersion older than the moment a CRD began to be served', async () => {
    const before = cluster.resourceVersion;
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'before-crd' } } });
    await cluster.installCrds([join(__dirname, '../../../crds/upstream/helm.toolkit.fluxcd.io_helmreleases.yaml')]);
    const served = cluster.resourceVersion;
    const releases = '/apis/helm.toolkit.fluxcd.io/v2/namespaces/default/helmreleases';
    const old = await collect(kc, releases, { resourceVersion: before });
    expect(old).toHaveLength(1);
    expect(old[0].object).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
    expect(old[0].object.message).toMatch(new RegExp(`^too old resource version: ${before} \\(\\d+\\)$`));
    // From the moment it is served on, the watch resumes as usual.
    const fresh = await collect(kc, releases, { resourceVersion: served, timeoutSeconds: 1 });
    expect(fresh).toEqual([]);
  });

  it('answers a resourceVersion from the future with 504 for list', async () => {
    const future = String(Number(cluster.resourceVersion) + 1000);
    const { code, body } = await failure(core.listNamespacedConfigMap({ namespace: 'default', resourceVersion: future }));
    expect(code).toBe(504);
    expect(body.reason).toBe('Timeout');
    expect(body.message).toBe(`Timeout: Too large resource version: ${future}, current: ${cluster.resourceVersion}`);
  });

  it('keeps the resourceVersion and emits nothing on a no-op write', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'noop' }, data: { a: 'b' } } });
    const again = await core.patchNamespacedConfigMap({ namespace: 'default', name: 'noop', body: { data: { a: 'b' } } }, merge);
    expect(again.metadata!.resourceVersion).toBe(cm.metadata!.resourceVersion);
    const replaced = await core.replaceNamespacedConfigMap({ namespace: 'default', name: 'noop', body: again });
    expect(replaced.metadata!.resourceVersion).toBe(cm.metadata!.resourceVersion);
    const events = await collect(kc, path, { resourceVersion: cm.metadata!.resourceVersion, timeoutSeconds: 1 });
    expect(events.filter(e => e.object.metadata?.name === 'noop')).toEqual([]);
  });
});
