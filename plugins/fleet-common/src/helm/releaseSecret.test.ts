import { gzipSync } from 'node:zlib';
import type { HelmReleasePayload } from '../schemas/helmReleaseSecret';
import {
  decodeHelmRelease,
  decodeHelmReleaseSecret,
  encodeHelmReleaseSecret,
} from './releaseSecret';

const release: HelmReleasePayload = {
  name: 'nextcloud',
  namespace: 'team-a',
  version: 2,
  info: {
    status: 'deployed',
    first_deployed: '2026-05-01T10:02:00.123456789Z',
    last_deployed: '2026-05-03T08:59:40.5Z',
    description: 'Upgrade complete',
    notes: 'Nextcloud is up',
  },
  chart: {
    metadata: {
      name: 'nextcloud',
      version: '6.3.0',
      appVersion: '30.0.0',
      annotations: { category: 'Files' },
    },
    values: { replicaCount: 1 },
    templates: [
      { name: 'templates/deployment.yaml', data: 'a2luZDogRGVwbG95bWVudA==' },
    ],
  },
  config: { replicaCount: 2 },
  manifest: '---\nkind: Deployment\n',
  hooks: [
    {
      name: 'nextcloud-db-migrate',
      kind: 'Job',
      path: 'nextcloud/templates/migrate-job.yaml',
      manifest: 'apiVersion: batch/v1\nkind: Job\n',
      events: ['pre-upgrade'],
      last_run: {
        started_at: '2026-05-03T08:59:00Z',
        completed_at: '2026-05-03T08:59:30Z',
        phase: 'Succeeded',
      },
      weight: -5,
      delete_policies: ['before-hook-creation'],
    },
  ],
};

describe('Helm release Secret codec', () => {
  it('round-trips a release, keeping what the schema does not model', () => {
    const secret = encodeHelmReleaseSecret(release);
    expect(secret.metadata).toMatchObject({
      name: 'sh.helm.release.v1.nextcloud.v2',
      namespace: 'team-a',
      labels: {
        owner: 'helm',
        name: 'nextcloud',
        status: 'deployed',
        version: '2',
      },
    });
    expect(decodeHelmReleaseSecret(secret)).toEqual(release);
  });

  it('stores what Helm stores: base64 of gzip of JSON, inside the API base64', () => {
    const secret = encodeHelmReleaseSecret(release);
    const helmEncoded = Buffer.from(secret.data.release, 'base64').toString(
      'utf8',
    );
    expect(Buffer.from(helmEncoded, 'base64').subarray(0, 2)).toEqual(
      Buffer.from([0x1f, 0x8b]),
    );
    expect(decodeHelmRelease(helmEncoded).hooks?.[0].events).toEqual([
      'pre-upgrade',
    ]);
  });

  it('reads a release Helm wrote without gzip', () => {
    const plain = Buffer.from(JSON.stringify(release)).toString('base64');
    expect(decodeHelmRelease(plain).chart.metadata.version).toBe('6.3.0');
  });

  it('names the failing field of a corrupt release', () => {
    const bad = gzipSync(
      Buffer.from(JSON.stringify({ ...release, info: { status: 'exploded' } })),
    ).toString('base64');
    expect(() => decodeHelmRelease(bad)).toThrow('info.status: ');
  });

  it('refuses a Secret of another type', () => {
    expect(() =>
      decodeHelmReleaseSecret({
        metadata: { name: 'x' },
        type: 'Opaque',
        data: { release: 'e30=' },
      }),
    ).toThrow('Secret x is invalid: type: ');
  });

  it('says so when the payload is not JSON', () => {
    expect(() =>
      decodeHelmRelease(Buffer.from('not json').toString('base64')),
    ).toThrow('does not hold a JSON release');
  });
});
