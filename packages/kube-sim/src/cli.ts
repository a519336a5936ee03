import { parseArgs } from 'node:util';
import { SimFleet } from './fleet/SimFleet';

const usage = `usage: kube-sim [--clusters N] [--name PREFIX] [--dir DIR] [--crds PATH]... [--http]

Starts N simulated Kubernetes API servers on 127.0.0.1, writes a kubeconfig per cluster
(and one with every context) to DIR, prints their paths and runs until Ctrl-C.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clusters: { type: 'string', default: '1' },
      name: { type: 'string', default: 'sim' },
      dir: { type: 'string', default: '.kube-sim' },
      crds: { type: 'string', multiple: true },
      http: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const count = Number(values.clusters);
  if (!Number.isInteger(count) || count < 1) throw new Error(`--clusters must be a positive integer, got ${values.clusters}`);
  const started = Date.now();
  const fleet = await SimFleet.start({
    clusters: Array.from({ length: count }, (_, i) => ({ name: `${values.name}-${i + 1}`, tls: !values.http })),
    dir: values.dir,
    crds: values.crds,
  });
  for (const cluster of fleet.clusters) {
    process.stdout.write(`${cluster.name}\t${cluster.url}\t${fleet.kubeconfigPaths[cluster.name]}\n`);
  }
  process.stdout.write(`all contexts: ${values.dir}/kubeconfig (started in ${Date.now() - started} ms; Ctrl-C to stop)\n`);
  const stop = () => {
    fleet.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch(e => {
  process.stderr.write(`kube-sim: ${(e as Error).message}\n`);
  process.exit(1);
});
