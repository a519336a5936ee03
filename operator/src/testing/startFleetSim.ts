import { startSimCluster, SimClusterStartOptions, SimulatedCluster } from './simCluster';
import { OperatorStartOptions, RunningOperator, startOperator } from './startOperator';

/** @public */
export interface FleetSimOptions {
  /** How many clusters (named `sim-1` ... `sim-N`), or their names. Default 1. */
  clusters?: number | readonly string[];
  /** Namespaces to create in each cluster. Default `team-a`. */
  namespaces?: readonly string[];
  /** Simulated controllers of each cluster; `false` for none. Default all, answering at once. */
  controllers?: SimClusterStartOptions['controllers'];
  /** The real operator in each cluster (in this process); `false` for none. Default on, with its defaults. */
  operator?: OperatorStartOptions | false;
}

/** One cluster of a {@link FleetSim}. @public */
export interface FleetSimCluster extends SimulatedCluster {
  /** The operator managing this cluster, unless started with `operator: false`. */
  readonly operator?: RunningOperator;
}

/** @public */
export interface FleetSim {
  readonly clusters: readonly FleetSimCluster[];
  /** Admin kubeconfig (YAML) per cluster name. */
  readonly kubeConfigs: Readonly<Record<string, string>>;
  /** The cluster named `name`; throws if there is none. */
  cluster(name: string): FleetSimCluster;
  /** Stops every operator, then every cluster. */
  stop(): Promise<void>;
}

/**
 * A fleet for tests: N kube-sim clusters, each with the fleet's CRDs, the simulated
 * controllers (Flux, Argo CD, Velero, ...) and the real operator.
 *
 * ```ts
 * const fleet = await startFleetSim({ clusters: 2 });
 * // ... drive fleet.clusters[0].client, or hand fleet.kubeConfigs to the code under test ...
 * await fleet.stop();
 * ```
 *
 * @public
 */
export async function startFleetSim(options: FleetSimOptions = {}): Promise<FleetSim> {
  const count = options.clusters ?? 1;
  const names = typeof count === 'number' ? Array.from({ length: count }, (_, i) => `sim-${i + 1}`) : [...count];
  const clusters: FleetSimCluster[] = [];
  const stop = async () => {
    await Promise.all(clusters.map(c => c.operator?.stop()));
    await Promise.all(clusters.map(c => c.stop()));
  };
  try {
    for (const name of names) {
      const sim = await startSimCluster({ name, namespaces: options.namespaces, controllers: options.controllers });
      const operator = options.operator === false ? undefined : startOperator(sim.cluster, options.operator);
      clusters.push({ ...sim, operator });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    clusters,
    kubeConfigs: Object.fromEntries(clusters.map(c => [c.name, c.kubeConfig])),
    cluster(name) {
      const found = clusters.find(c => c.name === name);
      if (!found) throw new Error(`no cluster "${name}" in this fleet (${names.join(', ')})`);
      return found;
    },
    stop,
  };
}
