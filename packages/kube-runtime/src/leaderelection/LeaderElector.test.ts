import { KubeClient } from '../client/KubeClient';
import { Lease, LeaderElector } from './LeaderElector';
import { Metrics } from '../metrics/Metrics';
import { coreKinds } from '../client/types';
import { startSim, waitFor } from '../__testUtils__/sim';

const fast = { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 100 };

describe('LeaderElector against kube-sim', () => {
  let sim: Awaited<ReturnType<typeof startSim>>;
  const clients: KubeClient[] = [];
  beforeEach(async () => {
    sim = await startSim();
  });
  afterEach(async () => {
    clients.forEach(c => c.close());
    await sim.stop();
  });

  function candidate(identity: string, metrics?: Metrics) {
    const client = KubeClient.fromString(sim.cluster.kubeConfig(), { qps: 1000, burst: 1000, maxRetries: 0 });
    clients.push(client);
    const events: string[] = [];
    const elector = new LeaderElector({
      client,
      namespace: 'kube-system',
      name: 'test-lock',
      identity,
      ...fast,
      metrics,
      onStartedLeading: () => events.push('started'),
      onStoppedLeading: () => events.push('stopped'),
    });
    const ac = new AbortController();
    const done = elector.run(ac.signal);
    return { client, elector, ac, done, events };
  }

  const readLease = () => sim.client.get<Lease>(coreKinds.Lease, 'test-lock', 'kube-system');

  it('elects exactly one of two candidates and records it on the Lease', async () => {
    const metrics = new Metrics();
    const a = candidate('a', metrics);
    const b = candidate('b');
    await waitFor(() => a.elector.isLeader() || b.elector.isLeader(), 'a leader');
    await new Promise(r => setTimeout(r, 300)); // several retry periods of contention
    expect([a.elector.isLeader(), b.elector.isLeader()].filter(Boolean)).toHaveLength(1);
    const leader = a.elector.isLeader() ? 'a' : 'b';
    const lease = await readLease();
    expect(lease.spec).toMatchObject({ holderIdentity: leader, leaseDurationSeconds: 2, leaseTransitions: 0 });
    expect(lease.spec?.acquireTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    await waitFor(async () => (await readLease()).spec?.renewTime !== lease.spec?.renewTime, 'renewal');
    const gauge = await metrics.registry.getSingleMetric('leader_election_master_status')!.get();
    expect(gauge.values[0].value).toBe(leader === 'a' ? 1 : 0);
    a.ac.abort();
    b.ac.abort();
    await Promise.all([a.done, b.done]);
  });

  it('releases the lease on graceful stop so the standby takes over without waiting for expiry', async () => {
    const a = candidate('a');
    await waitFor(() => a.elector.isLeader(), 'a leads');
    const b = candidate('b');
    await waitFor(() => b.elector.currentLeader === 'a', 'b sees a');
    a.ac.abort();
    await expect(a.done).resolves.toBe('released');
    expect(a.events).toEqual(['started']); // a release is not a loss
    await waitFor(() => b.elector.isLeader(), 'b takes over');
    const lease = await readLease();
    expect(lease.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    b.ac.abort();
    await b.done;
  });

  it('a leader that cannot renew gives up, and a standby takes over once the lease expires', async () => {
    const a = candidate('a');
    await waitFor(() => a.elector.isLeader(), 'a leads');
    const b = candidate('b');
    a.client.close(); // a can no longer reach the API server
    await expect(a.done).resolves.toBe('lost');
    expect(a.events).toEqual(['started', 'stopped']);
    await waitFor(() => b.elector.isLeader(), 'b takes over after expiry');
    b.ac.abort();
    await b.done;
  });

  it('rejects inconsistent durations', () => {
    expect(
      () => new LeaderElector({ client: sim.client, namespace: 'x', name: 'y', identity: 'z', leaseDurationMs: 10, renewDeadlineMs: 10 }),
    ).toThrow(/leaseDuration/);
  });
});
