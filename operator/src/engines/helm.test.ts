import { SimCluster, startControllers } from '@vworkspace/kube-sim';
import { KubeClient, KubeObject, Manager } from '@vworkspace/kube-runtime';
import { ApplicationInstance } from '@vworkspace/backstage-plugin-fleet-common';
import { KubeApiError } from '@vworkspace/kube-runtime';
import { registerControllers } from '../controllers';
import { EngineContext } from './Engine';
import { revertFailedUpgrade } from './helm';
import { condition, crdSources, instance, waitFor } from '../controllers/applicationinstance/__testUtils__/operatorSim';
import { operationKinds } from './kinds';

jest.setTimeout(90_000);

/*
 * A failed upgrade end to end, with both controllers of the operator and kube-sim's simulated
 * Flux: gitea 11.0.0 of the demo catalog fails to upgrade (a StatefulSet change Kubernetes
 * forbids), helm-controller retries, rolls back to the running version and stalls.
 */

const ns = 'team-a';
let cluster: SimCluster;
let client: KubeClient;
let simControllers: { stop(): void };
let manager: Manager;
let running: Promise<unknown>;

beforeAll(async () => {
  cluster = await SimCluster.start({ tls: false, crds: crdSources });
  simControllers = startControllers(cluster, { flux: true, jobs: true, timeScale: 0 });
  client = KubeClient.fromString(cluster.kubeConfig(), { qps: 2000, burst: 2000 });
  await client.create({ apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  manager = new Manager({
    client: KubeClient.fromString(cluster.kubeConfig(), { qps: 2000, burst: 2000 }),
    namespace: ns,
    leaderElection: { enabled: false, name: 'fleet-operator-leader' },
    cache: { watchTimeoutSeconds: { min: 30, max: 60 }, backoff: { initialMs: 50, maxMs: 1000 } },
  });
  registerControllers(manager, { operation: { pollIntervalMs: 50 } });
  running = manager.start().catch(err => err as Error);
});

afterAll(async () => {
  await manager?.stop();
  await running;
  simControllers?.stop();
  client?.close();
  await cluster?.stop();
});

type InstanceView = KubeObject & { spec: { chart: { version: string }; values?: Record<string, unknown> }; status?: { chart?: { version?: string } } };
type OperationView = KubeObject & { status?: { phase?: string; message?: string; result?: Record<string, unknown> } };

const getInstance = (name: string) => client.get(operationKinds.ApplicationInstance, name, ns) as Promise<InstanceView>;
const getOperation = (name: string) => client.get(operationKinds.Operation, name, ns) as Promise<OperationView>;

async function readyAt(name: string, version: string): Promise<InstanceView> {
  return waitFor(async () => {
    const obj = await getInstance(name);
    const ready = condition(obj, 'Ready');
    return ready?.status === 'True' && ready.observedGeneration === obj.metadata?.generation && obj.status?.chart?.version === version ? obj : undefined;
  }, `${name} Ready at ${version}`);
}

async function upgrade(name: string, target: string, parameters: Record<string, unknown>): Promise<void> {
  await client.create(operationKinds.Operation, {
    apiVersion: 'ops.vworkspace.io/v1alpha1',
    kind: 'Operation',
    metadata: { name, namespace: ns },
    spec: { type: 'Upgrade', engine: 'helm', target: { applicationInstance: target }, parameters },
  });
}

async function ended(name: string): Promise<OperationView> {
  return waitFor(async () => {
    const op = await getOperation(name);
    return ['Succeeded', 'Failed', 'TimedOut', 'Cancelled'].includes(op.status?.phase ?? '') ? op : undefined;
  }, `operation ${name} to end`);
}

async function createGitea(name: string, version: string): Promise<void> {
  const manifest = instance(name, { app: 'gitea', chart: { name: 'gitea', version, repository: { url: 'https://dl.gitea.com/charts/', type: 'helm' } } }, ns);
  manifest.metadata!.annotations = { 'ops.vworkspace.io/upgrade': 'helm' };
  await client.create(operationKinds.ApplicationInstance, manifest);
  await readyAt(name, version);
}

async function eventsOf(name: string): Promise<Array<{ reason?: string; message?: string; type?: string }>> {
  const list = await client.list(operationKinds.Event, { namespace: ns });
  return list.items
    .filter(e => (e as { involvedObject?: { kind?: string; name?: string } }).involvedObject?.kind === 'ApplicationInstance')
    .filter(e => (e as { involvedObject?: { name?: string } }).involvedObject?.name === name) as Array<{ reason?: string; message?: string; type?: string }>;
}

describe('after a failed upgrade', () => {
  it('reverts the instance to the version Flux rolled back to, says so, and lets the next upgrade run', async () => {
    await createGitea('gitea', '10.5.0');
    await upgrade('gitea-to-11', 'gitea', { version: '11.0.0', values: { replicaCount: 2 } });

    const failed = await ended('gitea-to-11');
    expect(failed.status?.phase).toBe('Failed');
    // what failed, not only that Flux gave up
    expect(failed.status?.message).toContain('Helm upgrade failed for release team-a/gitea with chart gitea@11.0.0: cannot patch "gitea-postgresql"');
    expect(failed.status?.message).toContain('reverted to 10.5.0');
    expect(failed.status?.result).toMatchObject({ fromVersion: '10.5.0', toVersion: '11.0.0', revertedTo: '10.5.0' });

    const reverted = await readyAt('gitea', '10.5.0');
    expect(reverted.spec.chart.version).toBe('10.5.0');
    // the values the failed upgrade brought are gone with it
    expect(reverted.spec.values).toEqual({});
    const events = await eventsOf('gitea');
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'Warning',
        reason: 'UpgradeReverted',
        message: expect.stringMatching(/^the upgrade of team-a\/gitea to 11\.0\.0 failed and Flux rolled it back to 10\.5\.0: its chart version is set back to 10\.5\.0/),
      }),
    );

    await upgrade('gitea-to-10-6', 'gitea', { version: '10.6.0' });
    const next = await ended('gitea-to-10-6');
    expect(next.status?.phase).toBe('Succeeded');
    await readyAt('gitea', '10.6.0');
  });

  it('leaves the instance asking for the failed version when the Operation says revertOnFailure: false', async () => {
    await createGitea('gitea-keep', '10.6.0');
    await upgrade('gitea-keep-to-11', 'gitea-keep', { version: '11.0.0', revertOnFailure: false });
    const failed = await ended('gitea-keep-to-11');
    expect(failed.status?.phase).toBe('Failed');
    expect(failed.status?.message).toContain('still asks for 11.0.0 (revertOnFailure: false) and runs 10.6.0');
    expect((await getInstance('gitea-keep')).spec.chart.version).toBe('11.0.0');
    expect((await eventsOf('gitea-keep')).some(e => e.reason === 'UpgradeReverted')).toBe(false);
  });
});

describe('revertFailedUpgrade', () => {
  const failedGitea = (spec: string, deployed: string): ApplicationInstance =>
    ({
      apiVersion: 'apps.vworkspace.io/v1alpha1',
      kind: 'ApplicationInstance',
      metadata: { name: 'gitea', namespace: ns },
      spec: { app: 'gitea', engine: 'flux', chart: { name: 'gitea', version: spec, repository: { url: 'https://dl.gitea.com/charts/', type: 'helm' } }, interval: '10m', suspend: false },
      status: { chart: { version: deployed } },
    }) as ApplicationInstance;
  const context = (parameters: Record<string, unknown>, patch: (...args: unknown[]) => Promise<unknown>, recorded: Record<string, unknown> = { fromVersion: '10.5.0', toVersion: '11.0.0' }) =>
    ({
      client: { patch } as unknown as KubeClient,
      operation: { metadata: { name: 'up', namespace: ns, uid: 'u' }, spec: { type: 'Upgrade', engine: 'helm', target: { applicationInstance: 'gitea' }, parameters } },
      target: failedGitea('11.0.0', '10.5.0'),
      options: { veleroNamespace: 'velero', profileClusterRolePrefix: 'fleet-operator-profile-' },
      recorded,
    }) as unknown as EngineContext;

  it('writes a JSON patch that first tests the failed version is still asked for', async () => {
    const patch = jest.fn(async () => ({}));
    const got = await revertFailedUpgrade(context({ version: '11.0.0' }, patch, { fromVersion: '10.5.0', toVersion: '11.0.0', fromValues: { a: 1 } }), failedGitea('11.0.0', '10.5.0'));
    expect(patch).toHaveBeenCalledWith(
      operationKinds.ApplicationInstance,
      'gitea',
      ns,
      [
        { op: 'test', path: '/spec/chart/version', value: '11.0.0' },
        { op: 'replace', path: '/spec/chart/version', value: '10.5.0' },
        { op: 'add', path: '/spec/values', value: { a: 1 } },
      ],
      { type: 'json', fieldManager: 'vworkspace-operator' },
    );
    expect(got).toMatchObject({ message: 'reverted to 10.5.0', result: { revertedTo: '10.5.0' }, event: { reason: 'UpgradeReverted' } });
  });

  it.each([
    { name: 'someone asked for another version since', target: failedGitea('10.6.0', '10.5.0'), message: undefined },
    { name: 'the release does not run fromVersion', target: failedGitea('11.0.0', '10.4.1'), message: expect.stringContaining('the release runs 10.4.1, not 10.5.0') },
  ])('leaves the instance alone when $name', async ({ target, message }) => {
    const patch = jest.fn(async () => ({}));
    const got = await revertFailedUpgrade(context({ version: '11.0.0' }, patch), target);
    expect(patch).not.toHaveBeenCalled();
    expect(got?.message).toEqual(message);
  });

  it('does nothing when the version changed between the read and the write (the test op fails)', async () => {
    const patch = jest.fn(async () => {
      throw new KubeApiError({ code: 422, status: { kind: 'Status', code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request' } });
    });
    expect(await revertFailedUpgrade(context({ version: '11.0.0' }, patch), failedGitea('11.0.0', '10.5.0'))).toBeUndefined();
  });
});
