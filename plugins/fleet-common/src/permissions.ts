import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Create an Operation on the instance behind a catalog entity. A resource permission, so a
 * policy can allow the entity's owners and deny everyone else.
 * @public
 */
export const fleetOperationCreatePermission = createPermission({
  name: 'fleet.operation.create',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/** Cancel a running Operation on the instance behind a catalog entity. @public */
export const fleetOperationCancelPermission = createPermission({
  name: 'fleet.operation.cancel',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** Create a fleet-wide upgrade campaign. @public */
export const fleetCampaignCreatePermission = createPermission({
  name: 'fleet.campaign.create',
  attributes: { action: 'create' },
});

/** Start, pause, resume, abort or roll back a campaign. @public */
export const fleetCampaignManagePermission = createPermission({
  name: 'fleet.campaign.manage',
  attributes: { action: 'update' },
});

/**
 * Register pull clusters and rotate or revoke their join tokens: whoever holds a join token
 * acts as that cluster's agent. @public
 */
export const fleetClusterManagePermission = createPermission({
  name: 'fleet.cluster.manage',
  attributes: { action: 'update' },
});

/** Every permission of the fleet plugin, for the permission integration router. @public */
export const fleetPermissions = [
  fleetOperationCreatePermission,
  fleetOperationCancelPermission,
  fleetCampaignCreatePermission,
  fleetCampaignManagePermission,
  fleetClusterManagePermission,
];
