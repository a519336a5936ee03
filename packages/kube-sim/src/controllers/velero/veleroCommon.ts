import type { ClusterApi } from '../../cluster/ClusterApi';
import type { GroupVersionResource, KubeObject } from '../../types';

export const BACKUPS: GroupVersionResource = { group: 'velero.io', version: 'v1', resource: 'backups' };
export const RESTORES: GroupVersionResource = { group: 'velero.io', version: 'v1', resource: 'restores' };
export const LOCATIONS: GroupVersionResource = { group: 'velero.io', version: 'v1', resource: 'backupstoragelocations' };

/** Field manager of every write Velero's server makes. */
export const VELERO_MANAGER = 'velero-server';

/**
 * `sim.vworkspace.io/outcome: PartiallyFailed | Failed` on a Backup or Restore makes
 * it end that way (no natural input makes object storage fail).
 * @public
 */
export const OUTCOME_ANNOTATION = 'sim.vworkspace.io/outcome';

export type Outcome = 'Completed' | 'PartiallyFailed' | 'Failed';

export function requestedOutcome(object: KubeObject): Outcome {
  const value = object.metadata.annotations?.[OUTCOME_ANNOTATION];
  return value === 'PartiallyFailed' || value === 'Failed' ? value : 'Completed';
}

/** Velero's Backup and Restore have no status subresource: Velero merge-patches the whole object. */
export function patchVelero(api: ClusterApi, gvr: GroupVersionResource, object: KubeObject, body: Record<string, unknown>): Promise<KubeObject> {
  return api.patch(gvr, object.metadata.name!, body, { type: 'merge', namespace: object.metadata.namespace, fieldManager: VELERO_MANAGER });
}

/** Go's Duration.String() for whole seconds, as Velero writes `spec.ttl` back (`720h0m0s`). */
export function formatGoDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}

/** Drops zero counters, as Velero's `omitempty` ints do. */
export function nonZero(value: number): number | undefined {
  return value === 0 ? undefined : value;
}
