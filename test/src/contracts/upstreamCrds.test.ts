import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  applicationInstanceSchema,
  argoCdApplicationSchema,
  argoWorkflowSchema,
  helmReleaseSchema,
  helmRepositorySchema,
  ociRepositorySchema,
  operationSchema,
  parseResource,
  veleroBackupSchema,
  veleroRestoreSchema,
  volumeSnapshotSchema,
} from '@vworkspace/backstage-plugin-fleet-common';
import { StructuralSchema } from '@vworkspace/kube-sim';
import type { JSONSchemaProps } from '@vworkspace/kube-sim';

/*
 * What we write must be what the real controllers accept: every object the operator creates
 * is built with our zod schemas, then admitted the way kube-apiserver admits it, against the
 * upstream CRDs. An unknown field (pruned silently by a real cluster) fails here.
 * VolSync's CRDs are not vendored (AGPL-3.0), so ReplicationSource is not covered.
 */

const root = path.resolve(__dirname, '../../..');

interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: Array<{
      name: string;
      served: boolean;
      schema: { openAPIV3Schema: JSONSchemaProps };
    }>;
  };
}

function readCrds(dir: string): Crd[] {
  return fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.yaml'))
    .map(f => parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Crd);
}

const upstream = readCrds(path.join(root, 'packages/kube-sim/crds/upstream'));
const ours = readCrds(path.join(root, 'operator/crds'));

function schemaFor(
  crds: Crd[],
  apiVersion: string,
  kind: string,
): StructuralSchema {
  for (const crd of crds) {
    if (crd.spec.names.kind !== kind) continue;
    const version = crd.spec.versions.find(
      v => v.served && `${crd.spec.group}/${v.name}` === apiVersion,
    );
    if (version)
      return StructuralSchema.compile(version.schema.openAPIV3Schema);
  }
  throw new Error(`no served CRD for ${apiVersion} ${kind}`);
}

/** What the API server would do to a create request: fields dropped, and errors. */
function admit(crds: Crd[], obj: { apiVersion: string; kind: string }) {
  return schemaFor(crds, obj.apiVersion, obj.kind).admit(structuredClone(obj));
}

const meta = (name: string, namespace = 'team-a') => ({
  name,
  namespace,
  labels: { 'ops.vworkspace.io/operation': 'op-1' },
});

function sample<S extends z.ZodType>(schema: S, value: z.input<S>) {
  return parseResource(schema, value, 'sample') as z.output<S> & {
    apiVersion: string;
    kind: string;
  };
}

const written = [
  sample(helmReleaseSchema, {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'nextcloud', namespace: 'team-a' },
    spec: {
      interval: '10m',
      releaseName: 'nextcloud',
      targetNamespace: 'team-a',
      chart: {
        spec: {
          chart: 'nextcloud',
          version: '6.2.0',
          sourceRef: {
            kind: 'HelmRepository',
            name: 'nextcloud',
            namespace: 'team-a',
          },
          interval: '10m',
          reconcileStrategy: 'ChartVersion',
        },
      },
      install: { remediation: { retries: 3 }, createNamespace: false },
      upgrade: {
        remediation: {
          retries: 3,
          remediateLastFailure: true,
          strategy: 'rollback',
        },
      },
      values: { nextcloud: { host: 'cloud.example.org' } },
      valuesFrom: [
        {
          kind: 'Secret',
          name: 'nextcloud-admin',
          valuesKey: 'values.yaml',
          optional: true,
        },
      ],
      suspend: false,
      timeout: '10m',
    },
  }),
  sample(helmReleaseSchema, {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'gitea', namespace: 'team-b' },
    spec: {
      interval: '10m',
      chartRef: { kind: 'OCIRepository', name: 'gitea', namespace: 'team-b' },
      values: {},
    },
  }),
  sample(helmRepositorySchema, {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    metadata: { name: 'nextcloud', namespace: 'team-a' },
    spec: {
      url: 'https://nextcloud.github.io/helm/',
      interval: '1h',
      type: 'default',
    },
  }),
  sample(ociRepositorySchema, {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: { name: 'gitea', namespace: 'team-b' },
    spec: {
      url: 'oci://docker.gitea.com/charts/gitea',
      ref: { tag: '12.1.0' },
      layerSelector: {
        mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
        operation: 'copy',
      },
      interval: '1h',
    },
  }),
  sample(argoCdApplicationSchema, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'team-a-nextcloud', namespace: 'argocd' },
    spec: {
      project: 'default',
      source: {
        repoURL: 'https://nextcloud.github.io/helm/',
        chart: 'nextcloud',
        targetRevision: '6.2.0',
        helm: { releaseName: 'nextcloud', valuesObject: { replicaCount: 1 } },
      },
      destination: {
        server: 'https://kubernetes.default.svc',
        namespace: 'team-a',
      },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['CreateNamespace=false'],
      },
    },
  }),
  sample(veleroBackupSchema, {
    apiVersion: 'velero.io/v1',
    kind: 'Backup',
    metadata: meta('team-a-op-1', 'velero'),
    spec: {
      includedNamespaces: ['team-a'],
      ttl: '720h0m0s',
      storageLocation: 'default',
      snapshotVolumes: true,
      labelSelector: {
        matchLabels: { 'app.kubernetes.io/instance': 'nextcloud' },
      },
    },
  }),
  sample(veleroRestoreSchema, {
    apiVersion: 'velero.io/v1',
    kind: 'Restore',
    metadata: meta('team-a-op-2', 'velero'),
    spec: {
      backupName: 'team-a-op-1',
      includedNamespaces: ['team-a'],
      includedResources: ['persistentvolumeclaims', 'secrets'],
      restorePVs: true,
    },
  }),
  sample(argoWorkflowSchema, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: meta('op-3'),
    spec: {
      workflowTemplateRef: { name: 'restore-and-verify' },
      arguments: {
        parameters: [{ name: 'backup-name', value: 'team-a-op-1' }],
      },
      serviceAccountName: 'fleet-ops',
      activeDeadlineSeconds: 3600,
    },
  }),
  sample(volumeSnapshotSchema, {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    metadata: meta('op-4'),
    spec: {
      source: { persistentVolumeClaimName: 'nextcloud-data' },
      volumeSnapshotClassName: 'csi-snapclass',
    },
  }),
];

describe('objects we write, against the upstream CRDs', () => {
  it.each(written.map(o => [`${o.kind} ${o.metadata.name}`, o] as const))(
    '%s is admitted with nothing dropped and no error',
    (_name, obj) => {
      expect(admit(upstream, obj)).toEqual({ pruned: [], causes: [] });
    },
  );

  it('catches a field upstream does not have', () => {
    const [release] = written;
    const bad = structuredClone(release) as typeof release & {
      spec: { chart: { spec: Record<string, unknown> } };
    };
    bad.spec.chart.spec.repoURL = 'https://nextcloud.github.io/helm/';
    expect(admit(upstream, bad).pruned).toEqual(['spec.chart.spec.repoURL']);
  });

  it('catches a value upstream refuses', () => {
    const backup = structuredClone(written[5]);
    (backup.spec as Record<string, unknown>).snapshotVolumes = 'yes';
    expect(admit(upstream, backup).causes).toEqual([
      expect.objectContaining({ field: 'spec.snapshotVolumes' }),
    ]);
  });
});

const instance = {
  apiVersion: 'apps.vworkspace.io/v1alpha1',
  kind: 'ApplicationInstance',
  metadata: { name: 'nextcloud', namespace: 'team-a' },
  spec: {
    app: 'nextcloud',
    chart: {
      name: 'nextcloud',
      version: '6.2.0',
      repository: { url: 'https://nextcloud.github.io/helm/' },
    },
    values: { nextcloud: { host: 'cloud.example.org' } },
    valuesFrom: [{ kind: 'Secret', name: 'nextcloud-admin' }],
  },
};

const operation = {
  apiVersion: 'ops.vworkspace.io/v1alpha1',
  kind: 'Operation',
  metadata: { name: 'op-1', namespace: 'team-a' },
  spec: {
    type: 'Restore',
    engine: 'velero',
    target: { applicationInstance: 'nextcloud' },
    parameters: { latest: true, includedResources: ['persistentvolumeclaims'] },
    requestedBy: 'user:default/jane',
  },
  status: {
    phase: 'Running',
    startedAt: '2026-05-02T02:00:00Z',
    conditions: [
      {
        type: 'Accepted',
        status: 'True',
        reason: 'Accepted',
        message: '',
        lastTransitionTime: '2026-05-02T02:00:00Z',
      },
    ],
    engineRef: {
      apiVersion: 'velero.io/v1',
      kind: 'Restore',
      name: 'team-a-op-1',
      namespace: 'velero',
    },
    engineStatus: {
      phase: 'InProgress',
      progress: { itemsRestored: 3, totalItems: 9 },
    },
  },
};

describe('our CRDs, generated from the same schemas', () => {
  it.each([
    ['ApplicationInstance', instance, applicationInstanceSchema],
    ['Operation', operation, operationSchema],
  ] as const)(
    '%s: the API server defaults what zod defaults, and keeps everything',
    (_kind, obj, schema) => {
      const admitted = structuredClone(obj);
      expect(schemaFor(ours, obj.apiVersion, obj.kind).admit(admitted)).toEqual(
        { pruned: [], causes: [] },
      );
      expect(admitted).toEqual(parseResource(schema, obj, 'sample'));
    },
  );

  it.each([
    {
      name: 'a git repository',
      path: ['chart', 'repository', 'type'],
      value: 'git',
      field: 'spec.chart.repository.type',
    },
    {
      name: 'a version range',
      path: ['chart', 'version'],
      value: '^6',
      field: 'spec.chart.version',
    },
    {
      name: 'an interval in days',
      path: ['interval'],
      value: '1d',
      field: 'spec.interval',
    },
  ])(
    'ApplicationInstance with $name is refused at $field, by both',
    ({ path: at, value, field }) => {
      const bad = structuredClone(instance) as typeof instance & {
        spec: Record<string, unknown>;
      };
      let node: Record<string, unknown> = bad.spec;
      for (const key of at.slice(0, -1))
        node = node[key] as Record<string, unknown>;
      node[at[at.length - 1]] = value;
      expect(
        schemaFor(ours, bad.apiVersion, bad.kind).admit(bad).causes,
      ).toEqual([expect.objectContaining({ field })]);
      expect(() =>
        parseResource(applicationInstanceSchema, bad, 'sample'),
      ).toThrow(`${field}: `);
    },
  );

  it('prunes a misspelt field that zod refuses', () => {
    const bad = structuredClone(instance) as typeof instance & {
      spec: Record<string, unknown>;
    };
    bad.spec.vaules = {};
    expect(
      schemaFor(ours, bad.apiVersion, bad.kind).admit(structuredClone(bad))
        .pruned,
    ).toEqual(['spec.vaules']);
    expect(() =>
      parseResource(applicationInstanceSchema, bad, 'sample'),
    ).toThrow('spec.vaules: unknown field');
  });
});
