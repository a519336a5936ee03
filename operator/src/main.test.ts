import { createServer } from 'node:net';
import path from 'node:path';
import { SimCluster, startControllers } from '@vworkspace/kube-sim';
import type { FaultSettings } from '@vworkspace/kube-sim';
import { OperatorLogLine, OperatorProcess, startOperatorProcess, waitFor } from './testing';

// Real child processes of operator/bin/fleet-operator against kube-sim: what a Deployment sees.
jest.setTimeout(120_000);

const simDir = path.dirname(require.resolve('@vworkspace/kube-sim/package.json'));
const crds = [path.resolve(__dirname, '../crds'), path.join(simDir, 'crds/upstream')];
const instances = { group: 'apps.vworkspace.io', version: 'v1alpha1', resource: 'applicationinstances' };
const leases = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** Waits for `check`, but fails at once, with its log, if the operator process ends meanwhile. */
async function whileRunning<T>(operator: OperatorProcess, check: () => T | undefined | false | Promise<T | undefined | false>, what: string): Promise<T> {
  const ended = operator.exited.then(() => {
    throw new Error(`operator exited while waiting for ${what}:\n${operator.logs.map(l => JSON.stringify(l)).join('\n')}`);
  });
  const result = Promise.race([waitFor(check, what, 60_000), ended]);
  ended.catch(() => undefined); // the process ends later anyway, at stop()
  return result;
}

async function probe(port: number, route: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${route}`);
  return { status: res.status, body: await res.text() };
}

const retried = (line: OperatorLogLine) => line.msg === 'retrying request';

async function createInstance(cluster: SimCluster, name: string) {
  await cluster.api.create(instances, {
    apiVersion: 'apps.vworkspace.io/v1alpha1',
    kind: 'ApplicationInstance',
    metadata: { name, namespace: 'team-a' },
    spec: { app: 'nextcloud', chart: { name: 'nextcloud', version: '6.2.0', repository: { url: 'https://nextcloud.github.io/helm/', type: 'helm' } } },
  });
}

function isReady(cluster: SimCluster, name: string): boolean {
  const obj = cluster.api.get(instances, name, { namespace: 'team-a' });
  const conditions = (obj.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? [];
  return conditions.some(c => c.type === 'Ready' && c.status === 'True');
}

describe('the fleet-operator process', () => {
  let cluster: SimCluster;
  let operator: OperatorProcess | undefined;

  beforeEach(async () => {
    cluster = await SimCluster.start({ tls: false, crds });
    await cluster.api.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
  });

  afterEach(async () => {
    await operator?.stop();
    operator = undefined;
    await cluster.stop();
  });

  it.each<{ answer: string; faults: FaultSettings }>([
    { answer: '429 TooManyRequests', faults: { throttleRate: 1, retryAfterSeconds: 1 } },
    { answer: '500 InternalError', faults: { errorRate: 1 } },
  ])('keeps running and retrying, not ready, against a server that answers only $answer; SIGTERM ends it with 0', async ({ faults }) => {
    cluster.faults.set(faults);
    const healthPort = await freePort();
    operator = startOperatorProcess(cluster.kubeConfig(), [`--health-probe-bind-address=127.0.0.1:${healthPort}`, '--log-level=debug']);

    const notReady = await whileRunning(operator, async () => {
      const res = await probe(healthPort, '/readyz').catch(() => undefined);
      return res?.status === 503 && res;
    }, '/readyz to answer');
    expect(notReady.body).toBe('caches not synced');
    // still retrying well after the first requests failed: retries logged across several seconds
    const first = await operator.waitForLog(retried, 'a retried request');
    await operator.waitForLog(l => retried(l) && Date.parse(String(l.ts)) - Date.parse(String(first.ts)) > 5_000, 'retries 5 s after the first');
    expect(operator.running()).toBe(true);
    expect((await probe(healthPort, '/readyz')).status).toBe(503);
    expect((await probe(healthPort, '/healthz')).status).toBe(200);

    const exit = await operator.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(operator.logs.map(l => l.msg)).toEqual(expect.arrayContaining(['manager stopped', 'fleet-operator exiting: shutdown requested']));
  });

  it('exits 1, saying why, when another holder takes its lease after a storm of 429s', async () => {
    cluster.faults.set({ throttleRate: 1, retryAfterSeconds: 1 });
    operator = startOperatorProcess(cluster.kubeConfig(), ['--leader-elect', '--leader-election-namespace=team-a', '--log-level=debug']);
    await operator.waitForLog(retried, 'a retried request');
    cluster.faults.clear();
    await operator.waitForLog(l => l.msg === 'became leader', 'leadership');

    const lease = cluster.api.get(leases, 'fleet-operator-leader', { namespace: 'team-a' });
    const now = new Date().toISOString().replace('Z', '000Z');
    await cluster.api.update(leases, { ...lease, spec: { ...(lease.spec as object), holderIdentity: 'another-replica', renewTime: now, acquireTime: now } });

    const exit = await operator.exited;
    expect(exit).toEqual({ code: 1, signal: null });
    expect(operator.logs.find(l => l.msg === 'fleet-operator exiting: leadership lost')).toMatchObject({ level: 'error', exitCode: 1 });
  });

  it('exits 1, saying why, when it cannot bind its health probe address', async () => {
    const taken = createServer();
    await new Promise<void>(resolve => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      operator = startOperatorProcess(cluster.kubeConfig(), [`--health-probe-bind-address=127.0.0.1:${port}`]);
      const exit = await operator.exited;
      expect(exit).toEqual({ code: 1, signal: null });
      const line = operator.logs.find(l => l.msg === 'fleet-operator exiting: fatal error');
      expect(line).toMatchObject({ level: 'error', exitCode: 1 });
      expect(JSON.stringify(line)).toContain('EADDRINUSE');
    } finally {
      await new Promise(resolve => taken.close(resolve));
    }
  });

  it('with every listener disabled, survives a 20 s API outage and converges after it', async () => {
    const controllers = startControllers(cluster, { flux: true, timeScale: 0 });
    try {
      operator = startOperatorProcess(cluster.kubeConfig());
      await createInstance(cluster, 'before');
      await whileRunning(operator, () => isReady(cluster, 'before'), 'instance "before" Ready');

      await cluster.goDown();
      await new Promise(r => setTimeout(r, 20_000));
      expect(operator.running()).toBe(true);
      await cluster.comeBack();

      await createInstance(cluster, 'after');
      await whileRunning(operator, () => isReady(cluster, 'after'), 'instance "after" Ready');
      expect(operator.running()).toBe(true);
      expect(await operator.stop()).toEqual({ code: 0, signal: null });
    } finally {
      controllers.stop();
    }
  });
});
