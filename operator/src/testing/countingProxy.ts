import http from 'node:http';
import https from 'node:https';
import type { CertificateAuthority } from '@vworkspace/kube-sim';

/** One request that passed through the proxy, with the status the API server answered. @public */
export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  /** HTTP status of the answer; undefined while no answer came (or the connection broke). */
  status?: number;
}

/** @public */
export interface CountingProxy {
  url: string;
  /** Every request so far, in order. */
  readonly requests: readonly RecordedRequest[];
  /** The kubeconfig `clusterKubeConfig` with its server replaced by the proxy. */
  kubeConfig(clusterKubeConfig: string): string;
  /** Write requests (anything but GET and HEAD), optionally only those whose path matches. */
  writes(pathFilter?: (path: string) => boolean): RecordedRequest[];
  stop(): Promise<void>;
}

/**
 * An HTTP proxy in front of a kube-sim that records the requests passing through and the
 * status of each answer, so a test or a benchmark can tell how many writes a client made, or
 * whether any was refused. In front of a TLS kube-sim, pass the cluster's `ca`: the proxy then
 * serves a certificate of that CA, so a kubeconfig of the cluster works through it once its
 * server is replaced; credentials pass through untouched.
 *
 * @public
 */
export async function startCountingProxy(target: string, options: { ca?: CertificateAuthority } = {}): Promise<CountingProxy> {
  const { ca } = options;
  const requests: RecordedRequest[] = [];
  const upstream = new URL(target);
  const agent = ca ? new https.Agent({ keepAlive: true, ca: ca.cert }) : new http.Agent({ keepAlive: true });
  const request: typeof http.request = ca ? https.request : http.request;
  const forward: http.RequestListener = (req, res) => {
    const record: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/' };
    requests.push(record);
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
      answer => {
        record.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    res.on('close', () => out.destroy());
    req.pipe(out);
  };
  const serving = ca?.issue(['localhost', '127.0.0.1']);
  const server = serving ? https.createServer({ cert: serving.cert, key: serving.key }, forward) : http.createServer(forward);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `${ca ? 'https' : 'http'}://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    requests,
    kubeConfig: clusterKubeConfig => clusterKubeConfig.split(target).join(url),
    writes: (pathFilter = () => true) => requests.filter(r => r.method !== 'GET' && r.method !== 'HEAD' && pathFilter(r.path)),
    stop: async () => {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
      agent.destroy();
    },
  };
}
