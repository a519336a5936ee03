import { mockServices } from '@backstage/backend-test-utils';
import { processHolds } from '@vworkspace/kube-runtime';
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
});
