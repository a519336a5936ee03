import type { HelmRelease } from '../schemas/flux';
import { getCondition } from './conditions';
import { EngineStatus, engineStatus } from './engineStatus';

/**
 * Whether a HelmRelease is done rolling out `chartVersion` for its current generation. A Ready
 * condition from an earlier generation, or a deployed release of another chart version, is a
 * stale green: still running. Stalled (retries exhausted) is final; a plain Ready=False is
 * not, since Flux retries and remediates.
 * @public
 */
export function helmReleaseStatus(
  release: Pick<HelmRelease, 'metadata' | 'status'>,
  want: { chartVersion: string },
): EngineStatus {
  const generation = release.metadata.generation ?? 0;
  const status = release.status;
  if ((status?.observedGeneration ?? -1) < generation) {
    return engineStatus(
      'Running',
      'ProgressingGeneration',
      `Waiting for helm-controller to observe generation ${generation}`,
    );
  }
  const stalled = getCondition(status?.conditions, 'Stalled');
  if (stalled?.status === 'True') {
    return engineStatus(
      'Failed',
      stalled.reason,
      stalled.message || 'HelmRelease stalled',
    );
  }
  const ready = getCondition(status?.conditions, 'Ready');
  if (!ready) {
    return engineStatus(
      'Running',
      'Progressing',
      'Waiting for a Ready condition',
    );
  }
  if (
    ready.observedGeneration !== undefined &&
    ready.observedGeneration < generation
  ) {
    return engineStatus(
      'Running',
      'ProgressingGeneration',
      `Ready reports generation ${ready.observedGeneration}, waiting for ${generation}`,
    );
  }
  if (ready.status !== 'True') {
    return engineStatus('Running', ready.reason, ready.message);
  }
  const current = status?.history?.[0];
  if (
    current?.chartVersion !== want.chartVersion ||
    current.status !== 'deployed'
  ) {
    return engineStatus(
      'Running',
      'StaleRelease',
      `Deployed ${
        current ? `${current.chartVersion} (${current.status})` : 'nothing'
      }, waiting for ${want.chartVersion}`,
    );
  }
  return engineStatus(
    'Succeeded',
    ready.reason,
    ready.message ||
      `Chart ${current.chartName} ${current.chartVersion} deployed`,
  );
}
