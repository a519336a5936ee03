import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { FleetStoreClient } from './client';
import type { FleetStoreReader } from './store';

/**
 * The fleet store's read API for plugins and modules. By default it reads the fleet plugin
 * over HTTP with a service token ({@link FleetStoreClient}), so it works when the fleet plugin
 * runs in another backend deployment; a backend may install another factory for it.
 * @public
 */
export const fleetStoreServiceRef = createServiceRef<FleetStoreReader>({
  id: 'fleet.store',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        logger: coreServices.logger,
      },
      factory: ({ discovery, auth, logger }) =>
        new FleetStoreClient({ discovery, auth, logger }),
    }),
});
