import { stringify } from 'yaml';

/** One cluster's entry in a kubeconfig. @public */
export interface KubeconfigEntry {
  name: string;
  server: string;
  /** PEM of the CA that signed the server certificate; absent for plain HTTP. */
  caPem?: string;
  token: string;
  namespace?: string;
}

/**
 * A kubeconfig (YAML) with one cluster, user and context per entry, named after the cluster;
 * the first is the current context. Loadable by client-node's `KubeConfig.loadFromString`.
 * @public
 */
export function kubeconfigYaml(entries: KubeconfigEntry[], currentContext = entries[0]?.name): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: entries.map(e => ({
      name: e.name,
      cluster: {
        server: e.server,
        ...(e.caPem ? { 'certificate-authority-data': Buffer.from(e.caPem).toString('base64') } : {}),
        // client-node 1.4 refuses plain-HTTP servers unless TLS verification is marked skipped.
        ...(e.server.startsWith('http:') ? { 'insecure-skip-tls-verify': true } : {}),
      },
    })),
    users: entries.map(e => ({ name: `${e.name}-admin`, user: { token: e.token } })),
    contexts: entries.map(e => ({
      name: e.name,
      context: { cluster: e.name, user: `${e.name}-admin`, namespace: e.namespace ?? 'default' },
    })),
    'current-context': currentContext,
  });
}
