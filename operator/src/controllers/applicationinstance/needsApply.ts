import type { KubeObject } from '@vworkspace/kube-runtime';
import { appliedHashAnnotation } from './childMeta';
import { isSubset } from './isSubset';

/**
 * Whether `desired` must be applied over `live`. No, when the live object carries the digest
 * of exactly what we would send (so no field of ours was added or removed since), still holds
 * our values (nobody took a field over), and references `ownerUid`. Shared sources are checked
 * without `ownerUid`: who owns them is `sourceOwnedByUsers`'s question.
 * @public
 */
export function needsApply(desired: KubeObject, live: KubeObject | undefined, ownerUid?: string): boolean {
  if (!live) return true;
  const want = desired.metadata?.annotations?.[appliedHashAnnotation];
  if (!want || live.metadata?.annotations?.[appliedHashAnnotation] !== want) return true;
  if (!isSubset(desired.metadata?.labels ?? {}, live.metadata?.labels ?? {})) return true;
  if (ownerUid && !live.metadata?.ownerReferences?.some(r => r.uid === ownerUid)) return true;
  for (const [field, value] of Object.entries(desired)) {
    if (field === 'apiVersion' || field === 'kind' || field === 'metadata') continue;
    if (!isSubset(value, live[field])) return true;
  }
  return false;
}
