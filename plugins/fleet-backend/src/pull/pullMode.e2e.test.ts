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
  OperationSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import { ControlPlaneAgent } from '@vworkspace/fleet-operator';
import { FleetSim, startFleetSim } from '@vworkspace/fleet-operator/testing';
import { JsonLogger, KubeClient } from '@vworkspace/kube-runtime';
import request from 'supertest';
import { bundledDemoCatalogPath } from '../catalog/AppCatalog';
import { eventually } from '../__testUtils__/eventually';
import { fleetPlugin } from '../plugin';

const admin = 'user:default/admin';
const headers = { Authorization: mockCredentials.user.header(admin) };

/**
 * Pull mode with the whole operator: a kube-sim cluster with simulated Flux and Velero and the
 * real controllers, joined through the agent. A Backup requested while the agent is away is
 * delivered when it returns and carried out once, and its outcome comes back in reports.
 */
describe('pull mode with the real operator', () => {
  let fleet: FleetSim;
  let backend: TestBackend;
  let client: KubeClient;
  let token: string;
  let agent: AbortController | undefined;

  function startAgent() {
    agent = new AbortController();
    const { manager } = fleet.cluster('edge-1').operator!;
    void new ControlPlaneAgent({
      // as the operator runs it: reporting from the controllers' own caches
      informers: {
        instances: manager.getInformer(apiResources.ApplicationInstance),
        operations: manager.getInformer(apiResources.Operation),
      },
      controlPlane: `http://127.0.0.1:${backend.server.port()}`,
      token: () => token,
      client,
      logger: new JsonLogger({ level: 'error' }),
      backoff: { initialMs: 50, maxMs: 200 },
      reportIntervalMs: 50,
    }).run(agent.signal);
  }

  async function edge(): Promise<ClusterSummary | undefined> {
    const res = await request(backend.server).get('/api/fleet/clusters').set(headers);
    return (res.body.items as ClusterSummary[]).find(c => c.name === 'edge-1');
  }

  beforeAll(async () => {
    fleet = await startFleetSim({ clusters: ['edge-1'] });
    client = KubeClient.fromString(fleet.kubeConfigs['edge-1']);
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
    backend = await startTestBackend({
      features: [
        fleetPlugin,
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
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
  }, 60_000);

  afterAll(async () => {
    agent?.abort();
    await backend?.stop();
    client?.close();
    await fleet?.stop();
  });

  it('runs a Backup requested while the cluster was away exactly once', async () => {
    const joined = await request(backend.server).post('/api/fleet/clusters').set(headers).send({ name: 'edge-1' });
    expect(joined.status).toBe(201);
    token = joined.body.token;
    startAgent();
    await eventually(async () => {
      const res = await request(backend.server).get('/api/fleet/instances?cluster=edge-1').set(headers);
      expect((res.body.items as InstanceSummary[]).map(i => `${i.name}:${i.status}`)).toEqual(['nextcloud:Ready']);
    }, 30_000);

    agent!.abort();
    await eventually(async () => expect((await edge())?.connection.state).toBe('unreachable'));
    const requested = await request(backend.server)
      .post('/api/fleet/operations')
      .set(headers)
      .send({ cluster: 'edge-1', namespace: 'team-a', instance: 'nextcloud', type: 'Backup', reason: 'while away' });
    expect(requested.status).toBe(202);
    const name = (requested.body as OperationSummary).name;

    startAgent();
    const done = await eventually(async () => {
      const res = await request(backend.server).get('/api/fleet/operations?cluster=edge-1').set(headers);
      const op = (res.body.items as OperationSummary[]).find(o => o.name === name);
      expect(op).toMatchObject({ phase: 'Succeeded', delivery: { state: 'delivered' } });
      return op!;
    }, 60_000);
    expect(done.result).toEqual(expect.objectContaining({ backupName: expect.any(String) }));
    const inCluster = await client.list(apiResources.Operation, { namespace: 'team-a' });
    expect(inCluster.items.map(o => o.metadata?.name)).toEqual([name]);

    // the instance records its backup, reported back as a change
    await eventually(async () => {
      const res = await request(backend.server).get('/api/fleet/instances/edge-1/team-a/nextcloud').set(headers);
      expect(res.body.summary.lastBackup).toMatchObject({ operation: name });
    }, 30_000);
  }, 120_000);
});
