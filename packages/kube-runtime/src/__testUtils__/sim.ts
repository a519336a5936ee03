import { SimCluster, SimClusterOptions } from '@vworkspace/kube-sim';
import { KubeClient, KubeClientOptions } from '../client/KubeClient';
import { coreKinds, KubeObject } from '../client/types';

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (generous: this is not a timing assertion). */
export async function waitFor<T>(check: () => T | Promise<T>, what = 'condition', timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise(r => setTimeout(r, 20));
  }
}

/** A kube-sim cluster (plain HTTP: faster, and TLS has its own test) with a client for it. */
export async function startSim(
  options: SimClusterOptions = {},
  clientOptions: KubeClientOptions = {},
): Promise<{ cluster: SimCluster; client: KubeClient; stop: () => Promise<void> }> {
  const cluster = await SimCluster.start({ tls: false, ...options });
  const client = KubeClient.fromString(cluster.kubeConfig(), { qps: 1000, burst: 1000, ...clientOptions });
  return {
    cluster,
    client,
    stop: async () => {
      client.close();
      await cluster.stop();
    },
  };
}

export function configMap(name: string, data: Record<string, string> = {}, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

export async function createConfigMaps(client: KubeClient, count: number, prefix = 'cm', namespace = 'default') {
  for (let i = 0; i < count; i++) await client.create(coreKinds.ConfigMap, configMap(`${prefix}-${i}`, { i: String(i) }, namespace));
}
