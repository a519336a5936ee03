import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { startTestBackend } from '@backstage/backend-test-utils';
import type { ClusterSummary } from '@vworkspace/backstage-plugin-fleet-common';
import { fleetStoreServiceRef } from './services';
import { cluster } from './client/__testUtils__/fixtures';

describe('fleetStoreServiceRef', () => {
  it('reads the fleet plugin over HTTP with the calling plugin’s service token', async () => {
    const callers: string[] = [];
    const clusters: ClusterSummary[] = [cluster('eu-1')];
    // Stands in for the fleet backend plugin: one route, service principals only.
    const fleetPlugin = createBackendPlugin({
      pluginId: 'fleet',
      register(env) {
        env.registerInit({
          deps: {
            http: coreServices.httpRouter,
            httpAuth: coreServices.httpAuth,
          },
          async init({ http, httpAuth }) {
            http.use(async (req, res, next) => {
              if (req.path !== '/clusters') return next();
              try {
                const credentials = await httpAuth.credentials(req, {
                  allow: ['service'],
                });
                callers.push(credentials.principal.subject);
                return res.json({ items: clusters });
              } catch (error) {
                return next(error);
              }
            });
          },
        });
      },
    });
    let seen: ClusterSummary[] | undefined;
    const consumerPlugin = createBackendPlugin({
      pluginId: 'consumer',
      register(env) {
        env.registerInit({
          deps: {
            store: fleetStoreServiceRef,
            lifecycle: coreServices.lifecycle,
          },
          async init({ store, lifecycle }) {
            lifecycle.addStartupHook(async () => {
              seen = await store.listClusters();
            });
          },
        });
      },
    });

    const backend = await startTestBackend({
      features: [fleetPlugin, consumerPlugin],
    });
    try {
      expect(seen).toEqual(clusters);
      expect(callers).toEqual(['plugin:consumer']);
    } finally {
      await backend.stop();
    }
  });
});
