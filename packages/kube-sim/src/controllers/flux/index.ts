export { HelmRepositoryController } from './HelmRepositoryController';
export { OCIRepositoryController } from './OCIRepositoryController';
export { HelmChartController } from './HelmChartController';
export { HelmReleaseController } from './HelmReleaseController';
export type { HelmReleaseControllerOptions } from './HelmReleaseController';
export type { SourceControllerOptions } from './SourceController';
export { decodeReleaseSecret, encodeRelease, releaseSecretName } from './helmReleaseStorage';
export type { HelmHookRecord, HelmReleaseRecord, HelmReleaseStatus } from './helmReleaseStorage';
export { FLUX_FINALIZER, RECONCILE_REQUESTED_AT } from './fluxApi';
