import { mockCredentials, TestBackend } from '@backstage/backend-test-utils';
import type { InstanceSummary, OperationSummary } from '@vworkspace/backstage-plugin-fleet-common';
import request from 'supertest';
import { eventually } from './__testUtils__/eventually';
import { SseClient } from './__testUtils__/SseClient';
import { startDemoBackend } from './__testUtils__/startDemoBackend';

/**
 * End to end, as `npm start` runs it: the plugin starts the embedded demo fleet (a kube-sim
 * cluster with simulated Flux and Velero, and the real operator as a child process), watches
 * it, and a Backup requested through the API is carried out by the operator and seen to
 * succeed through the API and its event stream.
 */
describe('fleet plugin with the demo fleet and the real operator', () => {
  let backend: TestBackend;
  const user = 'user:default/jane';
  const headers = { Authorization: mockCredentials.user.header(user) };

  beforeAll(async () => {
    backend = await startDemoBackend(1);
  }, 120_000);

  afterAll(async () => {
    await backend?.stop();
  }, 60_000);

  it('runs a Backup requested through the API to success', async () => {
    const instance = await eventually(async () => {
      const res = await request(backend.server).get('/api/fleet/instances?status=Ready').set(headers);
      const ready = (res.body.items as InstanceSummary[]).find(i => i.capabilities.Backup === 'velero');
      expect(ready).toBeDefined();
      return ready!;
    }, 90_000);

    const stream = await SseClient.open(`http://127.0.0.1:${backend.server.port()}/api/fleet/events`, headers);
    try {
      const created = await request(backend.server)
        .post('/api/fleet/operations')
        .set(headers)
        .send({
          cluster: instance.cluster,
          namespace: instance.namespace,
          instance: instance.name,
          type: 'Backup',
          reason: 'end-to-end test',
          idempotencyKey: 'e2e-backup-1',
        });
      expect(created.status).toBe(201);
      const name = (created.body as OperationSummary).name;
      expect(created.body.requestedBy).toBe(user);

      const done = await eventually(async () => {
        const res = await request(backend.server)
          .get(`/api/fleet/operations?cluster=${instance.cluster}&namespace=${instance.namespace}&instance=${instance.name}`)
          .set(headers);
        const op = (res.body.items as OperationSummary[]).find(o => o.name === name);
        expect(op?.phase).toBe('Succeeded');
        return op!;
      }, 90_000);
      expect(done.result).toEqual(expect.objectContaining({ backupName: expect.any(String) }));

      // the operator records the backup on the instance, and the stream told us as it happened
      await eventually(async () => {
        const res = await request(backend.server)
          .get(`/api/fleet/instances/${instance.cluster}/${instance.namespace}/${instance.name}`)
          .set(headers);
        expect(res.body.summary.lastBackup?.operation).toBe(name);
        expect(res.body.operations.map((o: OperationSummary) => o.name)).toContain(name);
      }, 60_000);
      const phases = stream
        .events()
        .filter(e => e.kind === 'operation' && (e.operation as OperationSummary).name === name)
        .map(e => (e.operation as OperationSummary).phase);
      expect(phases).toContain('Succeeded');

      // a retry of the same request is answered with the same Operation
      const retry = await request(backend.server)
        .post('/api/fleet/operations')
        .set(headers)
        .send({ cluster: instance.cluster, namespace: instance.namespace, instance: instance.name, type: 'Backup', reason: 'end-to-end test', idempotencyKey: 'e2e-backup-1' });
      expect(retry.status).toBe(200);
      expect(retry.body.name).toBe(name);
    } finally {
      stream.close();
    }
  }, 240_000);
});
