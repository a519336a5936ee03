import type { ResourceKind } from '../../runtime';

/**
 * Where the kinds this controller reads and writes live in the API. Explicit, as the runtime
 * wants: the operator knows its kinds and does not depend on discovery at start.
 *
 * @public
 */
export const instanceKinds = {
  ApplicationInstance: {
    apiVersion: 'apps.vworkspace.io/v1alpha1',
    kind: 'ApplicationInstance',
    plural: 'applicationinstances',
    namespaced: true,
  },
  Operation: {
    apiVersion: 'ops.vworkspace.io/v1alpha1',
    kind: 'Operation',
    plural: 'operations',
    namespaced: true,
  },
  HelmRelease: {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    plural: 'helmreleases',
    namespaced: true,
  },
  HelmRepository: {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    plural: 'helmrepositories',
    namespaced: true,
  },
  OCIRepository: {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    plural: 'ocirepositories',
    namespaced: true,
  },
  Application: {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    plural: 'applications',
    namespaced: true,
  },
} as const satisfies Record<string, ResourceKind>;

/** The kind of an object this controller applies, by its `kind` field. */
export function kindOf(kind: string): ResourceKind {
  const found = (instanceKinds as Record<string, ResourceKind>)[kind];
  if (!found) throw new Error(`unknown kind ${kind}`);
  return found;
}
