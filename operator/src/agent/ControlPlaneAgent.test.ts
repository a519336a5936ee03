import { apiResources } from '@vworkspace/backstage-plugin-fleet-common';
import { JsonLogger } from '@vworkspace/kube-runtime';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimCluster, SimulatedCluster, waitFor } from '../testing';
import { ControlPlaneAgent } from './ControlPlaneAgent';

jest.setTimeout(30_000);

const token = `vwf.edge-1.${'k'.repeat(43)}`;

const operation = (name: string, namespace = 'team-a') => ({
  apiVersion: apiResources.Operation.apiVersion,
  kind: 'Operation',
  metadata: { name, namespace },
  spec: { type: 'Backup', engine: 'velero', target: { applicationInstance: 'nextcloud' }, requestedBy: 'user:default/jane' },
});

interface Recorded {
  reports: Array<{ snapshot: boolean; instances: Array<{ metadata: { name: string } }>; operations: unknown[] }>;
  acks: Array<Record<string, unknown>>;
  streams: URLSearchParams[];
  authorization: string[];
}

/**
 * A stand-in for the control plane's agent API: records what the agent sends, and answers each
 * stream with `script(connection number)` (lines to write), then holds it open.
 */
async function startControlPlane(script: (connection: number) => unknown[], port = 0) {
  const recorded: Recorded = { reports: [], acks: [], streams: [], authorization: [] };
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    recorded.authorization.push(req.headers.authorization ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/api/fleet/agent/v1/stream') {
      recorded.streams.push(url.searchParams);
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (const line of script(recorded.streams.length)) res.write(`${JSON.stringify(line)}\n`);
      open.add(res);
      res.on('close', () => open.delete(res));
      return;
    }
    let body = '';
    req.on('data', chunk => (body += chunk));
    req.on('end', () => {
      if (url.pathname.endsWith('/report')) recorded.reports.push(JSON.parse(body));
      else if (url.pathname.endsWith('/ack')) recorded.acks.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve));
  return {
    recorded,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    port: (server.address() as AddressInfo).port,
    async stop() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    },
  };
}

describe('ControlPlaneAgent', () => {
  let sim: SimulatedCluster;
  const aborts: AbortController[] = [];

  function startAgent(controlPlane: string) {
    const abort = new AbortController();
    aborts.push(abort);
    const agent = new ControlPlaneAgent({
      controlPlane,
      token: () => token,
      client: sim.client,
      logger: new JsonLogger({ level: 'error', write: () => undefined }),
      backoff: { initialMs: 20, maxMs: 100 },
      reportIntervalMs: 20,
    });
    void agent.run(abort.signal);
    return agent;
  }

  beforeEach(async () => {
    sim = await startSimCluster({ name: 'edge-1', controllers: false });
  });

  afterEach(async () => {
    for (const abort of aborts.splice(0)) abort.abort();
    await sim.stop();
  });

  it('reports a snapshot, applies intent with server-side apply, acknowledges it, and resumes after it', async () => {
    const plane = await startControlPlane(connection =>
      connection === 1
        ? [
            { type: 'apply', seq: 1, object: operation('nextcloud-backup-1') },
            { type: 'apply', seq: 2, object: operation('elsewhere-backup-1', 'nowhere') },
            { type: 'end', status: 503, message: 'restarting' },
          ]
        : [{ type: 'heartbeat', cursor: 2 }],
    );
    try {
      const agent = startAgent(plane.url);
      await waitFor(() => plane.recorded.streams.length >= 2, 'a second connection');
      expect(plane.recorded.reports[0]).toMatchObject({ snapshot: true });
      expect(plane.recorded.authorization.every(h => h === `Bearer ${token}`)).toBe(true);

      const live = await sim.client.get(apiResources.Operation, 'nextcloud-backup-1', 'team-a');
      const managers = (live.metadata?.managedFields as Array<{ manager?: string }> | undefined)?.map(f => f.manager);
      expect(managers).toContain('vworkspace-control-plane');
      expect(plane.recorded.acks).toEqual([
        { cluster: 'edge-1', seq: 1, uid: live.metadata?.uid, resourceVersion: expect.any(String) },
        { cluster: 'edge-1', seq: 2, error: expect.stringMatching(/nowhere/) },
      ]);
      // the second connection resumes after the last intent acknowledged
      expect(plane.recorded.streams.map(q => `${q.get('cluster')}:${q.get('cursor')}`)).toEqual(['edge-1:0', 'edge-1:2']);
      expect(agent.lastAcknowledged).toBe(2);

      // the Operation it created comes back (as a change, or in the next connection's snapshot)
      await waitFor(
        () => plane.recorded.reports.some(r => JSON.stringify(r.operations).includes('nextcloud-backup-1')),
        'the new Operation reported',
      );
    } finally {
      await plane.stop();
    }
  });

  it('applies instance changes without taking fields another manager owns, unless forced', async () => {
    const instance = (name: string, version: string) => ({
      apiVersion: apiResources.ApplicationInstance.apiVersion,
      kind: 'ApplicationInstance',
      metadata: { name, namespace: 'team-a' },
      spec: { app: 'gitea', chart: { name: 'gitea', version, repository: { url: 'https://dl.gitea.com/charts/', type: 'helm' } } },
    });
    // what a GitOps tool applied: it owns the chart version
    await sim.client.apply(apiResources.ApplicationInstance, instance('gitea', '10.5.0'), { fieldManager: 'gitops', force: false });
    const plane = await startControlPlane(connection =>
      connection === 1
        ? [
            { type: 'applyInstance', seq: 1, object: instance('gitea', '10.6.0') },
            { type: 'applyInstance', seq: 2, object: instance('gitea', '10.6.0'), force: true },
            { type: 'applyInstance', seq: 3, object: instance('gitea-2', '10.6.0') },
          ]
        : [],
    );
    try {
      startAgent(plane.url);
      await waitFor(() => plane.recorded.acks.length >= 3, 'three acknowledgements');
      const [refused, forced, created] = plane.recorded.acks;
      expect(refused).toMatchObject({ seq: 1, error: expect.stringMatching(/conflict/i) });
      const live = await sim.client.get(apiResources.ApplicationInstance, 'gitea', 'team-a');
      expect((live.spec as { chart: { version: string } }).chart.version).toBe('10.6.0');
      expect(forced).toEqual({ cluster: 'edge-1', seq: 2, uid: live.metadata?.uid, resourceVersion: live.metadata?.resourceVersion });
      const fresh = await sim.client.get(apiResources.ApplicationInstance, 'gitea-2', 'team-a');
      expect(created).toMatchObject({ seq: 3, uid: fresh.metadata?.uid });
      const managers = (fresh.metadata?.managedFields as Array<{ manager?: string }> | undefined)?.map(f => f.manager);
      expect(managers).toEqual(['vworkspace-control-plane']);
    } finally {
      await plane.stop();
    }
  });

  it('keeps nothing while the control plane is away, and sends the truth when it is back', async () => {
    let plane = await startControlPlane(() => []);
    const { port } = plane;
    const agent = startAgent(plane.url);
    await waitFor(() => plane.recorded.streams.length >= 1, 'connected');
    await plane.stop();

    for (let i = 0; i < 20; i++) {
      await sim.client.create(apiResources.ApplicationInstance, {
        apiVersion: apiResources.ApplicationInstance.apiVersion,
        kind: 'ApplicationInstance',
        metadata: { name: `app-${i}`, namespace: 'team-a' },
        spec: { app: 'nextcloud', chart: { name: 'nextcloud', version: '6.2.0', repository: { url: 'https://charts.example.com', type: 'helm' } } },
      });
    }
    await waitFor(async () => (await sim.client.list(apiResources.ApplicationInstance)).items.length === 20, 'created');
    expect(agent.pendingChanges).toBe(0);

    plane = await startControlPlane(() => [], port);
    try {
      await waitFor(() => plane.recorded.reports.some(r => r.snapshot && r.instances.length === 20), 'a full snapshot');
    } finally {
      await plane.stop();
    }
  });
});
