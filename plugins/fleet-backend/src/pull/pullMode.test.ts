import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  ClusterSummary,
  InstanceSummary,
  OperationSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import { ControlPlaneAgent } from '@vworkspace/fleet-operator';
import type { SimCluster } from '@vworkspace/kube-sim';
import { JsonLogger, KubeClient } from '@vworkspace/kube-runtime';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import { bundledDemoCatalogPath } from '../catalog/AppCatalog';
import { eventually } from '../__testUtils__/eventually';
import { createInstance, operationGvr, startFleetCluster } from '../__testUtils__/fleetSim';
import { postgresBinDir, startPostgres, TestPostgres } from '../__testUtils__/postgres';
import { fleetPlugin } from '../plugin';

const admin = 'user:default/admin';
const jane = 'user:default/jane';
const asUser = (user: string) => ({ Authorization: mockCredentials.user.header(user) });

/** Admins may do everything; everyone else may read. */
const permissions = mockServices.permissions.mock({
  async authorize(requests, options) {
    const user = (options.credentials.principal as { userEntityRef?: string }).userEntityRef;
    return requests.map(() => ({ result: user === admin ? AuthorizeResult.ALLOW : AuthorizeResult.DENY }));
  },
});

/**
 * Pull mode end to end: a kube-sim cluster joined through the API, the operator's real agent
 * connecting out with the join token, Operations delivered through the outbox and applied in
 * the cluster, state reported back, and the agent API's refusals.
 */
function pullModeSuite(dialect: 'SQLite' | 'PostgreSQL') {
  let postgres: TestPostgres | undefined;
  let edge: SimCluster;
  let db: Knex;
  let backend: TestBackend;
  let token: string;
  const agents: AbortController[] = [];

  async function startBackend(): Promise<TestBackend> {
    return startTestBackend({
      features: [
        fleetPlugin,
        permissions.factory,
        mockServices.database.factory({ knex: db }),
        mockServices.rootConfig.factory({
          data: {
            fleet: {
              appCatalog: { files: [bundledDemoCatalogPath()] },
              pull: { heartbeatSeconds: 0.2, pollSeconds: 0.2, disconnectGraceSeconds: 0.3 },
            },
          },
        }),
      ],
    });
  }

  const base = () => `http://127.0.0.1:${backend.server.port()}`;

  function startAgent(agentToken: () => string): AbortController {
    const abort = new AbortController();
    const agent = new ControlPlaneAgent({
      controlPlane: base(),
      token: agentToken,
      client: KubeClient.fromString(edge.kubeConfig(), { qps: 1000, burst: 1000 }),
      // refusals after a revocation are expected here; `AGENT_TEST_LOG=1` shows them
      logger: new JsonLogger({ level: 'error', write: line => process.env.AGENT_TEST_LOG && process.stderr.write(`${line}\n`) }),
      backoff: { initialMs: 50, maxMs: 200 },
      reportIntervalMs: 50,
    });
    void agent.run(abort.signal);
    agents.push(abort);
    return abort;
  }

  async function cluster(name: string): Promise<ClusterSummary | undefined> {
    const res = await request(backend.server).get('/api/fleet/clusters').set(asUser(jane));
    return (res.body.items as ClusterSummary[]).find(c => c.name === name);
  }

  async function operationsInCluster(): Promise<string[]> {
    const list = await edge.api.list(operationGvr, { namespace: 'team-a' });
    return list.items.map(o => o.metadata.name ?? '').sort();
  }

  async function requestBackup(key?: string) {
    return request(backend.server)
      .post('/api/fleet/operations')
      .set(asUser(admin))
      .send({ cluster: 'edge-1', namespace: 'team-a', instance: 'nextcloud', type: 'Backup', ...(key ? { idempotencyKey: key } : {}) });
  }

  beforeAll(async () => {
    edge = await startFleetCluster('edge-1', { namespaces: ['team-a'] });
    await createInstance(edge, { namespace: 'team-a', name: 'nextcloud', app: 'nextcloud', version: '6.2.0', ready: true });
    if (dialect === 'PostgreSQL') {
      postgres = await startPostgres();
      db = knexFactory({ client: 'pg', connection: postgres.connection });
    } else {
      db = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    }
    backend = await startBackend();
  }, 60_000);

  afterAll(async () => {
    for (const abort of agents) abort.abort();
    await backend?.stop();
    await edge?.stop();
    await db?.destroy();
    await postgres?.stop();
  });

  it('registers a pull cluster for admins only, and answers its join token once', async () => {
    const denied = await request(backend.server).post('/api/fleet/clusters').set(asUser(jane)).send({ name: 'edge-1' });
    expect(denied.status).toBe(403);

    const invalid = await request(backend.server).post('/api/fleet/clusters').set(asUser(admin)).send({ name: 'Edge_1' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toMatch(/name/);

    const res = await request(backend.server)
      .post('/api/fleet/clusters')
      .set(asUser(admin))
      .send({ name: 'edge-1', title: 'Edge 1', labels: { region: 'eu' } });
    expect(res.status).toBe(201);
    expect(res.body.cluster).toMatchObject({ name: 'edge-1', title: 'Edge 1', mode: 'pull', labels: { region: 'eu' } });
    token = res.body.token;
    expect(token).toMatch(/^vwf\.edge-1\./);

    const again = await request(backend.server).post('/api/fleet/clusters').set(asUser(admin)).send({ name: 'edge-1' });
    expect(again.status).toBe(409);
    // the token is never shown again, nor stored as such
    const listed = await request(backend.server).get('/api/fleet/clusters').set(asUser(admin));
    expect(JSON.stringify(listed.body)).not.toContain(token);
    const rows = await db('fleet_pull_clusters').select();
    expect(JSON.stringify(rows)).not.toContain(token);
    expect((await cluster('edge-1'))?.connection.state).toBe('pending');
  });

  it('takes the agent in: it reports the cluster, which shows as connected', async () => {
    startAgent(() => token);
    await eventually(async () => {
      expect((await cluster('edge-1'))?.connection).toMatchObject({ state: 'connected', lastSeen: expect.any(String) });
      const res = await request(backend.server).get('/api/fleet/instances?cluster=edge-1').set(asUser(jane));
      expect((res.body.items as InstanceSummary[]).map(i => `${i.name}:${i.status}`)).toEqual(['nextcloud:Ready']);
    });
  });

  it('delivers an Operation to the agent, which applies it; state flows back', async () => {
    const res = await requestBackup('first-backup');
    expect(res.status).toBe(202);
    const created = res.body as OperationSummary;
    expect(created).toMatchObject({ cluster: 'edge-1', type: 'Backup', requestedBy: admin });

    await eventually(async () => expect(await operationsInCluster()).toEqual([created.name]));
    const applied = edge.api.get(operationGvr, created.name, { namespace: 'team-a' });
    expect((applied.metadata.managedFields ?? []).map(f => f.manager)).toContain('vworkspace-control-plane');
    await eventually(async () => {
      const op = (await request(backend.server).get('/api/fleet/operations?cluster=edge-1').set(asUser(jane))).body.items[0];
      expect(op).toMatchObject({ name: created.name, uid: applied.metadata.uid, delivery: { state: 'delivered' } });
    });

    // the operator's progress, reported as a change
    await edge.api.updateStatus(operationGvr, { ...applied, status: { phase: 'Succeeded' } });
    await eventually(async () => {
      const op = (await request(backend.server).get('/api/fleet/operations?cluster=edge-1').set(asUser(jane))).body.items[0];
      expect(op).toMatchObject({ name: created.name, phase: 'Succeeded' });
    });

    // a retry of the same request is the same Operation
    const retry = await requestBackup('first-backup');
    expect(retry.status).toBe(200);
    expect(retry.body.name).toBe(created.name);
  });

  it('runs an Operation requested while the agent is away exactly once after it reconnects', async () => {
    for (const abort of agents.splice(0)) abort.abort();
    await eventually(async () => expect((await cluster('edge-1'))?.connection.state).toBe('unreachable'));
    const before = await operationsInCluster();

    const res = await requestBackup();
    expect(res.status).toBe(202);
    expect(res.body.delivery).toEqual({ state: 'pending' });
    const name = (res.body as OperationSummary).name;
    const listed = await request(backend.server).get('/api/fleet/operations?cluster=edge-1').set(asUser(jane));
    expect((listed.body.items as OperationSummary[]).find(o => o.name === name)?.delivery).toEqual({ state: 'pending' });
    expect(await operationsInCluster()).toEqual(before);

    // two agents racing (a restarted one and its predecessor): still one Operation
    startAgent(() => token);
    startAgent(() => token);
    await eventually(async () => expect(await operationsInCluster()).toEqual([...before, name].sort()));
    await eventually(async () => {
      const after = await request(backend.server).get('/api/fleet/operations?cluster=edge-1').set(asUser(jane));
      expect((after.body.items as OperationSummary[]).find(o => o.name === name)?.delivery).toEqual({ state: 'delivered' });
    });
    expect(await operationsInCluster()).toEqual([...before, name].sort());
  });

  it('refuses a token on another cluster\'s data (403), an unknown token (401) and malformed messages (400), storing nothing', async () => {
    const other = await request(backend.server).post('/api/fleet/clusters').set(asUser(admin)).send({ name: 'edge-2' });
    expect(other.status).toBe(201);
    const otherToken = other.body.token as string;
    const report = (name: string, instances: unknown[]) => ({ cluster: name, snapshot: true, instances, operations: [] });
    const instance = {
      apiVersion: 'apps.vworkspace.io/v1alpha1',
      kind: 'ApplicationInstance',
      metadata: { name: 'intruder', namespace: 'team-a' },
      spec: { app: 'nextcloud' },
    };

    const foreign = await request(backend.server)
      .post('/api/fleet/agent/v1/report')
      .set('Authorization', `Bearer ${otherToken}`)
      .send(report('edge-1', [instance]));
    expect(foreign.status).toBe(403);
    const foreignStream = await request(backend.server)
      .get('/api/fleet/agent/v1/stream?cluster=edge-1')
      .set('Authorization', `Bearer ${otherToken}`);
    expect(foreignStream.status).toBe(403);

    const unknown = await request(backend.server)
      .post('/api/fleet/agent/v1/report')
      .set('Authorization', `Bearer vwf.edge-1.${'A'.repeat(43)}`)
      .send(report('edge-1', [instance]));
    expect(unknown.status).toBe(401);
    const none = await request(backend.server).post('/api/fleet/agent/v1/ack').send({ cluster: 'edge-1', seq: 1, error: 'x' });
    expect(none.status).toBe(401);

    const malformed = await request(backend.server)
      .post('/api/fleet/agent/v1/report')
      .set('Authorization', `Bearer ${token}`)
      .send(report('edge-1', [{ ...instance, metadata: { namespace: 'team-a' } }]));
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/instances\[0\]\.metadata\.name/);
    const badAck = await request(backend.server)
      .post('/api/fleet/agent/v1/ack')
      .set('Authorization', `Bearer ${token}`)
      .send({ cluster: 'edge-1', seq: 'one', uid: 'u', resourceVersion: '1' });
    expect(badAck.status).toBe(400);
    const notJson = await request(backend.server)
      .post('/api/fleet/agent/v1/report')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/json')
      .send('{"cluster":');
    expect(notJson.status).toBe(400);

    const res = await request(backend.server).get('/api/fleet/instances').set(asUser(jane));
    expect((res.body.items as InstanceSummary[]).map(i => `${i.cluster}/${i.name}`)).toEqual(['edge-1/nextcloud']);
  });

  it('ends open streams with 401 when the token is revoked, and takes the rotated one', async () => {
    const controller = new AbortController();
    const stream = await fetch(`${base()}/api/fleet/agent/v1/stream?cluster=edge-1&cursor=1000`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);

    const revoked = await request(backend.server).delete('/api/fleet/clusters/edge-1/token').set(asUser(admin));
    expect(revoked.status).toBe(200);
    const text = await stream.text();
    const lines = text.trim().split('\n').map(line => JSON.parse(line));
    expect(lines[lines.length - 1]).toMatchObject({ type: 'end', status: 401 });

    const after = await request(backend.server)
      .get('/api/fleet/agent/v1/stream?cluster=edge-1')
      .set('Authorization', `Bearer ${token}`);
    expect(after.status).toBe(401);
    await eventually(async () => expect((await cluster('edge-1'))?.connection.state).toBe('unreachable'));

    const rotated = await request(backend.server).post('/api/fleet/clusters/edge-1/token').set(asUser(admin));
    expect(rotated.status).toBe(200);
    token = rotated.body.token;
    // the agents read the token again when they reconnect
    await eventually(async () => expect((await cluster('edge-1'))?.connection.state).toBe('connected'));
  });

  it('ends a stream within a heartbeat when another replica revokes its token', async () => {
    const stream = await fetch(`${base()}/api/fleet/agent/v1/stream?cluster=edge-1&cursor=1000`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(stream.status).toBe(200);
    // what a revocation through another replica leaves in the shared database
    await db('fleet_pull_clusters').where({ name: 'edge-1' }).update({ token_hash: null });
    const lines = (await stream.text()).trim().split('\n').map(line => JSON.parse(line));
    expect(lines[lines.length - 1]).toMatchObject({ type: 'end', status: 401 });

    const rotated = await request(backend.server).post('/api/fleet/clusters/edge-1/token').set(asUser(admin));
    token = rotated.body.token;
    await eventually(async () => expect((await cluster('edge-1'))?.connection.state).toBe('connected'));
  });

  it('keeps pull clusters and undelivered Operations across a backend restart', async () => {
    for (const abort of agents.splice(0)) abort.abort();
    await eventually(async () => expect((await cluster('edge-1'))?.connection.state).toBe('unreachable'));
    const queued = await requestBackup('queued-over-restart');
    expect(queued.status).toBe(202);

    await backend.stop();
    backend = await startBackend();
    const clusters = await request(backend.server).get('/api/fleet/clusters').set(asUser(jane));
    expect((clusters.body.items as ClusterSummary[]).map(c => `${c.name}:${c.mode}`)).toEqual(['edge-1:pull', 'edge-2:pull']);
    // no agent comes back for edge-2: it does not stay "pending" for ever
    await eventually(async () =>
      expect((await cluster('edge-2'))?.connection).toMatchObject({
        state: 'unreachable',
        error: 'no agent has connected since the control plane started',
      }),
    );
    const ops = await request(backend.server).get('/api/fleet/operations?cluster=edge-1').set(asUser(jane));
    expect((ops.body.items as OperationSummary[]).find(o => o.name === queued.body.name)?.delivery).toEqual({ state: 'pending' });

    startAgent(() => token);
    await eventually(async () => expect(await operationsInCluster()).toContain(queued.body.name));
    await eventually(async () => {
      const res = await request(backend.server).get('/api/fleet/operations?cluster=edge-1').set(asUser(jane));
      const items = res.body.items as OperationSummary[];
      expect(items.find(o => o.name === queued.body.name)?.delivery).toEqual({ state: 'delivered' });
      expect(items).toHaveLength((await operationsInCluster()).length);
    });
  }, 60_000);

  it('shows the cluster\'s refusal on the Operation\'s delivery', async () => {
    // an instance the agent reports in a namespace the cluster does not have (a stale view)
    const ghost = {
      apiVersion: 'apps.vworkspace.io/v1alpha1',
      kind: 'ApplicationInstance',
      metadata: { name: 'ghost', namespace: 'gone', annotations: { 'ops.vworkspace.io/backup': 'velero' } },
      spec: { app: 'nextcloud', chart: { name: 'nextcloud', version: '6.2.0' } },
    };
    const reported = await request(backend.server)
      .post('/api/fleet/agent/v1/report')
      .set('Authorization', `Bearer ${token}`)
      .send({ cluster: 'edge-1', snapshot: false, instances: [ghost], operations: [] });
    expect(reported.status).toBe(204);

    const res = await request(backend.server)
      .post('/api/fleet/operations')
      .set(asUser(admin))
      .send({ cluster: 'edge-1', namespace: 'gone', instance: 'ghost', type: 'Backup' });
    expect(res.status).toBe(202);
    await eventually(async () => {
      const ops = await request(backend.server).get('/api/fleet/operations?cluster=edge-1&namespace=gone').set(asUser(jane));
      const op = (ops.body.items as OperationSummary[]).find(o => o.name === res.body.name);
      expect(op?.delivery).toEqual({ state: 'failed', error: expect.stringMatching(/gone/) });
    });
  });
}

describe('pull mode on SQLite', () => {
  pullModeSuite('SQLite');
});
// PostgreSQL, as in production, when its server is installed (else skipped, visibly; never in CI)
(postgresBinDir() || process.env.CI ? describe : describe.skip)('pull mode on PostgreSQL', () => {
  pullModeSuite('PostgreSQL');
});
