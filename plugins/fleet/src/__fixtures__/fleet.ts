import type {
  AppTemplate,
  ClusterSummary,
  InstanceDetail,
  InstanceSummary,
  OperationSummary,
} from '@vworkspace/backstage-plugin-fleet-common';

/*
 * Objects as the fleet backend serves them for the demo fleet (the kube-sim clusters of
 * app-config.yaml): two clusters, one pull and one push, and a Nextcloud instance on each.
 */

export const clusterFixture = (
  overrides: Partial<ClusterSummary> = {},
): ClusterSummary => ({
  name: 'edge-paris',
  title: 'Edge Paris',
  mode: 'pull',
  labels: { region: 'eu-west', env: 'production' },
  connection: {
    state: 'connected',
    since: '2026-12-04T09:00:00Z',
    lastSeen: '2026-12-04T10:59:30Z',
  },
  instanceCount: 1,
  ...overrides,
});

export const instanceSummaryFixture = (
  overrides: Partial<InstanceSummary> = {},
): InstanceSummary => ({
  cluster: 'edge-paris',
  namespace: 'team-a',
  name: 'nextcloud',
  uid: '5b0c7a4e-1f1e-4f7d-9b8e-2f2d6a1c0a01',
  entityRef: 'component:default/edge-paris--team-a--nextcloud',
  app: 'nextcloud',
  engine: 'flux',
  owner: 'group:team-a',
  chart: {
    name: 'nextcloud',
    version: '6.2.0',
    deployedVersion: '6.1.0',
    appVersion: '29.0.0',
  },
  status: 'Progressing',
  reason: 'UpgradeInProgress',
  message: 'Helm upgrade to 6.2.0 in progress',
  capabilities: {
    Backup: 'velero',
    Restore: 'velero',
    Upgrade: 'helm',
    RunCommand: 'job',
  },
  lastBackup: {
    operation: 'nextcloud-backup-7f3k2',
    completedAt: '2026-12-04T02:00:41Z',
  },
  generation: 4,
  observedGeneration: 3,
  createdAt: '2026-11-02T08:00:00Z',
  stale: false,
  ...overrides,
});

export const operationFixture = (
  overrides: Partial<OperationSummary> = {},
): OperationSummary => ({
  cluster: 'edge-paris',
  namespace: 'team-a',
  name: 'nextcloud-backup-7f3k2',
  uid: '0d8f5e2a-9a55-4f0e-8c61-0f7f3f9e2c11',
  type: 'Backup',
  engine: 'velero',
  instance: 'nextcloud',
  phase: 'Succeeded',
  requestedBy: 'user:default/jane',
  reason: 'nightly',
  createdAt: '2026-12-04T02:00:00Z',
  startedAt: '2026-12-04T02:00:02Z',
  completedAt: '2026-12-04T02:00:41Z',
  result: { backupName: 'nextcloud-backup-7f3k2' },
  engineStatus: { phase: 'Completed' },
  delivery: { state: 'delivered' },
  stale: false,
  ...overrides,
});

export const instanceDetailFixture = (
  overrides: Partial<InstanceDetail> = {},
): InstanceDetail => ({
  summary: instanceSummaryFixture(),
  spec: {
    app: 'nextcloud',
    engine: 'flux',
    chart: {
      name: 'nextcloud',
      version: '6.2.0',
      repository: { url: 'https://nextcloud.github.io/helm/', type: 'helm' },
    },
  },
  conditions: [
    {
      type: 'Ready',
      status: 'False',
      reason: 'UpgradeInProgress',
      message: 'Helm upgrade to 6.2.0 in progress',
      lastTransitionTime: '2026-12-04T10:58:00Z',
      observedGeneration: 4,
    },
    {
      type: 'Reconciling',
      status: 'True',
      reason: 'Progressing',
      message: 'HelmRelease team-a/nextcloud is reconciling',
      lastTransitionTime: '2026-12-04T10:58:00Z',
      observedGeneration: 4,
    },
  ],
  annotations: { 'ops.vworkspace.io/backup': 'velero' },
  labels: {},
  release: { kind: 'HelmRelease', name: 'nextcloud', namespace: 'team-a' },
  operations: [
    operationFixture({
      name: 'nextcloud-upgrade-9x2q1',
      type: 'Upgrade',
      engine: 'helm',
      phase: 'Running',
      reason: 'move to 6.2.0',
      createdAt: '2026-12-04T10:57:50Z',
      startedAt: '2026-12-04T10:58:00Z',
      completedAt: undefined,
      result: { fromVersion: '6.1.0', toVersion: '6.2.0' },
      engineStatus: { phase: 'Progressing', reason: 'InstallSucceeded' },
    }),
    operationFixture(),
  ],
  ...overrides,
});

export const appFixture = (
  overrides: Partial<AppTemplate> = {},
): AppTemplate => ({
  id: 'nextcloud',
  title: 'Nextcloud',
  description: 'File sync and share',
  links: [],
  chart: {
    name: 'nextcloud',
    repository: { url: 'https://nextcloud.github.io/helm/', type: 'helm' },
    versions: ['6.3.0', '6.2.0', '6.1.0'],
  },
  defaultValues: {},
  capabilities: {
    backup: 'velero',
    restore: 'velero',
    upgrade: 'helm',
    runcommand: 'job',
  },
  operations: [
    {
      type: 'Backup',
      engine: 'velero',
      parameters: {
        type: 'object',
        properties: {
          ttl: { type: 'string', title: 'Keep for', default: '720h' },
        },
      },
      preconditions: [],
    },
    {
      type: 'Restore',
      engine: 'velero',
      // As the demo catalog declares it: the newest backup unless one is named.
      parameters: {
        type: 'object',
        properties: {
          latest: { type: 'boolean', default: true },
          backupName: { type: 'string' },
        },
      },
      preconditions: ['hasSuccessfulBackup'],
    },
    {
      type: 'Upgrade',
      engine: 'helm',
      parameters: { type: 'object', properties: {} },
      preconditions: [],
    },
    {
      type: 'RunCommand',
      engine: 'job',
      title: 'Run occ maintenance',
      description: 'Runs an occ command in the Nextcloud image',
      parameters: {
        type: 'object',
        required: ['image', 'command'],
        properties: {
          image: { type: 'string', title: 'Image', default: 'nextcloud:29' },
          command: {
            type: 'array',
            title: 'Command',
            items: { type: 'string' },
            minItems: 1,
          },
        },
      },
      preconditions: ['ready'],
    },
  ],
  ...overrides,
});
