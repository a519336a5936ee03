import { randomUUID } from 'node:crypto';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { fleetPermissions } from '@vworkspace/backstage-plugin-fleet-common';
import {
  ClusterSupplier,
  fleetClusterSupplierExtensionPoint,
} from '@vworkspace/backstage-plugin-fleet-node';
import { AppCatalog } from './catalog/AppCatalog';
import { ClusterRegistry } from './cluster/ClusterRegistry';
import { readClusterConfig } from './cluster/clusterConfig';
import { DemoFleet } from './demo/DemoFleet';
import { OperationService } from './operations/OperationService';
import { AgentSessions } from './pull/AgentSessions';
import { createAgentRouter } from './pull/agentRouter';
import { Outbox } from './pull/Outbox';
import { migrateFleetDatabase, PullClusterRepository } from './pull/PullClusterRepository';
import { PullClusterService } from './pull/PullClusterService';
import { PullStateRepository } from './pull/PullStateRepository';
import { PullStateSync } from './pull/PullStateSync';
import { createRouter } from './service/router';
import { FleetStore } from './store/FleetStore';

/**
 * The fleet control plane: cluster registry, fleet store, app catalog and operations API,
 * under `/api/fleet`.
 * @public
 */
export const fleetPlugin = createBackendPlugin({
  pluginId: 'fleet',
  register(env) {
    const suppliers: ClusterSupplier[] = [];
    env.registerExtensionPoint(fleetClusterSupplierExtensionPoint, {
      addClusterSupplier(supplier) {
        suppliers.push(supplier);
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        userInfo: coreServices.userInfo,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        lifecycle: coreServices.lifecycle,
        database: coreServices.database,
        discovery: coreServices.discovery,
      },
      async init(deps) {
        const { config, logger, lifecycle } = deps;
        deps.permissionsRegistry.addPermissions(fleetPermissions);

        const apps = await AppCatalog.fromConfig(config, { logger });
        const registry = new ClusterRegistry({
          logger,
          staticClusters: readClusterConfig(config),
        });
        for (const supplier of suppliers) registry.addSupplier(supplier);
        // pull clusters and their intent live in the database: they outlive this process
        const db = await migrateFleetDatabase(deps.database);
        const pullClusters = new PullClusterRepository(db);
        const outbox = new Outbox(db);
        registry.addSupplier(pullClusters);
        const demoClusters = config.getOptionalNumber('fleet.demo.clusters') ?? 3;
        const demo = config.getOptionalBoolean('fleet.demo.enabled')
          ? await DemoFleet.start({
              config,
              logger,
              appCatalog: apps,
              // one cluster in each mode: the last one joins in pull mode (when there are two or more)
              pull: {
                clusters: config.getOptionalNumber('fleet.demo.pullClusters') ?? (demoClusters >= 2 ? 1 : 0),
                controlPlane: await deps.discovery.getBaseUrl('fleet'),
                async join(cluster) {
                  const token =
                    (await pullClusters.register(cluster)) ?? (await pullClusters.rotateToken(cluster.name));
                  await registry.refresh();
                  return token!;
                },
              },
            })
          : undefined;
        if (demo) registry.addSupplier(demo);

        const store = new FleetStore({
          logger,
          registry,
          apps: () => apps.list(),
          feedCapacity: config.getOptionalNumber('fleet.events.bufferSize'),
        });
        await store.start();
        await registry.start();
        const seconds = (key: string) => {
          const value = config.getOptionalNumber(key);
          return value !== undefined ? value * 1000 : undefined;
        };
        const heartbeatIntervalMs = seconds('fleet.pull.heartbeatSeconds') ?? 15_000;
        // what pull clusters reported to any replica: shown at once, agents or not
        const sync = new PullStateSync({
          store,
          state: new PullStateRepository(db),
          outbox,
          registry,
          logger,
          replica: randomUUID(),
          heartbeatIntervalMs,
        });
        await sync.load();
        const sessions = new AgentSessions({
          store,
          graceMs: seconds('fleet.pull.disconnectGraceSeconds'),
          onStreams: (cluster, streams) => sync.recordStreams(cluster, streams),
        });
        sync.follow(sessions);
        for (const cluster of registry.list()) {
          if (cluster.mode === 'pull') sessions.expect(cluster.name);
        }
        // what other replicas stored (intent, reports, acknowledgements) reaches this one
        const stopSync = sync.start(seconds('fleet.pull.pollSeconds') ?? 2_000);
        // the watches stop before the demo clusters go, so that shutdown is not logged as an outage
        lifecycle.addShutdownHook(async () => {
          stopSync();
          sessions.stop();
          await sync.flush(2_000);
          registry.stop();
          store.stop();
          await demo?.stop();
        });

        const operations = new OperationService({
          store,
          apps,
          permissions: deps.permissions,
          auditor: deps.auditor,
          logger,
          outbox,
        });
        // agents authenticate with their cluster's join token, checked by the agent API itself
        deps.httpRouter.addAuthPolicy({ path: '/agent', allow: 'unauthenticated' });
        deps.httpRouter.use(
          createAgentRouter({
            logger,
            repository: pullClusters,
            registry,
            outbox,
            store,
            sessions,
            sync,
            heartbeatIntervalMs,
          }),
        );
        // a browser's EventSource cannot send an Authorization header: the stream also takes
        // Backstage's user cookie (limited access), and nothing else changes
        deps.httpRouter.addAuthPolicy({ path: '/events', allow: 'user-cookie' });
        deps.httpRouter.use(
          await createRouter({
            logger,
            httpAuth: deps.httpAuth,
            userInfo: deps.userInfo,
            store,
            operations,
            pullClusters: new PullClusterService({
              repository: pullClusters,
              registry,
              store,
              sessions,
              permissions: deps.permissions,
              auditor: deps.auditor,
              logger,
            }),
            heartbeatIntervalMs: seconds('fleet.events.heartbeatSeconds'),
          }),
        );
      },
    });
  },
});
