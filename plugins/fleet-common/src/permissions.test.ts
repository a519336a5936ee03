import { isResourcePermission } from '@backstage/plugin-permission-common';
import { fleetPermissions } from './permissions';

describe('fleetPermissions', () => {
  it.each([
    { name: 'fleet.operation.create', resource: true },
    { name: 'fleet.operation.cancel', resource: true },
    { name: 'fleet.campaign.create', resource: false },
    { name: 'fleet.campaign.manage', resource: false },
  ])(
    '$name is a resource permission on catalog entities: $resource',
    ({ name, resource }) => {
      const permission = fleetPermissions.find(p => p.name === name);
      expect(permission).toBeDefined();
      expect(isResourcePermission(permission!, 'catalog-entity')).toBe(
        resource,
      );
    },
  );
});
