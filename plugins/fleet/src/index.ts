/**
 * vWorkspace Fleet frontend: instance and cluster entity pages with live status and day-2
 * actions, and the fleet page. The new frontend system's plugin is in `./alpha`.
 *
 * @packageDocumentation
 */

export {
  fleetPlugin,
  FleetPage,
  EntityFleetInstanceContent,
  EntityFleetInstanceCard,
  EntityFleetClusterContent,
  EntityFleetClusterCard,
} from './plugin';
export { rootRouteRef as fleetRootRouteRef } from './routes';
export { fleetApiRef } from './api/FleetApi';
export type {
  FleetApi,
  FleetEventStreamOptions,
  InstanceRef,
  OperationRef,
} from './api/FleetApi';
export { FleetClient } from './api/FleetClient';
export { FleetApiError } from './api/FleetApiError';
export {
  isFleetClusterEntity,
  isFleetInstanceEntity,
} from './hooks/entityTargets';
export { useFleetEvents } from './hooks/useFleetEvents';
export type { FleetEventsState } from './hooks/useFleetEvents';
