import { http, HttpResponse } from 'msw';
import type { FleetEvent } from '@vworkspace/backstage-plugin-fleet-common';
import {
  appFixture,
  clusterFixture,
  instanceDetailFixture,
  instanceSummaryFixture,
  operationFixture,
} from '../__fixtures__/fleet';
import {
  acceptOperations,
  errorResponse,
  createTestFleetClient,
  fleetBaseUrl,
  setupFleetServer,
} from '../__testUtils__/fleetServer';
import { FleetApiError } from './FleetApiError';

const server = setupFleetServer();

function sseResponse(chunks: string[]) {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return new HttpResponse(stream, {
    headers: { 'Content-Type': 'text/event-stream' },
  });
}

describe('FleetClient', () => {
  it('lists clusters with the caller token and checks them against the schema', async () => {
    let authorization: string | null = null;
    server.use(
      http.get(`${fleetBaseUrl}/clusters`, ({ request }) => {
        authorization = request.headers.get('authorization');
        return HttpResponse.json({ items: [clusterFixture()] });
      }),
    );
    const clusters = await createTestFleetClient().listClusters();
    expect(clusters.map(c => c.name)).toEqual(['edge-paris']);
    expect(authorization).toBe('Bearer user-token');
  });

  it('follows the cursor until every instance is listed, passing filters along', async () => {
    const seen: string[] = [];
    server.use(
      http.get(`${fleetBaseUrl}/instances`, ({ request }) => {
        const url = new URL(request.url);
        seen.push(url.search);
        const cursor = url.searchParams.get('cursor');
        return HttpResponse.json(
          cursor
            ? { items: [instanceSummaryFixture({ name: 'b' })], totalCount: 2 }
            : {
                items: [instanceSummaryFixture({ name: 'a' })],
                totalCount: 2,
                nextCursor: 'c1',
              },
        );
      }),
    );
    const items = await createTestFleetClient().listAllInstances({
      cluster: 'edge-paris',
    });
    expect(items.map(i => i.name)).toEqual(['a', 'b']);
    expect(seen).toEqual([
      '?cluster=edge-paris&limit=1000',
      '?cluster=edge-paris&limit=1000&cursor=c1',
    ]);
  });

  it('reads an instance by coordinates and by entity ref', async () => {
    server.use(
      http.get(`${fleetBaseUrl}/instances/edge-paris/team-a/nextcloud`, () =>
        HttpResponse.json(instanceDetailFixture()),
      ),
      http.get(`${fleetBaseUrl}/entity`, ({ request }) =>
        new URL(request.url).searchParams.get('entityRef') ===
        'component:default/x'
          ? HttpResponse.json(instanceDetailFixture())
          : errorResponse('NotFoundError', 'no instance', 404),
      ),
    );
    const client = createTestFleetClient();
    const byRef = await client.getInstance({
      cluster: 'edge-paris',
      namespace: 'team-a',
      name: 'nextcloud',
    });
    expect(byRef.conditions[0].reason).toBe('UpgradeInProgress');
    const byEntity = await client.getInstanceByEntityRef('component:default/x');
    expect(byEntity.summary.name).toBe('nextcloud');
  });

  it('surfaces the backend message of a Backstage error', async () => {
    server.use(
      http.post(`${fleetBaseUrl}/operations`, () =>
        errorResponse(
          'ConflictError',
          'instance team-a/nextcloud is busy: Upgrade nextcloud-upgrade-9x2q1 is running',
          409,
        ),
      ),
    );
    const error = await createTestFleetClient()
      .createOperation({
        cluster: 'edge-paris',
        namespace: 'team-a',
        instance: 'nextcloud',
        type: 'Restore',
      })
      .catch(e => e);
    expect(error).toBeInstanceOf(FleetApiError);
    expect(error.message).toBe(
      'instance team-a/nextcloud is busy: Upgrade nextcloud-upgrade-9x2q1 is running',
    );
    expect(error.name).toBe('ConflictError');
    expect(error.statusCode).toBe(409);
  });

  it('names the status when the error body is not Backstage JSON', async () => {
    server.use(
      http.get(
        `${fleetBaseUrl}/summary`,
        () =>
          new HttpResponse('<html>bad gateway</html>', {
            status: 502,
            statusText: 'Bad Gateway',
          }),
      ),
    );
    await expect(createTestFleetClient().getSummary()).rejects.toThrow(
      'Fleet backend answered 502 Bad Gateway',
    );
  });

  it('refuses a response that does not match the contract, naming the field', async () => {
    server.use(
      http.get(`${fleetBaseUrl}/apps`, () =>
        HttpResponse.json({
          items: [{ ...appFixture(), chart: { name: 'x' } }],
        }),
      ),
    );
    await expect(createTestFleetClient().listApps()).rejects.toThrow(
      /unexpected response to GET \/apps: items\.0\.chart\.repository/,
    );
  });

  it('posts an operation and returns what the backend created', async () => {
    const backend = acceptOperations(
      operationFixture({ phase: undefined, delivery: { state: 'pending' } }),
      202,
    );
    server.use(backend.handler);
    const created = await createTestFleetClient().createOperation({
      cluster: 'edge-paris',
      namespace: 'team-a',
      instance: 'nextcloud',
      type: 'Backup',
      parameters: {},
      reason: 'before upgrade',
    });
    expect(created.delivery?.state).toBe('pending');
    expect(backend.posted).toEqual({
      cluster: 'edge-paris',
      namespace: 'team-a',
      instance: 'nextcloud',
      type: 'Backup',
      parameters: {},
      reason: 'before upgrade',
    });
  });

  it('cancels an operation by its coordinates', async () => {
    server.use(
      http.post(
        `${fleetBaseUrl}/operations/edge-paris/team-a/op-1/cancel`,
        () =>
          HttpResponse.json(
            operationFixture({ name: 'op-1', phase: 'Cancelled' }),
          ),
      ),
    );
    const cancelled = await createTestFleetClient().cancelOperation({
      cluster: 'edge-paris',
      namespace: 'team-a',
      name: 'op-1',
    });
    expect(cancelled.phase).toBe('Cancelled');
  });

  describe('streamEvents', () => {
    const upsert: FleetEvent = {
      id: 42,
      kind: 'operation',
      action: 'upsert',
      operation: operationFixture({ phase: 'Running' }),
    };

    it('reads events split across chunks, with the resume id and the caller token', async () => {
      let lastEventId: string | null = null;
      let authorization: string | null = null;
      const text = `: heartbeat\n\nid: 42\nevent: fleet\ndata: ${JSON.stringify(
        upsert,
      )}\n\n`;
      server.use(
        http.get(`${fleetBaseUrl}/events`, ({ request }) => {
          lastEventId = request.headers.get('last-event-id');
          authorization = request.headers.get('authorization');
          return sseResponse([
            text.slice(0, 30),
            text.slice(30, 61),
            text.slice(61),
          ]);
        }),
      );
      const events: FleetEvent[] = [];
      const onOpen = jest.fn();
      await createTestFleetClient().streamEvents({
        lastEventId: 41,
        signal: new AbortController().signal,
        onOpen,
        onEvent: e => events.push(e),
        onResync: jest.fn(),
      });
      expect(onOpen).toHaveBeenCalled();
      expect(events).toEqual([upsert]);
      expect(lastEventId).toBe('41');
      expect(authorization).toBe('Bearer user-token');
    });

    it('reports a resync and skips events it cannot read', async () => {
      server.use(
        http.get(`${fleetBaseUrl}/events`, () =>
          sseResponse([
            'event: resync\ndata: {}\n\n',
            'id: 7\nevent: fleet\ndata: {"id":7,"kind":"campaign"}\n\n',
            `id: 42\nevent: fleet\ndata: ${JSON.stringify(upsert)}\n\n`,
          ]),
        ),
      );
      const onResync = jest.fn();
      const events: FleetEvent[] = [];
      await createTestFleetClient().streamEvents({
        signal: new AbortController().signal,
        onEvent: e => events.push(e),
        onResync,
      });
      expect(onResync).toHaveBeenCalledTimes(1);
      expect(events.map(e => e.id)).toEqual([42]);
    });

    it('rejects with the backend message when the stream is refused', async () => {
      server.use(
        http.get(`${fleetBaseUrl}/events`, () =>
          errorResponse('AuthenticationError', 'Missing credentials', 401),
        ),
      );
      await expect(
        createTestFleetClient().streamEvents({
          signal: new AbortController().signal,
          onEvent: jest.fn(),
          onResync: jest.fn(),
        }),
      ).rejects.toThrow('Missing credentials');
    });
  });
});
