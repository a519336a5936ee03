import { mockCredentials, TestBackend } from '@backstage/backend-test-utils';
import type { ClusterSummary, InstanceSummary } from '@vworkspace/backstage-plugin-fleet-common';
import request from 'supertest';
import { eventually } from '../__testUtils__/eventually';
import { startDemoBackend } from '../__testUtils__/startDemoBackend';

/**
 * The demo fleet as `npm start` runs it, with two clusters: one watched in push mode, the other
 * joined in pull mode, its operator (a child process) connecting out with `--control-plane`.
 */
describe('the demo fleet in both modes', () => {
  let backend: TestBackend;
  const headers = { Authorization: mockCredentials.user.header('user:default/jane') };

  beforeAll(async () => {
    backend = await startDemoBackend(2);
  }, 120_000);

  afterAll(async () => {
    await backend?.stop();
  }, 60_000);

  it('runs one cluster in each mode, both connected with their instances', async () => {
    await eventually(async () => {
      const res = await request(backend.server).get('/api/fleet/clusters').set(headers);
      const clusters = res.body.items as ClusterSummary[];
      expect(clusters.map(c => `${c.name}:${c.mode}:${c.connection.state}`)).toEqual([
        'demo-eu-1:push:connected',
        'demo-us-1:pull:connected',
      ]);
      const instances = await request(backend.server).get('/api/fleet/instances?cluster=demo-us-1').set(headers);
      expect((instances.body.items as InstanceSummary[]).length).toBeGreaterThan(0);
    }, 120_000);
  }, 150_000);
});
