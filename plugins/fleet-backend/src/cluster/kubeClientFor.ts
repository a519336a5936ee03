import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, KubeClientOptions } from '@vworkspace/kube-runtime';
import type { PushClusterConnection } from '@vworkspace/backstage-plugin-fleet-node';

/**
 * A KubeConfig whose bearer token comes from a function on every credential refresh, so a
 * rotated token (a projected service-account token file) is picked up without a restart.
 */
class TokenSourceKubeConfig extends KubeConfig {
  constructor(private readonly tokenSource: () => Promise<string>) {
    super();
  }

  override async applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    const token = await this.tokenSource();
    opts.headers = { ...opts.headers, Authorization: `Bearer ${token}` };
  }
}

/** The KubeConfig of a push cluster's connection. */
export function kubeConfigFor(name: string, connection: PushClusterConnection): KubeConfig {
  if (connection.kubeconfig) {
    const kc = new KubeConfig();
    kc.loadFromString(connection.kubeconfig.contents);
    if (connection.kubeconfig.context) kc.setCurrentContext(connection.kubeconfig.context);
    return kc;
  }
  const kc = connection.token ? new TokenSourceKubeConfig(connection.token) : new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name,
        server: connection.url,
        caData: connection.caData,
        // client-node refuses plain http unless TLS verification is off; there is no TLS to verify
        skipTLSVerify: (connection.skipTLSVerify ?? false) || connection.url.startsWith('http:'),
      },
    ],
    users: [{ name }],
    contexts: [{ name, cluster: name, user: name }],
    currentContext: name,
  });
  return kc;
}

/** A rate-limited, retrying client of one push cluster. */
export function kubeClientFor(
  name: string,
  connection: PushClusterConnection,
  options: KubeClientOptions = {},
): KubeClient {
  return new KubeClient(kubeConfigFor(name, connection), {
    userAgent: 'vworkspace-control-plane',
    ...options,
  });
}
