import { SimCluster } from '@vworkspace/kube-sim';
import http from 'node:http';
import { isConflict, isNotFound, isTooManyRequests, KubeApiError, retryAfterSeconds } from './apiErrors';
import { KubeClient } from './KubeClient';
import { coreKinds, KubeObject, WatchEvent } from './types';
import { configMap, startSim } from '../__testUtils__/sim';

const CM = coreKinds.ConfigMap;

describe('KubeClient against kube-sim', () => {
  let sim: Awaited<ReturnType<typeof startSim>>;
  beforeEach(async () => {
    sim = await startSim();
  });
  afterEach(async () => {
    await sim.stop();
  });

  it('creates, reads, updates, patches and deletes with typed errors', async () => {
    const { client } = sim;
    const created = await client.create(CM, configMap('a', { k: 'v' }));
    expect(created.metadata?.uid).toBeTruthy();

    const got = await client.get(CM, 'a', 'default');
    const updated = await client.update(CM, { ...got, data: { k: 'v2' } });
    expect(updated.data).toEqual({ k: 'v2' });

    // stale resourceVersion → 409 Conflict
    const stale = await client.update(CM, { ...got, data: { k: 'v3' } }).catch(e => e);
    expect(stale).toBeInstanceOf(KubeApiError);
    expect(isConflict(stale)).toBe(true);

    const merged = await client.patch(CM, 'a', 'default', { data: { m: '1' } }, { type: 'merge' });
    expect(merged.data).toEqual({ k: 'v2', m: '1' });
    const jsonPatched = await client.patch(CM, 'a', 'default', [{ op: 'remove', path: '/data/m' }], { type: 'json' });
    expect(jsonPatched.data).toEqual({ k: 'v2' });
    const applied = await client.apply(
      CM,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' }, data: { k: 'applied' } },
      { fieldManager: 'test-manager' },
    );
    expect(applied.data?.k).toBe('applied');

    await client.delete(CM, 'a', 'default');
    const missing = await client.get(CM, 'a', 'default').catch(e => e);
    expect(isNotFound(missing)).toBe(true);
    expect((missing as KubeApiError).reason).toBe('NotFound');
  });

  it('pages lists with limit/continue', async () => {
    const { client } = sim;
    for (let i = 0; i < 7; i++) await client.create(CM, configMap(`p-${i}`));
    const first = await client.list(CM, { namespace: 'default', limit: 3 });
    expect(first.items).toHaveLength(3);
    expect(first.metadata.continue).toBeTruthy();
    const names = first.items.map(i => i.metadata?.name);
    let cont = first.metadata.continue;
    while (cont) {
      const page = await client.list(CM, { namespace: 'default', limit: 3, continue: cont });
      names.push(...page.items.map(i => i.metadata?.name));
      cont = page.metadata.continue;
    }
    expect(names.filter(n => n?.startsWith('p-')).sort()).toEqual(['p-0', 'p-1', 'p-2', 'p-3', 'p-4', 'p-5', 'p-6']);
  });

  it('streams watch events from a resourceVersion', async () => {
    const { client } = sim;
    const list = await client.list(CM, { namespace: 'default' });
    const ac = new AbortController();
    const seen: WatchEvent[] = [];
    const done = (async () => {
      for await (const ev of client.watch(CM, { namespace: 'default', resourceVersion: list.metadata.resourceVersion, signal: ac.signal })) {
        seen.push(ev);
        if (seen.length === 2) break;
      }
    })();
    await client.create(CM, configMap('w'));
    await client.delete(CM, 'w', 'default');
    await done;
    expect(seen.map(e => `${e.type} ${e.object.metadata?.name}`)).toEqual(['ADDED w', 'DELETED w']);
  });

  function countRequests(cluster: SimCluster, throttleFirst: number): () => number {
    let calls = 0;
    const draw = cluster.faults.draw.bind(cluster.faults);
    cluster.faults.draw = () => (calls++ < throttleFirst ? draw() : undefined);
    return () => calls;
  }

  it('retries a 429 after the Retry-After the server asked for', async () => {
    const { cluster } = sim;
    const client = KubeClient.fromString(cluster.kubeConfig());
    cluster.faults.set({ throttleRate: 1, retryAfterSeconds: 0 });
    const calls = countRequests(cluster, 2);
    await expect(client.create(CM, configMap('after-429'))).resolves.toBeTruthy();
    expect(calls()).toBe(3);
    client.close();
  });

  it('gives up after maxRetries and reports the 429 with its Retry-After', async () => {
    const { cluster } = sim;
    const client = KubeClient.fromString(cluster.kubeConfig(), { maxRetries: 2 });
    cluster.faults.set({ throttleRate: 1, retryAfterSeconds: 0 });
    const calls = countRequests(cluster, 100);
    const err = await client.get(CM, 'x', 'default').catch(e => e);
    expect(isTooManyRequests(err)).toBe(true);
    expect(retryAfterSeconds(err)).toBe(0);
    expect(calls()).toBe(3);
    client.close();
  });

  it('does not wait past its retry budget', async () => {
    const { cluster } = sim;
    const client = KubeClient.fromString(cluster.kubeConfig(), { retryBudgetMs: 500 });
    cluster.faults.set({ throttleRate: 1, retryAfterSeconds: 5 });
    const calls = countRequests(cluster, 100);
    const err = await client.get(CM, 'x', 'default').catch(e => e);
    expect(retryAfterSeconds(err)).toBe(5);
    expect(calls()).toBe(1);
    client.close();
  });

  it('retries a 500 on a read', async () => {
    const { cluster } = sim;
    const client = KubeClient.fromString(cluster.kubeConfig(), { random: () => 0 });
    cluster.faults.set({ errorRate: 1 });
    const calls = countRequests(cluster, 1);
    await expect(client.get(coreKinds.Namespace, 'default')).resolves.toBeTruthy();
    expect(calls()).toBe(2);
    client.close();
  });

  it('speaks TLS with the kubeconfig CA and bearer token', async () => {
    const secure = await SimCluster.start({ tls: true });
    const client = KubeClient.fromString(secure.kubeConfig());
    try {
      const ns = await client.get(coreKinds.Namespace, 'default');
      expect(ns.metadata?.name).toBe('default');
      const bad = KubeClient.fromString(secure.kubeConfig({ token: 'wrong' }));
      const err = await bad.get(coreKinds.Namespace, 'default').catch(e => e);
      expect((err as KubeApiError).code).toBe(401);
      bad.close();
    } finally {
      client.close();
      await secure.stop();
    }
  });
});

describe('KubeClient with connection settings that cannot work', () => {
  it('reports the error to the request and closes without an unhandled rejection', async () => {
    const kubeconfig = [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{ name: c, cluster: { server: "https://127.0.0.1:1", certificate-authority: /nonexistent/ca.pem } }]',
      'users: [{ name: u, user: { token: t } }]',
      'contexts: [{ name: x, context: { cluster: c, user: u } }]',
      'current-context: x',
    ].join('\n');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const client = KubeClient.fromString(kubeconfig, { maxRetries: 0 });
      await expect(client.get(coreKinds.Namespace, 'default')).rejects.toThrow(/ca\.pem|ENOENT/);
      client.close();
      await new Promise(resolve => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('KubeClient transport', () => {
  it('reuses one connection for sequential requests', async () => {
    const sockets = new Set<unknown>();
    const server = http.createServer((req, res) => {
      sockets.add(req.socket);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ kind: 'ConfigMap', metadata: { name: 'x' } }));
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const client = KubeClient.fromString(kubeconfigFor(`http://127.0.0.1:${port}`));
    for (let i = 0; i < 5; i++) await client.get(CM, 'x', 'default');
    expect(sockets.size).toBe(1);
    client.close();
    await new Promise(r => server.close(r));
  });

  it('tears down a watch that stays silent past its idle timeout', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders(); // then say nothing, like a half-open connection
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const client = KubeClient.fromString(kubeconfigFor(`http://127.0.0.1:${port}`));
    const events: KubeObject[] = [];
    const err = await (async () => {
      for await (const ev of client.watch(CM, { idleTimeoutMs: 200 })) events.push(ev.object);
    })().catch(e => e);
    expect((err as { code?: string }).code).toBe('ETIMEDOUT');
    expect(events).toEqual([]);
    client.close();
    server.closeAllConnections();
    await new Promise(r => server.close(r));
  });

  it('retries a refused connection and then reports it', async () => {
    const server = http.createServer();
    await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    await new Promise(r => server.close(r));
    let attempts = 0;
    const client = KubeClient.fromString(kubeconfigFor(`http://127.0.0.1:${port}`), {
      maxRetries: 2,
      random: () => {
        attempts++;
        return 0;
      },
    });
    const err = await client.get(CM, 'x', 'default').catch(e => e);
    expect((err as { code?: string }).code).toBe('ECONNREFUSED');
    expect(attempts).toBe(2);
  });
});

function kubeconfigFor(server: string): string {
  return `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`;
}
