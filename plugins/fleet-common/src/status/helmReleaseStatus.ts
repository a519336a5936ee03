import type { HelmRelease } from '../schemas/flux';
import { getCondition } from './conditions';
import { EngineStatus, engineStatus } from './engineStatus';
import {
  FluxSourceLike,
  fluxSourceFailure,
  isConditionCurrent,
} from './fluxSourceStatus';

/** What else {@link helmReleaseStatus} may consult. @public */
export interface HelmReleaseStatusContext {
  /**
   * The release's chart sources (its HelmRepository or OCIRepository, and its HelmChart when
   * known). When one of them fails, that failure is the answer: the release cannot get its
   * chart, and the source says why far better than the release does.
   */
  sources?: ReadonlyArray<FluxSourceLike | undefined>;
}

/**
 * Whether a HelmRelease is done rolling out `chartVersion` for its current generation. A Ready
 * condition from an earlier generation, or a deployed release of another chart version, is a
 * stale green: still running. Stalled (retries exhausted) is final; a plain Ready=False is
 * not, since Flux retries and remediates.
 *
 * Each condition is judged by its own `observedGeneration`: helm-controller advances
 * `status.observedGeneration` only when a pass ends (in sync, stalled or suspended), so while it
 * retries a failure the status' generation lags and only the Ready condition, written for the
 * current generation, says what is wrong. A failing chart source (see
 * {@link HelmReleaseStatusContext.sources}) explains a release that is not deployed yet.
 * @public
 */
export function helmReleaseStatus(
  release: Pick<HelmRelease, 'metadata' | 'status'>,
  want: { chartVersion: string },
  context: HelmReleaseStatusContext = {},
): EngineStatus {
  const generation = release.metadata.generation ?? 0;
  const status = release.status;
  const subject = { metadata: release.metadata, status };
  const stalled = getCondition(status?.conditions, 'Stalled');
  if (stalled?.status === 'True' && isConditionCurrent(stalled, subject)) {
    return engineStatus(
      'Failed',
      stalled.reason,
      stalled.message || 'HelmRelease stalled',
    );
  }
  const ready = getCondition(status?.conditions, 'Ready');
  const readyCurrent =
    ready?.observedGeneration !== undefined &&
    ready.observedGeneration >= generation;
  if (!(readyCurrent && ready?.status === 'True')) {
    const source = (context.sources ?? [])
      .map(fluxSourceFailure)
      .find(f => f !== undefined);
    if (source) {
      return engineStatus(
        source.stalled ? 'Failed' : 'Running',
        source.reason,
        `${source.source}: ${source.message}`,
      );
    }
  }
  if (readyCurrent && ready && ready.status !== 'True') {
    return engineStatus(
      'Running',
      ready.reason || 'Progressing',
      ready.message || 'HelmRelease is not ready',
    );
  }
  if ((status?.observedGeneration ?? -1) < generation && !readyCurrent) {
    return engineStatus(
      'Running',
      'ProgressingGeneration',
      `Waiting for helm-controller to observe generation ${generation}`,
    );
  }
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
