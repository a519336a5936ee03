import { applicationInstanceApiVersion } from './applicationInstance';
import { operationApiVersion } from './operation';

/**
 * Where a kind lives in the Kubernetes API: group, version, kind and plural resource name.
 * Structurally a `ResourceKind` of `@vworkspace/kube-runtime`, so the tables below feed a
 * client or a cache directly.
 *
 * @public
 */
export interface ApiResource {
  /** API group; empty for the core group. */
  readonly group: string;
  readonly version: string;
  /** `group/version`, or `version` for the core group: the objects' `apiVersion`. */
  readonly apiVersion: string;
  readonly kind: string;
  /** Lower-case plural of the URL path, e.g. `applicationinstances`. */
  readonly plural: string;
  readonly namespaced: boolean;
}

/**
 * The API vocabulary of the fleet: our own custom resources and every external kind the
 * operator, its engines and the backend read or write, each beside the schema this package
 * gives its objects (named in the comment). The one place that says which API version of
 * Flux, Argo CD, Velero, ... the project speaks.
 *
 * @public
 */
export const apiResources = {
  /** {@link applicationInstanceSchema} */
  ApplicationInstance: {
    group: 'apps.vworkspace.io',
    version: 'v1alpha1',
    apiVersion: applicationInstanceApiVersion,
    kind: 'ApplicationInstance',
    plural: 'applicationinstances',
    namespaced: true,
  },
  /** {@link operationSchema} */
  Operation: {
    group: 'ops.vworkspace.io',
    version: 'v1alpha1',
    apiVersion: operationApiVersion,
    kind: 'Operation',
    plural: 'operations',
    namespaced: true,
  },
  /** Flux helm-controller; {@link helmReleaseSchema} */
  HelmRelease: {
    group: 'helm.toolkit.fluxcd.io',
    version: 'v2',
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    plural: 'helmreleases',
    namespaced: true,
  },
  /** Flux source-controller; {@link helmRepositorySchema} */
  HelmRepository: {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    plural: 'helmrepositories',
    namespaced: true,
  },
  /** Flux source-controller; {@link ociRepositorySchema} */
  OCIRepository: {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    plural: 'ocirepositories',
    namespaced: true,
  },
  /** Argo CD; {@link argoCdApplicationSchema} */
  Application: {
    group: 'argoproj.io',
    version: 'v1alpha1',
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    plural: 'applications',
    namespaced: true,
  },
  /** Argo Workflows; {@link argoWorkflowSchema} */
  Workflow: {
    group: 'argoproj.io',
    version: 'v1alpha1',
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    plural: 'workflows',
    namespaced: true,
  },
  /** Argo Workflows: the templates a Runbook names. */
  WorkflowTemplate: {
    group: 'argoproj.io',
    version: 'v1alpha1',
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    plural: 'workflowtemplates',
    namespaced: true,
  },
  /** Velero; {@link veleroBackupSchema} */
  VeleroBackup: {
    group: 'velero.io',
    version: 'v1',
    apiVersion: 'velero.io/v1',
    kind: 'Backup',
    plural: 'backups',
    namespaced: true,
  },
  /** Velero; {@link veleroRestoreSchema} */
  VeleroRestore: {
    group: 'velero.io',
    version: 'v1',
    apiVersion: 'velero.io/v1',
    kind: 'Restore',
    plural: 'restores',
    namespaced: true,
  },
  /** CSI external-snapshotter; {@link volumeSnapshotSchema} */
  VolumeSnapshot: {
    group: 'snapshot.storage.k8s.io',
    version: 'v1',
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    plural: 'volumesnapshots',
    namespaced: true,
  },
  /** VolSync; {@link replicationSourceSchema} */
  ReplicationSource: {
    group: 'volsync.backube',
    version: 'v1alpha1',
    apiVersion: 'volsync.backube/v1alpha1',
    kind: 'ReplicationSource',
    plural: 'replicationsources',
    namespaced: true,
  },
  /** {@link jobSchema} */
  Job: { group: 'batch', version: 'v1', apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true },
  /** Helm release records ({@link helmReleaseSecretSchema}) and credentials. */
  Secret: { group: '', version: 'v1', apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  Event: { group: '', version: 'v1', apiVersion: 'v1', kind: 'Event', plural: 'events', namespaced: true },
  Namespace: { group: '', version: 'v1', apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  ServiceAccount: {
    group: '',
    version: 'v1',
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    namespaced: true,
  },
  PersistentVolumeClaim: {
    group: '',
    version: 'v1',
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    namespaced: true,
  },
  RoleBinding: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    plural: 'rolebindings',
    namespaced: true,
  },
  ClusterRole: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    plural: 'clusterroles',
    namespaced: false,
  },
} as const satisfies Record<string, ApiResource>;

/** The name of a kind in {@link apiResources}. @public */
export type ApiResourceName = keyof typeof apiResources;
