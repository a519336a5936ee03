import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  fleetCampaignCreatePermission,
  fleetCampaignManagePermission,
  fleetClusterManagePermission,
  fleetOperationCancelPermission,
  fleetOperationCreatePermission,
} from '@vworkspace/backstage-plugin-fleet-common';

/**
 * The portal's policy: everyone may read; operations on an application
 * instance are for the owners of its catalog entity; campaigns act on the
 * whole fleet, and cluster registration hands out agent credentials, so both
 * are for fleet admins only. Fleet admins
 * (`fleet.permissions.admins`: user or group refs) may do everything.
 */
export class FleetPermissionPolicy implements PermissionPolicy {
  constructor(private readonly admins: ReadonlySet<string>) {}

  static fromConfig(config: Config): FleetPermissionPolicy {
    const admins =
      config.getOptionalStringArray('fleet.permissions.admins') ?? [];
    return new FleetPermissionPolicy(new Set(admins));
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const claims = user?.info.ownershipEntityRefs ?? [];
    const isAdmin = claims.some(ref => this.admins.has(ref));
    const { permission } = request;

    if (
      isPermission(permission, fleetOperationCreatePermission) ||
      isPermission(permission, fleetOperationCancelPermission)
    ) {
      if (isAdmin) return { result: AuthorizeResult.ALLOW };
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims }),
      );
    }
    if (
      isPermission(permission, fleetCampaignCreatePermission) ||
      isPermission(permission, fleetCampaignManagePermission) ||
      isPermission(permission, fleetClusterManagePermission)
    ) {
      return { result: isAdmin ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'fleet-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(FleetPermissionPolicy.fromConfig(config));
      },
    });
  },
});
