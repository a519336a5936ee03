import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  apiResources,
  capabilityAnnotations,
  ClusterSummary,
  InstanceSummary,
  operationLabel,
  OperationSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import { ControlPlaneAgent } from '@vworkspace/fleet-operator';
import { FleetSim, startFleetSim } from '@vworkspace/fleet-operator/testing';
import { JsonLogger, KubeClient, KubeObject } from '@vworkspace/kube-runtime';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import { bundledDemoCatalogPath } from '../catalog/AppCatalog';
import { ControlPlaneProxy, ProxiedRequest } from '../__testUtils__/ControlPlaneProxy';
import { eventually } from '../__testUtils__/eventually';
import { postgresBinDir, startPostgres, TestPostgres } from '../__testUtils__/postgres';
import { fleetPlugin } from '../plugin';

const headers = { Authorization: mockCredentials.user.header('user:default/admin') };
const ackPath = '/api/fleet/agent/v1/ack';
const streamPath = '/api/fleet/agent/v1/stream';
const isAck = (r: ProxiedRequest) => r.method === 'POST' && r.path === ackPath;
/** The body of an acknowledgement the agent sent. */
const ackOf = (r: ProxiedRequest) => JSON.parse(r.body) as { seq: number; uid?: string; error?: string };

/**
 * What a platform engineer fears of pull mode, with everything real but the machines: the
 * backend on PostgreSQL restarted while Operations are under way, the agent killed between
 * applying an Operation and acknowledging it, the cluster's API away while an Operation waits.
 * The real operator (simulated Flux and Velero) runs the Operations; the agent reaches the
 * backend through a proxy standing for the load balancer, which keeps its address across
 * backend restarts and can lose a chosen request. Nothing may be lost, doubled or failed.
 */
(postgresBinDir() || process.env.CI ? describe : describe.skip)('pull mode under faults (PostgreSQL, real operator)', () => {
  let postgres: TestPostgres;
  let db: Knex;
  let fleet: FleetSim;
  let client: KubeClient;
  let proxy: ControlPlaneProxy;
  let backend: TestBackend;
  let token: string;
  const agents: Array<{ abort: AbortController; client: KubeClient }> = [];
  /** Every Operation requested so far, in order. */
  const requested: string[] = [];

  const startBackend = () =>
    startTestBackend({
      features: [
        fleetPlugin,
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
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
  const backendUrl = () => `http://127.0.0.1:${backend.server.port()}`;

  /** The operator's agent as the operator runs it (reporting from the manager's caches), through the proxy. */
  function startAgent(): void {
    const abort = new AbortController();
    const { manager } = fleet.cluster('edge-1').operator!;
    // a short retry budget: while the cluster's API is away the agent gives up an apply quickly
    const agentClient = KubeClient.fromString(fleet.kubeConfigs['edge-1'], { qps: 1000, burst: 1000, retryBudgetMs: 1_000 });
    void new ControlPlaneAgent({
      informers: {
        instances: manager.getInformer(apiResources.ApplicationInstance),
        operations: manager.getInformer(apiResources.Operation),
      },
      controlPlane: proxy.url,
      token: () => token,
      client: agentClient,
      // lost connections are expected here; `AGENT_TEST_LOG=1` shows them
      logger: new JsonLogger({ level: 'warn', write: line => process.env.AGENT_TEST_LOG && process.stderr.write(`${line}\n`) }),
      backoff: { initialMs: 50, maxMs: 200 },
      reportIntervalMs: 50,
    }).run(abort.signal);
    agents.push({ abort, client: agentClient });
  }

  async function requestBackup(reason: string): Promise<OperationSummary> {
    const res = await request(backend.server)
      .post('/api/fleet/operations')
      .set(headers)
      .send({ cluster: 'edge-1', namespace: 'team-a', instance: 'nextcloud', type: 'Backup', reason });
    expect(res.status).toBe(202);
    requested.push(res.body.name);
    return res.body as OperationSummary;
  }

  /** The Operations of edge-1 as the API shows them, by name. */
  async function listedOperations(): Promise<Map<string, OperationSummary>> {
    const res = await request(backend.server).get('/api/fleet/operations?cluster=edge-1').set(headers);
    expect(res.status).toBe(200);
    return new Map((res.body.items as OperationSummary[]).map(o => [o.name, o]));
  }

  async function operationsInCluster(): Promise<Map<string, KubeObject>> {
    const list = await client.list(apiResources.Operation, { namespace: 'team-a' });
    return new Map(list.items.map(o => [o.metadata!.name!, o as KubeObject]));
  }

  /** Velero Backups made for Operations, by the Operation they were made for. */
  async function veleroBackupsByOperation(): Promise<Record<string, number>> {
    const list = await client.list(apiResources.VeleroBackup, { namespace: 'velero' });
    const counts: Record<string, number> = {};
    for (const backup of list.items) {
      const operation = backup.metadata?.labels?.[operationLabel] ?? '(none)';
      counts[operation] = (counts[operation] ?? 0) + 1;
    }
    return counts;
  }

  async function edge(): Promise<ClusterSummary | undefined> {
    const res = await request(backend.server).get('/api/fleet/clusters').set(headers);
    return (res.body.items as ClusterSummary[]).find(c => c.name === 'edge-1');
  }

  /**
   * The cluster and the API agree: every requested Operation exists once in the cluster, has
   * Succeeded there with one Velero Backup, and the API shows it with the cluster's uid, its
   * phase and as delivered.
   */
  async function expectConverged(): Promise<void> {
    await eventually(async () => {
      const inCluster = await operationsInCluster();
      expect([...inCluster.keys()].sort()).toEqual([...requested].sort());
      const listed = await listedOperations();
      for (const name of requested) {
        const uid = inCluster.get(name)!.metadata!.uid;
        expect({ name, phase: (inCluster.get(name)!.status as { phase?: string } | undefined)?.phase }).toEqual({ name, phase: 'Succeeded' });
        expect(listed.get(name)).toMatchObject({ name, uid, phase: 'Succeeded', delivery: { state: 'delivered' } });
      }
      expect(listed.size).toBe(requested.length);
    }, 60_000);
    expect(await veleroBackupsByOperation()).toEqual(Object.fromEntries(requested.map(name => [name, 1])));
  }

  beforeAll(async () => {
    postgres = await startPostgres();
    db = knexFactory({ client: 'pg', connection: postgres.connection });
    fleet = await startFleetSim({ clusters: ['edge-1'] });
    client = KubeClient.fromString(fleet.kubeConfigs['edge-1'], { qps: 1000, burst: 1000 });
    await client.create(apiResources.ApplicationInstance, {
      apiVersion: apiResources.ApplicationInstance.apiVersion,
      kind: 'ApplicationInstance',
      metadata: {
        name: 'nextcloud',
        namespace: 'team-a',
        annotations: { [capabilityAnnotations.backup]: 'velero', [capabilityAnnotations.restore]: 'velero' },
      },
      spec: { app: 'nextcloud', chart: { name: 'nextcloud', version: '6.2.0', repository: { url: 'https://nextcloud.github.io/helm/', type: 'helm' } } },
    });
    backend = await startBackend();
    proxy = await ControlPlaneProxy.start(backendUrl());
  }, 60_000);

  afterAll(async () => {
    for (const agent of agents) agent.abort.abort();
    await backend?.stop();
    await proxy?.stop();
    for (const agent of agents) agent.client.close();
    client?.close();
    await fleet?.stop();
    await db?.destroy();
    await postgres?.stop();
  }, 30_000);

  it('takes the cluster in through its agent', async () => {
    const joined = await request(backend.server).post('/api/fleet/clusters').set(headers).send({ name: 'edge-1' });
    expect(joined.status).toBe(201);
    token = joined.body.token;
    startAgent();
    await eventually(async () => {
      const res = await request(backend.server).get('/api/fleet/instances?cluster=edge-1').set(headers);
      expect((res.body.items as InstanceSummary[]).map(i => `${i.name}:${i.status}`)).toEqual(['nextcloud:Ready']);
    }, 30_000);
  }, 60_000);

  it('loses and doubles nothing when the backend restarts while Backups are under way', async () => {
    // the first Backup delivered and acknowledged
    const first = await requestBackup('before the restart');
    await eventually(async () => expect((await listedOperations()).get(first.name)?.delivery).toEqual({ state: 'delivered' }), 30_000);

    // the second applied in the cluster, its acknowledgement on the wire when the backend goes;
    // the third behind it in the stream, not applied yet
    const ackHeld = proxy.holdNext(isAck);
    const second = await requestBackup('acknowledgement lost in the restart');
    const held = await ackHeld;
    const third = await requestBackup('queued when the backend went');
    const inCluster = await operationsInCluster();
    const secondUid = inCluster.get(second.name)?.metadata?.uid;
    expect(ackOf(held.request)).toMatchObject({ uid: secondUid });
    expect(inCluster.has(third.name)).toBe(false);
    expect((await listedOperations()).get(third.name)?.delivery).toEqual({ state: 'pending' });

    await backend.stop();
    held.drop();
    // the cluster goes on without the control plane
    await eventually(async () => expect((await operationsInCluster()).get(second.name)?.status).toMatchObject({ phase: 'Succeeded' }), 30_000);

    // a new backend on the same database, reached by agents once the load balancer routes to it
    backend = await startBackend();
    const fourth = await requestBackup('requested on the new backend');
    const waiting = await listedOperations();
    expect([third.name, fourth.name].map(name => waiting.get(name)?.delivery)).toEqual([{ state: 'pending' }, { state: 'pending' }]);
    // applied, but its acknowledgement was lost: not failed, whatever else the new backend knows of it
    expect(waiting.get(second.name)?.delivery?.state).not.toBe('failed');
    proxy.route(backendUrl());

    await expectConverged();
    expect((await operationsInCluster()).get(second.name)?.metadata?.uid).toBe(secondUid);
    await eventually(async () => expect((await edge())?.connection.state).toBe('connected'));
    // the instance as the cluster has it, with its last backup one of those requested
    await eventually(async () => {
      const instance = await client.get(apiResources.ApplicationInstance, 'nextcloud', 'team-a');
      const lastBackup = (instance.status as { lastBackup?: { operation: string } } | undefined)?.lastBackup;
      expect(requested).toContain(lastBackup?.operation);
      const res = await request(backend.server).get('/api/fleet/instances/edge-1/team-a/nextcloud').set(headers);
      expect(res.body.summary).toMatchObject({ status: 'Ready', lastBackup: { operation: lastBackup?.operation } });
    }, 30_000);
  }, 120_000);

  it('runs an Operation once when the agent dies between applying it and acknowledging it', async () => {
    const ackHeld = proxy.holdNext(isAck);
    const backup = await requestBackup('agent killed mid-apply');
    const held = await ackHeld;
    const applied = (await operationsInCluster()).get(backup.name);
    const { seq, uid } = ackOf(held.request);
    expect(uid).toBe(applied?.metadata?.uid);

    // the agent dies; its acknowledgement never reaches the backend
    for (const agent of agents) agent.abort.abort();
    held.drop();
    await eventually(async () => expect((await edge())?.connection.state).toBe('unreachable'));
    expect((await listedOperations()).get(backup.name)?.delivery?.state).not.toBe('failed');

    // a new agent (nothing in memory) gets the same intent again and applies it to the same object
    const acksBefore = proxy.requests.filter(isAck).length;
    startAgent();
    await expectConverged();
    const redelivered = proxy.requests.filter(isAck).slice(acksBefore).map(ackOf);
    expect(redelivered).toContainEqual({ cluster: 'edge-1', seq, uid, resourceVersion: expect.any(String) });
    expect((await operationsInCluster()).get(backup.name)?.metadata?.uid).toBe(uid);
  }, 90_000);

  it('keeps an Operation pending while the cluster\'s API is away, and applies it once when it returns', async () => {
    const sim = fleet.cluster('edge-1').cluster;
    await sim.goDown();
    const streamsBefore = proxy.received('GET', streamPath).length;
    const backup = await requestBackup('while the cluster API is away');

    // the agent gets the intent, fails to apply it, and comes back for it again and again
    await eventually(() => expect(proxy.received('GET', streamPath).length).toBeGreaterThanOrEqual(streamsBefore + 2), 30_000);
    const waiting = (await listedOperations()).get(backup.name);
    expect(waiting?.delivery).toEqual({ state: 'pending' });
    expect(waiting?.phase).toBeUndefined();
    expect(proxy.requests.filter(isAck).map(ackOf).filter(a => a.error)).toEqual([]);

    await sim.comeBack();
    await expectConverged();
  }, 90_000);
});
