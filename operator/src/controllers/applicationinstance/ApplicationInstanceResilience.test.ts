import { KubeClient, KubeObject, Manager } from '@vworkspace/kube-runtime';
import { instanceKinds as k } from './kinds';
import { startCountingProxy } from '../../testing';
import { condition, getOrUndefined, instance, startOperator, startSim, waitFor } from './__testUtils__/operatorSim';

jest.setTimeout(120_000);

type Sim = Awaited<ReturnType<typeof startSim>>;

async function allReady(client: KubeClient, namespace: string, count: number, version = '6.2.0'): Promise<KubeObject[]> {
  return waitFor(async () => {
    const list = await client.list(k.ApplicationInstance, { namespace });
    const ready = list.items.filter(o => {
      const c = condition(o, 'Ready');
      return c?.status === 'True' && c.observedGeneration === o.metadata?.generation && (o.status as any)?.chart?.version === version;
    });
    return list.items.length === count && ready.length === count ? list.items : undefined;
  }, `${count} instances Ready at ${version} in ${namespace}`, 90_000);
}

async function reconciles(manager: Manager): Promise<number> {
  const metric = await manager.metrics.reconcileTotal.get();
  return metric.values.filter(v => v.labels.controller === 'applicationinstance').reduce((sum, v) => sum + v.value, 0);
}

/** Waits until the controller has reconciled at least `min` times and then stays quiet for a while. */
async function settled(manager: Manager, min: number): Promise<void> {
  let last = -1;
  let stableSince = Date.now();
  await waitFor(async () => {
    const n = await reconciles(manager);
    if (n !== last) {
      last = n;
      stableSince = Date.now();
    }
    return n >= min && Date.now() - stableSince > 1000;
  }, `at least ${min} reconciles, then quiet`, 60_000);
}

describe('resilience', () => {
  let sim: Sim;
  afterEach(async () => {
    await sim?.stop();
  });

  it('converges while watches are cut, and after the cluster went away long enough for a relist (410)', async () => {
    // a tiny watch history makes resuming after an outage fail with 410 Gone
    sim = await startSim(['team-a', 'argocd'], { historySize: 20 });
    sim.cluster.faults.set({ watchMaxEvents: 7 });
    const operator = startOperator(sim.cluster);
    try {
      for (let i = 0; i < 8; i++) await sim.client.create(k.ApplicationInstance, instance(`w-${i}`, {}));
      await allReady(sim.client, 'team-a', 8);
      const listsBefore = operator.manager.getInformer(k.ApplicationInstance).reflector.listCount;

      await sim.cluster.goDown();
      const gvr = { group: 'apps.vworkspace.io', version: 'v1alpha1', resource: 'applicationinstances' };
      for (let i = 8; i < 40; i++) await sim.cluster.api.create(gvr, instance(`w-${i}`, {}) as any);
      for (let i = 0; i < 8; i += 2) {
        await sim.cluster.api.patch(gvr, `w-${i}`, { spec: { chart: { version: '6.3.0' } } }, { type: 'merge', namespace: 'team-a' });
      }
      await sim.cluster.api.delete(gvr, 'w-1', { namespace: 'team-a' });
      await sim.cluster.comeBack();

      await waitFor(async () => {
        const list = await sim.client.list(k.ApplicationInstance, { namespace: 'team-a' });
        const ready = list.items.filter(o => condition(o, 'Ready')?.status === 'True' && condition(o, 'Ready')?.observedGeneration === o.metadata?.generation);
        return list.items.length === 39 && ready.length === 39 && ready.filter(o => (o.status as any).chart?.version === '6.3.0').length === 4;
      }, 'convergence after the outage', 90_000);
      await waitFor(async () => !(await getOrUndefined(sim.client, k.HelmRelease, 'w-1', 'team-a')), 'the deleted instance\'s HelmRelease to go');
      // the cache had to list again, not merely resume its watch
      expect(operator.manager.getInformer(k.ApplicationInstance).reflector.listCount).toBeGreaterThan(listsBefore);
    } finally {
      sim.cluster.faults.clear();
      await operator.stop();
    }
  });

  it('converges under a 429 storm', async () => {
    sim = await startSim(['team-a', 'argocd']);
    sim.cluster.faults.set({ throttleRate: 0.3, retryAfterSeconds: 1 });
    const operator = startOperator(sim.cluster);
    try {
      const client = sim.client;
      for (let i = 0; i < 10; i++) {
        await waitFor(() => client.create(k.ApplicationInstance, instance(`t-${i}`, {})).then(() => true), 'create through throttling');
      }
      const readyCount = await waitFor(async () => {
        try {
          return (await allReady(client, 'team-a', 10)).length;
        } catch {
          return 0;
        }
      }, 'all Ready under throttling', 100_000);
      expect(readyCount).toBe(10);
    } finally {
      sim.cluster.faults.clear();
      await operator.stop();
    }
  });

  it('a restarted operator converges to what changed while it was down, and an unchanged resync writes nothing', async () => {
    sim = await startSim(['team-a', 'argocd']);
    let operator = startOperator(sim.cluster);
    for (let i = 0; i < 6; i++) await sim.client.create(k.ApplicationInstance, instance(`r-${i}`, {}));
    await allReady(sim.client, 'team-a', 6);
    await operator.stop();

    // while it is down: an upgrade, a deletion, a new instance, an engine switch
    await sim.client.patch(k.ApplicationInstance, 'r-0', 'team-a', { spec: { chart: { version: '6.3.0' } } }, { type: 'merge' });
    await sim.client.delete(k.ApplicationInstance, 'r-1', 'team-a');
    await sim.client.create(k.ApplicationInstance, instance('r-new', {}));
    await sim.client.patch(k.ApplicationInstance, 'r-2', 'team-a', { spec: { engine: 'argocd' } }, { type: 'merge' });

    operator = startOperator(sim.cluster);
    try {
      await waitFor(async () => {
        const list = await sim.client.list(k.ApplicationInstance, { namespace: 'team-a' });
        const byName = new Map(list.items.map(o => [o.metadata!.name!, o]));
        return (
          list.items.length === 6 &&
          list.items.every(o => condition(o, 'Ready')?.status === 'True' && condition(o, 'Ready')?.observedGeneration === o.metadata?.generation) &&
          (byName.get('r-0')?.status as any)?.chart?.version === '6.3.0' &&
          (byName.get('r-2')?.status as any)?.release?.kind === 'Application'
        );
      }, 'convergence after restart', 90_000);
      expect(await getOrUndefined(sim.client, k.HelmRelease, 'r-2', 'team-a')).toBeUndefined();
      expect(await getOrUndefined(sim.client, k.HelmRelease, 'r-new', 'team-a')).toBeDefined();
    } finally {
      await operator.stop();
    }

    // a fresh operator on an unchanged cluster reconciles everything and writes nothing
    await sim.cluster.idle();
    const proxy = await startCountingProxy(sim.cluster.url);
    operator = startOperator(sim.cluster, { kubeConfig: proxy.kubeConfig(sim.cluster.kubeConfig()) });
    try {
      await settled(operator.manager, 6);
      expect(proxy.writes()).toEqual([]);
    } finally {
      await operator.stop();
      await proxy.stop();
    }
  });

  it('with leader election, only the leader writes; the standby takes over when it stops', async () => {
    sim = await startSim(['team-a', 'argocd', 'fleet-system']);
    const election = { name: 'fleet-operator-leader', namespace: 'fleet-system', leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 };
    const proxies = [await startCountingProxy(sim.cluster.url), await startCountingProxy(sim.cluster.url)];
    const notLease = (path: string) => !path.includes('/leases');
    const first = startOperator(sim.cluster, { kubeConfig: proxies[0].kubeConfig(sim.cluster.kubeConfig()), leaderElection: { ...election, identity: 'first' } });
    await waitFor(() => first.manager.elector?.isLeader(), 'first to lead');
    const second = startOperator(sim.cluster, { kubeConfig: proxies[1].kubeConfig(sim.cluster.kubeConfig()), leaderElection: { ...election, identity: 'second' } });
    try {
      for (let i = 0; i < 4; i++) await sim.client.create(k.ApplicationInstance, instance(`l-${i}`, {}));
      await allReady(sim.client, 'team-a', 4);
      expect(proxies[0].writes(notLease).length).toBeGreaterThan(0);
      expect(proxies[1].writes(notLease)).toEqual([]);
      expect(second.manager.elector?.isLeader()).toBe(false);

      await first.stop();
      await waitFor(() => second.manager.elector?.isLeader(), 'second to take over');
      await sim.client.patch(k.ApplicationInstance, 'l-0', 'team-a', { spec: { chart: { version: '6.3.0' } } }, { type: 'merge' });
      await waitFor(async () => {
        const o = await sim.client.get(k.ApplicationInstance, 'l-0', 'team-a');
        return condition(o, 'Ready')?.status === 'True' && (o.status as any).chart?.version === '6.3.0';
      }, 'the new leader to upgrade', 60_000);
      expect(proxies[1].writes(notLease).length).toBeGreaterThan(0);
    } finally {
      await first.stop();
      await second.stop();
      for (const p of proxies) await p.stop();
    }
  });
});
