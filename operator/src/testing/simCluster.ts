import path from 'node:path';
import { SimCluster, SimClusterOptions, startControllers, StartControllersOptions } from '@vworkspace/kube-sim';
import { isAlreadyExists, KubeClient } from '@vworkspace/kube-runtime';
import { apiResources } from '@vworkspace/backstage-plugin-fleet-common';

const simDir = path.dirname(require.resolve('@vworkspace/kube-sim/package.json'));

/** CRD directories a fleet cluster serves: the operator's, and the upstream ones (Flux, Argo, Velero, CSI, VolSync). @public */
export const fleetCrdDirs: readonly string[] = [
  path.join(path.dirname(require.resolve('@vworkspace/fleet-operator/package.json')), 'crds'),
  path.join(simDir, 'crds/upstream'),
  path.join(simDir, 'crds/volsync'),
];

/** @public */
export interface SimClusterStartOptions {
  /** Context and cluster name. Default `kube-sim`. */
  name?: string;
  /** Namespaces to create. Default `team-a`. */
  namespaces?: readonly string[];
  /**
   * Simulated controllers (Flux, Argo CD, Velero, ...), answering at once unless `timeScale` is
   * set; `false` for none. Default all of them.
   */
  controllers?: StartControllersOptions | false;
  /** More kube-sim options (labels, tokens, ...). The cluster speaks plain HTTP unless `tls: true`. */
  cluster?: Omit<SimClusterOptions, 'name' | 'crds'>;
}

/** A running kube-sim cluster with the fleet's CRDs and an admin client. @public */
export interface SimulatedCluster {
  readonly name: string;
  readonly cluster: SimCluster;
  /** Admin kubeconfig (YAML). */
  readonly kubeConfig: string;
  /** Admin client (generous rate limits, for tests). */
  readonly client: KubeClient;
  stop(): Promise<void>;
}

const allControllers: StartControllersOptions = {
  flux: true,
  argocd: true,
  velero: true,
  workflows: true,
  jobs: true,
  snapshots: true,
  volsync: true,
  timeScale: 0,
};

/**
 * Starts a kube-sim cluster serving the fleet's CRDs, with the simulated controllers and the
 * given namespaces.
 *
 * @public
 */
export async function startSimCluster(options: SimClusterStartOptions = {}): Promise<SimulatedCluster> {
  const cluster = await SimCluster.start({ tls: false, ...options.cluster, name: options.name, crds: [...fleetCrdDirs] });
  const controllers = options.controllers === false ? undefined : startControllers(cluster, { ...allControllers, ...options.controllers });
  const client = KubeClient.fromString(cluster.kubeConfig(), { qps: 2000, burst: 2000 });
  for (const name of options.namespaces ?? ['team-a']) {
    // a simulated controller may have made its namespace already (argocd, velero)
    await client.create(apiResources.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }).catch(err => {
      if (!isAlreadyExists(err)) throw err;
    });
  }
  return {
    name: cluster.name,
    cluster,
    kubeConfig: cluster.kubeConfig(),
    client,
    async stop() {
      controllers?.stop();
      client.close();
      await cluster.stop();
    },
  };
}
