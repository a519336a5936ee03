import {
  coreServices,
  createBackendModule,
  createServiceFactory,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { AuthorizeResult, isPermission } from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  fleetOperationCancelPermission,
  fleetOperationCreatePermission,
  instanceEntityName,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { SimCluster } from '@vworkspace/kube-sim';
import request from 'supertest';
import { bundledDemoCatalogPath } from '../catalog/AppCatalog';
import { eventually } from '../__testUtils__/eventually';
import { createInstance, operationGvr, startFleetCluster } from '../__testUtils__/fleetSim';
import { fleetPlugin } from '../plugin';

/**
 * Mock credentials as real ones behave in one respect the mocks skip: a token one plugin
 * issues on behalf of a user authenticates as that user *with the plugin as actor*. The
 * catalog only resolves permission conditions for such calls (the permission backend makes
 * them on behalf of the user who asked the fleet plugin).
 */
const httpAuthWithActors = createServiceFactory({
  service: coreServices.httpAuth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    const base = mockServices.httpAuth({ pluginId: plugin.getId() });
    const prefix = 'mock-service-token:';
    const service: HttpAuthService = {
      async credentials(req, options) {
        const credentials = await base.credentials(req, options);
        const token = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
        if ((credentials.principal as { type: string }).type === 'user' && token?.startsWith(prefix)) {
          const { sub } = JSON.parse(token.slice(prefix.length)) as { sub?: string };
          const user = (credentials.principal as { userEntityRef: string }).userEntityRef;
          return mockCredentials.user(user, { actor: { subject: sub ?? 'plugin:unknown' } }) as typeof credentials;
        }
        return credentials;
      },
      issueUserCookie: (res, options) => base.issueUserCookie(res, options),
    };
    return service;
  },
});

const admin = 'user:default/admin';
const alice = 'user:default/alice';
const bob = 'user:default/bob';

/** The portal's policy (packages/backend/src/permissionPolicy.ts): admins may; others only as owners of the entity. */
const policyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'test-fleet-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(req, user) {
            const claims = user?.info.ownershipEntityRefs ?? [];
            const { permission } = req;
            if (isPermission(permission, fleetOperationCreatePermission) || isPermission(permission, fleetOperationCancelPermission)) {
              if (claims.includes(admin)) return { result: AuthorizeResult.ALLOW };
              return createCatalogConditionalDecision(permission, catalogConditions.isEntityOwner({ claims }));
            }
            return { result: AuthorizeResult.ALLOW };
          },
        });
      },
    });
  },
});

function instanceEntity(cluster: string, namespace: string, name: string, owner: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: instanceEntityName({ cluster, namespace, name }),
      namespace: 'default',
      annotations: {
        'backstage.io/managed-by-location': 'url:https://fleet.example.com',
        'backstage.io/managed-by-origin-location': 'url:https://fleet.example.com',
      },
    },
    spec: { type: 'application-instance', lifecycle: 'production', owner },
  };
}

/** Catalog entities as the catalog module emits them for the instances. */
const entitiesModule = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'test-fleet-entities',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addEntityProvider({
          getProviderName: () => 'test-fleet-entities',
          async connect(connection) {
            await connection.applyMutation({
              type: 'full',
              entities: [
                instanceEntity('eu-1', 'team-a', 'nextcloud', alice),
                instanceEntity('eu-1', 'team-b', 'gitea', bob),
              ].map(entity => ({ entity, locationKey: 'test-fleet-entities' })),
            });
          },
        });
      },
    });
  },
});

/**
 * The permission framework for real: the permission backend evaluates the policy, and the
 * conditional "is owner" decision is resolved by the catalog against the instance's entity,
 * which the fleet plugin names with the shared naming rule.
 */
describe('operation permissions through the permission framework and the catalog', () => {
  let cluster: SimCluster;
  let backend: TestBackend;
  const as = (user: string) => ({ Authorization: mockCredentials.user.header(user) });
  const backup = (namespace: string, instance: string) => ({ cluster: 'eu-1', namespace, instance, type: 'Backup' });

  beforeAll(async () => {
    cluster = await startFleetCluster('eu-1', { namespaces: ['team-a', 'team-b'] });
    await createInstance(cluster, { namespace: 'team-a', name: 'nextcloud', app: 'nextcloud', version: '6.2.0', owner: alice, ready: true });
    await createInstance(cluster, { namespace: 'team-b', name: 'gitea', app: 'gitea', version: '10.6.0', owner: bob, ready: true });
    backend = await startTestBackend({
      features: [
        fleetPlugin,
        permissionPlugin,
        policyModule,
        catalogPlugin,
        entitiesModule,
        httpAuthWithActors,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            fleet: {
              appCatalog: { files: [bundledDemoCatalogPath()] },
              clusters: [{ name: 'eu-1', url: cluster.url, auth: { type: 'serviceAccountToken', token: cluster.adminToken } }],
            },
          },
        }),
      ],
    });
    await eventually(async () => {
      for (const name of ['eu-1--team-a--nextcloud', 'eu-1--team-b--gitea']) {
        const res = await request(backend.server)
          .get(`/api/catalog/entities/by-name/component/default/${name}`)
          .set({ Authorization: mockCredentials.service.header() });
        if (res.status !== 200) throw new Error(`entity ${name} not in the catalog yet (${res.status})`);
      }
      const instances = await request(backend.server).get('/api/fleet/instances').set(as(admin));
      if (instances.body.totalCount !== 2) throw new Error('fleet store not synced yet');
    }, 60_000);
  }, 90_000);

  afterAll(async () => {
    await backend?.stop();
    await cluster?.stop();
  });

  it('allows the owner of the instance entity', async () => {
    const res = await request(backend.server).post('/api/fleet/operations').set(as(alice)).send(backup('team-a', 'nextcloud'));
    expect(res.status).toBe(201);
    expect(res.body.requestedBy).toBe(alice);
  });

  it('denies someone who owns another instance, and creates nothing', async () => {
    const res = await request(backend.server).post('/api/fleet/operations').set(as(alice)).send(backup('team-b', 'gitea'));
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('fleet.operation.create');
    expect(cluster.api.list(operationGvr, { namespace: 'team-b' }).items).toHaveLength(0);
  });

  it('allows a fleet admin everywhere', async () => {
    const res = await request(backend.server).post('/api/fleet/operations').set(as(admin)).send(backup('team-b', 'gitea'));
    expect(res.status).toBe(201);
  });

  it('resolves the cancel permission on the instance the Operation targets', async () => {
    const created = await request(backend.server).post('/api/fleet/operations').set(as(bob)).send(backup('team-b', 'gitea'));
    expect(created.status).toBe(201);
    const path = `/api/fleet/operations/eu-1/team-b/${created.body.name}/cancel`;
    const denied = await request(backend.server).post(path).set(as(alice)).send({});
    expect(denied.status).toBe(403);
    const allowed = await request(backend.server).post(path).set(as(bob)).send({});
    expect(allowed.status).toBe(200);
  });
});
