import type { ResourceKind } from '../runtime/types';

/** The kinds the Operation controller and its engines read or write. @public */
export const operationKinds = {
  Operation: { apiVersion: 'ops.vworkspace.io/v1alpha1', kind: 'Operation', plural: 'operations', namespaced: true },
  ApplicationInstance: {
    apiVersion: 'apps.vworkspace.io/v1alpha1',
    kind: 'ApplicationInstance',
    plural: 'applicationinstances',
    namespaced: true,
  },
  Job: { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true },
  Secret: { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  Event: { apiVersion: 'v1', kind: 'Event', plural: 'events', namespaced: true },
  ServiceAccount: { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  RoleBinding: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    plural: 'rolebindings',
    namespaced: true,
  },
  Workflow: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', plural: 'workflows', namespaced: true },
  VeleroBackup: { apiVersion: 'velero.io/v1', kind: 'Backup', plural: 'backups', namespaced: true },
  VeleroRestore: { apiVersion: 'velero.io/v1', kind: 'Restore', plural: 'restores', namespaced: true },
  VolumeSnapshot: {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    plural: 'volumesnapshots',
    namespaced: true,
  },
  ReplicationSource: {
    apiVersion: 'volsync.backube/v1alpha1',
    kind: 'ReplicationSource',
    plural: 'replicationsources',
    namespaced: true,
  },
} as const satisfies Record<string, ResourceKind>;
