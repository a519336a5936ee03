import type { ResourceType } from '../ResourceType';

export const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
export const PATCH = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
export const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';

/**
 * The name kube publishes a kind's schema under: the Go package path for built-ins
 * (`io.k8s.api.apps.v1.Deployment`), the reversed group for custom resources
 * (`io.fluxcd.toolkit.helm.v2.HelmRelease`).
 */
export function definitionName(type: ResourceType, version: string): string {
  if (!type.builtin) return `${type.group.split('.').reverse().join('.')}.${version}.${type.kind}`;
  if (type.group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}.${type.kind}`;
  const pkg = type.group === '' ? 'core' : type.group.replace(/\.k8s\.io$/, '').split('.')[0];
  return `io.k8s.api.${pkg}.${version}.${type.kind}`;
}

/** The key of a group-version in the `/openapi/v3` index: `api/v1`, `apis/apps/v1`. */
export function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}
