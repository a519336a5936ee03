/* Figures for the whole path in a real catalog: a backend with the catalog plugin (SQLite in
 * memory) and the fleet entity provider reading an in-memory fleet store of N instances.
 * Prints how long the catalog took to accept the one full mutation (applyMutation: N entities
 * written to its database), and the time from start until the catalog API returns every fleet
 * entity processed (with its relations), i.e. until a user can find all of them.
 * Run with `node packages/kube-sim/bin/run-ts bench/catalog-module/catalogIngest.ts`.
 * Environment: BENCH_N (default 10000), BENCH_CLUSTERS (default 50), BENCH_TIMEOUT_S (default 600). */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import request from 'supertest';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { readFleetProviderConfig } from '../../plugins/catalog-backend-module-fleet/src/config';
import { FleetEntityProvider } from '../../plugins/catalog-backend-module-fleet/src/provider/FleetEntityProvider';
import {
  app,
  cluster,
  instance,
  InMemoryFleetStore,
} from '../../plugins/catalog-backend-module-fleet/src/provider/__testUtils__/InMemoryFleetStore';

const N = Number(process.env.BENCH_N ?? 10000);
const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 50);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 600);
const apps = ['nextcloud', 'gitea', 'mattermost', 'vaultwarden', 'immich'];

function report(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(80)} ${value}\n`);
}

async function main(): Promise<void> {
  const store = new InMemoryFleetStore();
  for (let i = 0; i < CLUSTERS; i++)
    store.setCluster(cluster(`cluster-${i}`), { silent: true });
  store.apps = apps.map(id => app(id));
  for (let i = 0; i < N; i++) {
    store.upsertInstance(
      instance(
        {
          cluster: `cluster-${i % CLUSTERS}`,
          namespace: `team-${i % 40}`,
          name: `${apps[i % apps.length]}-${i}`,
        },
        { app: apps[i % apps.length] },
      ),
      { silent: true },
    );
  }
  const expected = N + CLUSTERS + apps.length;
  report('fleet entities expected', String(expected));

  // The module of the package, with the catalog's connection timed.
  const mutationTimes: string[] = [];
  const timedModule = createBackendModule({
    pluginId: 'catalog',
    moduleId: 'fleet-bench',
    register(env) {
      env.registerInit({
        deps: {
          catalog: catalogProcessingExtensionPoint,
          config: coreServices.rootConfig,
          logger: coreServices.logger,
        },
        async init({ catalog, config, logger }) {
          const provider = new FleetEntityProvider({
            store,
            logger,
            config: readFleetProviderConfig(config),
          });
          catalog.addEntityProvider({
            getProviderName: () => provider.getProviderName(),
            connect: async connection => {
              await provider.connect({
                refresh: options => connection.refresh(options),
                applyMutation: async mutation => {
                  const t0 = Date.now();
                  await connection.applyMutation(mutation);
                  const size =
                    mutation.type === 'full'
                      ? mutation.entities.length
                      : mutation.added.length;
                  mutationTimes.push(
                    `${mutation.type} of ${size} entities: ${
                      Date.now() - t0
                    } ms`,
                  );
                },
              });
              const t0 = Date.now();
              await provider.refresh();
              report(
                'provider: list, build and applyMutation (full), in total',
                `${Date.now() - t0} ms`,
              );
            },
          });
        },
      });
    },
  });

  const started = Date.now();
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      timedModule,
      mockServices.rootConfig.factory({
        data: {
          catalog: { rules: [{ allow: ['Component', 'System', 'Resource'] }] },
        },
      }),
    ],
  });
  report('backend started', `${Date.now() - started} ms`);

  // Entities count once processed and stitched; the last instance's relations show that too.
  const lastRef = `component/default/cluster-${(N - 1) % CLUSTERS}--team-${
    (N - 1) % 40
  }--${apps[(N - 1) % apps.length]}-${N - 1}`;
  let listed = 0;
  let complete = false;
  let lastReport = Date.now();
  for (;;) {
    const response = await request(backend.server)
      .get('/api/catalog/entities/by-query')
      .query({
        filter: 'metadata.annotations.vworkspace.io/cluster',
        limit: 1,
      });
    listed = response.body.totalItems ?? 0;
    const last = await request(backend.server).get(
      `/api/catalog/entities/by-name/${lastRef}`,
    );
    complete = listed >= expected - apps.length && last.body?.relations?.length > 0;
    if (complete) break;
    if (Date.now() - started > TIMEOUT_S * 1000) break;
    if (Date.now() - lastReport > 10_000) {
      report(
        '  ... entities with a vworkspace.io/cluster annotation so far',
        `${listed} after ${Math.round((Date.now() - started) / 1000)} s`,
      );
      lastReport = Date.now();
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  for (const line of mutationTimes) report('catalog applyMutation', line);
  report(
    'clusters and instances in the catalog',
    `${listed} of ${expected - apps.length}`,
  );
  report(
    complete
      ? 'start to every entity processed, stitched and findable'
      : `gave up after BENCH_TIMEOUT_S; processed per second`,
    complete
      ? `${((Date.now() - started) / 1000).toFixed(1)} s`
      : (listed / ((Date.now() - started) / 1000)).toFixed(1),
  );
  report('RSS', `${Math.round(process.memoryUsage().rss / 1024 / 1024)} MiB`);
  await backend.stop();
  process.exit(0);
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
