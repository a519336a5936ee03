import { mockServices } from '@backstage/backend-test-utils';
import { KubeObject, processHolds } from '@vworkspace/kube-runtime';
import { eventually } from '../__testUtils__/eventually';
import { instanceGvr, startFleetCluster } from '../__testUtils__/fleetSim';
import { ClusterSink, PushClusterWatcher } from './PushClusterWatcher';

describe('PushClusterWatcher', () => {
  it('keeps the process alive while it watches a cluster that does not answer, until stopped', async () => {
    const sink: ClusterSink = {
      connectionChanged: jest.fn(),
      upsertInstance: jest.fn(),
      deleteInstance: jest.fn(),
      upsertOperation: jest.fn(),
      deleteOperation: jest.fn(),
    };
    const watcher = new PushClusterWatcher({
      // Nothing listens on port 1: every list is refused and retried with backoff.
      cluster: {
        name: 'away',
        title: 'Away',
        mode: 'push',
        labels: {},
        push: { url: 'http://127.0.0.1:1', token: async () => 'secret-token' },
      },
      sink,
      logger: mockServices.logger.mock(),
      backoff: { initialMs: 10, maxMs: 50 },
    });
    await watcher.start();
    try {
      expect(processHolds()).toContain('fleet cluster watcher away');
    } finally {
      watcher.stop();
    }
    expect(processHolds()).not.toContain('fleet cluster watcher away');
  });

  it('passes objects on without kubectl\'s last-applied copy, which it does not cache either', async () => {
    const cluster = await startFleetCluster('eu-1', { namespaces: ['team-a'] });
    const upserted: KubeObject[] = [];
    const sink: ClusterSink = {
      connectionChanged: jest.fn(),
      upsertInstance: (_cluster, obj) => upserted.push(obj),
      deleteInstance: jest.fn(),
      upsertOperation: jest.fn(),
      deleteOperation: jest.fn(),
    };
    const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';
    await cluster.api.create(instanceGvr, {
      apiVersion: 'apps.vworkspace.io/v1alpha1',
      kind: 'ApplicationInstance',
      metadata: {
        namespace: 'team-a',
        name: 'files',
        annotations: { 'backstage.io/owner': 'group:default/team-a', [lastApplied]: '{"kind":"ApplicationInstance"}' },
      },
      spec: { app: 'nextcloud', chart: { name: 'nextcloud', version: '6.3.0', repository: { url: 'https://charts.example.com/nextcloud', type: 'helm' } } },
    });
    const watcher = new PushClusterWatcher({
      cluster: { name: 'eu-1', title: 'eu-1', mode: 'push', labels: {}, push: { url: cluster.url, token: async () => cluster.adminToken } },
      sink,
      logger: mockServices.logger.mock(),
    });
    await watcher.start();
    try {
      await eventually(() => expect(upserted).toHaveLength(1));
      expect(upserted[0].metadata?.annotations).toStrictEqual({ 'backstage.io/owner': 'group:default/team-a' });
      expect(upserted[0].spec).toMatchObject({ app: 'nextcloud', chart: { name: 'nextcloud', version: '6.3.0', repository: { url: 'https://charts.example.com/nextcloud', type: 'helm' } } });
    } finally {
      watcher.stop();
      await cluster.stop();
    }
  });
});
