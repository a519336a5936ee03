import type { DiscoveryService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import type { FleetEvent } from '@vworkspace/backstage-plugin-fleet-common';
import { FleetStoreClient } from './FleetStoreClient';
import {
  startFleetApiDouble,
  type FleetApiDouble,
} from './__testUtils__/fleetApiDouble';
import { app, cluster, instance } from './__testUtils__/fixtures';

const fastStream = {
  heartbeatTimeoutMs: 400,
  initialBackoffMs: 10,
  maxBackoffMs: 40,
};

function discoveryOf(double: FleetApiDouble): DiscoveryService {
  return {
    getBaseUrl: async pluginId => double.baseUrl.replace(/fleet$/, pluginId),
    getExternalBaseUrl: async pluginId =>
      double.baseUrl.replace(/fleet$/, pluginId),
  };
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

function upsert(id: number, name: string): FleetEvent {
  return {
    id,
    kind: 'instance',
    action: 'upsert',
    instance: instance({ cluster: 'eu-1', namespace: 'team-a', name }),
  };
}

describe('FleetStoreClient', () => {
  let double: FleetApiDouble;
  let client: FleetStoreClient;
  const stops: Array<() => void> = [];

  beforeEach(async () => {
    double = await startFleetApiDouble();
    client = new FleetStoreClient({
      discovery: discoveryOf(double),
      auth: mockServices.auth({ pluginId: 'catalog' }),
      eventStream: fastStream,
    });
  });

  afterEach(async () => {
    stops.splice(0).forEach(stop => stop());
    await double.close();
  });

  describe('reads', () => {
    it('lists clusters, apps, the summary and operations with a service token for the fleet plugin', async () => {
      double.clusters = [cluster('eu-1'), cluster('us-1', { mode: 'pull' })];
      double.apps = [app('nextcloud'), app('gitea')];

      await expect(client.listClusters()).resolves.toEqual(double.clusters);
      await expect(client.listApps()).resolves.toEqual(double.apps);
      await expect(client.summary()).resolves.toMatchObject({ total: 0 });
      await expect(
        client.listOperations({ cluster: 'eu-1', limit: 5 }),
      ).resolves.toEqual({
        items: [],
        totalCount: 0,
      });
      expect(double.requests).toContain('/operations?cluster=eu-1&limit=5');
    });

    it('pages through instances with the query and cursor of the contract', async () => {
      double.instances = ['a', 'b', 'c'].map(name =>
        instance({ cluster: 'eu-1', namespace: 'team-a', name }),
      );

      const first = await client.listInstances({ cluster: 'eu-1', limit: 2 });
      expect(first.items.map(i => i.name)).toEqual(['a', 'b']);
      expect(first.totalCount).toBe(3);
      const second = await client.listInstances({
        cluster: 'eu-1',
        limit: 2,
        cursor: first.nextCursor,
      });
      expect(second.items.map(i => i.name)).toEqual(['c']);
      expect(second.nextCursor).toBeUndefined();
      expect(double.requests).toEqual([
        '/instances?cluster=eu-1&limit=2',
        '/instances?cluster=eu-1&limit=2&cursor=2',
      ]);
    });

    it('returns an instance in full, and undefined for an unknown one', async () => {
      const summary = instance({
        cluster: 'eu-1',
        namespace: 'team-a',
        name: 'cloud',
      });
      double.details.set('eu-1/team-a/cloud', {
        summary,
        spec: { app: 'nextcloud' },
        conditions: [],
        annotations: {},
        labels: {},
        operations: [],
      });

      await expect(
        client.getInstance({
          cluster: 'eu-1',
          namespace: 'team-a',
          name: 'cloud',
        }),
      ).resolves.toMatchObject({ summary: { name: 'cloud' } });
      await expect(
        client.getInstance({
          cluster: 'eu-1',
          namespace: 'team-a',
          name: 'gone',
        }),
      ).resolves.toBeUndefined();
    });

    it("surfaces the backend's error message", async () => {
      const unauthenticated = new FleetStoreClient({
        discovery: discoveryOf(double),
        auth: mockServices.auth.mock({
          getOwnServiceCredentials: async () => ({
            $$type: '@backstage/BackstageCredentials',
            principal: { type: 'service', subject: 'plugin:catalog' },
          }),
          getPluginRequestToken: async () => ({ token: 'not-for-the-fleet' }),
        }),
      });

      await expect(unauthenticated.listClusters()).rejects.toThrow(
        /Missing or invalid service token/,
      );
    });

    it('refuses a body that does not match the contract, naming the field', async () => {
      double.override.set('/clusters', {
        items: [{ ...cluster('eu-1'), mode: 'carrier-pigeon' }],
      });

      await expect(client.listClusters()).rejects.toThrow(
        /GET \/clusters .*does not match the contract: items\.0\.mode/,
      );
    });
  });

  describe('subscribe', () => {
    it('delivers the events of the stream and ignores heartbeats', async () => {
      const received: FleetEvent[] = [];
      stops.push(client.subscribe({ onEvent: event => received.push(event) }));
      const connection = await double.nextConnection();

      expect(connection.authorization).toContain('"target":"fleet"');
      connection.heartbeat();
      connection.send(upsert(1, 'a'));
      // A message split across writes, with CRLF line ends.
      const second = JSON.stringify(upsert(2, 'b'));
      connection.raw(`id: 2\r\nevent: fleet\r\ndata: ${second.slice(0, 20)}`);
      connection.raw(`${second.slice(20)}\r\n\r\n`);

      await waitFor(() => received.length === 2, 'two events');
      expect(received.map(e => e.id)).toEqual([1, 2]);
      expect(received[1]).toMatchObject({
        kind: 'instance',
        instance: { name: 'b' },
      });
    });

    it('resumes after a dropped connection with the last event id', async () => {
      const received: number[] = [];
      const resyncs: number[] = [];
      stops.push(
        client.subscribe({
          onEvent: event => received.push(event.id),
          onResync: () => resyncs.push(1),
        }),
      );
      const first = await double.nextConnection();
      expect(first.lastEventId).toBeUndefined();
      first.send(upsert(7, 'a'));
      await waitFor(() => received.length === 1, 'the first event');
      first.destroy();

      const second = await double.nextConnection();
      expect(second.lastEventId).toBe('7');
      second.send(upsert(8, 'b'));
      await waitFor(
        () => received.length === 2,
        'the event after the reconnect',
      );
      expect(received).toEqual([7, 8]);
      expect(resyncs).toEqual([]);
    });

    it('starts after the given id', async () => {
      stops.push(client.subscribe({ afterId: 41, onEvent: () => {} }));
      expect((await double.nextConnection()).lastEventId).toBe('41');
    });

    it('tells the consumer to list again when the server asks for a resync', async () => {
      let resyncs = 0;
      stops.push(
        client.subscribe({
          afterId: 3,
          onEvent: () => {},
          onResync: () => resyncs++,
        }),
      );
      const connection = await double.nextConnection();
      connection.resync();
      await waitFor(() => resyncs === 1, 'the resync');

      // The old id is void after a resync: the next connection starts from now.
      connection.end();
      expect((await double.nextConnection()).lastEventId).toBeUndefined();
    });

    it('retries a refused stream and then asks for a resync, since changes may have been missed', async () => {
      double.refuseNextEvents.push(503, 503);
      let resyncs = 0;
      const received: number[] = [];
      stops.push(
        client.subscribe({
          onEvent: event => received.push(event.id),
          onResync: () => resyncs++,
        }),
      );

      const connection = await double.nextConnection();
      expect(double.requests.filter(path => path === '/events')).toHaveLength(
        3,
      );
      await waitFor(() => resyncs === 1, 'the resync after the outage');
      connection.send(upsert(1, 'a'));
      await waitFor(() => received.length === 1, 'the event');
    });

    it('replaces a connection whose heartbeats stop', async () => {
      stops.push(client.subscribe({ afterId: 5, onEvent: () => {} }));
      const silent = await double.nextConnection();

      await silent.closed;
      const next = await double.nextConnection();
      expect(next.lastEventId).toBe('5');
    });

    it('skips an event that does not match the contract and goes on', async () => {
      const received: number[] = [];
      stops.push(
        client.subscribe({ onEvent: event => received.push(event.id) }),
      );
      const connection = await double.nextConnection();
      connection.raw(
        'id: 1\nevent: fleet\ndata: {"id":1,"kind":"instance","action":"explode"}\n\n',
      );
      connection.send(upsert(2, 'b'));
      await waitFor(() => received.length === 1, 'the valid event');
      expect(received).toEqual([2]);
    });

    it('stops for good when unsubscribed', async () => {
      const stop = client.subscribe({ onEvent: () => {} });
      const connection = await double.nextConnection();
      stop();
      await connection.closed;
      // Longer than several backoff periods: no new connection is made.
      await new Promise(resolve => setTimeout(resolve, 200));
      expect(double.connections).toHaveLength(1);
    });
  });
});
