import { gunzipSync, gzipSync } from 'node:zlib';
import { parseResource } from '../schemas/parseResource';
import {
  HelmReleasePayload,
  HelmReleaseSecret,
  helmReleasePayloadSchema,
  helmReleaseSecretName,
  helmReleaseSecretSchema,
} from '../schemas/helmReleaseSecret';

/*
 * Node only (node:zlib): exported from the package's `./node` entry, never from the root one,
 * so that frontend bundles do not pull zlib in.
 */

const gzipMagic = [0x1f, 0x8b, 0x08];

function isGzip(bytes: Buffer): boolean {
  return gzipMagic.every((b, i) => bytes[i] === b);
}

/**
 * Decodes Helm's storage encoding of a release (base64 of gzip of JSON, or of plain JSON as
 * very old Helm wrote it) and validates it.
 * @public
 */
export function decodeHelmRelease(
  encoded: string,
  where = 'Helm release',
): HelmReleasePayload {
  const bytes = Buffer.from(encoded, 'base64');
  const json = isGzip(bytes) ? gunzipSync(bytes) : bytes;
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch (error) {
    throw new Error(`${where} does not hold a JSON release`, { cause: error });
  }
  return parseResource(helmReleasePayloadSchema, value, where);
}

/** Helm's storage encoding of a release: base64 of gzip of JSON. @public */
export function encodeHelmRelease(release: HelmReleasePayload): string {
  return gzipSync(Buffer.from(JSON.stringify(release), 'utf8')).toString(
    'base64',
  );
}

/**
 * Decodes the release held by a Helm release Secret as the API returns it (`data.release` is
 * base64 of Helm's encoding).
 * @public
 */
export function decodeHelmReleaseSecret(secret: unknown): HelmReleasePayload {
  const name =
    (secret as { metadata?: { name?: string } } | null)?.metadata?.name ??
    '(unnamed)';
  const parsed = parseResource(
    helmReleaseSecretSchema,
    secret,
    `Secret ${name}`,
  );
  const inner = Buffer.from(parsed.data.release, 'base64').toString('utf8');
  return decodeHelmRelease(inner, `Helm release in Secret ${name}`);
}

/**
 * The `data` of a Helm release Secret for the API (base64 of Helm's encoding), with the labels
 * Helm puts on it, ready to be created in `release.namespace`.
 * @public
 */
export function encodeHelmReleaseSecret(
  release: HelmReleasePayload,
): HelmReleaseSecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: {
      name: helmReleaseSecretName(release.name, release.version),
      namespace: release.namespace,
      labels: {
        owner: 'helm',
        name: release.name,
        status: release.info.status,
        version: String(release.version),
      },
    },
    data: {
      release: Buffer.from(encodeHelmRelease(release), 'utf8').toString(
        'base64',
      ),
    },
  };
}
