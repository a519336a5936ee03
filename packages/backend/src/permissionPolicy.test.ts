import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  fleetCampaignCreatePermission,
  fleetCampaignManagePermission,
  fleetClusterManagePermission,
  fleetOperationCancelPermission,
  fleetOperationCreatePermission,
} from '@vworkspace/backstage-plugin-fleet-common';
import { ConfigReader } from '@backstage/config';
import { FleetPermissionPolicy } from './permissionPolicy';

function userOf(...ownershipEntityRefs: string[]): PolicyQueryUser {
  return {
    info: { userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
  } as PolicyQueryUser; // credentials are not read by this policy
}

const policy = FleetPermissionPolicy.fromConfig(
  new ConfigReader({
    fleet: { permissions: { admins: ['group:default/platform'] } },
  }),
);

describe('FleetPermissionPolicy', () => {
  it.each([fleetOperationCreatePermission, fleetOperationCancelPermission])(
    'lets only the owners of the entity run $name',
    async permission => {
      const decision = await policy.handle(
        { permission },
        userOf('user:default/jane', 'group:default/team-a'),
      );
      expect(decision).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          resourceType: 'catalog-entity',
          params: { claims: ['user:default/jane', 'group:default/team-a'] },
        },
      });
    },
  );

  it('lets fleet admins run operations on any instance', async () => {
    const decision = await policy.handle(
      { permission: fleetOperationCreatePermission },
      userOf('user:default/ops', 'group:default/platform'),
    );
    expect(decision.result).toBe(AuthorizeResult.ALLOW);
  });

  it.each([
    fleetCampaignCreatePermission,
    fleetCampaignManagePermission,
    fleetClusterManagePermission,
  ])(
    'keeps $name to fleet admins',
    async permission => {
      await expect(
        policy.handle({ permission }, userOf('user:default/jane')),
      ).resolves.toEqual({ result: AuthorizeResult.DENY });
      await expect(
        policy.handle({ permission }, userOf('group:default/platform')),
      ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    },
  );

  it('denies campaigns to callers without a user identity', async () => {
    const decision = await policy.handle({
      permission: fleetCampaignCreatePermission,
    });
    expect(decision.result).toBe(AuthorizeResult.DENY);
  });

  it('lets everyone read the catalog', async () => {
    const decision = await policy.handle(
      {
        permission: {
          type: 'basic',
          name: 'catalog.entity.read',
          attributes: { action: 'read' },
        },
      },
      userOf('user:default/jane'),
    );
    expect(decision.result).toBe(AuthorizeResult.ALLOW);
  });
});
