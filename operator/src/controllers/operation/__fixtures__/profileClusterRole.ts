/**
 * The ClusterRole the chart installs for RBAC profile `profile` (rules of its default
 * `readonly` profile, abridged): engines refuse a profile whose ClusterRole is missing.
 */
export function profileClusterRole(profile: string, annotations: Record<string, string> = {}) {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: `fleet-operator-profile-${profile}`, labels: { 'ops.vworkspace.io/rbac-profile': profile }, annotations },
    rules: [{ apiGroups: [''], resources: ['pods', 'pods/log', 'configmaps'], verbs: ['get', 'list', 'watch'] }],
  };
}
