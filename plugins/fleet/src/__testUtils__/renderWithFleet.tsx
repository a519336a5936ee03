import type { ReactNode } from 'react';
import type { Entity } from '@backstage/catalog-model';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { fleetAnnotations } from '@vworkspace/backstage-plugin-fleet-common';
import { fleetApiRef } from '../api/FleetApi';
import { createTestFleetClient } from './fleetServer';

/** The Component the catalog module emits for the demo's Nextcloud on edge-paris. */
export const instanceEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'edge-paris--team-a--nextcloud',
    namespace: 'default',
    annotations: {
      [fleetAnnotations.cluster]: 'edge-paris',
      [fleetAnnotations.namespace]: 'team-a',
      [fleetAnnotations.instance]: 'nextcloud',
    },
  },
  spec: {
    type: 'application-instance',
    lifecycle: 'production',
    owner: 'group:team-a',
    system: 'nextcloud',
  },
};

/** The Resource the catalog module emits for the edge-paris cluster. */
export const clusterEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'edge-paris',
    namespace: 'default',
    annotations: { [fleetAnnotations.cluster]: 'edge-paris' },
  },
  spec: { type: 'kubernetes-cluster', owner: 'group:platform' },
};

/** Renders fleet UI in a test app with the real client (msw behind it) and a permission answer. */
export function renderWithFleet(
  element: ReactNode,
  options: { entity?: Entity; allow?: boolean; routeEntries?: string[] } = {},
) {
  const permissionApi = mockApis.permission({
    authorize:
      options.allow === false ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
  });
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [fleetApiRef, createTestFleetClient()],
        [permissionApiRef, permissionApi],
      ]}
    >
      {options.entity ? (
        <EntityProvider entity={options.entity}>{element}</EntityProvider>
      ) : (
        element
      )}
    </TestApiProvider>,
    {
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      routeEntries: options.routeEntries,
    },
  );
}
