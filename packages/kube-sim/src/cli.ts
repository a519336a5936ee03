import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { SimFleet } from './fleet/SimFleet';
import { startControllers, StartControllersOptions } from './controllers';

const controllerNames = ['flux', 'argocd', 'velero', 'workflows', 'jobs', 'snapshots', 'volsync'] as const;
type ControllerName = (typeof controllerNames)[number];

const usage = `usage: kube-sim [--clusters N] [--name PREFIX] [--dir DIR] [--crds PATH]... [--http]
                [--controllers all|none|LIST] [--time-scale X]

Starts N simulated Kubernetes API servers on 127.0.0.1, writes a kubeconfig per cluster
(and one with every context) to DIR, prints their paths and runs until Ctrl-C.

  --crds PATH        CRD files or directories to serve (default: the bundled upstream
                     Flux, Argo, Velero, CSI snapshot and VolSync CRDs)
  --controllers      simulated controllers per cluster: all (default), none, or a
                     comma-separated list of ${controllerNames.join(', ')}
  --time-scale X     multiplier of the controllers' nominal durations (default 1;
                     0 makes them answer as fast as they can)`;

function parseControllers(value: string): Set<ControllerName> {
  if (value === 'all') return new Set(controllerNames);
  if (value === 'none') return new Set();
  const names = value.split(',').map(name => name.trim());
  const unknown = names.filter(name => !(controllerNames as readonly string[]).includes(name));
  if (unknown.length) {
    throw new Error(`--controllers: unknown ${unknown.join(', ')}; expected all, none or some of ${controllerNames.join(', ')}`);
  }
  return new Set(names as ControllerName[]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clusters: { type: 'string', default: '1' },
      name: { type: 'string', default: 'sim' },
      dir: { type: 'string', default: '.kube-sim' },
      crds: { type: 'string', multiple: true },
      http: { type: 'boolean', default: false },
      controllers: { type: 'string', default: 'all' },
      'time-scale': { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const count = Number(values.clusters);
  if (!Number.isInteger(count) || count < 1) throw new Error(`--clusters must be a positive integer, got ${values.clusters}`);
  const timeScale = Number(values['time-scale']);
  if (!Number.isFinite(timeScale) || timeScale < 0) throw new Error(`--time-scale must be a number >= 0, got ${values['time-scale']}`);
  const enabled = parseControllers(values.controllers);
  const packageDir = dirname(require.resolve('@vworkspace/kube-sim/package.json'));
  const crds = values.crds ?? [join(packageDir, 'crds', 'upstream'), join(packageDir, 'crds', 'volsync')];

  const started = Date.now();
  const fleet = await SimFleet.start({
    clusters: Array.from({ length: count }, (_, i) => ({ name: `${values.name}-${i + 1}`, tls: !values.http })),
    dir: values.dir,
    crds,
  });
  const flags: StartControllersOptions = { timeScale };
  for (const name of enabled) flags[name] = true;
  const handles = fleet.clusters.map(cluster =>
    startControllers(cluster, {
      ...flags,
      onError: (controller, key, error) =>
        process.stderr.write(`${cluster.name}: ${controller} ${key.namespace ?? ''}/${key.name}: ${(error as Error).message}\n`),
    }),
  );
  for (const cluster of fleet.clusters) {
    process.stdout.write(`${cluster.name}\t${cluster.url}\t${fleet.kubeconfigPaths[cluster.name]}\n`);
  }
  process.stdout.write(
    `all contexts: ${values.dir}/kubeconfig; controllers: ${[...enabled].join(', ') || 'none'} ` +
      `(started in ${Date.now() - started} ms; Ctrl-C to stop)\n`,
  );
  const stop = () => {
    for (const handle of handles) handle.stop();
    fleet.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch(e => {
  process.stderr.write(`kube-sim: ${(e as Error).message}\n`);
  process.exit(1);
});
