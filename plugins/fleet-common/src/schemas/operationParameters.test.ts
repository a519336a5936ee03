import { operationParametersSchema } from './operationParameters';
import { parseResource } from './parseResource';
import {
  OperationEngine,
  OperationType,
  allowedEnginesByType,
  operationTypes,
} from './vocabulary';

describe('operationParametersSchema', () => {
  it.each<{
    type: OperationType;
    engine: OperationEngine;
    parameters: unknown;
  }>([
    {
      type: 'RunCommand',
      engine: 'job',
      parameters: {
        image: 'bitnami/kubectl:1.31',
        command: ['sh', '-c'],
        args: ['occ maintenance:repair'],
        env: [{ name: 'A', value: '1' }],
        backoffLimit: 0,
        activeDeadlineSeconds: 600,
      },
    },
    {
      type: 'Runbook',
      engine: 'workflow',
      parameters: {
        workflowTemplate: 'restore-and-verify',
        parameters: { 'backup-name': 'b1' },
      },
    },
    {
      type: 'Backup',
      engine: 'velero',
      parameters: {
        includedNamespaces: ['team-a'],
        ttl: '720h',
        storageLocation: 'default',
        snapshotVolumes: true,
        labelSelector: { matchLabels: { app: 'nextcloud' } },
      },
    },
    {
      type: 'Restore',
      engine: 'velero',
      parameters: { backupName: 'team-a-nextcloud-backup-1' },
    },
    {
      type: 'Restore',
      engine: 'velero',
      parameters: {
        latest: true,
        includedResources: ['persistentvolumeclaims'],
      },
    },
    {
      type: 'Backup',
      engine: 'volsync',
      parameters: {
        mode: 'volumeSnapshot',
        pvcName: 'nextcloud-data',
        volumeSnapshotClassName: 'csi-snapclass',
      },
    },
    {
      type: 'Backup',
      engine: 'volsync',
      parameters: {
        mode: 'replicationSource',
        replicationSourceName: 'nextcloud-data',
        trigger: 'op-1',
      },
    },
    {
      type: 'Upgrade',
      engine: 'helm',
      parameters: { version: '6.3.0-rc.1', values: { image: { tag: '30' } } },
    },
    {
      type: 'Migration',
      engine: 'helmHookJob',
      parameters: { hook: 'nextcloud-db-migrate' },
    },
  ])('accepts $engine parameters for $type', ({ type, engine, parameters }) => {
    expect(() =>
      parseResource(
        operationParametersSchema(type, engine),
        parameters,
        'parameters',
      ),
    ).not.toThrow();
  });

  it.each<{
    type: OperationType;
    engine: OperationEngine;
    parameters: unknown;
    path: string;
  }>([
    {
      type: 'Restore',
      engine: 'velero',
      parameters: { backupName: 'b1', latest: true },
      path: 'backupName',
    },
    {
      type: 'Backup',
      engine: 'velero',
      parameters: { ttl: '30 days' },
      path: 'ttl',
    },
    {
      type: 'Backup',
      engine: 'volsync',
      parameters: { mode: 'restic' },
      path: 'mode',
    },
    {
      type: 'Backup',
      engine: 'volsync',
      parameters: { mode: 'volumeSnapshot' },
      path: 'pvcName',
    },
    {
      type: 'Runbook',
      engine: 'workflow',
      parameters: { workflowTemplate: 'x', parameters: { 'bad name': 'v' } },
      path: 'parameters.bad name',
    },
    {
      type: 'RunCommand',
      engine: 'job',
      parameters: { image: 'x', backoffLimit: -1 },
      path: 'backoffLimit',
    },
    // What a real API server refuses with 422 Invalid when the Job is created.
    {
      type: 'RunCommand',
      engine: 'job',
      parameters: { image: 'busybox:1.36', env: [{ name: 'MY VAR', value: '1' }] },
      path: 'env[0].name',
    },
    {
      type: 'RunCommand',
      engine: 'job',
      parameters: { image: 'busybox:1.36', env: [{ name: '1ST', value: '1' }] },
      path: 'env[0].name',
    },
    {
      type: 'RunCommand',
      engine: 'job',
      parameters: { image: ' busybox:1.36' },
      path: 'image',
    },
    {
      type: 'RunCommand',
      engine: 'job',
      parameters: { image: 'Busybox:latest' },
      path: 'image',
    },
    {
      type: 'RunCommand',
      engine: 'job',
      parameters: { image: 'busybox:1.36 --privileged' },
      path: 'image',
    },
  ])(
    'rejects $parameters for $engine, naming $path',
    ({ type, engine, parameters, path }) => {
      expect(() =>
        parseResource(
          operationParametersSchema(type, engine),
          parameters,
          'parameters',
        ),
      ).toThrow(`${path}: `);
    },
  );

  it('runs jobs and workflows under an RBAC profile, never a service account of the caller\'s choosing', () => {
    const job = operationParametersSchema('RunCommand', 'job');
    expect(job.parse({ image: 'busybox', rbacProfile: 'maintenance' })).toMatchObject({
      rbacProfile: 'maintenance',
    });
    expect(() =>
      parseResource(job, { image: 'busybox', serviceAccountName: 'cluster-admin' }, 'parameters'),
    ).toThrow(/serviceAccountName/);
    expect(() =>
      parseResource(operationParametersSchema('Runbook', 'workflow'), { workflowTemplate: 'wt', rbacProfile: 'Not A Profile' }, 'parameters'),
    ).toThrow(/rbacProfile/);
  });

  it.each([
    'busybox',
    'busybox:1.36',
    'bitnami/kubectl:1.31',
    'registry.example.com:5000/team/tool:v1.2.3-rc.1',
    'localhost:5000/tool',
    `ghcr.io/vworkspace/fleet-operator@sha256:${'a'.repeat(64)}`,
    `nextcloud:29@sha256:${'0'.repeat(64)}`,
  ])('accepts the image reference %s', image => {
    expect(operationParametersSchema('RunCommand', 'job').safeParse({ image }).success).toBe(true);
  });

  it.each(['A', 'MY_VAR', '_x', 'a.b-c', 'HTTP_PROXY'])('accepts the environment variable name %s', name => {
    const parsed = operationParametersSchema('RunCommand', 'job').safeParse({ image: 'busybox', env: [{ name, value: 'v' }] });
    expect(parsed.success).toBe(true);
  });

  it('knows a schema for every allowed engine of every type', () => {
    for (const type of operationTypes) {
      for (const engine of allowedEnginesByType[type]) {
        expect(operationParametersSchema(type, engine)).toBeDefined();
      }
    }
  });
});
