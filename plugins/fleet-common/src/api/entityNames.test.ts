import {
  clusterEntityRef,
  instanceEntityName,
  instanceEntityRef,
  maxEntityNameLength,
} from './entityNames';

// Backstage's object name rule (catalog-model KubernetesValidatorFunctions.isValidObjectName).
const validName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

describe('instanceEntityName', () => {
  it('joins short coordinates readably', () => {
    expect(
      instanceEntityName({ cluster: 'eu-1', namespace: 'team-a', name: 'gitea' }),
    ).toBe('eu-1--team-a--gitea');
    expect(
      instanceEntityRef({ cluster: 'eu-1', namespace: 'team-a', name: 'gitea' }),
    ).toBe('component:default/eu-1--team-a--gitea');
    expect(clusterEntityRef('eu-1')).toBe('resource:default/eu-1');
  });

  it('tells apart coordinates that would join to the same text', () => {
    const a = instanceEntityName({ cluster: 'a--b', namespace: 'c', name: 'd' });
    const b = instanceEntityName({ cluster: 'a', namespace: 'b--c', name: 'd' });
    expect(a).not.toBe(b);
    expect(a).toMatch(validName);
    expect(b).toMatch(validName);
  });

  it('shortens long names to a valid, stable, unique name', () => {
    const long = { cluster: 'c'.repeat(63), namespace: 'n'.repeat(63), name: 'x'.repeat(253) };
    const name = instanceEntityName(long);
    expect(name.length).toBeLessThanOrEqual(maxEntityNameLength);
    expect(name).toMatch(validName);
    expect(instanceEntityName(long)).toBe(name);
    expect(instanceEntityName({ ...long, name: `${'x'.repeat(252)}y` })).not.toBe(name);
  });

  it('keeps names unique across many similar instances', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      seen.add(
        instanceEntityName({
          cluster: `cluster-with-a-rather-long-name-${i % 7}`,
          namespace: `team-${i % 13}`,
          name: `instance-${i}`,
        }),
      );
    }
    expect(seen.size).toBe(2000);
  });
});
