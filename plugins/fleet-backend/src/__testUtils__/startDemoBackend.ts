import { mockServices, startTestBackend, TestBackend } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { fleetPlugin } from '../plugin';

/**
 * The fleet plugin as `npm start` runs it: the embedded demo fleet with `clusters` clusters
 * (from two on, the last one joins in pull mode), at full speed, and every permission allowed.
 */
export function startDemoBackend(clusters: number): Promise<TestBackend> {
  return startTestBackend({
    features: [
      fleetPlugin,
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      mockServices.rootConfig.factory({
        data: { fleet: { demo: { enabled: true, clusters, timeScale: 0 } } },
      }),
    ],
  });
}
