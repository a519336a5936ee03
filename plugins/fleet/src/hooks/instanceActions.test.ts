import type { InstanceDetail } from '@vworkspace/backstage-plugin-fleet-common';
import {
  appFixture,
  clusterFixture,
  instanceDetailFixture,
  instanceSummaryFixture,
  operationFixture,
} from '../__fixtures__/fleet';
import {
  instanceActions,
  isInFlight,
  successfulBackups,
  upgradeVersions,
} from './instanceActions';

const allowed = { loading: false, allowed: true };
const readyIdle: InstanceDetail = instanceDetailFixture({
  summary: instanceSummaryFixture({
    status: 'Ready',
    reason: 'Succeeded',
    message: 'Release reconciled',
  }),
  operations: [operationFixture()],
});

function reasons(
  detail: InstanceDetail,
  options: Partial<Parameters<typeof instanceActions>[0]> = {},
) {
  return Object.fromEntries(
    instanceActions({
      detail,
      app: appFixture(),
      cluster: clusterFixture(),
      permission: allowed,
      ...options,
    }).map(a => [a.title, a.disabledReason ?? 'enabled']),
  );
}

describe('instanceActions', () => {
  it('offers every operation of the template, Backup, Restore and Upgrade first', () => {
    expect(reasons(readyIdle)).toEqual({
      'Backup now': 'enabled',
      Restore: 'enabled',
      Upgrade: 'enabled',
      'Run occ maintenance': 'enabled',
    });
  });

  it('disables everything, saying why, when the caller is denied', () => {
    expect(
      Object.values(
        reasons(readyIdle, { permission: { loading: false, allowed: false } }),
      ),
    ).toEqual(
      Array(4).fill(
        'You are not allowed to run operations on this instance (fleet.operation.create).',
      ),
    );
  });

  it('waits for the permission answer before enabling anything', () => {
    expect(
      reasons(readyIdle, { permission: { loading: true, allowed: false } })
        .Restore,
    ).toBe('Checking your permission…');
  });

  it('blocks mutating operations while one is in flight, not backups', () => {
    const busy = instanceDetailFixture({
      summary: readyIdle.summary,
      operations: [
        operationFixture({ name: 'up-1', type: 'Upgrade', phase: 'Running' }),
        operationFixture(),
      ],
    });
    const got = reasons(busy);
    expect(got['Backup now']).toBe('enabled');
    expect(got.Restore).toBe(
      'Upgrade up-1 is still in progress; one change runs at a time.',
    );
    expect(got.Upgrade).toBe(got.Restore);
  });

  it('names the failing ready precondition with the reason of the status', () => {
    const notReady = instanceDetailFixture();
    expect(reasons(notReady)['Run occ maintenance']).toBe(
      'The instance is Progressing, not Ready (UpgradeInProgress: Helm upgrade to 6.2.0 in progress).',
    );
  });

  it('cannot restore without a successful backup', () => {
    const noBackup = instanceDetailFixture({
      summary: instanceSummaryFixture({
        status: 'Ready',
        lastBackup: undefined,
      }),
      operations: [operationFixture({ phase: 'Failed' })],
    });
    expect(reasons(noBackup).Restore).toBe(
      'There is no successful backup to restore yet.',
    );
  });

  it('blocks a push cluster that is unreachable, not a pull cluster', () => {
    const down = {
      state: 'unreachable' as const,
      since: '2026-12-04T10:00:00Z',
      error: 'dial tcp 10.0.0.1:6443: i/o timeout',
    };
    expect(
      reasons(readyIdle, {
        cluster: clusterFixture({ mode: 'push', connection: down }),
      })['Backup now'],
    ).toBe(
      'Cluster edge-paris is unreachable: dial tcp 10.0.0.1:6443: i/o timeout.',
    );
    expect(
      reasons(readyIdle, {
        cluster: clusterFixture({ mode: 'pull', connection: down }),
      })['Backup now'],
    ).toBe('enabled');
  });

  it('has nothing to upgrade to when the catalog offers only the current version', () => {
    const app = appFixture();
    app.chart.versions = ['6.2.0'];
    expect(reasons(readyIdle, { app }).Upgrade).toBe(
      'The app catalog offers no other chart version.',
    );
  });

  it('refuses an operation the instance has no capability for', () => {
    const detail = instanceDetailFixture({
      summary: instanceSummaryFixture({
        status: 'Ready',
        capabilities: { backup: 'velero', restore: 'velero', upgrade: 'helm' },
      }),
    });
    expect(reasons(detail)['Run occ maintenance']).toBe(
      'This instance does not declare the RunCommand capability.',
    );
  });

  it('offers nothing without an app template', () => {
    expect(
      instanceActions({
        detail: readyIdle,
        app: undefined,
        cluster: undefined,
        permission: allowed,
      }),
    ).toEqual([]);
  });
});

describe('helpers', () => {
  it('lists successful backups only', () => {
    const ops = [
      operationFixture({ name: 'a', phase: 'Failed' }),
      operationFixture({ name: 'b' }),
      operationFixture({ name: 'c', type: 'Upgrade' }),
      operationFixture({ name: 'd', phase: 'PartiallySucceeded' }),
    ];
    expect(successfulBackups(ops).map(o => o.name)).toEqual(['b', 'd']);
  });
  it('treats an operation waiting for delivery as in flight, a refused one as not', () => {
    expect(
      isInFlight(
        operationFixture({ phase: undefined, delivery: { state: 'pending' } }),
      ),
    ).toBe(true);
    expect(
      isInFlight(
        operationFixture({
          phase: undefined,
          delivery: { state: 'failed', error: 'refused' },
        }),
      ),
    ).toBe(false);
  });
  it('offers the catalog versions other than the one asked for', () => {
    expect(upgradeVersions(readyIdle, appFixture())).toEqual([
      '6.3.0',
      '6.1.0',
    ]);
  });
});
