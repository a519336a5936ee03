import type { KubeObject } from '../../types';
import { nowRfc3339 } from '../runtime';
import { ARTIFACT_HOST, HELM_REPOSITORIES, fluxSpec } from './fluxApi';
import { FetchResult, SourceController } from './SourceController';

/**
 * Plays source-controller for `source.toolkit.fluxcd.io/v1` HelmRepository:
 * a URL the chart catalog serves becomes Ready with the index as artifact
 * (revision and digest `sha256:<index digest>`), any other URL fails the way
 * an unreachable index fails (`FetchFailed`, reason `Failed`, `... 404 Not Found`).
 * `spec.type: oci` repositories hold no artifact: they are Ready once the URL is known.
 * @public
 */
export class HelmRepositoryController extends SourceController {
  protected readonly primary = HELM_REPOSITORIES;

  protected fetch(object: KubeObject): FetchResult {
    const spec = fluxSpec(object) as { url?: string; type?: string };
    const url = spec.url ?? '';
    const repo = this.catalog.repository(url);
    const { namespace, name } = object.metadata;
    if (spec.type === 'oci') {
      if (!repo && !this.catalog.repositories.some(r => r.type === 'oci' && r.url.startsWith(url.replace(/\/+$/, '')))) {
        return { ok: false, reason: 'Failed', message: `failed to login to OCI registry: GET ${url.replace('oci://', 'https://')}: NAME_UNKNOWN: repository name not known to registry` };
      }
      return { ok: true, readyReason: 'Succeeded', message: 'Helm repository is Ready' };
    }
    if (!repo || repo.type !== 'helm') {
      const indexUrl = `${url.replace(/\/+$/, '')}/index.yaml`;
      return {
        ok: false,
        reason: 'Failed',
        message: `failed to fetch Helm repository index: failed to cache index to temporary file: failed to fetch ${indexUrl} : 404 Not Found`,
      };
    }
    const index = this.catalog.index(repo);
    const hex = index.digest.slice('sha256:'.length);
    const path = `helmrepository/${namespace}/${name}/index-${hex}.yaml`;
    return {
      ok: true,
      readyReason: 'Succeeded',
      message: `stored artifact: revision '${index.digest}'`,
      artifact: { path, url: `${ARTIFACT_HOST}/${path}`, revision: index.digest, digest: index.digest, lastUpdateTime: nowRfc3339(), size: Buffer.byteLength(index.yaml) },
      extra: { url: `${ARTIFACT_HOST}/helmrepository/${namespace}/${name}/index.yaml` },
      event: { reason: 'NewArtifact', message: `stored fetched index of size ${Buffer.byteLength(index.yaml)} from '${url}'` },
    };
  }
}
