/* Figures for the fleet's catalog entity provider: one full mutation of N ApplicationInstances
 * (plus their clusters and apps), read (a) from an in-memory fleet store and (b) over real HTTP
 * from a loopback server answering the fleet API contract (FleetStoreClient, pages of 1,000),
 * then a delta of one changed instance in that fleet. The catalog side is a recording
 * connection: these are the provider's own costs (listing, building, serializing).
 * Run with `node packages/kube-sim/bin/run-ts bench/catalog-module/fullMutation.ts`.
 * Environment: BENCH_N (default 10000), BENCH_CLUSTERS (default 50), BENCH_RUNS (default 5). */
import type { EntityProviderMutation } from '@backstage/plugin-catalog-node';
import { FleetEntityProvider } from '../../plugins/catalog-backend-module-fleet/src/provider/FleetEntityProvider';
import {
  app,
  cluster,
  instance,
  InMemoryFleetStore,
} from '../../plugins/catalog-backend-module-fleet/src/provider/__testUtils__/InMemoryFleetStore';
import { FleetStoreClient } from '../../plugins/fleet-node/src/client/FleetStoreClient';
import { startFleetApiDouble } from '../../plugins/fleet-node/src/client/__testUtils__/fleetApiDouble';
import type { FleetStoreReader } from '../../plugins/fleet-node/src/store';
import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';

const N = Number(process.env.BENCH_N ?? 10000);
const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const apps = ['nextcloud', 'gitea', 'mattermost', 'vaultwarden', 'immich'];

function report(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(80)} ${value}\n`);
}

const silentLogger: LoggerService = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silentLogger,
};

/** Tokens as the fleet API double expects them (a service token aimed at the fleet plugin). */
const benchAuth = {
  getOwnServiceCredentials: async () => ({
    $$type: '@backstage/BackstageCredentials',
    principal: { type: 'service', subject: 'plugin:catalog' },
  }),
  getPluginRequestToken: async () => ({ token: 'bench:{"target":"fleet"}' }),
} as unknown as AuthService;

const clusters = Array.from({ length: CLUSTERS }, (_, i) =>
  cluster(`cluster-${i}`, {
    labels: { env: i % 5 ? 'production' : 'staging' },
  }),
);
const instances = Array.from({ length: N }, (_, i) =>
  instance(
    {
      cluster: `cluster-${i % CLUSTERS}`,
      namespace: `team-${i % 40}`,
      name: `${apps[i % apps.length]}-${i}`,
    },
    {
      app: apps[i % apps.length],
      owner: i % 3 ? `group:default/team-${i % 40}` : undefined,
    },
  ),
);

async function measure(
  label: string,
  store: FleetStoreReader,
  onDelta?: () => void,
): Promise<void> {
  const mutations: EntityProviderMutation[] = [];
  const provider = new FleetEntityProvider({
    store,
    logger: silentLogger,
    config: {
      defaultOwner: 'group:default/platform',
      lifecycleLabel: 'env',
      defaultLifecycle: 'production',
      clusters: { include: ['*'], exclude: [] },
      namespaces: { include: ['*'], exclude: [] },
      schedule: { frequency: { minutes: 30 }, timeout: { minutes: 5 } },
    },
    deltaDelayMs: 0,
  });
  await provider.connect({
    applyMutation: async m => void mutations.push(m),
    refresh: async () => {},
  });
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = process.hrtime.bigint();
    await provider.refresh();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const full = mutations.at(-1);
  const count = full?.type === 'full' ? full.entities.length : 0;
  times.sort((a, b) => a - b);
  report(`${label}: entities in the full mutation`, String(count));
  report(
    `${label}: full mutation, slowest of ${RUNS}`,
    `${Math.round(times[times.length - 1])} ms`,
  );
  report(
    `${label}: full mutation, median of ${RUNS}`,
    `${Math.round(times[Math.floor(times.length / 2)])} ms`,
  );
  if (onDelta) {
    const before = mutations.length;
    const started = process.hrtime.bigint();
    onDelta();
    await provider.settled();
    report(
      `${label}: delta for one changed instance (${
        mutations.length - before
      } mutation)`,
      `${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(2)} ms`,
    );
  }
  provider.close();
}

async function main(): Promise<void> {
  report('instances / clusters / apps', `${N} / ${CLUSTERS} / ${apps.length}`);

  const memory = new InMemoryFleetStore();
  clusters.forEach(c => memory.setCluster(c, { silent: true }));
  memory.apps = apps.map(id => app(id));
  instances.forEach(i => memory.upsertInstance(i, { silent: true }));
  await measure('in-memory store', memory, () =>
    memory.upsertInstance({
      ...instances[0],
      owner: 'group:default/someone-else',
    }),
  );

  const double = await startFleetApiDouble();
  double.clusters = clusters;
  double.apps = apps.map(id => app(id));
  double.instances = instances;
  const client = new FleetStoreClient({
    discovery: {
      getBaseUrl: async () => double.baseUrl,
      getExternalBaseUrl: async () => double.baseUrl,
    },
    auth: benchAuth,
  });
  await measure('over HTTP (FleetStoreClient, pages of 1000)', client);
  await double.close();

  report(
    'RSS after the runs',
    `${Math.round(process.memoryUsage().rss / 1024 / 1024)} MiB`,
  );
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
