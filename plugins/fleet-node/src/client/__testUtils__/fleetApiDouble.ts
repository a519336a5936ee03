import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  AppTemplate,
  ClusterSummary,
  FleetEvent,
  InstanceDetail,
  InstanceSummary,
} from '@vworkspace/backstage-plugin-fleet-common';

/** One open `GET /events` stream, driven by the test. */
export interface EventConnection {
  /** The `Last-Event-ID` header the client sent, if any. */
  lastEventId: string | undefined;
  authorization: string | undefined;
  send(event: FleetEvent): void;
  resync(): void;
  heartbeat(): void;
  /** Writes raw text, e.g. a message split across chunks. */
  raw(text: string): void;
  /** Ends the response cleanly. */
  end(): void;
  /** Cuts the TCP connection. */
  destroy(): void;
  closed: Promise<void>;
}

/**
 * A loopback HTTP server answering the fleet API contract's routes with the shapes of
 * fleet-common, from data the test sets. Requests without a service token aimed at the fleet
 * plugin get the backend's 401 error body.
 */
export interface FleetApiDouble {
  /** Base URL of the fleet plugin, as discovery would return it. */
  baseUrl: string;
  clusters: ClusterSummary[];
  instances: InstanceSummary[];
  details: Map<string, InstanceDetail>;
  apps: AppTemplate[];
  /** Paths of every request received, in order. */
  requests: string[];
  connections: EventConnection[];
  /** Status the next `GET /events` answers with instead of a stream (once each). */
  refuseNextEvents: number[];
  /** Replaces the body of every `GET <path>` response, to test contract checks. */
  override: Map<string, unknown>;
  nextConnection(): Promise<EventConnection>;
  close(): Promise<void>;
}

function sendError(
  res: ServerResponse,
  req: IncomingMessage,
  status: number,
  name: string,
  message: string,
) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      error: { name, message },
      request: { method: req.method, url: req.url },
      response: { statusCode: status },
    }),
  );
}

function sendJson(res: ServerResponse, body: unknown) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFleetApiDouble(): Promise<FleetApiDouble> {
  const waiting: Array<(connection: EventConnection) => void> = [];
  const unclaimed: EventConnection[] = [];
  const double: FleetApiDouble = {
    baseUrl: '',
    clusters: [],
    instances: [],
    details: new Map(),
    apps: [],
    requests: [],
    connections: [],
    refuseNextEvents: [],
    override: new Map(),
    nextConnection: () =>
      new Promise(resolve => {
        const ready = unclaimed.shift();
        if (ready) resolve(ready);
        else waiting.push(resolve);
      }),
    close: async () => {},
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/^\/api\/fleet/, '');
    double.requests.push(`${path}${url.search}`);
    if (!String(req.headers.authorization ?? '').includes('"target":"fleet"')) {
      sendError(
        res,
        req,
        401,
        'AuthenticationError',
        'Missing or invalid service token',
      );
      return;
    }
    if (double.override.has(path)) {
      sendJson(res, double.override.get(path));
      return;
    }
    if (path === '/clusters') {
      sendJson(res, { items: double.clusters });
    } else if (path === '/apps') {
      sendJson(res, { items: double.apps });
    } else if (path === '/instances') {
      // Cursor pagination as the contract has it: an opaque cursor, here the offset.
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const offset = Number(url.searchParams.get('cursor') ?? 0);
      const cluster = url.searchParams.get('cluster');
      const matching = double.instances.filter(
        i => !cluster || i.cluster === cluster,
      );
      const items = matching.slice(offset, offset + limit);
      const next =
        offset + limit < matching.length ? String(offset + limit) : undefined;
      sendJson(res, {
        items,
        totalCount: matching.length,
        ...(next ? { nextCursor: next } : {}),
      });
    } else if (path.startsWith('/instances/')) {
      const detail = double.details.get(path.slice('/instances/'.length));
      if (detail) sendJson(res, detail);
      else
        sendError(
          res,
          req,
          404,
          'NotFoundError',
          `No instance ${path.slice(11)}`,
        );
    } else if (path === '/operations') {
      sendJson(res, { items: [], totalCount: 0 });
    } else if (path === '/summary') {
      sendJson(res, {
        total: double.instances.length,
        byStatus: {},
        byCluster: {},
        byApp: {},
      });
    } else if (path === '/events') {
      const refusal = double.refuseNextEvents.shift();
      if (refusal) {
        sendError(
          res,
          req,
          refusal,
          'ServiceUnavailableError',
          'The fleet is starting',
        );
        return;
      }
      openStream(req, res);
    } else {
      sendError(res, req, 404, 'NotFoundError', `No route ${path}`);
    }
  });

  function openStream(req: IncomingMessage, res: ServerResponse) {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    const connection: EventConnection = {
      lastEventId: req.headers['last-event-id'] as string | undefined,
      authorization: req.headers.authorization,
      send: event =>
        res.write(
          `id: ${event.id}\nevent: fleet\ndata: ${JSON.stringify(event)}\n\n`,
        ),
      resync: () => res.write('event: resync\ndata: {}\n\n'),
      heartbeat: () => res.write(': heartbeat\n\n'),
      raw: text => res.write(text),
      end: () => res.end(),
      destroy: () => req.socket.destroy(),
      closed: new Promise(resolve => res.on('close', () => resolve())),
    };
    double.connections.push(connection);
    const waiter = waiting.shift();
    if (waiter) waiter(connection);
    else unclaimed.push(connection);
  }

  double.close = async () => {
    for (const connection of double.connections) connection.destroy();
    const closed = new Promise(resolve => server.close(resolve));
    // Keep-alive sockets of the client would hold close() for seconds.
    server.closeAllConnections();
    await closed;
  };

  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  double.baseUrl = `http://127.0.0.1:${port}/api/fleet`;
  return double;
}
