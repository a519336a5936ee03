import type { KubeObject } from '../../types';
import { RBAC_GROUP } from './policyRule';

const metadata = (name: string) => ({
  name,
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
});

const clusterRole = (name: string, rules: object[]): KubeObject => ({
  apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', metadata: metadata(name), rules,
});

const bindGroups = (name: string, groups: string[]): KubeObject => ({
  apiVersion: `${RBAC_GROUP}/v1`,
  kind: 'ClusterRoleBinding',
  metadata: metadata(name),
  roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name },
  subjects: groups.map(g => ({ apiGroup: RBAC_GROUP, kind: 'Group', name: g })),
});

const PUBLIC_PATHS = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

/**
 * The default roles of kube-apiserver's RBAC bootstrap policy that every user relies on:
 * cluster-admin for `system:masters`, discovery and self access reviews for every
 * authenticated user, health and version for everyone. (admin, edit and view are aggregated
 * roles and are not created.)
 */
export function bootstrapPolicy(): KubeObject[] {
  return [
    clusterRole('cluster-admin', [
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ]),
    clusterRole('system:discovery', [
      { nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] },
    ]),
    clusterRole('system:basic-user', [
      { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
      { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
    ]),
    clusterRole('system:public-info-viewer', [{ nonResourceURLs: PUBLIC_PATHS, verbs: ['get'] }]),
    bindGroups('cluster-admin', ['system:masters']),
    bindGroups('system:discovery', ['system:authenticated']),
    bindGroups('system:basic-user', ['system:authenticated']),
    bindGroups('system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']),
  ];
}
