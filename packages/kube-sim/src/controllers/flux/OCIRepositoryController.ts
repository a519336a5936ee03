import type { KubeObject } from '../../types';
import { nowRfc3339 } from '../runtime';
import { ARTIFACT_HOST, OCI_REPOSITORIES, fluxSpec } from './fluxApi';
import { FetchResult, SourceController, sha256Hex } from './SourceController';

interface OciRef {
  tag?: string;
  semver?: string;
  digest?: string;
}

/**
 * Plays source-controller for `source.toolkit.fluxcd.io/v1` OCIRepository
 * holding a Helm chart (`oci://ghcr.io/immich-app/immich-charts/immich`, `ref.tag`
 * or `ref.semver`): Ready with an artifact of revision `<tag>@sha256:<digest>`.
 * An unknown repository or tag fails with reason `OCIArtifactPullFailed` and the
 * registry's error, as pulling from a real registry would.
 * @public
 */
export class OCIRepositoryController extends SourceController {
  protected readonly primary = OCI_REPOSITORIES;

  protected fetch(object: KubeObject): FetchResult {
    const spec = fluxSpec(object) as { url?: string; ref?: OciRef };
    const url = spec.url ?? '';
    const ref = spec.ref ?? {};
    const registryPath = url.replace(/^oci:\/\//, '');
    const [host, ...rest] = registryPath.split('/');
    const manifestUrl = (tag: string) => `https://${host}/v2/${rest.join('/')}/manifests/${tag}`;
    const repo = this.catalog.repository(url);
    const chart = repo?.type === 'oci' ? repo.charts[0] : undefined;
    const tagText = ref.tag ?? ref.semver ?? 'latest';
    if (!chart) {
      return {
        ok: false, reason: 'OCIArtifactPullFailed',
        message: `failed to determine artifact digest: GET ${manifestUrl(tagText)}: NAME_UNKNOWN: repository name not known to registry; map[name:${rest.join('/')}]`,
      };
    }
    const version = ref.semver !== undefined
      ? this.catalog.resolveVersion(chart, ref.semver)
      : chart.versions.find(v => v.version === (ref.tag ?? 'latest'));
    if (!version) {
      if (ref.semver !== undefined) {
        return { ok: false, reason: 'ReadOperationFailed', message: `failed to determine the artifact tag for '${url}': no match found for semver: ${ref.semver}` };
      }
      return {
        ok: false, reason: 'OCIArtifactPullFailed',
        message: `failed to determine artifact digest: GET ${manifestUrl(tagText)}: MANIFEST_UNKNOWN: manifest unknown; map[Tag:${tagText}]`,
      };
    }
    const revision = this.catalog.ociRevision(chart, version);
    const layerDigest = sha256Hex(`${revision}/layer`);
    const { namespace, name } = object.metadata;
    const path = `ocirepository/${namespace}/${name}/${layerDigest}.tar.gz`;
    const size = 10_000 + JSON.stringify(version).length * 7;
    return {
      ok: true,
      readyReason: 'Succeeded',
      message: `stored artifact for digest '${revision}'`,
      artifact: {
        path, url: `${ARTIFACT_HOST}/${path}`, revision, digest: `sha256:${layerDigest}`, lastUpdateTime: nowRfc3339(), size,
        metadata: {
          'org.opencontainers.image.created': '2025-01-01T00:00:00Z',
          'org.opencontainers.image.description': chart.description,
          'org.opencontainers.image.title': chart.name,
          'org.opencontainers.image.version': version.version,
        },
      },
      extra: { url },
      event: { reason: 'NewArtifact', message: `stored artifact with revision '${revision}' from '${url}'` },
    };
  }
}
