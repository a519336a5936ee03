/**
 * One realistic object per upstream kind, status included, shaped the way the real controllers
 * write them (flux's metav1.Condition with lastTransitionTime, Velero's RFC 3339 timestamps,
 * Argo's node map, CSI's int64 nanosecond creationTime).
 */
const t0 = '2025-01-10T03:00:00Z';
const t1 = '2025-01-10T03:01:12Z';
const digest =
  'sha256:2c3b3f0d6a1e4a0b9cfa0f5c2d1c4e6b8a7f9e0d1c2b3a4f5e6d7c8b9a0f1e2d';

const fluxReady = (reason: string, message: string) => [
  {
    type: 'Ready',
    status: 'True',
    observedGeneration: 2,
    lastTransitionTime: t1,
    reason,
    message,
  },
];

const artifact = (path: string, revision: string) => ({
  path,
  url: `http://source-controller.flux-system.svc.cluster.local./${path}`,
  revision,
  digest,
  lastUpdateTime: t1,
  size: 10240,
});

export const upstreamSamples: Record<string, object> = {
  HelmRelease: {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'nextcloud', namespace: 'nextcloud', generation: 2 },
    spec: {
      interval: '10m',
      releaseName: 'nextcloud',
      targetNamespace: 'nextcloud',
      timeout: '5m',
      chart: {
        spec: {
          chart: 'nextcloud',
          version: '6.2.x',
          interval: '1h',
          reconcileStrategy: 'ChartVersion',
          sourceRef: {
            kind: 'HelmRepository',
            name: 'nextcloud',
            namespace: 'flux-system',
          },
        },
      },
      install: { createNamespace: true, remediation: { retries: 3 } },
      upgrade: {
        cleanupOnFail: true,
        remediation: {
          retries: 3,
          remediateLastFailure: true,
          strategy: 'rollback',
        },
      },
      values: {
        replicaCount: 1,
        persistence: { enabled: true, size: '8Gi' },
        nextcloud: { host: 'cloud.example.org' },
      },
      valuesFrom: [
        { kind: 'Secret', name: 'nextcloud-values', valuesKey: 'values.yaml' },
      ],
    },
    status: {
      observedGeneration: 2,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          observedGeneration: 2,
          lastTransitionTime: t1,
          reason: 'InstallSucceeded',
          message:
            'Helm install succeeded for release nextcloud/nextcloud.v1 with chart nextcloud@6.2.0',
        },
        {
          type: 'Released',
          status: 'True',
          observedGeneration: 2,
          lastTransitionTime: t1,
          reason: 'InstallSucceeded',
          message:
            'Helm install succeeded for release nextcloud/nextcloud.v1 with chart nextcloud@6.2.0',
        },
      ],
      helmChart: 'flux-system/nextcloud-nextcloud',
      storageNamespace: 'nextcloud',
      lastAttemptedGeneration: 2,
      lastAttemptedRevision: '6.2.0',
      lastAttemptedConfigDigest: digest,
      lastAttemptedReleaseAction: 'install',
      history: [
        {
          name: 'nextcloud',
          namespace: 'nextcloud',
          version: 1,
          status: 'deployed',
          chartName: 'nextcloud',
          chartVersion: '6.2.0',
          appVersion: '30.0.4',
          configDigest: digest,
          digest,
          firstDeployed: t0,
          lastDeployed: t1,
        },
      ],
    },
  },
  HelmRepository: {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    metadata: { name: 'nextcloud', namespace: 'flux-system' },
    spec: {
      url: 'https://nextcloud.github.io/helm/',
      interval: '1h',
      timeout: '60s',
    },
    status: {
      observedGeneration: 1,
      conditions: fluxReady(
        'Succeeded',
        `stored artifact: revision '${digest}'`,
      ),
      artifact: artifact(
        'helmrepository/flux-system/nextcloud/index-2c3b3f0d.yaml',
        digest,
      ),
      url: 'http://source-controller.flux-system.svc.cluster.local./helmrepository/flux-system/nextcloud/index.yaml',
    },
  },
  OCIRepository: {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: { name: 'gitea-chart', namespace: 'flux-system' },
    spec: {
      url: 'oci://docker.gitea.com/charts/gitea',
      ref: { tag: '12.1.0' },
      interval: '5m',
      provider: 'generic',
      layerSelector: {
        mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
        operation: 'copy',
      },
    },
    status: {
      observedGeneration: 1,
      conditions: fluxReady(
        'Succeeded',
        `stored artifact for digest '12.1.0@${digest}'`,
      ),
      artifact: {
        ...artifact(
          'ocirepository/flux-system/gitea-chart/2c3b3f0d.tar.gz',
          `12.1.0@${digest}`,
        ),
        metadata: { 'org.opencontainers.image.version': '12.1.0' },
      },
      url: 'http://source-controller.flux-system.svc.cluster.local./ocirepository/flux-system/gitea-chart/latest.tar.gz',
      observedLayerSelector: {
        mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
        operation: 'copy',
      },
    },
  },
  HelmChart: {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmChart',
    metadata: { name: 'nextcloud-nextcloud', namespace: 'flux-system' },
    spec: {
      chart: 'nextcloud',
      version: '6.2.x',
      interval: '1h',
      reconcileStrategy: 'ChartVersion',
      sourceRef: { kind: 'HelmRepository', name: 'nextcloud' },
    },
    status: {
      observedGeneration: 1,
      observedChartName: 'nextcloud',
      observedSourceArtifactRevision: digest,
      conditions: fluxReady(
        'ChartPullSucceeded',
        "pulled 'nextcloud' chart with version '6.2.0'",
      ),
      artifact: artifact(
        'helmchart/flux-system/nextcloud-nextcloud/nextcloud-6.2.0.tgz',
        '6.2.0',
      ),
      url: 'http://source-controller.flux-system.svc.cluster.local./helmchart/flux-system/nextcloud-nextcloud/latest.tar.gz',
    },
  },
  Backup: {
    apiVersion: 'velero.io/v1',
    kind: 'Backup',
    metadata: {
      name: 'nextcloud-20250110030000',
      namespace: 'velero',
      labels: { 'velero.io/schedule-name': 'nextcloud' },
    },
    spec: {
      includedNamespaces: ['nextcloud'],
      storageLocation: 'default',
      ttl: '720h0m0s',
      snapshotVolumes: true,
      defaultVolumesToFsBackup: false,
      itemOperationTimeout: '4h0m0s',
      csiSnapshotTimeout: '10m0s',
      labelSelector: {
        matchLabels: { 'app.kubernetes.io/instance': 'nextcloud' },
      },
      hooks: {
        resources: [
          {
            name: 'maintenance-mode',
            includedNamespaces: ['nextcloud'],
            pre: [
              {
                exec: {
                  container: 'nextcloud',
                  command: ['php', 'occ', 'maintenance:mode', '--on'],
                  onError: 'Fail',
                  timeout: '1m',
                },
              },
            ],
          },
        ],
      },
    },
    status: {
      version: 1,
      formatVersion: '1.1.0',
      phase: 'Completed',
      expiration: '2025-02-09T03:00:00Z',
      startTimestamp: t0,
      completionTimestamp: t1,
      progress: { totalItems: 42, itemsBackedUp: 42 },
      volumeSnapshotsAttempted: 1,
      volumeSnapshotsCompleted: 1,
      csiVolumeSnapshotsAttempted: 1,
      csiVolumeSnapshotsCompleted: 1,
      backupItemOperationsAttempted: 1,
      backupItemOperationsCompleted: 1,
      hookStatus: { hooksAttempted: 1 },
    },
  },
  Restore: {
    apiVersion: 'velero.io/v1',
    kind: 'Restore',
    metadata: { name: 'nextcloud-20250110030000-restore', namespace: 'velero' },
    spec: {
      backupName: 'nextcloud-20250110030000',
      includedNamespaces: ['nextcloud'],
      excludedResources: [
        'nodes',
        'events',
        'events.events.k8s.io',
        'backups.velero.io',
        'restores.velero.io',
      ],
      restorePVs: true,
      existingResourcePolicy: 'none',
      itemOperationTimeout: '4h0m0s',
    },
    status: {
      phase: 'Completed',
      startTimestamp: t0,
      completionTimestamp: t1,
      progress: { totalItems: 42, itemsRestored: 42 },
      warnings: 2,
      restoreItemOperationsAttempted: 1,
      restoreItemOperationsCompleted: 1,
      hookStatus: {},
    },
  },
  Schedule: {
    apiVersion: 'velero.io/v1',
    kind: 'Schedule',
    metadata: { name: 'nextcloud', namespace: 'velero' },
    spec: {
      schedule: '0 3 * * *',
      useOwnerReferencesInBackup: false,
      template: {
        includedNamespaces: ['nextcloud'],
        storageLocation: 'default',
        ttl: '720h0m0s',
        snapshotVolumes: true,
      },
    },
    status: { phase: 'Enabled', lastBackup: t0 },
  },
  BackupStorageLocation: {
    apiVersion: 'velero.io/v1',
    kind: 'BackupStorageLocation',
    metadata: { name: 'default', namespace: 'velero' },
    spec: {
      provider: 'aws',
      default: true,
      accessMode: 'ReadWrite',
      objectStorage: { bucket: 'fleet-backups', prefix: 'cluster-a' },
      config: {
        region: 'minio',
        s3ForcePathStyle: 'true',
        s3Url: 'http://minio.velero.svc:9000',
      },
      credential: { name: 'cloud-credentials', key: 'cloud' },
    },
    status: { phase: 'Available', lastSyncedTime: t1, lastValidationTime: t1 },
  },
  Workflow: {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name: 'gitea-dump-x7k2p', namespace: 'gitea' },
    spec: {
      entrypoint: 'main',
      serviceAccountName: 'fleet-operation',
      activeDeadlineSeconds: 3600,
      arguments: {
        parameters: [{ name: 'target', value: 's3://fleet-backups/gitea' }],
      },
      ttlStrategy: { secondsAfterCompletion: 86400 },
      podGC: { strategy: 'OnPodSuccess' },
      templates: [
        {
          name: 'main',
          steps: [
            [{ name: 'dump', template: 'dump' }],
            [{ name: 'upload', template: 'upload' }],
          ],
        },
        {
          name: 'dump',
          retryStrategy: { limit: 2, retryPolicy: 'OnFailure' },
          container: {
            image: 'docker.gitea.com/gitea:1.24.3',
            command: ['gitea', 'dump', '--file', '/dump/gitea.zip'],
            env: [
              {
                name: 'GITEA_TOKEN',
                valueFrom: {
                  secretKeyRef: { name: 'gitea-admin', key: 'token' },
                },
              },
            ],
            resources: {
              requests: { cpu: '100m', memory: '128Mi' },
              limits: { memory: 1073741824 },
            },
            volumeMounts: [{ name: 'dump', mountPath: '/dump' }],
            securityContext: { runAsNonRoot: true, runAsUser: 1000 },
          },
          outputs: { artifacts: [{ name: 'dump', path: '/dump/gitea.zip' }] },
        },
        {
          name: 'upload',
          inputs: {
            parameters: [
              { name: 'target', value: '{{workflow.parameters.target}}' },
            ],
          },
          script: {
            image: 'alpine:3.20',
            command: ['sh'],
            source: 'echo uploading to {{inputs.parameters.target}}',
          },
        },
      ],
      volumes: [{ name: 'dump', emptyDir: { sizeLimit: '2Gi' } }],
    },
    status: {
      phase: 'Succeeded',
      startedAt: t0,
      finishedAt: t1,
      progress: '2/2',
      estimatedDuration: 70,
      resourcesDuration: { cpu: 3, memory: 12 },
      conditions: [
        { type: 'PodRunning', status: 'False' },
        { type: 'Completed', status: 'True' },
      ],
      nodes: {
        'gitea-dump-x7k2p': {
          id: 'gitea-dump-x7k2p',
          name: 'gitea-dump-x7k2p',
          displayName: 'gitea-dump-x7k2p',
          type: 'Steps',
          templateName: 'main',
          templateScope: 'local/gitea-dump-x7k2p',
          phase: 'Succeeded',
          startedAt: t0,
          finishedAt: t1,
          progress: '2/2',
          resourcesDuration: { cpu: 3, memory: 12 },
          children: ['gitea-dump-x7k2p-1234567890'],
          outboundNodes: ['gitea-dump-x7k2p-2345678901'],
        },
        'gitea-dump-x7k2p-2345678901': {
          id: 'gitea-dump-x7k2p-2345678901',
          name: 'gitea-dump-x7k2p[1].upload',
          displayName: 'upload',
          type: 'Pod',
          templateName: 'upload',
          templateScope: 'local/gitea-dump-x7k2p',
          boundaryID: 'gitea-dump-x7k2p',
          phase: 'Succeeded',
          startedAt: t0,
          finishedAt: t1,
          progress: '1/1',
          hostNodeName: 'worker-1',
          message: '',
          inputs: {
            parameters: [{ name: 'target', value: 's3://fleet-backups/gitea' }],
          },
          outputs: { exitCode: '0' },
        },
      },
      taskResultsCompletionStatus: { 'gitea-dump-x7k2p-2345678901': true },
      artifactRepositoryRef: { default: true, artifactRepository: {} },
    },
  },
  WorkflowTemplate: {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    metadata: { name: 'gitea-dump', namespace: 'gitea' },
    spec: {
      entrypoint: 'dump',
      arguments: {
        parameters: [{ name: 'target', enum: ['s3', 'pvc'], value: 's3' }],
      },
      templates: [
        {
          name: 'dump',
          dag: {
            tasks: [
              {
                name: 'dump',
                template: 'run',
                arguments: { parameters: [{ name: 'x', value: '1' }] },
              },
            ],
          },
        },
        {
          name: 'run',
          container: {
            image: 'alpine:3.20',
            args: ['true'],
            ports: [{ containerPort: 8080, protocol: 'TCP' }],
          },
        },
      ],
    },
  },
  Application: {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'nextcloud', namespace: 'argocd' },
    spec: {
      project: 'default',
      source: {
        repoURL: 'https://nextcloud.github.io/helm/',
        chart: 'nextcloud',
        targetRevision: '6.2.0',
        helm: {
          releaseName: 'nextcloud',
          valuesObject: { replicaCount: 1 },
          parameters: [{ name: 'image.tag', value: '30.0.4' }],
        },
      },
      destination: {
        server: 'https://kubernetes.default.svc',
        namespace: 'nextcloud',
      },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['CreateNamespace=true'],
        retry: {
          limit: 5,
          backoff: { duration: '5s', factor: 2, maxDuration: '3m' },
        },
      },
    },
    status: {
      sync: {
        status: 'Synced',
        revision: '6.2.0',
        comparedTo: {
          source: {
            repoURL: 'https://nextcloud.github.io/helm/',
            chart: 'nextcloud',
            targetRevision: '6.2.0',
          },
          destination: {
            server: 'https://kubernetes.default.svc',
            namespace: 'nextcloud',
          },
        },
      },
      health: { status: 'Healthy', lastTransitionTime: t1 },
      resources: [
        {
          version: 'v1',
          kind: 'Service',
          namespace: 'nextcloud',
          name: 'nextcloud',
          status: 'Synced',
          health: { status: 'Healthy' },
        },
        {
          group: 'apps',
          version: 'v1',
          kind: 'Deployment',
          namespace: 'nextcloud',
          name: 'nextcloud',
          status: 'Synced',
          health: { status: 'Healthy' },
        },
      ],
      history: [
        {
          id: 0,
          revision: '6.2.0',
          deployedAt: t1,
          deployStartedAt: t0,
          source: {
            repoURL: 'https://nextcloud.github.io/helm/',
            chart: 'nextcloud',
            targetRevision: '6.2.0',
          },
        },
      ],
      operationState: {
        operation: {
          sync: { revision: '6.2.0', syncOptions: ['CreateNamespace=true'] },
          initiatedBy: { automated: true },
          retry: { limit: 5 },
        },
        phase: 'Succeeded',
        message: 'successfully synced (all tasks run)',
        startedAt: t0,
        finishedAt: t1,
        syncResult: {
          revision: '6.2.0',
          source: {
            repoURL: 'https://nextcloud.github.io/helm/',
            chart: 'nextcloud',
            targetRevision: '6.2.0',
          },
          resources: [
            {
              group: 'apps',
              version: 'v1',
              kind: 'Deployment',
              namespace: 'nextcloud',
              name: 'nextcloud',
              status: 'Synced',
              message: 'deployment.apps/nextcloud created',
              hookPhase: 'Running',
              syncPhase: 'Sync',
            },
          ],
        },
      },
      reconciledAt: t1,
      sourceType: 'Helm',
      summary: { images: ['nextcloud:30.0.4-apache'] },
      controllerNamespace: 'argocd',
    },
  },
  VolumeSnapshot: {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    metadata: { name: 'nextcloud-data-20250110', namespace: 'nextcloud' },
    spec: {
      volumeSnapshotClassName: 'csi-hostpath-snapclass',
      source: { persistentVolumeClaimName: 'nextcloud-data' },
    },
    status: {
      boundVolumeSnapshotContentName:
        'snapcontent-8f1c5a62-0b1f-4a2e-9a55-6a1d8f0c2b11',
      creationTime: t1,
      readyToUse: true,
      restoreSize: '8Gi',
    },
  },
  VolumeSnapshotContent: {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshotContent',
    metadata: { name: 'snapcontent-8f1c5a62-0b1f-4a2e-9a55-6a1d8f0c2b11' },
    spec: {
      deletionPolicy: 'Delete',
      driver: 'hostpath.csi.k8s.io',
      source: { volumeHandle: 'c1b2f6d4-6a2c-11ef-9a55-0242ac120002' },
      sourceVolumeMode: 'Filesystem',
      volumeSnapshotClassName: 'csi-hostpath-snapclass',
      volumeSnapshotRef: {
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshot',
        name: 'nextcloud-data-20250110',
        namespace: 'nextcloud',
        uid: '8f1c5a62-0b1f-4a2e-9a55-6a1d8f0c2b11',
        resourceVersion: '12345',
      },
    },
    status: {
      creationTime: 1736478072000000000,
      readyToUse: true,
      restoreSize: 8589934592,
      snapshotHandle: 'c9a1d3b4-6a2c-11ef-9a55-0242ac120002',
    },
  },
  VolumeSnapshotClass: {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshotClass',
    metadata: { name: 'csi-hostpath-snapclass' },
    driver: 'hostpath.csi.k8s.io',
    deletionPolicy: 'Delete',
    parameters: { 'csi.storage.k8s.io/snapshotter-secret-name': 'snap-secret' },
  },
};
