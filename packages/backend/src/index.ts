// first: V8's heap settings, before anything fills the heap
import './applyHeapSettings';
import { createBackend } from '@backstage/backend-defaults';
import { rootHttpRouter } from './rootHttpRouter';

/**
 * The vWorkspace Fleet backend: Backstage core plugins plus the fleet
 * plugins. Which clusters it talks to is configuration (app-config*.yaml).
 */
const backend = createBackend();

backend.add(rootHttpRouter);

backend.add(import('@backstage/plugin-app-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@vworkspace/backstage-plugin-catalog-backend-module-fleet'),
);

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./permissionPolicy'));

backend.add(import('@vworkspace/backstage-plugin-fleet-backend'));

backend.start();
