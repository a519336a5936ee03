import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { fleetApiRef } from './api/FleetApi';
import { FleetClient } from './api/FleetClient';
import { rootRouteRef } from './routes';

/** The fleet plugin for apps on the classic frontend system. @public */
export const fleetPlugin = createPlugin({
  id: 'fleet',
  apis: [
    createApiFactory({
      api: fleetApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new FleetClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef },
});

/** The fleet page: clusters, summary and every instance. @public */
export const FleetPage = fleetPlugin.provide(
  createRoutableExtension({
    name: 'FleetPage',
    component: () => import('./components/FleetPage').then(m => m.FleetPage),
    mountPoint: rootRouteRef,
  }),
);

/** Entity tab of an `application-instance` Component. @public */
export const EntityFleetInstanceContent = fleetPlugin.provide(
  createComponentExtension({
    name: 'EntityFleetInstanceContent',
    component: {
      lazy: () =>
        import('./components/InstanceContent').then(m => m.InstanceContent),
    },
  }),
);

/** Overview card of an `application-instance` Component. @public */
export const EntityFleetInstanceCard = fleetPlugin.provide(
  createComponentExtension({
    name: 'EntityFleetInstanceCard',
    component: {
      lazy: () =>
        import('./components/InstanceOverviewCard').then(
          m => m.InstanceOverviewCard,
        ),
    },
  }),
);

/** Entity tab of a `kubernetes-cluster` Resource. @public */
export const EntityFleetClusterContent = fleetPlugin.provide(
  createComponentExtension({
    name: 'EntityFleetClusterContent',
    component: {
      lazy: () =>
        import('./components/ClusterContent').then(m => m.ClusterContent),
    },
  }),
);

/** Overview card of a `kubernetes-cluster` Resource. @public */
export const EntityFleetClusterCard = fleetPlugin.provide(
  createComponentExtension({
    name: 'EntityFleetClusterCard',
    component: {
      lazy: () =>
        import('./components/ClusterContent').then(m => m.ClusterOverviewCard),
    },
  }),
);
