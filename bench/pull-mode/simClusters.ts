/* The simulated clusters of bench/pull-mode: kube-sim processes of their own, and the
 * ApplicationInstances written into them. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { apiResources } from '@vworkspace/backstage-plugin-fleet-common';
import { KubeClient } from '@vworkspace/kube-runtime';
import { track } from './children';
import { pool } from '../common/measure';
import { benchAppOf } from '../common/benchApps';

/** The namespaces the instances are spread over. */
export const namespaces = ['team-a', 'team-b'];
const instanceKind = apiResources.ApplicationInstance;
/** The name of the i-th instance of every cluster. */
export const instanceName = (i: number) => `${benchAppOf(i).app}-${i}`;
const namespaceKind = apiResources.Namespace;

/** A simulated cluster as the kube-sim command announces it. */
export interface BenchCluster {
  name: string;
  kubeconfig: string;
}

/** One kube-sim process serving `count` clusters named `<prefix>-1` ... Resolves once all answer. */
export async function startSim(
  root: string,
  dir: string,
  prefix: string,
  count: number,
): Promise<BenchCluster[]> {
  const child = spawn(
    process.execPath,
    [
      join(root, 'packages/kube-sim/bin/kube-sim'),
      '--clusters',
      String(count),
      '--name',
      prefix,
      '--dir',
      join(dir, prefix),
      '--http',
      '--controllers',
      'none',
      '--crds',
      join(root, 'operator/crds'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = track(child, 'kube-sim', `kube-sim ${prefix}`);
  const clusters: BenchCluster[] = [];
  await new Promise<void>((resolve, reject) => {
    void exited.then(code =>
      reject(new Error(`kube-sim ${prefix} exited with ${code}`)),
    );
    createInterface({ input: child.stdout! }).on('line', line => {
      const [name, url, path] = line.split('\t');
      if (line.startsWith('all contexts:')) resolve();
      else if (name && url && path) clusters.push({ name, kubeconfig: path });
    });
  });
  return clusters;
}

/** Writes `instances` ApplicationInstances into a cluster over its API (setup, not measured). */
export async function populate(
  cluster: BenchCluster,
  instances: number,
): Promise<void> {
  const client = KubeClient.fromString(
    readFileSync(cluster.kubeconfig, 'utf8'),
    { qps: 5000, burst: 5000 },
  );
  try {
    for (const namespace of namespaces) {
      await client.create(namespaceKind, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: namespace },
      });
    }
    await pool(instances, 4, async i => {
      const app = benchAppOf(i);
      const namespace = namespaces[i % namespaces.length];
      await client.create(instanceKind, {
        apiVersion: instanceKind.apiVersion,
        kind: 'ApplicationInstance',
        metadata: {
          name: instanceName(i),
          namespace,
          annotations: {
            'backstage.io/owner': `group:${namespace}`,
            'ops.vworkspace.io/backup': 'velero',
          },
        },
        spec: {
          app: app.app,
          chart: {
            name: app.chart,
            version: app.version,
            repository: { url: app.url, type: 'helm' },
          },
        },
      });
    });
  } finally {
    client.close();
  }
}
