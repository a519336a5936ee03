import { createServer, IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { buildRequestsOnAppPrototypes } from './rootHttpRouter';

/** An express app answering JSON, served by `server`, which records what it built for each request. */
async function serve(makeServer: (app: express.Express) => Server) {
  const app = express();
  app.get('/hello', (req, res) => {
    res.status(201).json({ path: req.path, query: req.query });
  });
  const server = makeServer(app);
  const built: { request: object | null; response: object | null }[] = [];
  // runs before express sees the request: what Node constructed
  server.prependListener('request', (req, res) => {
    built.push({
      request: Object.getPrototypeOf(req),
      response: Object.getPrototypeOf(res),
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    app,
    server,
    built,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

describe('buildRequestsOnAppPrototypes', () => {
  it('has the server construct requests and responses on the app prototypes, and express still answers', async () => {
    const backend = await serve(app => {
      const server = createServer(app);
      expect(buildRequestsOnAppPrototypes(server, app)).toBe(true);
      return server;
    });
    try {
      for (const name of ['a', 'b']) {
        const answer = await fetch(`${backend.url}/hello?name=${name}`);
        expect(answer.status).toBe(201);
        expect(await answer.json()).toEqual({
          path: '/hello',
          query: { name },
        });
      }
      expect(backend.built).toEqual([
        { request: backend.app.request, response: backend.app.response },
        { request: backend.app.request, response: backend.app.response },
      ]);
    } finally {
      await backend.close();
    }
  });

  it('without it, Node builds plain requests that express then moves onto its prototypes', async () => {
    const backend = await serve(app => createServer(app));
    try {
      expect((await fetch(`${backend.url}/hello`)).status).toBe(201);
      expect(backend.built[0].request).not.toBe(backend.app.request);
    } finally {
      await backend.close();
    }
  });

  it('leaves a server that was given request classes of its own as it is', async () => {
    class TracedRequest extends IncomingMessage {}
    const backend = await serve(app => {
      const server = createServer({ IncomingMessage: TracedRequest }, app);
      expect(buildRequestsOnAppPrototypes(server, app)).toBe(false);
      return server;
    });
    try {
      expect((await fetch(`${backend.url}/hello`)).status).toBe(201);
      // express moved it onto its own prototype, which was the server's class before
      expect(backend.built[0].request).toBe(TracedRequest.prototype);
    } finally {
      await backend.close();
    }
  });
});
