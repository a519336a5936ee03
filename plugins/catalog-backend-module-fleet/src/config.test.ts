import { mockServices } from '@backstage/backend-test-utils';
import { readFleetProviderConfig } from './config';

const read = (fleet: object | undefined) =>
  readFleetProviderConfig(
    mockServices.rootConfig({
      data: fleet ? { catalog: { providers: { fleet } } } : {},
    }),
  );

describe('readFleetProviderConfig', () => {
  it('has defaults for everything', () => {
    expect(read(undefined)).toEqual({
      defaultOwner: 'group:default/platform',
      lifecycleLabel: 'env',
      defaultLifecycle: 'production',
      clusters: { include: ['*'], exclude: [] },
      namespaces: { include: ['*'], exclude: [] },
      schedule: {
        frequency: { minutes: 30 },
        timeout: { minutes: 5 },
        scope: 'local',
      },
    });
  });

  it('reads owner, lifecycle, filters and schedule', () => {
    expect(
      read({
        defaultOwner: 'group:default/ops',
        lifecycleLabel: 'stage',
        defaultLifecycle: 'experimental',
        clusters: { include: ['eu-*'], exclude: ['eu-lab'] },
        namespaces: { exclude: ['kube-system'] },
        schedule: { frequency: { minutes: 10 }, timeout: { minutes: 2 } },
      }),
    ).toEqual({
      defaultOwner: 'group:default/ops',
      lifecycleLabel: 'stage',
      defaultLifecycle: 'experimental',
      clusters: { include: ['eu-*'], exclude: ['eu-lab'] },
      namespaces: { include: ['*'], exclude: ['kube-system'] },
      schedule: {
        frequency: { minutes: 10 },
        timeout: { minutes: 2 },
        scope: 'local',
      },
    });
  });

  it('names the key of a default owner that is not an entity ref', () => {
    expect(() => read({ defaultOwner: 'group:' })).toThrow(
      /catalog\.providers\.fleet\.defaultOwner 'group:' is not an entity ref/,
    );
  });

  it('names the key of a value of the wrong type', () => {
    expect(() => read({ clusters: { include: 'eu-1' } })).toThrow(
      /catalog\.providers\.fleet\.clusters\.include/,
    );
  });
});
