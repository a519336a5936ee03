import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SimCluster, SimClusterOptions } from '../cluster/SimCluster';
import { kubeconfigYaml } from '../kubeconfig';
import { createCertificateAuthority } from '../tls/certificateAuthority';
import type { KubeObject } from '../types';

/** One cluster of a fleet. @public */
export interface SimFleetClusterSpec {
  name: string;
  labels?: Record<string, string>;
  /** Default true. */
  tls?: boolean;
}

/** @public */
export interface SimFleetOptions {
  clusters: SimFleetClusterSpec[];
  /** When set, `<dir>/<name>.kubeconfig` per cluster and `<dir>/kubeconfig` with every context are written. */
  dir?: string;
  /** CRDs (files, directories or objects) installed in every cluster. */
  crds?: Array<string | KubeObject>;
  /** Options applied to every cluster. */
  clusterOptions?: Omit<SimClusterOptions, 'name' | 'labels' | 'tls' | 'ca' | 'servingCert' | 'crds'>;
}

/**
 * Many simulated clusters in one process, each on its own port, sharing one CA and serving
 * certificate (all listen on 127.0.0.1).
 * @public
 */
export class SimFleet {
  private constructor(
    readonly clusters: SimCluster[],
    readonly kubeconfigPaths: Record<string, string>,
  ) {}

  static async start(options: SimFleetOptions): Promise<SimFleet> {
    const names = new Set<string>();
    for (const c of options.clusters) {
      if (names.has(c.name)) throw new Error(`duplicate cluster name ${c.name}`);
      names.add(c.name);
    }
    const ca = createCertificateAuthority('kube-sim-fleet-ca');
    const servingCert = ca.issue(['localhost', '127.0.0.1']);
    const clusters: SimCluster[] = [];
    try {
      for (const spec of options.clusters) {
        clusters.push(
          await SimCluster.start({
            ...options.clusterOptions,
            name: spec.name,
            labels: spec.labels,
            tls: spec.tls,
            ca,
            servingCert,
            crds: options.crds,
          }),
        );
      }
    } catch (e) {
      await Promise.all(clusters.map(c => c.stop()));
      throw e;
    }
    const paths: Record<string, string> = {};
    const fleet = new SimFleet(clusters, paths);
    if (options.dir) {
      const dir = resolve(options.dir);
      mkdirSync(dir, { recursive: true });
      for (const cluster of clusters) {
        paths[cluster.name] = join(dir, `${cluster.name}.kubeconfig`);
        writeFileSync(paths[cluster.name], cluster.kubeConfig(), { mode: 0o600 });
      }
      writeFileSync(join(dir, 'kubeconfig'), fleet.kubeConfig(), { mode: 0o600 });
    }
    return fleet;
  }

  cluster(name: string): SimCluster {
    const found = this.clusters.find(c => c.name === name);
    if (!found) throw new Error(`no cluster named ${name}`);
    return found;
  }

  /** One kubeconfig with a context per cluster (the first current). */
  kubeConfig(): string {
    return kubeconfigYaml(this.clusters.map(c => ({ name: c.name, server: c.url, caPem: c.caPem, token: c.adminToken })));
  }

  async stop(): Promise<void> {
    await Promise.all(this.clusters.map(c => c.stop()));
  }
}
