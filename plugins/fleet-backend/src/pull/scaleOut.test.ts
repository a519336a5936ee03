import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
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
import { createInstance, instanceGvr, operationGvr, startFleetCluster } from '../__testUtils__/fleetSim';
import { startPostgres, TestPostgres } from '../__testUtils__/postgres';
import { fleetPlugin } from '../plugin';

const admin = 'user:default/admin';
const asAdmin = { Authorization: mockCredentials.user.header(admin) };

/**
 * Two backend replicas sharing one PostgreSQL serve one fleet: the agent of a pull cluster holds
 * its stream on one of them, and both show the same clusters, instances and Operations, whichever
 * replica a request goes to.
 */
describe('pull mode with two replicas sharing PostgreSQL', () => {
  let postgres: TestPostgres;
  let edge: SimCluster;
  const pools: Knex[] = [];
  const backends: TestBackend[] = [];
  let a: TestBackend;
  let b: TestBackend;
  let token: string;
  let agent: AbortController | undefined;

  async function startReplica(): Promise<TestBackend> {
    // each replica has its own connection pool, as separate processes would
    const db = knexFactory({ client: 'pg', connection: postgres.connection });
    pools.push(db);
    const backend = await startTestBackend({
      features: [
        fleetPlugin,
        mockServices.database.factory({ knex: db }),
        mockServices.rootConfig.factory({
          data: {
            fleet: {
              appCatalog: { files: [bundledDemoCatalogPath()] },
              pull: { heartbeatSeconds: 0.2, pollSeconds: 0.2, disconnectGraceSeconds: 0.5 },
            },
          },
        }),
      ],
    });
    backends.push(backend);
    return backend;
  }

  function startAgent(on: TestBackend) {
    agent = new AbortController();
    void new ControlPlaneAgent({
      controlPlane: `http://127.0.0.1:${on.server.port()}`,
      token: () => token,
      client: KubeClient.fromString(edge.kubeConfig(), { qps: 1000, burst: 1000 }),
      logger: new JsonLogger({ level: 'error', write: () => undefined }),
      backoff: { initialMs: 50, maxMs: 200 },
      reportIntervalMs: 50,
    }).run(agent.signal);
  }

  const get = async (backend: TestBackend, path: string) => (await request(backend.server).get(path).set(asAdmin)).body;
  const clusterOn = async (backend: TestBackend): Promise<ClusterSummary | undefined> =>
    ((await get(backend, '/api/fleet/clusters')).items as ClusterSummary[]).find(c => c.name === 'edge-1');
  const operationsOn = async (backend: TestBackend): Promise<OperationSummary[]> =>
    (await get(backend, '/api/fleet/operations?cluster=edge-1')).items;
  const instancesOn = async (backend: TestBackend): Promise<InstanceSummary[]> =>
    (await get(backend, '/api/fleet/instances?cluster=edge-1')).items;
  const inCluster = async () =>
    (await edge.api.list(operationGvr, { namespace: 'team-a' })).items.map(o => o.metadata.name ?? '').sort();

  beforeAll(async () => {
    postgres = await startPostgres();
    edge = await startFleetCluster('edge-1', { namespaces: ['team-a'] });
    await createInstance(edge, { namespace: 'team-a', name: 'nextcloud', app: 'nextcloud', version: '6.2.0', ready: true });
    await createInstance(edge, { namespace: 'team-a', name: 'gitea', app: 'gitea', version: '10.6.0', ready: true });
    a = await startReplica();
    b = await startReplica();
  }, 60_000);

  afterAll(async () => {
    agent?.abort();
    for (const backend of backends) await backend.stop();
    await edge?.stop();
    for (const db of pools) await db.destroy();
    await postgres?.stop();
  });

  it('shows a cluster registered and connected through one replica on the other, with its instances', async () => {
    const registered = await request(a.server).post('/api/fleet/clusters').set(asAdmin).send({ name: 'edge-1', title: 'Edge 1' });
    expect(registered.status).toBe(201);
    token = registered.body.token;
    startAgent(a);

    await eventually(async () => {
      for (const replica of [a, b]) {
        expect(await clusterOn(replica)).toMatchObject({ mode: 'pull', connection: { state: 'connected' }, instanceCount: 2 });
        expect((await instancesOn(replica)).map(i => `${i.name}:${i.status}`)).toEqual(['gitea:Ready', 'nextcloud:Ready']);
      }
    });
  });

  it('delivers an Operation requested through the other replica to the agent, once; both replicas converge', async () => {
    const requested = await request(b.server)
      .post('/api/fleet/operations')
      .set(asAdmin)
      .send({ cluster: 'edge-1', namespace: 'team-a', instance: 'nextcloud', type: 'Backup', idempotencyKey: 'across-replicas' });
    expect(requested.status).toBe(202);
    const name = (requested.body as OperationSummary).name;
    // the requesting replica shows it at once, the other as soon as it polls
    expect(((await operationsOn(b)).find(o => o.name === name))?.delivery).toEqual({ state: 'pending' });

    await eventually(async () => expect(await inCluster()).toEqual([name]));
    const applied = edge.api.get(operationGvr, name, { namespace: 'team-a' });
    await edge.api.updateStatus(operationGvr, { ...applied, status: { phase: 'Succeeded' } });

    await eventually(async () => {
      for (const replica of [a, b]) {
        const op = (await operationsOn(replica)).find(o => o.name === name);
        expect(op).toMatchObject({ uid: applied.metadata.uid, phase: 'Succeeded', delivery: { state: 'delivered' } });
      }
    });
    expect(await operationsOn(a)).toEqual(await operationsOn(b));

    // the same request retried through the replica the agent is on: the same Operation
    const retried = await request(a.server)
      .post('/api/fleet/operations')
      .set(asAdmin)
      .send({ cluster: 'edge-1', namespace: 'team-a', instance: 'nextcloud', type: 'Backup', idempotencyKey: 'across-replicas' });
    expect(retried.body.name).toBe(name);
    expect(await inCluster()).toEqual([name]);
  });

  it('shows a refusal acknowledged on one replica on the other', async () => {
    // an instance reported in a namespace the cluster does not have: applying there fails
    const ghost = {
      apiVersion: 'apps.vworkspace.io/v1alpha1',
      kind: 'ApplicationInstance',
      metadata: { name: 'ghost', namespace: 'gone', annotations: { 'ops.vworkspace.io/backup': 'velero' } },
      spec: { app: 'nextcloud', chart: { name: 'nextcloud', version: '6.2.0' } },
    };
    const reported = await request(a.server)
      .post('/api/fleet/agent/v1/report')
      .set('Authorization', `Bearer ${token}`)
      .send({ cluster: 'edge-1', snapshot: false, instances: [ghost], operations: [] });
    expect(reported.status).toBe(204);
    await eventually(async () => expect((await instancesOn(b)).map(i => i.name)).toContain('ghost'));

    const res = await request(b.server)
      .post('/api/fleet/operations')
      .set(asAdmin)
      .send({ cluster: 'edge-1', namespace: 'gone', instance: 'ghost', type: 'Backup' });
    expect(res.status).toBe(202);
    await eventually(async () => {
      for (const replica of [a, b]) {
        const op = (await get(replica, '/api/fleet/operations?cluster=edge-1&namespace=gone')).items.find(
          (o: OperationSummary) => o.name === res.body.name,
        );
        expect(op?.delivery).toEqual({ state: 'failed', error: expect.stringMatching(/gone/) });
      }
    });
  });

  it('follows deletions and the agent moving to the other replica', async () => {
    await edge.api.delete(instanceGvr, 'gitea', { namespace: 'team-a' });
    agent?.abort();
    startAgent(b);
    await eventually(async () => {
      for (const replica of [a, b]) {
        // the agent's new snapshot drops what the cluster no longer has (gitea, and the ghost)
        expect((await instancesOn(replica)).map(i => i.name)).toEqual(['nextcloud']);
        expect((await clusterOn(replica))?.connection.state).toBe('connected');
      }
    });
  });

  it('serves the last reported state from a new replica while the agent is away, marked stale', async () => {
    agent?.abort();
    await eventually(async () => {
      for (const replica of [a, b]) expect((await clusterOn(replica))?.connection.state).toBe('unreachable');
    });
    const expected = await operationsOn(a);

    const c = await startReplica();
    // before any agent came back: the instances and Operations the database holds
    expect((await instancesOn(c)).map(i => i.name)).toEqual(['nextcloud']);
    expect((await operationsOn(c)).map(o => `${o.name}:${o.phase}`)).toEqual(expected.map(o => `${o.name}:${o.phase}`));
    await eventually(async () => {
      expect((await clusterOn(c))?.connection.state).toBe('unreachable');
      expect((await instancesOn(c)).every(i => i.stale)).toBe(true);
    });

    startAgent(c);
    await eventually(async () => {
      for (const replica of [a, b, c]) {
        expect((await clusterOn(replica))?.connection.state).toBe('connected');
        expect((await instancesOn(replica)).map(i => `${i.name}:${i.stale}`)).toEqual(['nextcloud:false']);
      }
    });
  }, 30_000);
});
