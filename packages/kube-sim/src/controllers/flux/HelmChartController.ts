import type { GroupVersionResource, KubeObject } from '../../types';
import { nowRfc3339 } from '../runtime';
import { StatusError } from '../../server/StatusError';
import { ARTIFACT_HOST, HELM_CHARTS, HELM_REPOSITORIES, fluxSpec } from './fluxApi';
import { Artifact, FetchResult, SourceController, sha256Hex } from './SourceController';

/**
 * Plays source-controller for `source.toolkit.fluxcd.io/v1` HelmChart (the
 * objects helm-controller creates for a HelmRelease's `spec.chart`): pulls
 * `spec.chart` at the newest version matching `spec.version` from the
 * referenced HelmRepository. Ready reason `ChartPullSucceeded`, message
 * `pulled '<chart>' chart with version '<version>'`; the artifact revision is
 * the chart version. A source without artifact fails with `NoSourceArtifact`,
 * a chart or version the repository lacks with `InvalidChartReference`.
 * @public
 */
export class HelmChartController extends SourceController {
  protected readonly primary = HELM_CHARTS;
  protected readonly secondaries: GroupVersionResource[] = [HELM_REPOSITORIES];

  /** Artifact revision of each HelmRepository last seen, `<ns>/<name>` → revision. */
  private readonly repoRevisions = new Map<string, string | undefined>();

  /** Charts follow their repository's artifact, not its every edit (SourceRevisionChangePredicate). */
  protected mapSecondary(_gvr: GroupVersionResource, repo: KubeObject) {
    const namespace = repo.metadata.namespace;
    const id = `${namespace}/${repo.metadata.name}`;
    const revision = ((repo.status ?? {}) as { artifact?: Artifact }).artifact?.revision;
    if (this.repoRevisions.has(id) && this.repoRevisions.get(id) === revision) return [];
    this.repoRevisions.set(id, revision);
    const keys = this.api
      .list(HELM_CHARTS, { namespace })
      .items.filter(c => (fluxSpec(c).sourceRef as { kind?: string; name?: string } | undefined)?.name === repo.metadata.name)
      .map(c => ({ namespace, name: c.metadata.name! }));
    for (const key of keys) this.forcePass(key);
    return keys;
  }

  protected fetch(object: KubeObject): FetchResult {
    const spec = fluxSpec(object) as { chart?: string; version?: string; sourceRef?: { kind?: string; name?: string } };
    const chartName = spec.chart ?? '';
    const sourceRef = spec.sourceRef ?? {};
    const namespace = object.metadata.namespace!;
    if (sourceRef.kind !== 'HelmRepository') {
      return { ok: false, reason: 'Failed', message: `unsupported source kind '${sourceRef.kind}'`, stalled: true };
    }
    let repoObject: KubeObject;
    try {
      repoObject = this.api.get(HELM_REPOSITORIES, sourceRef.name ?? '', { namespace });
    } catch (error) {
      if (error instanceof StatusError && error.code === 404) {
        return { ok: false, reason: 'Failed', message: `failed to get source: HelmRepository.source.toolkit.fluxcd.io "${sourceRef.name}" not found` };
      }
      throw error;
    }
    const repoStatus = (repoObject.status ?? {}) as { artifact?: Artifact };
    const repoUrl = (fluxSpec(repoObject).url as string | undefined) ?? '';
    if (!repoStatus.artifact) {
      return { ok: false, reason: 'NoSourceArtifact', message: `no artifact available for HelmRepository source '${sourceRef.name}'` };
    }
    const chart = this.catalog.chart(chartName, repoUrl);
    const constraint = spec.version || '*';
    if (!chart) {
      return { ok: false, reason: 'InvalidChartReference', message: `invalid chart reference: failed to get chart version for remote reference: no chart name found` };
    }
    const version = this.catalog.resolveVersion(chart, constraint);
    if (!version) {
      return {
        ok: false, reason: 'InvalidChartReference',
        message: `invalid chart reference: failed to get chart version for remote reference: no '${chartName}' chart with version matching '${constraint}' found`,
      };
    }
    const digest = this.catalog.chartDigest(chart, version);
    const path = `helmchart/${namespace}/${object.metadata.name}/${chart.name}-${version.version}.tgz`;
    const message = `pulled '${chart.name}' chart with version '${version.version}'`;
    return {
      ok: true,
      readyReason: 'ChartPullSucceeded',
      message,
      artifact: {
        path, url: `${ARTIFACT_HOST}/${path}`, revision: version.version, digest: `sha256:${digest}`,
        lastUpdateTime: nowRfc3339(), size: 8_000 + sha256Hex(digest).length * 100,
      },
      extra: {
        url: `${ARTIFACT_HOST}/helmchart/${namespace}/${object.metadata.name}/latest.tar.gz`,
        observedChartName: chart.name,
        observedSourceArtifactRevision: repoStatus.artifact.revision,
      },
      event: { reason: 'ChartPullSucceeded', message },
    };
  }
}
