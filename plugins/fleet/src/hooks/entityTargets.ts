import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { fleetAnnotations } from '@vworkspace/backstage-plugin-fleet-common';
import type { InstanceRef } from '../api/FleetApi';

/** Whether an entity is an ApplicationInstance the fleet emitted. @public */
export function isFleetInstanceEntity(entity: Entity): boolean {
  return (
    entity.kind.toLowerCase() === 'component' &&
    (entity.spec as { type?: unknown } | undefined)?.type ===
      'application-instance'
  );
}

/** Whether an entity is a cluster the fleet emitted. @public */
export function isFleetClusterEntity(entity: Entity): boolean {
  return (
    entity.kind.toLowerCase() === 'resource' &&
    (entity.spec as { type?: unknown } | undefined)?.type ===
      'kubernetes-cluster'
  );
}

/** The instance behind an entity, from its fleet annotations when it carries all three. @public */
export function instanceTargetOf(entity: Entity): {
  entityRef: string;
  instance?: InstanceRef;
} {
  const annotations = entity.metadata.annotations ?? {};
  const cluster = annotations[fleetAnnotations.cluster];
  const namespace = annotations[fleetAnnotations.namespace];
  const name = annotations[fleetAnnotations.instance];
  return {
    entityRef: stringifyEntityRef(entity),
    instance:
      cluster && namespace && name ? { cluster, namespace, name } : undefined,
  };
}

/** The cluster behind a cluster entity: its annotation, or the entity name. @public */
export function clusterNameOf(entity: Entity): string {
  return (
    entity.metadata.annotations?.[fleetAnnotations.cluster] ??
    entity.metadata.name
  );
}
