import {
  clusterEntity,
  instanceEntity,
} from '../__testUtils__/renderWithFleet';
import {
  clusterNameOf,
  instanceTargetOf,
  isFleetClusterEntity,
  isFleetInstanceEntity,
} from './entityTargets';

describe('entityTargets', () => {
  it('recognises the entities the catalog module emits', () => {
    expect(isFleetInstanceEntity(instanceEntity)).toBe(true);
    expect(isFleetInstanceEntity(clusterEntity)).toBe(false);
    expect(isFleetClusterEntity(clusterEntity)).toBe(true);
    expect(
      isFleetClusterEntity({ ...instanceEntity, spec: { type: 'service' } }),
    ).toBe(false);
  });

  it('reads the instance coordinates from the fleet annotations', () => {
    expect(instanceTargetOf(instanceEntity)).toEqual({
      entityRef: 'component:default/edge-paris--team-a--nextcloud',
      instance: {
        cluster: 'edge-paris',
        namespace: 'team-a',
        name: 'nextcloud',
      },
    });
  });

  it('falls back to the entity ref when an annotation is missing', () => {
    const partial = {
      ...instanceEntity,
      metadata: {
        name: 'x',
        annotations: { 'vworkspace.io/cluster': 'edge-paris' },
      },
    };
    expect(instanceTargetOf(partial)).toEqual({
      entityRef: 'component:default/x',
      instance: undefined,
    });
  });

  it('names the cluster by its annotation, else by the entity name', () => {
    expect(clusterNameOf(clusterEntity)).toBe('edge-paris');
    expect(
      clusterNameOf({ ...clusterEntity, metadata: { name: 'core-lyon' } }),
    ).toBe('core-lyon');
  });
});
