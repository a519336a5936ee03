import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ClusterApi } from '../../cluster/ClusterApi';
import type { KubeObject } from '../../types';
import { SECRETS } from './fluxApi';

/** Helm's release statuses. @public */
export type HelmReleaseStatus =
  | 'unknown' | 'deployed' | 'uninstalled' | 'superseded' | 'failed' | 'uninstalling'
  | 'pending-install' | 'pending-upgrade' | 'pending-rollback';

/** A hook as Helm records it in a release. @public */
export interface HelmHookRecord {
  name: string;
  kind: string;
  path: string;
  manifest: string;
  events: string[];
  last_run: { started_at: string; completed_at: string; phase: string };
  weight: number;
  delete_policies: string[];
}

/** The release object Helm stores (the JSON inside `sh.helm.release.v1.*` Secrets). @public */
export interface HelmReleaseRecord {
  name: string;
  info: { first_deployed: string; last_deployed: string; deleted: string; description: string; status: HelmReleaseStatus; notes?: string };
  chart: {
    metadata: Record<string, unknown> & { name: string; version: string; appVersion?: string; apiVersion: string };
    lock: null;
    templates: Array<{ name: string; data: string }>;
    values: Record<string, unknown>;
    schema: null;
    files: Array<{ name: string; data: string }>;
  };
  config: Record<string, unknown>;
  manifest: string;
  hooks?: HelmHookRecord[];
  version: number;
  namespace: string;
}

/** Helm's Secret name for a release revision. @public */
export const releaseSecretName = (release: string, version: number) => `sh.helm.release.v1.${release}.v${version}`;

/** `base64(gzip(json))`: what Helm puts in the Secret's `release` key (the API base64s it again). @public */
export function encodeRelease(release: HelmReleaseRecord): string {
  return gzipSync(Buffer.from(JSON.stringify(release))).toString('base64');
}

/** Decodes the `release` value as read through the API (still base64 once more on the wire). @public */
export function decodeReleaseSecret(secret: KubeObject): HelmReleaseRecord {
  const wire = (secret.data as Record<string, string>).release;
  const helmEncoded = Buffer.from(wire, 'base64').toString('utf8');
  return JSON.parse(gunzipSync(Buffer.from(helmEncoded, 'base64')).toString('utf8')) as HelmReleaseRecord;
}

/** JSON with sorted keys: stable digests whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object).sort().map(k => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/**
 * Helm's Secret storage driver for one namespace: lists, writes and deletes
 * release revisions as `helm.sh/release.v1` Secrets labelled `name`, `owner`,
 * `status`, `version` and `modifiedAt`.
 */
export class HelmReleaseStorage {
  constructor(private readonly api: ClusterApi, private readonly namespace: string, private readonly fieldManager: string) {}

  list(release: string): HelmReleaseRecord[] {
    return this.api.list(SECRETS, { namespace: this.namespace, labelSelector: `owner=helm,name=${release}` }).items
      .filter(s => s.type === 'helm.sh/release.v1')
      .map(decodeReleaseSecret)
      .sort((a, b) => a.version - b.version);
  }

  latest(release: string): HelmReleaseRecord | undefined {
    return this.list(release).at(-1);
  }

  async write(record: HelmReleaseRecord): Promise<void> {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: releaseSecretName(record.name, record.version),
        namespace: this.namespace,
        labels: {
          name: record.name, owner: 'helm', status: record.info.status, version: String(record.version),
          modifiedAt: String(Math.floor(Date.now() / 1000)),
        },
      },
      type: 'helm.sh/release.v1',
      data: { release: Buffer.from(encodeRelease(record)).toString('base64') },
    };
    await this.api.patch(SECRETS, secret.metadata.name!, secret, { type: 'apply', namespace: this.namespace, fieldManager: this.fieldManager, force: true });
  }

  async deleteAll(release: string): Promise<void> {
    for (const r of this.list(release)) {
      await this.api.delete(SECRETS, releaseSecretName(release, r.version), { namespace: this.namespace }).catch(() => undefined);
    }
  }
}
