import http from 'node:http';
import { KubeApiError } from '../client/apiErrors';
import { ManualClock } from '../clock/Clock';
import { KubeClient } from '../client/KubeClient';
import { Reflector } from './Reflector';
import { Store } from './Store';
import { coreKinds, KubeObject } from '../client/types';
import { configMap, createConfigMaps, startSim, waitFor } from '../__testUtils__/sim';

const CM = coreKinds.ConfigMap;
const gvr = { group: '', version: 'v1', resource: 'configmaps' };
const fastBackoff = { initialMs: 10, maxMs: 200, jitter: 0 };

function names(store: Store): string[] {
  return store
    .list()
    .map(o => o.metadata!.name!)
    .sort();
}

describe('Reflector against kube-sim', () => {
  let sim: Awaited<ReturnType<typeof startSim>>;
  let ac: AbortController;
  let running: Promise<void> | undefined;

  beforeEach(async () => {
    sim = await startSim({ historySize: 5 });
    ac = new AbortController();
  });
  afterEach(async () => {
    ac.abort();
    await running;
    await sim.stop();
  });

  function start(store: Store, extra: Partial<ConstructorParameters<typeof Reflector>[0]> = {}) {
    const reflector = new Reflector({ client: sim.client, kind: CM, store, namespace: 'default', backoff: fastBackoff, ...extra });
    running = reflector.run(ac.signal);
    return reflector;
  }

  it('lists page by page, syncs, then follows adds, updates and deletes', async () => {
    await createConfigMaps(sim.client, 12);
    const store = new Store();
    const events: string[] = [];
    store.subscribe({
      onUpdate: (_, o) => events.push(`update ${o.metadata?.name}`),
      onDelete: o => events.push(`delete ${o.metadata?.name}`),
    });
    const reflector = start(store, { pageSize: 5 });
    await reflector.waitForSync();
    expect(store.size).toBe(12);
    expect(store.get('default/cm-3')?.kind).toBe('ConfigMap');
    expect(store.get('default/cm-3')?.metadata?.managedFields).toBeUndefined();

    await sim.client.patch(CM, 'cm-1', 'default', { data: { i: 'changed' } }, { type: 'merge' });
    await sim.client.delete(CM, 'cm-2', 'default');
    await sim.client.create(CM, configMap('fresh'));
    await waitFor(() => store.get('default/fresh'), 'watch ADDED');
    expect(store.get('default/cm-1')?.data).toEqual({ i: 'changed' });
    expect(store.get('default/cm-2')).toBeUndefined();
    expect(events).toEqual(['update cm-1', 'delete cm-2']);
    expect(reflector.listCount).toBe(1);
  });

  it('lists again from the start when its continue token expires mid-list', async () => {
    await createConfigMaps(sim.client, 7);
    const realList = sim.client.list.bind(sim.client);
    let expiredOnce = false;
    jest.spyOn(sim.client, 'list').mockImplementation(async (kind, options) => {
      if (options?.continue && !expiredOnce) {
        expiredOnce = true;
        throw new KubeApiError({ code: 410, status: { kind: 'Status', code: 410, reason: 'Expired', message: 'continue expired' } });
      }
      return realList(kind, options);
    });
    const store = new Store();
    const reflector = start(store, { pageSize: 3 });
    await reflector.waitForSync();
    expect(expiredOnce).toBe(true);
    expect(names(store)).toEqual(['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5', 'cm-6']);
  });

  it('re-watches from the last resourceVersion when the server cuts the stream, without relisting', async () => {
    const store = new Store();
    const reflector = start(store);
    await reflector.waitForSync();
    sim.cluster.faults.set({ watchMaxEvents: 2 });
    await createConfigMaps(sim.client, 5, 'cut');
    await waitFor(() => store.size === 5, 'all 5 objects through cut watches');
    expect(reflector.listCount).toBe(1);
  });

  it('relists when its resourceVersion fell out of the server history (410), synthesising deletes', async () => {
    await createConfigMaps(sim.client, 3);
    const store = new Store();
    const deleted: string[] = [];
    store.subscribe({ onDelete: o => deleted.push(o.metadata!.name!) });
    const reflector = start(store);
    await reflector.waitForSync();

    await sim.cluster.goDown();
    await sim.cluster.api.delete(gvr, 'cm-0', { namespace: 'default' });
    for (let i = 0; i < 10; i++) await sim.cluster.api.create(gvr, configMap(`while-down-${i}`)); // overflow history of 5
    await sim.cluster.comeBack();

    await waitFor(() => store.size === 12, 'relisted store');
    expect(reflector.listCount).toBe(2);
    expect(deleted).toEqual(['cm-0']);
    expect(store.get('default/while-down-9')).toBeDefined();
  });

  it('recovers when the cluster goes away and comes back with the same state', async () => {
    await createConfigMaps(sim.client, 2);
    const store = new Store();
    const reflector = start(store);
    await reflector.waitForSync();
    await sim.cluster.goDown();
    await new Promise(r => setTimeout(r, 100)); // let a few reconnects fail
    await sim.cluster.comeBack();
    await sim.client.create(CM, configMap('after-outage'));
    await waitFor(() => store.get('default/after-outage'), 'event after outage');
    expect(names(store)).toEqual(['after-outage', 'cm-0', 'cm-1']);
  });

  it('relists when the cluster comes back wiped (too large resourceVersion) and deletes what vanished', async () => {
    await createConfigMaps(sim.client, 4);
    const store = new Store();
    const deleted: string[] = [];
    store.subscribe({ onDelete: o => deleted.push(o.metadata!.name!) });
    const reflector = start(store);
    await reflector.waitForSync();
    await sim.cluster.goDown();
    await sim.cluster.comeBack({ wipe: true });
    await sim.cluster.api.create(gvr, configMap('new-life'));
    await waitFor(() => store.size === 1 && store.get('default/new-life'), 'store equal to the wiped cluster');
    expect(deleted.sort()).toEqual(['cm-0', 'cm-1', 'cm-2', 'cm-3']);
  });

  it('waits the Retry-After of a 429 before listing again', async () => {
    const clock = new ManualClock();
    const client = KubeClient.fromString(sim.cluster.kubeConfig(), { maxRetries: 0 });
    let requests = 0;
    const draw = sim.cluster.faults.draw.bind(sim.cluster.faults);
    sim.cluster.faults.draw = () => {
      requests++;
      return draw();
    };
    sim.cluster.faults.set({ throttleRate: 1, retryAfterSeconds: 3 });
    const store = new Store();
    const reflector = start(store, { client, clock });
    await waitFor(() => requests === 1 && clock.pendingTimers > 0, 'first throttled list');
    sim.cluster.faults.clear();
    await clock.advance(2_999);
    expect(requests).toBe(1);
    await clock.advance(1);
    await reflector.waitForSync();
    expect(requests).toBeGreaterThanOrEqual(2);
    ac.abort();
    await running;
    client.close();
  });
});

describe('Reflector watchdog', () => {
  it('restarts a watch that stays silent past its timeout plus grace', async () => {
    let watches = 0;
    const server = http.createServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      if (req.url?.includes('watch=1')) {
        watches++;
        res.flushHeaders(); // never a byte, never closed: a half-open connection
        return;
      }
      const list = { kind: 'ConfigMapList', metadata: { resourceVersion: '7' }, items: [] as KubeObject[] };
      res.end(JSON.stringify(list));
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const client = KubeClient.fromString(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`);
    const ac = new AbortController();
    const reflector = new Reflector({
      client,
      kind: CM,
      store: new Store(),
      watchTimeoutSeconds: { min: 1, max: 1 },
      watchdogGraceMs: 50,
      backoff: fastBackoff,
    });
    const running = reflector.run(ac.signal);
    await waitFor(() => watches >= 2, 'a second watch after the silent one');
    expect(reflector.listCount).toBe(1);
    ac.abort();
    await running;
    client.close();
    server.closeAllConnections();
    await new Promise(r => server.close(r));
  });
});
