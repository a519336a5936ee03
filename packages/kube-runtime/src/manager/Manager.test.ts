import { KubeClient } from '../client/KubeClient';
import { Manager, parseBindAddress } from './Manager';
import { Request } from '../controller/reconcile';
import { coreKinds, KubeObject } from '../client/types';
import { configMap, startSim, waitFor } from '../__testUtils__/sim';
import { processHolds } from '../lifecycle/keepProcessAlive';

const CM = coreKinds.ConfigMap;

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

describe('Manager against kube-sim', () => {
  let sim: Awaited<ReturnType<typeof startSim>>;
  beforeEach(async () => {
    sim = await startSim();
  });
  afterEach(async () => {
    await sim.stop();
  });

  function manager(identity: string, seen: string[]) {
    const mgr = new Manager({
      client: KubeClient.fromString(sim.cluster.kubeConfig(), { qps: 1000, burst: 1000 }),
      namespace: 'default',
      metricsBindAddress: '127.0.0.1:0',
      healthProbeBindAddress: '127.0.0.1:0',
      leaderElection: { name: 'test-operator', identity, leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 100 },
      gracefulShutdownTimeoutMs: 2000,
    });
    mgr
      .controller('configmaps')
      .for(CM)
      .owns(coreKinds.Secret)
      .complete({
        async reconcile(req: Request) {
          seen.push(`${identity}:${req.name}`);
        },
      });
    const running = mgr.start();
    return { mgr, running };
  }

  it('runs controllers only on the leader, fails over when it stops, and serves probes and metrics', async () => {
    await sim.client.create(CM, configMap('first'));
    const seen: string[] = [];
    const a = manager('a', seen);
    await waitFor(() => a.mgr.elector!.isLeader(), 'a leads');
    const b = manager('b', seen);
    await waitFor(() => seen.includes('a:first'), 'a reconciles');
    await waitFor(() => b.mgr.ready(), 'standby ready');

    const readyB = await get(`http://${b.mgr.addresses.health}/readyz`);
    expect(readyB.status).toBe(200);
    expect((await get(`http://${a.mgr.addresses.health}/healthz`)).status).toBe(200);
    const metrics = (await get(`http://${a.mgr.addresses.metrics}/metrics`)).body;
    expect(metrics).toMatch(/controller_runtime_reconcile_total\{controller="configmaps",result="success"\} [1-9]/);
    expect(metrics).toContain('controller_runtime_reconcile_errors_total{controller="configmaps"} 0');
    expect(metrics).toContain('leader_election_master_status{name="test-operator"} 1');
    expect(metrics).toContain('workqueue_depth{name="configmaps",controller="configmaps"}');
    expect(seen.filter(s => s.startsWith('b:'))).toEqual([]);

    await a.mgr.stop();
    await a.running;
    await sim.client.create(CM, configMap('second'));
    await waitFor(() => seen.includes('b:second'), 'b reconciles after failover');
    expect(seen.filter(s => s.startsWith('a:') && s.endsWith('second'))).toEqual([]);
    await b.mgr.stop();
    await b.running;
  });

  it('owns: a change to an owned Secret reconciles the owning ConfigMap', async () => {
    const owner = await sim.client.create(CM, configMap('owner'));
    const seen: string[] = [];
    const m = manager('solo', seen);
    await waitFor(() => seen.includes('solo:owner'), 'initial reconcile');
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'child',
        namespace: 'default',
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid!, controller: true }],
      },
      data: {},
    };
    const before = seen.length;
    await sim.client.create(coreKinds.Secret, secret);
    await waitFor(() => seen.length > before && seen[seen.length - 1] === 'solo:owner', 'owner reconciled from child');
    expect(seen).not.toContain('solo:child');
    await m.mgr.stop();
    await m.running;
  });

  it('holds the process alive from start() until it has stopped, with no listener bound', async () => {
    const mgr = new Manager({ client: KubeClient.fromString(sim.cluster.kubeConfig()), namespace: 'default' });
    expect(processHolds()).not.toContain('manager');
    const running = mgr.start();
    expect(processHolds()).toContain('manager');
    await waitFor(() => mgr.ready(), 'manager ready');
    await mgr.stop();
    await running;
    expect(processHolds()).not.toContain('manager');
  });

  it('reports not ready until caches have synced', async () => {
    const mgr = new Manager({
      client: KubeClient.fromString(sim.cluster.kubeConfig(), { maxRetries: 0 }),
      healthProbeBindAddress: '127.0.0.1:0',
      cache: { backoff: { initialMs: 10, maxMs: 50, jitter: 0 } },
    });
    mgr.controller('c').for(CM).complete({ reconcile: async () => ({}) });
    sim.cluster.faults.set({ errorRate: 1 });
    const running = mgr.start();
    await waitFor(() => mgr.addresses.health, 'listening');
    const notReady = await get(`http://${mgr.addresses.health}/readyz`);
    expect(notReady).toEqual({ status: 503, body: 'caches not synced' });
    sim.cluster.faults.clear();
    await waitFor(async () => (await get(`http://${mgr.addresses.health}/readyz`)).status === 200, 'ready');
    await mgr.stop();
    await running;
  });
});

describe('parseBindAddress', () => {
  it.each([
    { input: ':8080', want: { host: '0.0.0.0', port: 8080 } },
    { input: '127.0.0.1:9000', want: { host: '127.0.0.1', port: 9000 } },
    { input: '[::1]:81', want: { host: '::1', port: 81 } },
    { input: '0', want: undefined },
    { input: '', want: undefined },
  ])('$input', ({ input, want }) => {
    expect(parseBindAddress(input)).toEqual(want);
  });

  it('rejects a bad port', () => {
    expect(() => parseBindAddress('host:99999')).toThrow(/invalid bind address/);
  });
});
