import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { ClusterSupplier } from './clusters';

/** Lets modules add clusters to the fleet. @public */
export interface FleetClusterSupplierExtensionPoint {
  addClusterSupplier(supplier: ClusterSupplier): void;
}

/** Extension point for cluster suppliers. @public */
export const fleetClusterSupplierExtensionPoint =
  createExtensionPoint<FleetClusterSupplierExtensionPoint>({
    id: 'fleet.cluster-supplier',
  });
