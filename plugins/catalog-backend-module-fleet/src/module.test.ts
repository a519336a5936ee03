import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { fleetStoreServiceRef } from '@vworkspace/backstage-plugin-fleet-node';
import request from 'supertest';
import { catalogModuleFleet } from './module';
import {
  app,
  cluster,
  instance,
  InMemoryFleetStore,
} from './provider/__testUtils__/InMemoryFleetStore';

async function eventually<T>(
  read: () => Promise<T | undefined>,
  what: string,
): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

describe('catalogModuleFleet', () => {
  it('puts the fleet in the catalog, with owners, systems and relations, and follows its changes', async () => {
    const store = new InMemoryFleetStore();
    store.setCluster(cluster('eu-1', { labels: { env: 'staging' } }), {
      silent: true,
    });
    store.apps = [app('nextcloud')];
    store.upsertInstance(
      instance(
        { cluster: 'eu-1', namespace: 'team-a', name: 'cloud' },
        { owner: 'group:default/team-a' },
      ),
      { silent: true },
    );

    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleFleet,
        createServiceFactory({
          service: fleetStoreServiceRef,
          deps: {},
          factory: () => store,
        }),
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              rules: [{ allow: ['Component', 'System', 'Resource'] }],
              providers: { fleet: { defaultOwner: 'group:default/platform' } },
            },
          },
        }),
      ],
    });

    try {
      const get = async (ref: string) => {
        const response = await request(backend.server).get(
          `/api/catalog/entities/by-name/${ref}`,
        );
        return response.status === 200 ? (response.body as Entity) : undefined;
      };
      const withRelations = async (ref: string) => {
        const entity = await get(ref);
        return entity?.relations?.length ? entity : undefined;
      };

      const component = await eventually(
        () => withRelations('component/default/eu-1--team-a--cloud'),
        'the instance Component',
      );
      expect(component.spec).toMatchObject({
        type: 'application-instance',
        lifecycle: 'staging',
      });
      expect(component.relations).toEqual(
        expect.arrayContaining([
          { type: 'ownedBy', targetRef: 'group:default/team-a' },
          { type: 'partOf', targetRef: 'system:default/nextcloud' },
          { type: 'dependsOn', targetRef: 'resource:default/eu-1' },
        ]),
      );
      const resource = await eventually(
        () => withRelations('resource/default/eu-1'),
        'the cluster Resource',
      );
      expect(resource.relations).toEqual(
        expect.arrayContaining([
          {
            type: 'dependencyOf',
            targetRef: 'component:default/eu-1--team-a--cloud',
          },
        ]),
      );
      const system = await eventually(
        () => withRelations('system/default/nextcloud'),
        'the app System',
      );
      expect(system.relations).toEqual(
        expect.arrayContaining([
          {
            type: 'hasPart',
            targetRef: 'component:default/eu-1--team-a--cloud',
          },
        ]),
      );

      // A new instance and a deleted one show through the change feed.
      store.upsertInstance(
        instance({ cluster: 'eu-1', namespace: 'team-b', name: 'new' }),
      );
      await eventually(
        () => get('component/default/eu-1--team-b--new'),
        'the new instance',
      );
      store.deleteInstance({
        cluster: 'eu-1',
        namespace: 'team-a',
        name: 'cloud',
      });
      await eventually(
        async () =>
          (await get('component/default/eu-1--team-a--cloud'))
            ? undefined
            : true,
        'the deleted instance to go',
      );
    } finally {
      await backend.stop();
    }
    expect(store.subscriberCount).toBe(0);
    // The catalog processes entities in a background loop: allow it the time it needs.
  }, 60_000);
});
