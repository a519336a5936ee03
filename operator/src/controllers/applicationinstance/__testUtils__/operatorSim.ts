import { SimCluster, SimClusterOptions } from '@vworkspace/kube-sim';
import { KubeClient, KubeObject, LeaderElectionOptions, silentLogger } from '@vworkspace/kube-runtime';
import { fleetCrdDirs, startOperator as startFleetOperator, startSimCluster } from '../../../testing';
import { instanceKinds } from '../kinds';

export { waitFor } from '../../../testing';

/** The operator's CRDs and the upstream ones (Flux, Argo CD, ...). */
export const crdSources = [...fleetCrdDirs];

/** A kube-sim cluster with the operator's CRDs, simulated Flux, Argo CD and Job controllers. */
export async function startSim(namespaces: string[] = ['team-a', 'team-b', 'argocd'], clusterOptions: SimClusterOptions = {}) {
  return startSimCluster({ namespaces, cluster: clusterOptions, controllers: { flux: true, argocd: true, jobs: true, timeScale: 0 } });
}

/** A running operator (a Manager with the ApplicationInstance controller) against `cluster`. */
export function startOperator(
  cluster: SimCluster,
  options: { namespace?: string; leaderElection?: LeaderElectionOptions; concurrency?: number; argocdNamespace?: string; kubeConfig?: string } = {},
) {
  return startFleetOperator(options.kubeConfig ?? cluster, {
    namespace: options.namespace,
    leaderElection: options.leaderElection,
    concurrency: options.concurrency,
    applicationInstance: { argocd: { namespace: options.argocdNamespace ?? 'argocd' } },
    operation: false,
    logger: silentLogger,
  });
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
