/* Objects shaped as the API server and the real controllers return them. */

export const nextcloudInstance = {
  apiVersion: 'apps.vworkspace.io/v1alpha1',
  kind: 'ApplicationInstance',
  metadata: {
    name: 'nextcloud',
    namespace: 'team-a',
    generation: 3,
    resourceVersion: '4711',
    uid: '6f1c5a3e-2a9b-4c1e-9d43-0d3f0b7e8a11',
    creationTimestamp: '2026-05-01T10:00:00Z',
    annotations: {
      'ops.vworkspace.io/backup': 'velero',
      'ops.vworkspace.io/restore': 'velero',
      'ops.vworkspace.io/upgrade': 'helm',
      'backstage.io/owner': 'group:team-a',
    },
  },
  spec: {
    app: 'nextcloud',
    engine: 'flux',
    chart: {
      name: 'nextcloud',
      version: '6.2.0',
      repository: { url: 'https://nextcloud.github.io/helm/', type: 'helm' },
    },
    values: { nextcloud: { host: 'cloud.example.org' }, replicaCount: 1 },
    valuesFrom: [
      { kind: 'Secret', name: 'nextcloud-admin', valuesKey: 'values.yaml' },
    ],
    interval: '10m',
    suspend: false,
  },
  status: {
    observedGeneration: 3,
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'InstallSucceeded',
        message:
          'Helm install succeeded for release team-a/nextcloud.v1 with chart nextcloud@6.2.0',
        lastTransitionTime: '2026-05-01T10:02:11Z',
        observedGeneration: 3,
      },
    ],
    chart: { version: '6.2.0', appVersion: '29.0.0' },
    lastAppliedRevision: '6.2.0',
    lastAttemptedRevision: '6.2.0',
    release: { kind: 'HelmRelease', name: 'nextcloud', namespace: 'team-a' },
    lastBackup: {
      operation: 'nextcloud-backup-1',
      completedAt: '2026-05-02T02:00:31Z',
    },
  },
};

export const backupOperation = {
  apiVersion: 'ops.vworkspace.io/v1alpha1',
  kind: 'Operation',
  metadata: { name: 'nextcloud-backup-1', namespace: 'team-a', generation: 1 },
  spec: {
    type: 'Backup',
    engine: 'velero',
    target: { applicationInstance: 'nextcloud' },
    parameters: { ttl: '720h', snapshotVolumes: true },
    timeoutSeconds: 3600,
    requestedBy: 'user:default/jane',
    reason: 'before upgrade to 6.3',
  },
  status: {
    phase: 'Succeeded',
    observedGeneration: 1,
    startedAt: '2026-05-02T02:00:00Z',
    completedAt: '2026-05-02T02:00:31Z',
    conditions: [
      {
        type: 'Accepted',
        status: 'True',
        reason: 'Accepted',
        message: '',
        lastTransitionTime: '2026-05-02T02:00:00Z',
      },
      {
        type: 'Complete',
        status: 'True',
        reason: 'BackupCompleted',
        message: 'Backup completed',
        lastTransitionTime: '2026-05-02T02:00:31Z',
      },
    ],
    engineRef: {
      apiVersion: 'velero.io/v1',
      kind: 'Backup',
      name: 'team-a-nextcloud-backup-1',
      namespace: 'velero',
    },
    engineStatus: { phase: 'Completed', warnings: 2 },
    result: { backupName: 'team-a-nextcloud-backup-1' },
  },
};

export const helmRelease = {
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'nextcloud', namespace: 'team-a', generation: 2 },
  spec: {
    interval: '10m',
    releaseName: 'nextcloud',
    chart: {
      spec: {
        chart: 'nextcloud',
        version: '6.3.0',
        sourceRef: {
          kind: 'HelmRepository',
          name: 'nextcloud',
          namespace: 'team-a',
        },
        interval: '10m',
        reconcileStrategy: 'ChartVersion',
      },
    },
    install: { remediation: { retries: 3 } },
    upgrade: {
      remediation: {
        retries: 3,
        remediateLastFailure: true,
        strategy: 'rollback',
      },
    },
    values: { replicaCount: 1 },
    driftDetection: { mode: 'enabled' },
  },
  status: {
    observedGeneration: 2,
    lastAttemptedGeneration: 2,
    lastAttemptedRevision: '6.3.0',
    lastAttemptedConfigDigest: 'sha256:1f2e3d',
    lastAttemptedReleaseAction: 'upgrade',
    helmChart: 'team-a/team-a-nextcloud',
    storageNamespace: 'team-a',
    installFailures: 0,
    upgradeFailures: 0,
    failures: 0,
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'UpgradeSucceeded',
        message:
          'Helm upgrade succeeded for release team-a/nextcloud.v2 with chart nextcloud@6.3.0',
        lastTransitionTime: '2026-05-03T09:00:00Z',
        observedGeneration: 2,
      },
      {
        type: 'Released',
        status: 'True',
        reason: 'UpgradeSucceeded',
        message: 'Helm upgrade succeeded',
        lastTransitionTime: '2026-05-03T09:00:00Z',
        observedGeneration: 2,
      },
    ],
    history: [
      {
        name: 'nextcloud',
        namespace: 'team-a',
        version: 2,
        status: 'deployed',
        chartName: 'nextcloud',
        chartVersion: '6.3.0',
        appVersion: '30.0.0',
        configDigest: 'sha256:1f2e3d',
        digest: 'sha256:aa11',
        firstDeployed: '2026-05-01T10:02:00Z',
        lastDeployed: '2026-05-03T08:59:40Z',
      },
      {
        name: 'nextcloud',
        namespace: 'team-a',
        version: 1,
        status: 'superseded',
        chartName: 'nextcloud',
        chartVersion: '6.2.0',
        appVersion: '29.0.0',
        configDigest: 'sha256:0a0b0c',
        digest: 'sha256:bb22',
        firstDeployed: '2026-05-01T10:02:00Z',
        lastDeployed: '2026-05-01T10:02:00Z',
      },
    ],
    inventory: { entries: [] },
  },
};
