import { mockServices } from '@backstage/backend-test-utils';
import type { InstanceChange } from '@vworkspace/backstage-plugin-fleet-common';
import type { SimCluster } from '@vworkspace/kube-sim';
import knexFactory, { Knex } from 'knex';
import { ClusterRegistry } from '../cluster/ClusterRegistry';
import { Outbox } from '../pull/Outbox';
import { migrateFleetDatabase, PullClusterRepository } from '../pull/PullClusterRepository';
import { FleetStore } from '../store/FleetStore';
import { createInstance, instanceGvr, startFleetCluster } from '../__testUtils__/fleetSim';
import { InstanceChanges } from './InstanceChanges';

const chart = (version: string) => ({
  chart: { name: 'nextcloud', version, repository: { url: 'https://nextcloud.github.io/helm/', type: 'helm' } },
});

/**
 * Changes the control plane makes to instances: applied at once in a push cluster, stored for
 * the agent of a pull cluster; never taking a field another manager owns unless forced.
 */
describe('InstanceChanges', () => {
  let push: SimCluster;
  let db: Knex;
  let registry: ClusterRegistry;
  let store: FleetStore;
  let outbox: Outbox;
  let changes: InstanceChanges;
  const auditor = mockServices.auditor.mock();
  const caller = { requestedBy: 'user:default/admin' };

  beforeAll(async () => {
    push = await startFleetCluster('push-1', { namespaces: ['team-a'] });
    // created by someone else (kubectl, GitOps): they own the chart version
    await createInstance(push, { namespace: 'team-a', name: 'nextcloud', app: 'nextcloud', version: '6.2.0', ready: true });
    db = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    await migrateFleetDatabase({ getClient: async () => db });
    const pullClusters = new PullClusterRepository(db);
    await pullClusters.register({ name: 'edge-1', title: 'Edge 1', labels: {} });
    const logger = mockServices.logger.mock();
    registry = new ClusterRegistry({
      logger,
      staticClusters: [
        {
          name: 'push-1',
          title: 'Push 1',
          mode: 'push',
          labels: {},
          push: { url: push.url, skipTLSVerify: true, token: async () => push.adminToken },
        },
      ],
    });
    registry.addSupplier(pullClusters);
    store = new FleetStore({ logger, registry });
    await store.start();
    await registry.start();
    await store.waitForSync();
    outbox = new Outbox(db);
    changes = new InstanceChanges({ store, outbox, auditor, logger });
  }, 60_000);

  afterAll(async () => {
    registry?.stop();
    store?.stop();
    await push?.stop();
    await db?.destroy();
  });

  it('applies a change in a push cluster and shows it at once', async () => {
    const outcome = await changes.apply(
      { cluster: 'push-1', namespace: 'team-a', name: 'nextcloud', spec: { app: 'nextcloud', ...chart('6.3.0') }, force: true },
      caller,
    );
    expect(outcome).toMatchObject({ state: 'applied', instance: { name: 'nextcloud', chart: { version: '6.3.0' } } });
    const live = push.api.get(instanceGvr, 'nextcloud', { namespace: 'team-a' });
    expect((live.spec as { chart: { version: string } }).chart.version).toBe('6.3.0');
    expect((live.metadata.managedFields ?? []).map(f => f.manager)).toContain('vworkspace-control-plane');
    expect(auditor.createEvent).toHaveBeenCalledWith(expect.objectContaining({ eventId: 'instance-change' }));
  });

  it('creates a new instance in a push cluster', async () => {
    const outcome = await changes.apply(
      { cluster: 'push-1', namespace: 'team-a', name: 'nextcloud-2', spec: { app: 'nextcloud', ...chart('6.3.0') } },
      caller,
    );
    expect(outcome).toMatchObject({ state: 'applied', instance: { name: 'nextcloud-2' } });
  });

  it('refuses to take a field another manager owns without force, naming the conflict', async () => {
    const gitops = {
      apiVersion: 'apps.vworkspace.io/v1alpha1',
      kind: 'ApplicationInstance',
      metadata: { name: 'nextcloud-2', namespace: 'team-a' },
      spec: { chart: { version: '6.2.0' } },
    };
    await push.api.patch(instanceGvr, 'nextcloud-2', gitops, { namespace: 'team-a', fieldManager: 'gitops', type: 'apply', force: true });
    await expect(
      changes.apply({ cluster: 'push-1', namespace: 'team-a', name: 'nextcloud-2', spec: { app: 'nextcloud', ...chart('6.3.0') } }, caller),
    ).rejects.toMatchObject({ name: 'ConflictError', message: expect.stringMatching(/push-1.*conflict.*gitops/is) });
    expect((push.api.get(instanceGvr, 'nextcloud-2', { namespace: 'team-a' }).spec as { chart: { version: string } }).chart.version).toBe('6.2.0');
  });

  it.each<[string, Partial<InstanceChange>, RegExp]>([
    ['an empty spec', { spec: {} }, /spec: must name at least one field/],
    ['a name that is no DNS name', { name: 'Next Cloud' }, /name/],
    ['an unknown field', { extra: true } as Partial<InstanceChange>, /extra|unrecognized/i],
  ])('refuses %s, naming the field', async (_, patch, message) => {
    const change = { cluster: 'push-1', namespace: 'team-a', name: 'nextcloud', spec: { app: 'nextcloud' }, ...patch };
    await expect(changes.apply(change as InstanceChange, caller)).rejects.toMatchObject({ name: 'InputError', message: expect.stringMatching(message) });
  });

  it('passes on the cluster\'s validation of the instance', async () => {
    await expect(
      changes.apply({ cluster: 'push-1', namespace: 'team-a', name: 'broken', spec: { app: 'Not A Label' } }, caller),
    ).rejects.toMatchObject({ name: 'InputError', message: expect.stringMatching(/push-1 rejected the ApplicationInstance/) });
  });

  it('stores a change for a pull cluster\'s agent and follows its acknowledgement', async () => {
    const pending = await changes.apply(
      { cluster: 'edge-1', namespace: 'team-a', name: 'gitea', spec: { app: 'gitea' }, force: true },
      caller,
    );
    expect(pending).toEqual({ state: 'pending', seq: expect.any(Number) });
    const seq = (pending as { seq: number }).seq;
    const [entry] = await outbox.pending('edge-1');
    expect(entry.intent).toMatchObject({ type: 'applyInstance', seq, force: true, object: { kind: 'ApplicationInstance', metadata: { name: 'gitea' } } });
    expect(await changes.outcome('edge-1', seq)).toEqual({ state: 'pending', seq });

    await outbox.ack('edge-1', seq, { uid: 'u-1', resourceVersion: '5' });
    expect(await changes.outcome('edge-1', seq)).toEqual({ state: 'delivered', seq, uid: 'u-1' });

    const refused = await changes.apply({ cluster: 'edge-1', namespace: 'team-a', name: 'gitea', spec: { app: 'gitea' } }, caller);
    const refusedSeq = (refused as { seq: number }).seq;
    await outbox.ack('edge-1', refusedSeq, { error: 'Apply failed with 1 conflict: conflict with "gitops"' });
    expect(await changes.outcome('edge-1', refusedSeq)).toEqual({ state: 'failed', seq: refusedSeq, error: expect.stringMatching(/gitops/) });
    // an Operation's sequence number is not an instance change
    expect(await changes.outcome('edge-1', 999)).toBeUndefined();
  });

  it('answers 404 for a cluster outside the fleet', async () => {
    await expect(
      changes.apply({ cluster: 'nowhere', namespace: 'team-a', name: 'nextcloud', spec: { app: 'nextcloud' } }, caller),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});
