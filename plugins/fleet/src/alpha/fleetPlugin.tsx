import { Content } from '@backstage/core-components';
import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import DeviceHubIcon from '@material-ui/icons/DeviceHub';
import { fleetApiRef } from '../api/FleetApi';
import { FleetClient } from '../api/FleetClient';

/** Entities the fleet's catalog module emits, as filter predicates (overridable in config). */
const instanceFilter = {
  kind: 'component',
  'spec.type': 'application-instance',
};
const clusterFilter = { kind: 'resource', 'spec.type': 'kubernetes-cluster' };

/** The fleet page's route in the new frontend system. @alpha */
export const fleetRootRouteRef = createRouteRef();

/** The FleetApi on discoveryApi and fetchApi. @alpha */
export const fleetApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: fleetApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new FleetClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * The fleet page. A page with a title and an icon is what the app's sidebar lists, so this is
 * also the sidebar entry.
 * @alpha
 */
export const fleetPage = PageBlueprint.make({
  params: {
    path: '/fleet',
    title: 'Fleet',
    icon: <DeviceHubIcon />,
    routeRef: fleetRootRouteRef,
    loader: () =>
      import('../components/FleetPage').then(m => (
        <Content>
          <m.FleetPageContent />
        </Content>
      )),
  },
});

/** The "Fleet" tab of an application instance. @alpha */
export const fleetInstanceEntityContent = EntityContentBlueprint.make({
  name: 'instance',
  params: {
    path: '/fleet',
    title: 'Fleet',
    filter: instanceFilter,
    loader: () =>
      import('../components/InstanceContent').then(m => <m.InstanceContent />),
  },
});

/** The overview card of an application instance. @alpha */
export const fleetInstanceEntityCard = EntityCardBlueprint.make({
  name: 'instance',
  params: {
    filter: instanceFilter,
    loader: () =>
      import('../components/InstanceOverviewCard').then(m => (
        <m.InstanceOverviewCard />
      )),
  },
});

/** The "Fleet" tab of a cluster. @alpha */
export const fleetClusterEntityContent = EntityContentBlueprint.make({
  name: 'cluster',
  params: {
    path: '/fleet',
    title: 'Fleet',
    filter: clusterFilter,
    loader: () =>
      import('../components/ClusterContent').then(m => <m.ClusterContent />),
  },
});

/** The overview card of a cluster. @alpha */
export const fleetClusterEntityCard = EntityCardBlueprint.make({
  name: 'cluster',
  params: {
    filter: clusterFilter,
    loader: () =>
      import('../components/ClusterContent').then(m => (
        <m.ClusterOverviewCard />
      )),
  },
});

/** The fleet plugin for apps on the new frontend system. @alpha */
export default createFrontendPlugin({
  pluginId: 'fleet',
  title: 'Fleet',
  icon: <DeviceHubIcon />,
  routes: { root: fleetRootRouteRef },
  extensions: [
    fleetApi,
    fleetPage,
    fleetInstanceEntityContent,
    fleetInstanceEntityCard,
    fleetClusterEntityContent,
    fleetClusterEntityCard,
  ],
});
