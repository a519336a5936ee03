import { mockServices } from '@backstage/backend-test-utils';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import type { EntityProviderMutation } from '@backstage/plugin-catalog-node';
import {
  clusterEntityRef,
  fleetAnnotations,
  instanceEntityRef,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { FleetProviderConfig } from '../config';
import { FleetEntityProvider } from './FleetEntityProvider';
import {
  app,
  cluster,
  instance,
  InMemoryFleetStore,
} from './__testUtils__/InMemoryFleetStore';

const baseConfig: FleetProviderConfig = {
  defaultOwner: 'group:default/platform',
  lifecycleLabel: 'env',
  defaultLifecycle: 'production',
  clusters: { include: ['*'], exclude: [] },
  namespaces: { include: ['*'], exclude: [] },
  schedule: { frequency: { minutes: 30 }, timeout: { minutes: 5 } },
};

/** Applies mutations as the catalog does, so tests read what a user would find in it. */
class CatalogDouble {
  readonly entities = new Map<string, Entity>();
  readonly mutations: EntityProviderMutation[] = [];
  failNext: Error | undefined;

  readonly connection = {
    applyMutation: async (mutation: EntityProviderMutation) => {
      if (this.failNext) {
        const error = this.failNext;
        this.failNext = undefined;
        throw error;
      }
      this.mutations.push(mutation);
      if (mutation.type === 'full') {
        this.entities.clear();
        for (const { entity } of mutation.entities)
          this.entities.set(stringifyEntityRef(entity), entity);
      } else {
        for (const { entity } of mutation.added)
          this.entities.set(stringifyEntityRef(entity), entity);
        for (const removed of mutation.removed) {
          this.entities.delete(
            'entityRef' in removed
              ? removed.entityRef
              : stringifyEntityRef(removed.entity),
          );
        }
      }
    },
    refresh: async () => {},
  };

  get(ref: string): Entity | undefined {
    return this.entities.get(ref);
  }

  refsOfKind(kind: string): string[] {
    return [...this.entities.values()]
      .filter(e => e.kind === kind)
      .map(e => stringifyEntityRef(e))
      .sort();
  }
}

const cloud = { cluster: 'eu-1', namespace: 'team-a', name: 'cloud' };
const git = { cluster: 'eu-1', namespace: 'team-b', name: 'git' };
const chat = { cluster: 'us-1', namespace: 'team-a', name: 'chat' };

const started: FleetEntityProvider[] = [];
afterEach(() => started.splice(0).forEach(provider => provider.close()));

async function start(
  options: {
    config?: Partial<FleetProviderConfig>;
    fill?: (store: InMemoryFleetStore) => void;
  } = {},
) {
  const store = new InMemoryFleetStore();
  store.setCluster(cluster('eu-1', { labels: { env: 'staging' } }), {
    silent: true,
  });
  store.setCluster(cluster('us-1'), { silent: true });
  store.apps = [app('nextcloud'), app('gitea')];
  store.upsertInstance(instance(cloud, { owner: 'group:team-a' }), {
    silent: true,
  });
  store.upsertInstance(instance(git, { app: 'gitea' }), { silent: true });
  store.upsertInstance(instance(chat), { silent: true });
  options.fill?.(store);
  const catalog = new CatalogDouble();
  const provider = new FleetEntityProvider({
    store,
    logger: mockServices.logger.mock(),
    config: { ...baseConfig, ...options.config },
    deltaDelayMs: 0,
    retryDelayMs: 10,
  });
  started.push(provider);
  await provider.connect(catalog.connection);
  await provider.refresh();
  return { store, catalog, provider };
}

describe('FleetEntityProvider', () => {
  it('provides clusters, apps and instances in one full mutation', async () => {
    const { catalog } = await start();

    expect(catalog.mutations.map(m => m.type)).toEqual(['full']);
    expect(catalog.refsOfKind('Resource')).toEqual([
      'resource:default/eu-1',
      'resource:default/us-1',
    ]);
    expect(catalog.refsOfKind('System')).toEqual([
      'system:default/gitea',
      'system:default/nextcloud',
    ]);
    expect(catalog.refsOfKind('Component')).toEqual([
      'component:default/eu-1--team-a--cloud',
      'component:default/eu-1--team-b--git',
      'component:default/us-1--team-a--chat',
    ]);
    expect(catalog.get(instanceEntityRef(cloud))?.spec).toMatchObject({
      owner: 'group:team-a',
      lifecycle: 'staging',
      system: 'system:default/nextcloud',
      dependsOn: ['resource:default/eu-1'],
    });
    expect(catalog.get(instanceEntityRef(git))?.spec).toMatchObject({
      owner: 'group:default/platform',
      system: 'system:default/gitea',
    });
  });

  it('takes only the clusters and namespaces the filters allow', async () => {
    const { catalog, store, provider } = await start({
      config: {
        clusters: { include: ['eu-*'], exclude: [] },
        namespaces: { include: ['*'], exclude: ['team-b'] },
      },
    });

    expect(catalog.refsOfKind('Resource')).toEqual(['resource:default/eu-1']);
    expect(catalog.refsOfKind('Component')).toEqual([
      'component:default/eu-1--team-a--cloud',
    ]);

    store.upsertInstance(
      instance({ cluster: 'us-1', namespace: 'team-a', name: 'new' }),
    );
    store.upsertInstance(
      instance({ cluster: 'eu-1', namespace: 'team-b', name: 'new' }),
    );
    await provider.settled();
    expect(catalog.refsOfKind('Component')).toEqual([
      'component:default/eu-1--team-a--cloud',
    ]);
  });

  describe('deltas from the change feed', () => {
    it('adds a new instance with one delta mutation', async () => {
      const { catalog, store, provider } = await start();
      const added = { cluster: 'us-1', namespace: 'team-c', name: 'vault' };

      store.upsertInstance(instance(added, { app: 'vaultwarden' }));
      await provider.settled();

      expect(catalog.mutations.map(m => m.type)).toEqual(['full', 'delta']);
      expect(catalog.mutations[1]).toMatchObject({
        added: [{ entity: { metadata: { name: 'us-1--team-c--vault' } } }],
        removed: [],
      });
      expect(catalog.get(instanceEntityRef(added))?.spec?.system).toBe(
        'system:default/vaultwarden',
      );
    });

    it('changes an instance whose owner changed', async () => {
      const { catalog, store, provider } = await start();

      store.upsertInstance(
        instance(git, { app: 'gitea', owner: 'group:default/team-b' }),
      );
      await provider.settled();

      expect(catalog.get(instanceEntityRef(git))?.spec?.owner).toBe(
        'group:default/team-b',
      );
    });

    it('sends nothing when a change does not show in the catalog', async () => {
      const { catalog, store, provider } = await start();

      // Status and versions live in the fleet pages, not in the entity.
      store.upsertInstance(
        instance(cloud, {
          owner: 'group:team-a',
          status: 'Progressing',
          chart: { name: 'nextcloud', version: '6.3.0' },
        }),
      );
      store.setCluster(
        cluster('us-1', {
          connection: {
            state: 'connected',
            since: '2026-12-04T11:00:00Z',
            lastSeen: '2026-12-04T11:00:05Z',
          },
        }),
      );
      await provider.settled();

      expect(catalog.mutations.map(m => m.type)).toEqual(['full']);
    });

    it('removes a deleted instance', async () => {
      const { catalog, store, provider } = await start();

      store.deleteInstance(chat);
      await provider.settled();

      expect(catalog.get(instanceEntityRef(chat))).toBeUndefined();
      expect(catalog.mutations[1]).toEqual({
        type: 'delta',
        added: [],
        removed: [
          { entityRef: instanceEntityRef(chat), locationKey: 'fleet-provider' },
        ],
      });
    });

    it('gathers a burst of changes into one delta mutation', async () => {
      const { catalog, store, provider } = await start();

      for (let i = 0; i < 50; i++)
        store.upsertInstance(
          instance({ cluster: 'eu-1', namespace: 'load', name: `i-${i}` }),
        );
      store.deleteInstance(cloud);
      await provider.settled();

      expect(catalog.mutations).toHaveLength(2);
      expect(catalog.refsOfKind('Component')).toHaveLength(52);
    });

    it('follows a cluster label that sets the lifecycle', async () => {
      const { catalog, store, provider } = await start();

      store.setCluster(cluster('eu-1', { labels: { env: 'production' } }));
      await provider.settled();

      expect(catalog.get(instanceEntityRef(cloud))?.spec?.lifecycle).toBe(
        'production',
      );
      expect(catalog.get(instanceEntityRef(chat))?.spec?.lifecycle).toBe(
        'production',
      );
    });

    it('removes a cluster taken out of the fleet, with its instances', async () => {
      const { catalog, store, provider } = await start();

      store.deleteCluster('eu-1');
      await provider.settled();

      expect(catalog.refsOfKind('Resource')).toEqual(['resource:default/us-1']);
      expect(catalog.refsOfKind('Component')).toEqual([
        'component:default/us-1--team-a--chat',
      ]);
    });

    it('applies changes that happen during a listing on top of it', async () => {
      const { catalog, store, provider } = await start();
      let release = () => {};
      store.holdListing = new Promise<void>(resolve => {
        release = resolve;
      });

      const listing = provider.refresh();
      await new Promise(resolve => setImmediate(resolve));
      store.deleteInstance(chat);
      store.upsertInstance(
        instance({ cluster: 'us-1', namespace: 'team-a', name: 'late' }),
      );
      store.holdListing = undefined;
      release();
      await listing;
      await provider.settled();

      expect(catalog.refsOfKind('Component')).toEqual([
        'component:default/eu-1--team-a--cloud',
        'component:default/eu-1--team-b--git',
        'component:default/us-1--team-a--late',
      ]);
    });

    it('lists again when the change feed asks for a resync', async () => {
      const { catalog, store, provider } = await start();
      store.upsertInstance(
        instance({ cluster: 'eu-1', namespace: 'team-a', name: 'missed' }),
        { silent: true },
      );

      store.resync();
      await provider.settled();

      expect(catalog.mutations.map(m => m.type)).toEqual(['full', 'full']);
      expect(
        catalog.get(
          instanceEntityRef({
            cluster: 'eu-1',
            namespace: 'team-a',
            name: 'missed',
          }),
        ),
      ).toBeDefined();
    });

    it('gives the catalog everything again when a delta mutation fails', async () => {
      const { catalog, store, provider } = await start();
      catalog.failNext = new Error('database is locked');

      store.upsertInstance(
        instance({ cluster: 'eu-1', namespace: 'team-a', name: 'retried' }),
      );
      await provider.settled();

      expect(catalog.mutations.map(m => m.type)).toEqual(['full', 'full']);
      expect(
        catalog.get(
          instanceEntityRef({
            cluster: 'eu-1',
            namespace: 'team-a',
            name: 'retried',
          }),
        ),
      ).toBeDefined();
    });
  });

  describe('a cluster out of reach', () => {
    const unreachable = cluster('eu-1', {
      labels: { env: 'staging' },
      connection: {
        state: 'unreachable',
        since: '2026-12-04T12:00:00Z',
        error: 'dial tcp: i/o timeout',
      },
    });

    it('keeps its entities, marked stale, through deletes and listings that lack them', async () => {
      const { catalog, store, provider } = await start();

      store.setCluster(unreachable);
      await provider.settled();
      expect(
        catalog.get(clusterEntityRef('eu-1'))?.metadata.annotations,
      ).toMatchObject({
        [fleetAnnotations.connectionState]: 'unreachable',
        [fleetAnnotations.stale]: 'true',
      });
      expect(
        catalog.get(instanceEntityRef(cloud))?.metadata.annotations?.[
          fleetAnnotations.stale
        ],
      ).toBe('true');

      // The store forgets the cluster's instances (e.g. the fleet backend restarted).
      store.deleteInstance(cloud);
      store.instances.delete('eu-1/team-b/git');
      await provider.settled();
      await provider.refresh();

      expect(catalog.refsOfKind('Component')).toEqual([
        'component:default/eu-1--team-a--cloud',
        'component:default/eu-1--team-b--git',
        'component:default/us-1--team-a--chat',
      ]);
      for (const kept of [cloud, git]) {
        expect(
          catalog.get(instanceEntityRef(kept))?.metadata.annotations?.[
            fleetAnnotations.stale
          ],
        ).toBe('true');
      }
      expect(
        catalog.get(instanceEntityRef(chat))?.metadata.annotations,
      ).not.toHaveProperty(fleetAnnotations.stale);
    });

    it('takes the listing as the truth again once the cluster is back', async () => {
      const { catalog, store, provider } = await start();
      store.setCluster(unreachable);
      await provider.settled();
      store.instances.delete('eu-1/team-b/git');
      await provider.refresh();
      expect(catalog.get(instanceEntityRef(git))).toBeDefined();

      const listingsBefore = store.listCalls;
      store.setCluster(cluster('eu-1', { labels: { env: 'staging' } }));
      await provider.settled();

      expect(store.listCalls).toBeGreaterThan(listingsBefore);
      expect(catalog.get(instanceEntityRef(git))).toBeUndefined();
      expect(
        catalog.get(instanceEntityRef(cloud))?.metadata.annotations,
      ).not.toHaveProperty(fleetAnnotations.stale);
      expect(
        catalog.get(clusterEntityRef('eu-1'))?.metadata.annotations?.[
          fleetAnnotations.connectionState
        ],
      ).toBe('connected');
    });

    it('keeps everything when the fleet cannot be listed', async () => {
      const { catalog, store, provider } = await start();
      store.failListing = new Error('connect ECONNREFUSED');

      await expect(provider.refresh()).rejects.toThrow('ECONNREFUSED');

      expect(catalog.mutations.map(m => m.type)).toEqual(['full']);
      expect(catalog.refsOfKind('Component')).toHaveLength(3);
    });

    it('tries a failed listing again soon, without waiting for the schedule', async () => {
      const { catalog, store } = await start();
      store.failListing = new Error('503 the fleet is starting');
      store.upsertInstance(
        instance({ cluster: 'us-1', namespace: 'team-a', name: 'meanwhile' }),
        { silent: true },
      );

      store.resync();
      for (let i = 0; i < 100 && store.listCalls < 4; i++)
        await new Promise(resolve => setTimeout(resolve, 10));
      store.failListing = undefined;
      for (let i = 0; i < 200 && catalog.mutations.length < 2; i++)
        await new Promise(resolve => setTimeout(resolve, 10));

      expect(catalog.mutations.map(m => m.type)).toEqual(['full', 'full']);
      expect(
        catalog.get(
          instanceEntityRef({
            cluster: 'us-1',
            namespace: 'team-a',
            name: 'meanwhile',
          }),
        ),
      ).toBeDefined();
    });
  });

  it('keeps instances with look-alike or long coordinates apart', async () => {
    const lookAlikes = [
      { cluster: 'a--b', namespace: 'c', name: 'd' },
      { cluster: 'a', namespace: 'b--c', name: 'd' },
      { cluster: 'a', namespace: 'b', name: 'c--d' },
      {
        cluster: 'c'.repeat(63),
        namespace: 'n'.repeat(63),
        name: `${'x'.repeat(250)}1`,
      },
      {
        cluster: 'c'.repeat(63),
        namespace: 'n'.repeat(63),
        name: `${'x'.repeat(250)}2`,
      },
    ];
    const { catalog } = await start({
      fill: store => {
        for (const coordinates of lookAlikes) {
          store.setCluster(cluster(coordinates.cluster), { silent: true });
          store.upsertInstance(instance(coordinates), { silent: true });
        }
      },
    });

    const names = lookAlikes.map(
      c => catalog.get(instanceEntityRef(c))?.metadata.name,
    );
    expect(new Set(names).size).toBe(lookAlikes.length);
    for (const name of names) {
      expect(name).toMatch(/^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/);
      expect(name!.length).toBeLessThanOrEqual(63);
    }
  });

  it('provides 10,000 instances in one full mutation', async () => {
    const { catalog } = await start({
      fill: store => {
        for (let i = 0; i < 10_000; i++) {
          store.upsertInstance(
            instance({
              cluster: i % 2 ? 'eu-1' : 'us-1',
              namespace: `team-${i % 40}`,
              name: `app-${i}`,
            }),
            { silent: true },
          );
        }
      },
    });

    expect(catalog.mutations).toHaveLength(1);
    expect(catalog.refsOfKind('Component')).toHaveLength(10_003);
  });

  it('stops following the change feed when closed', async () => {
    const { store, provider } = await start();
    expect(store.subscriberCount).toBe(1);
    provider.close();
    expect(store.subscriberCount).toBe(0);
  });
});
