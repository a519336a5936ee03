import { KStatusObject, computeStatus } from './computeStatus';

const at = '2026-05-01T10:00:00Z';
const cond = (type: string, status: string, reason = 'R', message = '') => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: at,
});

describe('computeStatus', () => {
  it.each<{
    name: string;
    input: KStatusObject | undefined;
    want: string;
    message?: string;
  }>([
    { name: 'missing object', input: undefined, want: 'NotFound' },
    {
      name: 'being deleted',
      input: {
        metadata: { generation: 1, deletionTimestamp: at },
        status: { observedGeneration: 1, conditions: [cond('Ready', 'True')] },
      },
      want: 'Terminating',
    },
    {
      name: 'newer generation not observed, though Ready',
      input: {
        metadata: { generation: 3 },
        status: { observedGeneration: 2, conditions: [cond('Ready', 'True')] },
      },
      want: 'InProgress',
      message: 'Generation 3',
    },
    {
      name: 'generation not observed while Flux retries: Ready of the current generation says why',
      input: {
        metadata: { generation: 1 },
        status: {
          observedGeneration: -1,
          conditions: [
            {
              ...cond(
                'Ready',
                'False',
                'SourceNotReady',
                "HelmChart 'team-a/team-a-gitea' is not ready: no 'gitea' chart with version matching '99.1.0' found",
              ),
              observedGeneration: 1,
            },
          ],
        },
      },
      want: 'InProgress',
      message: "SourceNotReady: HelmChart 'team-a/team-a-gitea' is not ready",
    },
    {
      name: 'Reconciling=True',
      input: {
        metadata: { generation: 2 },
        status: {
          observedGeneration: 2,
          conditions: [
            cond('Reconciling', 'True', 'Progressing', 'Running upgrade'),
            cond('Ready', 'Unknown'),
          ],
        },
      },
      want: 'InProgress',
      message: 'Running upgrade',
    },
    {
      name: 'Stalled=True (Flux after retries)',
      input: {
        metadata: { generation: 2 },
        status: {
          observedGeneration: 2,
          conditions: [
            cond('Ready', 'False', 'UpgradeFailed'),
            cond(
              'Stalled',
              'True',
              'RetriesExceeded',
              'Failed to upgrade after 3 attempts',
            ),
          ],
        },
      },
      want: 'Failed',
      message: 'RetriesExceeded: Failed to upgrade after 3 attempts',
    },
    {
      name: 'Ready=True',
      input: {
        metadata: { generation: 2 },
        status: {
          observedGeneration: 2,
          conditions: [
            cond('Ready', 'True', 'UpgradeSucceeded', 'Helm upgrade succeeded'),
          ],
        },
      },
      want: 'Current',
    },
    {
      name: 'Ready=False without Stalled',
      input: {
        metadata: { generation: 2 },
        status: {
          observedGeneration: 2,
          conditions: [cond('Ready', 'False', 'InstallFailed', 'timed out')],
        },
      },
      want: 'InProgress',
      message: 'InstallFailed: timed out',
    },
    {
      name: 'never looked at by its controller',
      input: { metadata: { generation: 1 } },
      want: 'InProgress',
    },
    {
      name: 'Stalled=False, Ready=True',
      input: {
        status: {
          conditions: [cond('Stalled', 'False'), cond('Ready', 'True')],
        },
      },
      want: 'Current',
    },
  ])('$name → $want', ({ input, want, message }) => {
    const got = computeStatus(input);
    expect(got.status).toBe(want);
    expect(got.message).toContain(message ?? '');
  });
});
