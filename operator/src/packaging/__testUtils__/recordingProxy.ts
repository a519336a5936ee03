import https from 'node:https';
import type { CertificateAuthority } from '@vworkspace/kube-sim';

/** One request that passed through the proxy, with the status the API server answered. */
export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  /** HTTP status of the answer; undefined while no answer came (or the connection broke). */
  status?: number;
}

export interface RecordingProxy {
  url: string;
  readonly requests: readonly RecordedRequest[];
  /** The kubeconfig `clusterKubeConfig` with its server replaced by the proxy. */
  kubeConfig(clusterKubeConfig: string): string;
  stop(): Promise<void>;
}

/**
 * An HTTPS proxy in front of a TLS kube-sim that records every request and the status of its
 * answer. It serves a certificate of the cluster's own CA, so a kubeconfig of the cluster works
 * through it once its server is replaced; credentials pass through untouched.
 */
export async function startRecordingProxy(target: string, ca: CertificateAuthority): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const upstream = new URL(target);
  const agent = new https.Agent({ keepAlive: true, ca: ca.cert });
  const serving = ca.issue(['localhost', '127.0.0.1']);
  const server = https.createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    const record: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/' };
    requests.push(record);
    const out = https.request(
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
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    requests,
    kubeConfig: (clusterKubeConfig: string) => clusterKubeConfig.split(target).join(url),
    stop: async () => {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
      agent.destroy();
    },
  };
}
