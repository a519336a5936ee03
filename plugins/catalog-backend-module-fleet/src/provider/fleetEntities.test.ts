import {
  componentEntityV1alpha1Validator,
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  resourceEntityV1alpha1Validator,
  SchemaValidEntityPolicy,
  systemEntityV1alpha1Validator,
  type Entity,
} from '@backstage/catalog-model';
import { fleetAnnotations } from '@vworkspace/backstage-plugin-fleet-common';
import {
  appSystemEntity,
  clusterEntity,
  instanceEntity,
  toTag,
  type EntityDefaults,
} from './fleetEntities';
import { app, cluster, instance } from './__testUtils__/InMemoryFleetStore';

const defaults: EntityDefaults = {
  defaultOwner: 'group:default/platform',
  lifecycleLabel: 'env',
  defaultLifecycle: 'production',
};

// The catalog's own checks: the policies its processing applies to every entity, then the
// kind validator of the built-in kinds processor.
const policies = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);
const kindValidators = {
  Component: componentEntityV1alpha1Validator,
  Resource: resourceEntityV1alpha1Validator,
  System: systemEntityV1alpha1Validator,
};

async function expectValid(entity: Entity): Promise<void> {
  await expect(policies.enforce(entity)).resolves.toBeDefined();
  const validator = kindValidators[entity.kind as keyof typeof kindValidators];
  await expect(validator.check(entity)).resolves.toBe(true);
}

describe('fleet entities', () => {
  const eu1 = cluster('eu-1', {
    labels: { env: 'staging', 'topology.kubernetes.io/region': 'eu-west' },
  });

  it('makes a cluster a kubernetes-cluster Resource with its connectivity and connection state', async () => {
    const entity = clusterEntity(eu1, defaults);

    await expectValid(entity);
    expect(entity).toMatchObject({
      kind: 'Resource',
      metadata: {
        name: 'eu-1',
        namespace: 'default',
        labels: { env: 'staging', 'topology.kubernetes.io/region': 'eu-west' },
        annotations: {
          [fleetAnnotations.cluster]: 'eu-1',
          [fleetAnnotations.connectivity]: 'push',
          [fleetAnnotations.connectionState]: 'connected',
        },
      },
      spec: { type: 'kubernetes-cluster', owner: 'group:default/platform' },
    });
    expect(entity.metadata.annotations).not.toHaveProperty(
      fleetAnnotations.stale,
    );
  });

  it('marks an unreachable pull cluster', async () => {
    const entity = clusterEntity(
      cluster('edge-7', {
        mode: 'pull',
        connection: {
          state: 'unreachable',
          since: '2026-12-04T10:00:00Z',
          error: 'agent gone',
        },
      }),
      defaults,
    );

    await expectValid(entity);
    expect(entity.metadata.annotations).toMatchObject({
      [fleetAnnotations.connectivity]: 'pull',
      [fleetAnnotations.connectionState]: 'unreachable',
      [fleetAnnotations.stale]: 'true',
    });
  });

  it('leaves out cluster labels the catalog would refuse', async () => {
    const entity = clusterEntity(
      cluster('eu-2', {
        labels: { env: 'prod', 'bad key!': 'x', team: 'has spaces' },
      }),
      defaults,
    );

    await expectValid(entity);
    expect(entity.metadata.labels).toEqual({ env: 'prod' });
  });

  it('makes an app a System with its links', async () => {
    const entity = appSystemEntity(app('nextcloud'), defaults);

    await expectValid(entity);
    expect(entity).toMatchObject({
      kind: 'System',
      metadata: {
        name: 'nextcloud',
        title: 'Nextcloud',
        links: [
          { url: 'https://nextcloud.example.org/docs', title: 'Documentation' },
        ],
      },
      spec: { owner: 'group:default/platform' },
    });
  });

  it('makes an instance an application-instance Component in its app, on its cluster', async () => {
    const entity = instanceEntity(
      instance(
        { cluster: 'eu-1', namespace: 'team-a', name: 'cloud' },
        { owner: 'group:team-a' },
      ),
      { cluster: eu1, app: app('nextcloud'), defaults },
    );

    await expectValid(entity);
    expect(entity).toMatchObject({
      kind: 'Component',
      metadata: {
        name: 'eu-1--team-a--cloud',
        namespace: 'default',
        title: 'cloud (eu-1/team-a)',
        annotations: {
          [fleetAnnotations.cluster]: 'eu-1',
          [fleetAnnotations.namespace]: 'team-a',
          [fleetAnnotations.instance]: 'cloud',
          [fleetAnnotations.app]: 'nextcloud',
          [fleetAnnotations.connectivity]: 'push',
        },
        tags: ['nextcloud', 'flux'],
        links: [
          { url: 'https://nextcloud.example.org/docs', title: 'Documentation' },
        ],
      },
      spec: {
        type: 'application-instance',
        lifecycle: 'staging',
        owner: 'group:team-a',
        system: 'system:default/nextcloud',
        dependsOn: ['resource:default/eu-1'],
      },
    });
  });

  it('falls back to the default owner and lifecycle', async () => {
    const entity = instanceEntity(
      instance(
        { cluster: 'us-1', namespace: 'apps', name: 'git' },
        { app: 'gitea' },
      ),
      { cluster: cluster('us-1', { labels: {} }), defaults },
    );

    await expectValid(entity);
    expect(entity.spec).toMatchObject({
      owner: 'group:default/platform',
      lifecycle: 'production',
      system: 'system:default/gitea',
    });
  });

  it('falls back to the default owner when the annotation is not an entity ref', async () => {
    const entity = instanceEntity(
      instance(
        { cluster: 'eu-1', namespace: 'a', name: 'b' },
        { owner: 'group:default/' },
      ),
      { cluster: eu1, defaults },
    );

    await expectValid(entity);
    expect(entity.spec?.owner).toBe('group:default/platform');
  });

  it('marks a stale instance', async () => {
    const entity = instanceEntity(
      instance({ cluster: 'eu-1', namespace: 'a', name: 'b' }, { stale: true }),
      { cluster: eu1, defaults },
    );

    await expectValid(entity);
    expect(entity.metadata.annotations?.[fleetAnnotations.stale]).toBe('true');
  });

  it('gives long and look-alike coordinates valid, distinct names', async () => {
    const long = instanceEntity(
      instance({
        cluster: 'c'.repeat(63),
        namespace: 'n'.repeat(63),
        name: `${'x'.repeat(200)}.y`,
      }),
      { defaults },
    );
    const a = instanceEntity(
      instance({ cluster: 'a--b', namespace: 'c', name: 'd' }),
      { defaults },
    );
    const b = instanceEntity(
      instance({ cluster: 'a', namespace: 'b--c', name: 'd' }),
      { defaults },
    );

    await expectValid(long);
    await expectValid(a);
    await expectValid(b);
    expect(long.metadata.name.length).toBeLessThanOrEqual(63);
    expect(a.metadata.name).not.toBe(b.metadata.name);
  });

  it.each([
    { name: 'a plain id', input: 'nextcloud', want: 'nextcloud' },
    { name: 'double dashes', input: 'my--app', want: 'my-app' },
    { name: 'capitals and dots', input: 'My.App', want: 'my-app' },
    { name: 'nothing usable', input: '---', want: undefined },
    { name: 'too long', input: 'a'.repeat(64), want: undefined },
  ])('makes a tag of $name', ({ input, want }) => {
    expect(toTag(input)).toBe(want);
  });
});
