import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { fleetStoreServiceRef } from '@vworkspace/backstage-plugin-fleet-node';
import { readFleetProviderConfig } from './config';
import { FleetEntityProvider } from './provider/FleetEntityProvider';

/**
 * Catalog module that provides the fleet's clusters, apps and ApplicationInstances as
 * catalog entities.
 * @public
 */
export const catalogModuleFleet = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'fleet',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        store: fleetStoreServiceRef,
      },
      async init({ catalog, config, logger, scheduler, lifecycle, store }) {
        const providerConfig = readFleetProviderConfig(config);
        const provider = new FleetEntityProvider({
          store,
          logger,
          config: providerConfig,
          taskRunner: scheduler.createScheduledTaskRunner(
            providerConfig.schedule,
          ),
        });
        catalog.addEntityProvider(provider);
        lifecycle.addShutdownHook(() => provider.close());
      },
    });
  },
});
