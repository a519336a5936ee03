import { apiResources } from '@vworkspace/backstage-plugin-fleet-common';
import type { ResourceKind } from '@vworkspace/kube-runtime';

/**
 * The kinds this controller reads and writes, from the fleet's API vocabulary. Explicit, as the
 * runtime wants: the operator knows its kinds and does not depend on discovery at start.
 *
 * @public
 */
export const instanceKinds = {
  ApplicationInstance: apiResources.ApplicationInstance,
  Operation: apiResources.Operation,
  HelmRelease: apiResources.HelmRelease,
  HelmRepository: apiResources.HelmRepository,
  OCIRepository: apiResources.OCIRepository,
  Application: apiResources.Application,
} as const satisfies Record<string, ResourceKind>;

/** The kind of an object this controller applies, by its `kind` field. */
export function kindOf(kind: string): ResourceKind {
  const found = (instanceKinds as Record<string, ResourceKind>)[kind];
  if (!found) throw new Error(`unknown kind ${kind}`);
  return found;
}
