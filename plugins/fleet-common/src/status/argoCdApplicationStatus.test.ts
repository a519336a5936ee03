import { argoCdApplicationSchema } from '../schemas/argoCd';
import { parseResource } from '../schemas/parseResource';
import { argoCdApplicationStatus } from './argoCdApplicationStatus';

const app = (status: unknown) =>
  parseResource(
    argoCdApplicationSchema,
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'team-a-nextcloud', namespace: 'argocd' },
      spec: {
        project: 'default',
        source: {
          repoURL: 'https://nextcloud.github.io/helm/',
          chart: 'nextcloud',
          targetRevision: '6.3.0',
          helm: { releaseName: 'nextcloud', valuesObject: { replicaCount: 1 } },
        },
        destination: {
          server: 'https://kubernetes.default.svc',
          namespace: 'team-a',
        },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
      status,
    },
    'Application',
  );

const op = (phase: string, revision: string, message = '') => ({
  operation: { sync: { revision } },
  phase,
  message,
  startedAt: '2026-05-01T10:00:00Z',
  ...(phase === 'Running' ? {} : { finishedAt: '2026-05-01T10:01:00Z' }),
  syncResult: {
    revision,
    source: { repoURL: 'https://nextcloud.github.io/helm/' },
  },
});

describe('argoCdApplicationStatus', () => {
  it.each([
    { name: 'not compared yet', status: undefined, phase: 'Pending' },
    {
      name: 'out of sync',
      status: {
        sync: { status: 'OutOfSync', revision: '6.2.0' },
        health: { status: 'Healthy' },
      },
      phase: 'Running',
      reason: 'OutOfSync',
    },
    {
      name: 'syncing',
      status: {
        sync: { status: 'OutOfSync', revision: '6.2.0' },
        operationState: op('Running', '6.3.0'),
      },
      phase: 'Running',
      reason: 'Syncing',
    },
    {
      name: 'synced, progressing',
      status: {
        sync: { status: 'Synced', revision: '6.3.0' },
        health: { status: 'Progressing' },
        operationState: op('Succeeded', '6.3.0'),
      },
      phase: 'Running',
      reason: 'Progressing',
    },
    {
      name: 'synced, degraded (may recover)',
      status: {
        sync: { status: 'Synced', revision: '6.3.0' },
        health: { status: 'Degraded', message: 'CrashLoopBackOff' },
      },
      phase: 'Running',
      reason: 'Degraded',
    },
    {
      name: 'synced and healthy',
      status: {
        sync: { status: 'Synced', revision: '6.3.0' },
        health: { status: 'Healthy' },
        operationState: op('Succeeded', '6.3.0'),
      },
      phase: 'Succeeded',
    },
    {
      name: 'healthy, but at the old revision (stale green)',
      status: {
        sync: { status: 'Synced', revision: '6.2.0' },
        health: { status: 'Healthy' },
      },
      phase: 'Running',
      reason: 'OutOfSync',
    },
    {
      name: 'sync of the target failed',
      status: {
        sync: { status: 'OutOfSync', revision: '6.2.0' },
        operationState: op(
          'Failed',
          '6.3.0',
          'one or more objects failed to apply',
        ),
      },
      phase: 'Failed',
      reason: 'SyncFailed',
    },
    {
      name: 'an older sync failed',
      status: {
        sync: { status: 'OutOfSync', revision: '6.1.0' },
        operationState: op('Failed', '6.2.0'),
      },
      phase: 'Running',
      reason: 'OutOfSync',
    },
  ])('$name → $phase', ({ status, phase, reason }) => {
    const got = argoCdApplicationStatus(app(status), { revision: '6.3.0' });
    expect(got.phase).toBe(phase);
    expect(got.reason).toBe(reason ?? got.reason);
  });
});
