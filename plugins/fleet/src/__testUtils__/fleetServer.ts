import { mockApis, MockFetchApi } from '@backstage/test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer, type SetupServer } from 'msw/node';
import type {
  FleetEvent,
  InstanceDetail,
  OperationSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import {
  appFixture,
  clusterFixture,
  instanceDetailFixture,
  operationFixture,
} from '../__fixtures__/fleet';
import { FleetClient } from '../api/FleetClient';

/** Where the tests' fleet backend lives: mockApis.discovery's default base URL. */
export const fleetBaseUrl = 'http://example.com/api/fleet';

/** Where the detail of the instance behind `instanceEntity` (edge-paris/team-a/nextcloud) is read. */
export const instanceDetailUrl = `${fleetBaseUrl}/instances/edge-paris/team-a/nextcloud`;

/**
 * An msw server for the fleet backend, started for the test file and reset between tests.
 * Unhandled requests fail the test: every call the UI makes must be one the test expects.
 */
export function setupFleetServer() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/** A real FleetClient on the test discovery and a fetch that, like the app's, sends a token. */
export function createTestFleetClient(): FleetClient {
  return new FleetClient({
    discoveryApi: mockApis.discovery(),
    fetchApi: new MockFetchApi({ injectIdentityAuth: { token: 'user-token' } }),
  });
}

/** Backstage error JSON, as the backend's error handler writes it. */
function backstageError(name: string, message: string, statusCode: number) {
  return {
    error: { name, message },
    request: { method: 'POST', url: '/api/fleet/operations' },
    response: { statusCode },
  };
}

/** A Backstage error response with that status, as the backend's error handler sends it. */
export function errorResponse(
  name: string,
  message: string,
  statusCode: number,
) {
  return HttpResponse.json(backstageError(name, message, statusCode), {
    status: statusCode,
  });
}

/**
 * A `POST /operations` that accepts every request with `created` and keeps the last body it
 * received, so a test can check what the UI asked for.
 */
export function acceptOperations(created: OperationSummary, status = 201) {
  let body: unknown;
  const handler = http.post(
    `${fleetBaseUrl}/operations`,
    async ({ request }) => {
      body = await request.json();
      return HttpResponse.json(created, { status });
    },
  );
  return {
    handler,
    /** The body of the last request; undefined while none came. */
    get posted() {
      return body;
    },
  };
}

/**
 * Serves everything an instance's entity page reads: the instance behind `instanceEntity`,
 * the clusters, the app catalog, its operations and a live change stream (returned).
 */
export function serveInstancePage(
  server: SetupServer,
  detail: InstanceDetail = instanceDetailFixture(),
) {
  const events = liveEvents();
  server.use(
    http.get(instanceDetailUrl, () => HttpResponse.json(detail)),
    http.get(`${fleetBaseUrl}/clusters`, () =>
      HttpResponse.json({ items: [clusterFixture()] }),
    ),
    http.get(`${fleetBaseUrl}/apps`, () =>
      HttpResponse.json({ items: [appFixture()] }),
    ),
    http.get(`${fleetBaseUrl}/operations`, () =>
      HttpResponse.json({ items: [operationFixture()], totalCount: 1 }),
    ),
    events.handler,
  );
  return events;
}

/**
 * A controllable `GET /events` stream: the handler keeps each connection open until the test
 * pushes events into it, as the backend would.
 */
export function liveEvents() {
  const encoder = new TextEncoder();
  const connections: Array<ReadableStreamDefaultController<Uint8Array>> = [];
  const resumeIds: Array<string | null> = [];
  const handler = http.get(`${fleetBaseUrl}/events`, ({ request }) => {
    resumeIds.push(request.headers.get('last-event-id'));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        connections.push(controller);
        controller.enqueue(encoder.encode(': heartbeat\n\n'));
      },
    });
    return new HttpResponse(stream, {
      headers: { 'Content-Type': 'text/event-stream' },
    });
  });
  const write = (text: string) => {
    for (const controller of connections) {
      try {
        controller.enqueue(encoder.encode(text));
      } catch {
        // That connection was closed by the client; the others still listen.
      }
    }
  };
  return {
    handler,
    resumeIds,
    get connectionCount() {
      return connections.length;
    },
    send(event: FleetEvent) {
      write(
        `id: ${event.id}\nevent: fleet\ndata: ${JSON.stringify(event)}\n\n`,
      );
    },
    resync() {
      write('event: resync\ndata: {}\n\n');
    },
  };
}
