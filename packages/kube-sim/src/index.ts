/**
 * kube-sim: a Kubernetes API server double speaking the real HTTP protocol.
 * @packageDocumentation
 */
export { SimCluster } from './cluster/SimCluster';
export type { SimClusterOptions } from './cluster/SimCluster';
export { ClusterApi, CONTROLLER_USER } from './cluster/ClusterApi';
export type { ObjectInput, ApiWriteOptions, ApiPatchOptions, ApiWatchHandler, ApiWatchOptions } from './cluster/ClusterApi';
export { SimFleet } from './fleet/SimFleet';
export type { SimFleetOptions, SimFleetClusterSpec } from './fleet/SimFleet';
export { kubeconfigYaml } from './kubeconfig';
export type { KubeconfigEntry } from './kubeconfig';
export { createCertificateAuthority } from './tls/certificateAuthority';
export type { CertificateAuthority, KeyPairPem } from './tls/certificateAuthority';
export { StatusError } from './server/StatusError';
export type { Status, StatusCause, StatusDetails } from './server/StatusError';
export type { AuthorizationRule, TokenGrant } from './server/authorizer';
export type { PolicyRule } from './server/rbac/policyRule';
export type { FaultSettings, Faults } from './server/Faults';
export type { ServiceResolver } from './server/ValidatingAdmission';
export type { DeleteOptions, ListOptions, ListResult, PatchType, WatchHandle } from './server/Apiserver';
export type { WatchEventType } from './store/ResourceStore';
export type { GroupVersionResource, KubeObject, ObjectMeta, OwnerReference, UserInfo } from './types';
export * from './controllers';
export * from './schema';
