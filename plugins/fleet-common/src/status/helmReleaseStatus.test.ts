import { helmRelease } from '../__fixtures__/resources';
import { helmReleaseSchema } from '../schemas/flux';
import { parseResource } from '../schemas/parseResource';
import type { FluxSourceLike } from './fluxSourceStatus';
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
    {
      name: 'new generation not observed, but Ready of that generation carries the error',
      hr: variant({
        generation: 3,
        status: {
          conditions: [
            {
              ...ready,
              status: 'False',
              reason: 'SourceNotReady',
              message:
                "HelmChart 'team-a/team-a-nextcloud' is not ready: invalid chart reference: failed to get chart version for remote reference: no 'nextcloud' chart with version matching '99.1.0' found",
              observedGeneration: 3,
            },
          ],
        },
      }),
      want: '99.1.0',
      phase: 'Running',
      reason: 'SourceNotReady',
      message: "no 'nextcloud' chart with version matching '99.1.0' found",
    },
    {
      name: 'Stalled of a previous generation is not final',
      hr: variant({
        generation: 3,
        status: {
          conditions: [
            {
              ...ready,
              type: 'Stalled',
              status: 'True',
              reason: 'RetriesExceeded',
              message: 'Failed to upgrade after 4 attempt(s)',
              observedGeneration: 2,
            },
          ],
        },
      }),
      want: '6.3.0',
      phase: 'Running',
      reason: 'ProgressingGeneration',
    },
  ])('$name → $phase', ({ hr, want, phase, reason, message }) => {
    const got = helmReleaseStatus(hr, { chartVersion: want });
    expect(got.phase).toBe(phase);
    expect(got.reason).toBe(reason ?? got.reason);
    expect(got.message).toContain(message ?? '');
  });
});

describe('helmReleaseStatus with its chart sources', () => {
  const waiting = variant({
    generation: 3,
    status: {
      conditions: [
        {
          ...ready,
          status: 'False',
          reason: 'SourceNotReady',
          message:
            "HelmChart 'team-a/team-a-nextcloud' is not ready: no artifact available for HelmRepository source 'nextcloud'",
          observedGeneration: 3,
        },
      ],
    },
  });
  const repository = (
    conditions: NonNullable<FluxSourceLike['status']>['conditions'],
  ) => ({
    kind: 'HelmRepository',
    metadata: { name: 'nextcloud', namespace: 'team-a', generation: 1 },
    // source-controller does not advance observedGeneration on a failure it retries
    status: { conditions },
  });
  const indexNotFound = {
    type: 'Ready',
    status: 'False',
    reason: 'Failed',
    message:
      'failed to fetch Helm repository index: failed to fetch https://charts.example.com/index.yaml : 404 Not Found',
    observedGeneration: 1,
  };

  it.each<{
    name: string;
    sources: Array<FluxSourceLike | undefined>;
    phase: string;
    reason: string;
    message: string;
  }>([
    {
      name: 'a failing repository explains the release',
      sources: [repository([indexNotFound])],
      phase: 'Running',
      reason: 'Failed',
      message:
        'HelmRepository team-a/nextcloud: failed to fetch Helm repository index',
    },
    {
      name: 'a stalled source is final',
      sources: [
        {
          kind: 'HelmChart',
          metadata: {
            name: 'team-a-nextcloud',
            namespace: 'team-a',
            generation: 2,
          },
          status: {
            observedGeneration: 2,
            conditions: [
              {
                type: 'Stalled',
                status: 'True',
                reason: 'InvalidChartReference',
                message: 'no chart name found',
                observedGeneration: 2,
              },
            ],
          },
        },
      ],
      phase: 'Failed',
      reason: 'InvalidChartReference',
      message: 'HelmChart team-a/team-a-nextcloud: no chart name found',
    },
    {
      name: 'a source failure of an older generation is not current',
      sources: [
        {
          ...repository([{ ...indexNotFound, observedGeneration: 1 }]),
          metadata: { name: 'nextcloud', namespace: 'team-a', generation: 2 },
        },
      ],
      phase: 'Running',
      reason: 'SourceNotReady',
      message: 'no artifact available',
    },
    {
      name: 'a healthy source leaves the release to speak',
      sources: [
        repository([
          {
            ...indexNotFound,
            status: 'True',
            reason: 'Succeeded',
            message: 'stored artifact',
          },
        ]),
        undefined,
      ],
      phase: 'Running',
      reason: 'SourceNotReady',
      message: 'no artifact available',
    },
  ])('$name', ({ sources, phase, reason, message }) => {
    const got = helmReleaseStatus(
      waiting,
      { chartVersion: '6.3.0' },
      { sources },
    );
    expect(got).toMatchObject({ phase, reason });
    expect(got.message).toContain(message);
  });

  it('ignores a failing source once the release is deployed at the wanted version', () => {
    const got = helmReleaseStatus(
      variant({}),
      { chartVersion: '6.3.0' },
      { sources: [repository([indexNotFound])] },
    );
    expect(got.phase).toBe('Succeeded');
  });
});
