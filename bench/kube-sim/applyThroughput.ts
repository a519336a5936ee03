/*
 * Server-side apply throughput of kube-sim's apply library on one core, without HTTP:
 * applies per second for a HelmRelease-sized object (changing and no-op), and update tracking.
 * Run: npm run kube-sim:apply --workspace @vworkspace/bench
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { applyObject, trackUpdate } from '@vworkspace/kube-sim/apply';
import type { KubeObject } from '@vworkspace/kube-sim/apply';
import type { JSONSchemaProps } from '@vworkspace/kube-sim';

/** The schema of Flux's HelmRelease v2, from the upstream CRD kube-sim serves. */
const helmReleaseSchema = ((): JSONSchemaProps => {
  const crdFile = join(dirname(require.resolve('@vworkspace/kube-sim/package.json')), 'crds/upstream/helm.toolkit.fluxcd.io_helmreleases.yaml');
  const crd = parse(readFileSync(crdFile, 'utf8')) as { spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: JSONSchemaProps } }> } };
  const v2 = crd.spec.versions.find(v => v.name === 'v2');
  if (!v2) throw new Error(`${crdFile} has no v2`);
  return v2.schema.openAPIV3Schema;
})();

function helmRelease(version: string): KubeObject {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: {
      name: 'nextcloud',
      namespace: 'tenant-a',
      labels: {
        'app.kubernetes.io/managed-by': 'vworkspace',
        'vworkspace.io/instance': 'nextcloud-a',
      },
      annotations: { 'vworkspace.io/revision': '12' },
      ownerReferences: [
        {
          apiVersion: 'vworkspace.io/v1alpha1',
          kind: 'ApplicationInstance',
          name: 'nextcloud-a',
          uid: '2b6c',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      interval: '10m',
      releaseName: 'nextcloud',
      chart: {
        spec: {
          chart: 'nextcloud',
          version,
          sourceRef: {
            kind: 'HelmRepository',
            name: 'nextcloud',
            namespace: 'flux-system',
          },
        },
      },
      install: { remediation: { retries: 3 } },
      dependsOn: [{ name: 'postgres', namespace: 'tenant-a' }],
      values: {
        replicaCount: 1,
        image: {
          repository: 'nextcloud',
          tag: '29.0.4',
          pullPolicy: 'IfNotPresent',
        },
        ingress: {
          enabled: true,
          className: 'nginx',
          hosts: [{ host: 'cloud.example.org', paths: ['/'] }],
          tls: [{ secretName: 'tls', hosts: ['cloud.example.org'] }],
        },
        persistence: { enabled: true, size: '50Gi', storageClass: 'fast' },
        resources: {
          requests: { cpu: '250m', memory: '512Mi' },
          limits: { cpu: '2', memory: '2Gi' },
        },
        nextcloud: {
          host: 'cloud.example.org',
          existingSecret: { enabled: true, secretName: 'admin' },
          configs: { 'custom.config.php': '<?php $CONFIG = [];' },
        },
        postgresql: { enabled: false },
        externalDatabase: {
          enabled: true,
          type: 'postgresql',
          host: 'postgres',
          database: 'nextcloud',
        },
      },
    },
  };
}

function rate(label: string, n: number, fn: (i: number) => void) {
  for (let i = 0; i < 200; i++) fn(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(
    `${label}: ${Math.round((n / ms) * 1000)}/s (${((ms * 1000) / n).toFixed(
      1,
    )} µs each)`,
  );
}

let live = (
  applyObject({
    live: undefined,
    applied: helmRelease('5.0.0'),
    manager: 'vworkspace-operator',
    force: true,
    schema: helmReleaseSchema,
    now: 't0',
  }) as { object: KubeObject }
).object;
live = trackUpdate({
  live,
  updated: {
    ...live,
    metadata: {
      ...live.metadata,
      labels: { ...(live.metadata.labels as object), x: 'y' },
    },
  },
  manager: 'kubectl-label',
  schema: helmReleaseSchema,
  now: 't0',
});
const same = helmRelease('5.0.0');
rate('no-op apply', 20000, () =>
  applyObject({
    live,
    applied: same,
    manager: 'vworkspace-operator',
    force: true,
    schema: helmReleaseSchema,
    now: 't1',
  }),
);
const roundTripped = JSON.parse(JSON.stringify(live));
rate('no-op apply, stored object re-parsed each time', 5000, () =>
  applyObject({
    live: JSON.parse(JSON.stringify(roundTripped)),
    applied: same,
    manager: 'vworkspace-operator',
    force: true,
    schema: helmReleaseSchema,
    now: 't1',
  }),
);
rate('changing apply', 20000, i => {
  const r = applyObject({
    live,
    applied: helmRelease(`5.0.${i % 50}`),
    manager: 'vworkspace-operator',
    force: true,
    schema: helmReleaseSchema,
    now: `t${i}`,
  });
  if (r.ok) live = r.object;
});
rate('update tracking', 20000, i => {
  live = trackUpdate({
    live,
    updated: {
      ...live,
      spec: { ...(live.spec as object), interval: `${i % 50}m` },
    },
    manager: 'kubectl-edit',
    schema: helmReleaseSchema,
    now: `t${i}`,
  });
});
