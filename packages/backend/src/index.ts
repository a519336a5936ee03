import { createBackend } from '@backstage/backend-defaults';

/**
 * The vWorkspace Fleet backend: Backstage core plugins plus the fleet
 * plugins. Which clusters it talks to is configuration (app-config*.yaml).
 */
const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@vworkspace/backstage-plugin-catalog-backend-module-fleet'));

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./permissionPolicy'));

backend.add(import('@vworkspace/backstage-plugin-fleet-backend'));

backend.start();
