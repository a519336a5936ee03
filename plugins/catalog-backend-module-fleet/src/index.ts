/**
 * Catalog module of vWorkspace Fleet: clusters, apps and ApplicationInstances as catalog
 * entities.
 *
 * @packageDocumentation
 */
export { catalogModuleFleet as default } from './module';
export {
  FleetEntityProvider,
  type FleetEntityProviderOptions,
} from './provider/FleetEntityProvider';
export { readFleetProviderConfig, type FleetProviderConfig } from './config';
