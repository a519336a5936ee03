import { dirname, join } from 'node:path';
import { SimCluster, SimClusterOptions, startControllers } from '@vworkspace/kube-sim';
import { KubeClient, KubeObject, Manager, LeaderElectionOptions } from '../../../runtime';
import { registerApplicationInstanceController } from '../applicationInstanceController';
import { instanceKinds } from '../kinds';

const simDir = dirname(require.resolve('@vworkspace/kube-sim/package.json'));
/** The operator's CRDs and the upstream ones (Flux, Argo CD, ...). */
export const crdSources = [join(__dirname, '../../../../crds'), join(simDir, 'crds/upstream')];

/** Polls until `check` returns a truthy value; generous deadline, not a timing assertion. */
type Falsy = undefined | null | false | '' | 0;
export async function waitFor<T>(check: () => T | Falsy | Promise<T | Falsy>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise(r => setTimeout(r, 25));
  }
}

/** A kube-sim cluster with the operator's CRDs, simulated Flux, Argo CD and Job controllers. */
export async function startSim(namespaces: string[] = ['team-a', 'team-b', 'argocd'], clusterOptions: SimClusterOptions = {}) {
  const cluster = await SimCluster.start({ ...clusterOptions, tls: false, crds: crdSources });
  const controllers = startControllers(cluster, { flux: true, argocd: true, jobs: true, timeScale: 0 });
  const client = KubeClient.fromString(cluster.kubeConfig(), { qps: 2000, burst: 2000 });
  for (const name of namespaces) {
    await client.create({ apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  return {
    cluster,
    client,
    async stop() {
      controllers.stop();
      client.close();
      await cluster.stop();
    },
  };
}

/** A running operator (a Manager with the ApplicationInstance controller) against `cluster`. */
export function startOperator(
  cluster: SimCluster,
  options: { namespace?: string; leaderElection?: LeaderElectionOptions; concurrency?: number; argocdNamespace?: string; kubeConfig?: string } = {},
) {
  const client = KubeClient.fromString(options.kubeConfig ?? cluster.kubeConfig(), { qps: 2000, burst: 2000 });
  const manager = new Manager({
    client,
    namespace: options.namespace,
    leaderElection: options.leaderElection ?? { enabled: false, name: 'fleet-operator-leader' },
    concurrency: options.concurrency ?? 4,
    cache: { watchTimeoutSeconds: { min: 30, max: 60 }, backoff: { initialMs: 50, maxMs: 1000 } },
  });
  registerApplicationInstanceController(manager, { argocd: { namespace: options.argocdNamespace ?? 'argocd' } });
  const running = manager.start().catch(err => err as Error);
  return {
    manager,
    running,
    async stop() {
      await manager.stop();
      await running;
    },
  };
}

/** An ApplicationInstance manifest. */
export function instance(
  name: string,
  spec: Record<string, unknown> & { chart?: Record<string, unknown> },
  namespace = 'team-a',
): KubeObject {
  return {
    apiVersion: instanceKinds.ApplicationInstance.apiVersion,
    kind: 'ApplicationInstance',
    metadata: { name, namespace },
    spec: {
      app: 'nextcloud',
      chart: { name: 'nextcloud', version: '6.2.0', repository: { url: 'https://nextcloud.github.io/helm/', type: 'helm' } },
      ...spec,
    },
  };
}

/** Condition `type` of an object's status. */
export function condition(obj: KubeObject | undefined, type: string) {
  return (obj?.status as { conditions?: Array<{ type: string; status: string; reason: string; message: string; observedGeneration?: number }> } | undefined)?.conditions?.find(
    c => c.type === type,
  );
}

/** Reads an object, or undefined if it does not exist. */
export async function getOrUndefined(client: KubeClient, kind: (typeof instanceKinds)[keyof typeof instanceKinds], name: string, namespace: string) {
  try {
    return await client.get(kind, name, namespace);
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}
