import http from 'node:http';

/** A request that reached the proxy. */
export interface ProxiedRequest {
  method: string;
  /** Path and query. */
  path: string;
  /** The body as sent (read whole before anything is forwarded). */
  body: string;
}

/** A request the proxy kept instead of forwarding: the client waits for an answer. */
export interface HeldRequest {
  readonly request: ProxiedRequest;
  /** Cuts the client's connection: the request never reaches the backend. */
  drop(): void;
}

interface Hold {
  matches: (request: ProxiedRequest) => boolean;
  arrived: (held: HeldRequest) => void;
}

/**
 * What stands between agents and the control plane in production (a load balancer, an
 * ingress): one stable address on 127.0.0.1 in front of a backend that may restart elsewhere.
 * It forwards everything as it comes (streams included), answers 502 while no backend answers,
 * and can hold back a chosen request, so that a test can lose it the way a crash would.
 */
export class ControlPlaneProxy {
  /** Every request received, in order (held ones included). */
  readonly requests: ProxiedRequest[] = [];
  private target?: URL;
  private readonly holds: Hold[] = [];

  private readonly server = http.createServer((req, res) => this.handle(req, res));

  private constructor() {}

  /** Starts a proxy forwarding to `target` (a base URL; none: 502 until {@link ControlPlaneProxy.route}). */
  static async start(target?: string): Promise<ControlPlaneProxy> {
    const proxy = new ControlPlaneProxy();
    proxy.route(target);
    await new Promise<void>(resolve => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** The proxy's base URL: the control plane's address as agents know it. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** Forwards from now on to `target` (a base URL), or to nothing (502). */
  route(target: string | undefined): void {
    this.target = target ? new URL(target) : undefined;
  }

  /** Holds back the next request that `matches`; resolves once it arrived. */
  holdNext(matches: (request: ProxiedRequest) => boolean): Promise<HeldRequest> {
    return new Promise(arrived => this.holds.push({ matches, arrived }));
  }

  /** Requests received so far whose method and path (without query) are these. */
  received(method: string, path: string): ProxiedRequest[] {
    return this.requests.filter(r => r.method === method && r.path.split('?')[0] === path);
  }

  async stop(): Promise<void> {
    const closed = new Promise(resolve => this.server.close(resolve));
    this.server.closeAllConnections();
    await closed;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', body: Buffer.concat(chunks).toString('utf8') };
      this.requests.push(request);
      const hold = this.holds.findIndex(h => h.matches(request));
      if (hold >= 0) {
        const [{ arrived }] = this.holds.splice(hold, 1);
        arrived({ request, drop: () => req.socket.destroy() });
        return;
      }
      this.forward(request, req, res);
    });
  }

  private forward(request: ProxiedRequest, req: http.IncomingMessage, res: http.ServerResponse): void {
    const target = this.target;
    const unavailable = () => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'no backend answers' } }));
    };
    if (!target) {
      unavailable();
      return;
    }
    // one connection per request, as a plain reverse proxy does: no pooled connection holds a
    // stopping backend open
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: request.method, path: request.path, headers: req.headers, agent: false },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        // streams: headers at once, then every chunk as the backend writes it
        res.flushHeaders();
        answer.pipe(res);
        answer.on('close', () => {
          if (!answer.complete) res.destroy();
        });
      },
    );
    upstream.on('error', unavailable);
    res.on('close', () => upstream.destroy());
    upstream.end(request.body);
  }
}
