import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ClusterSupplier, fleetClusterSupplierExtensionPoint } from '@vworkspace/backstage-plugin-fleet-node';
import type { SimCluster } from '@vworkspace/kube-sim';
import request from 'supertest';
import { eventually } from './__testUtils__/eventually';
import { createInstance, startFleetCluster } from './__testUtils__/fleetSim';
import { fleetPlugin } from './plugin';

/** A module of the fleet plugin that adds `supplier` through the fleet.cluster-supplier extension point. */
function clusterSupplierModule(supplier: ClusterSupplier) {
  return createBackendModule({
    pluginId: 'fleet',
    moduleId: `test-${supplier.id}`,
    register(reg) {
      reg.registerInit({
        deps: { clusters: fleetClusterSupplierExtensionPoint },
        async init({ clusters }) {
          clusters.addClusterSupplier(supplier);
        },
      });
    },
  });
}

describe('fleetPlugin', () => {
  let cluster: SimCluster;

  beforeAll(async () => {
    cluster = await startFleetCluster('inventory-1', { namespaces: ['apps'] });
    await createInstance(cluster, { namespace: 'apps', name: 'notes', app: 'nextcloud', version: '6.2.0', ready: true });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('watches the clusters a module supplies through the fleet.cluster-supplier extension point', async () => {
    const inventory = clusterSupplierModule({
      id: 'inventory',
      getClusters: async () => [
        {
          name: cluster.name,
          title: 'From the inventory',
          mode: 'push',
          labels: { source: 'inventory' },
          push: { url: '', kubeconfig: { contents: cluster.kubeConfig() } },
        },
      ],
    });
    const backend = await startTestBackend({ features: [fleetPlugin, inventory] });
    try {
      const headers = { Authorization: mockCredentials.user.header() };
      await eventually(async () => {
        const res = await request(backend.server).get('/api/fleet/instances').set(headers);
        expect(res.body.items.map((i: { cluster: string; name: string }) => `${i.cluster}/${i.name}`)).toEqual(['inventory-1/notes']);
      });
      const clusters = await request(backend.server).get('/api/fleet/clusters').set(headers);
      expect(clusters.body.items).toEqual([
        expect.objectContaining({ name: 'inventory-1', title: 'From the inventory', labels: { source: 'inventory' } }),
      ]);
    } finally {
      await backend.stop();
    }
  });

  it('shows a supplied cluster whose connection settings cannot work as unreachable, and keeps serving', async () => {
    const broken = [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{ name: c, cluster: { server: "https://127.0.0.1:1", certificate-authority: /nonexistent/ca.crt } }]',
      'users: [{ name: u, user: { token: secret-broken-token } }]',
      'contexts: [{ name: ctx, context: { cluster: c, user: u } }]',
      'current-context: ctx',
    ].join('\n');
    const supplier = clusterSupplierModule({
      id: 'broken',
      getClusters: async () => [
        { name: 'broken-1', title: 'Broken', mode: 'push', labels: {}, push: { url: '', kubeconfig: { contents: broken } } },
        { name: 'broken-2', title: 'Empty', mode: 'push', labels: {}, push: { url: '', kubeconfig: { contents: 'apiVersion: v1\nkind: Config\n' } } },
      ],
    });
    const backend = await startTestBackend({ features: [fleetPlugin, supplier] });
    try {
      const headers = { Authorization: mockCredentials.user.header() };
      const brokenCluster = await eventually(async () => {
        const res = await request(backend.server).get('/api/fleet/clusters').set(headers);
        expect(res.body.items[0].connection.state).toBe('unreachable');
        return res.body.items[0];
      });
      expect(brokenCluster.connection.error).toMatch(/cannot connect with the configured settings: .*nonexistent/);
      expect(JSON.stringify(brokenCluster)).not.toContain('secret-broken-token');
      const clusters = await request(backend.server).get('/api/fleet/clusters').set(headers);
      expect(clusters.body.items[1]).toEqual(
        expect.objectContaining({
          name: 'broken-2',
          connection: expect.objectContaining({ state: 'unreachable', error: expect.stringMatching(/cannot connect with the configured settings/) }),
        }),
      );
    } finally {
      await backend.stop();
    }
  });

  it('shows a cluster as degraded when its token may read instances but not operations', async () => {
    cluster.addToken({
      token: 'instances-only-token',
      user: { username: 'fleet-reader', groups: ['system:authenticated'] },
      rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: ['apps.vworkspace.io'], resources: ['applicationinstances'] }],
    });
    const backend = await startTestBackend({
      features: [
        fleetPlugin,
        mockServices.rootConfig.factory({
          data: {
            fleet: {
              clusters: [{ name: 'limited-1', url: cluster.url, auth: { type: 'serviceAccountToken', token: 'instances-only-token' } }],
            },
          },
        }),
      ],
    });
    try {
      const headers = { Authorization: mockCredentials.user.header() };
      const limited = await eventually(async () => {
        const res = await request(backend.server).get('/api/fleet/clusters').set(headers);
        expect(res.body.items[0].connection.state).toBe('degraded');
        return res.body.items[0];
      });
      expect(limited.connection.error).toMatch(/403/);
      expect(limited.instanceCount).toBe(1);
      // what can be read is served, and fresh
      const instances = await request(backend.server).get('/api/fleet/instances').set(headers);
      expect(instances.body.items.map((i: { name: string; stale: boolean }) => [i.name, i.stale])).toEqual([['notes', false]]);
    } finally {
      await backend.stop();
    }
  });

  it('does not start with a bad cluster entry, and says which entry and field', async () => {
    await expect(
      startTestBackend({
        features: [
          fleetPlugin,
          mockServices.rootConfig.factory({
            data: {
              fleet: {
                clusters: [
                  { name: 'ok-1', url: 'https://a.example.com', auth: { type: 'serviceAccountToken', token: 't0k3n-value' } },
                  { name: 'bad-1', url: 'https://b.example.com', auth: { type: 'serviceAccountToken' } },
                ],
              },
            },
          }),
        ],
      }),
    ).rejects.toThrow(/fleet\.clusters\[1\] \(name "bad-1"\): auth\.token/);
  });
});
