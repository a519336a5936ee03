import http from 'node:http';

/**
 * An HTTP proxy in front of a plain-HTTP kube-sim that counts the requests passing through,
 * so a test or a benchmark can tell how many writes a client made.
 *
 * @public
 */
export async function startCountingProxy(target: string) {
  const requests: Array<{ method: string; path: string }> = [];
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/' });
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    res.on('close', () => out.destroy());
    req.pipe(out);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    /** A kubeconfig of the cluster with its server replaced by the proxy. */
    kubeConfig: (clusterKubeConfig: string) => clusterKubeConfig.split(target).join(url),
    /** Write requests (anything but GET), optionally only those whose path matches. */
    writes: (pathFilter: (path: string) => boolean = () => true) =>
      requests.filter(r => r.method !== 'GET' && r.method !== 'HEAD' && pathFilter(r.path)),
    reset: () => {
      requests.length = 0;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
      agent.destroy();
    },
  };
}
