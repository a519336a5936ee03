import { helmRelease } from '../__fixtures__/resources';
import { helmReleaseSchema } from '../schemas/flux';
import { parseResource } from '../schemas/parseResource';
import { helmReleaseStatus } from './helmReleaseStatus';

const parsed = parseResource(helmReleaseSchema, helmRelease, 'HelmRelease');
const [ready, released] = helmRelease.status.conditions;

function variant(patch: {
  generation?: number;
  status?: Record<string, unknown>;
}) {
  return {
    ...parsed,
    metadata: { ...parsed.metadata, generation: patch.generation ?? 2 },
    status: { ...parsed.status, ...patch.status },
  } as typeof parsed;
}

describe('helmReleaseStatus', () => {
  it('keeps fields it does not model (drift detection, inventory)', () => {
    expect(parsed.spec).toHaveProperty('driftDetection', { mode: 'enabled' });
    expect(parsed.status).toHaveProperty('inventory');
  });

  it.each([
    {
      name: 'ready at the target version',
      hr: variant({}),
      want: '6.3.0',
      phase: 'Succeeded',
    },
    {
      name: 'ready, but for the old version (stale green)',
      hr: variant({}),
      want: '6.4.0',
      phase: 'Running',
      reason: 'StaleRelease',
    },
    {
      name: 'new generation not observed yet',
      hr: variant({ generation: 3 }),
      want: '6.3.0',
      phase: 'Running',
      reason: 'ProgressingGeneration',
    },
    {
      name: 'observed, but Ready from the previous generation',
      hr: variant({ generation: 3, status: { observedGeneration: 3 } }),
      want: '6.3.0',
      phase: 'Running',
      reason: 'ProgressingGeneration',
    },
    {
      name: 'upgrade failed, Flux will retry',
      hr: variant({
        status: {
          conditions: [
            {
              ...ready,
              status: 'False',
              reason: 'UpgradeFailed',
              message: 'context deadline exceeded',
            },
            released,
          ],
        },
      }),
      want: '6.3.0',
      phase: 'Running',
      reason: 'UpgradeFailed',
    },
    {
      name: 'retries exhausted',
      hr: variant({
        status: {
          conditions: [
            {
              ...ready,
              status: 'False',
              reason: 'UpgradeFailed',
              message: 'x',
            },
            {
              ...ready,
              type: 'Stalled',
              status: 'True',
              reason: 'RetriesExceeded',
              message: 'Failed to upgrade after 4 attempt(s)',
            },
          ],
        },
      }),
      want: '6.3.0',
      phase: 'Failed',
      reason: 'RetriesExceeded',
    },
    {
      name: 'ready but newest release failed',
      hr: variant({
        status: {
          history: [{ ...helmRelease.status.history[0], status: 'failed' }],
        },
      }),
      want: '6.3.0',
      phase: 'Running',
      reason: 'StaleRelease',
    },
  ])('$name → $phase', ({ hr, want, phase, reason }) => {
    const got = helmReleaseStatus(hr, { chartVersion: want });
    expect(got.phase).toBe(phase);
    expect(got.reason).toBe(reason ?? got.reason);
  });
});
