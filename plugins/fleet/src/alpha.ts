/**
 * The fleet plugin for Backstage's new frontend system.
 *
 * @packageDocumentation
 */

export {
  default,
  fleetApi,
  fleetPage,
  fleetRootRouteRef,
  fleetInstanceEntityContent,
  fleetInstanceEntityCard,
  fleetClusterEntityContent,
  fleetClusterEntityCard,
} from './alpha/fleetPlugin';
