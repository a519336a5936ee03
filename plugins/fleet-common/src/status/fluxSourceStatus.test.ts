import { FluxSourceLike, fluxSourceFailure } from './fluxSourceStatus';

const source = (
  generation: number,
  status: FluxSourceLike['status'],
): FluxSourceLike => ({
  kind: 'HelmRepository',
  metadata: { name: 'repo-1', namespace: 'team-a', generation },
  status,
});
const notFound =
  'failed to fetch Helm repository index: failed to fetch https://charts.example.com/index.yaml : 404 Not Found';

describe('fluxSourceFailure', () => {
  it.each<{
    name: string;
    input: FluxSourceLike | undefined;
    want: ReturnType<typeof fluxSourceFailure>;
  }>([
    { name: 'no source', input: undefined, want: undefined },
    {
      name: 'ready',
      input: source(1, {
        observedGeneration: 1,
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Succeeded',
            observedGeneration: 1,
          },
        ],
      }),
      want: undefined,
    },
    {
      name: 'failing fetch, retried: observedGeneration lags, the condition is current',
      input: source(1, {
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'Failed',
            message: notFound,
            observedGeneration: 1,
          },
        ],
      }),
      want: {
        source: 'HelmRepository team-a/repo-1',
        stalled: false,
        reason: 'Failed',
        message: notFound,
      },
    },
    {
      name: 'failure of an older generation',
      input: source(2, {
        observedGeneration: 1,
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'Failed',
            message: notFound,
            observedGeneration: 1,
          },
        ],
      }),
      want: undefined,
    },
    {
      name: 'a condition without its own generation falls back on the status one',
      input: source(2, {
        observedGeneration: 2,
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'Failed',
            message: notFound,
          },
        ],
      }),
      want: {
        source: 'HelmRepository team-a/repo-1',
        stalled: false,
        reason: 'Failed',
        message: notFound,
      },
    },
    {
      name: 'stalled',
      input: source(1, {
        observedGeneration: 1,
        conditions: [
          {
            type: 'Stalled',
            status: 'True',
            reason: 'InvalidURL',
            message: 'bad URL',
            observedGeneration: 1,
          },
          {
            type: 'Ready',
            status: 'False',
            reason: 'InvalidURL',
            message: 'bad URL',
            observedGeneration: 1,
          },
        ],
      }),
      want: {
        source: 'HelmRepository team-a/repo-1',
        stalled: true,
        reason: 'InvalidURL',
        message: 'bad URL',
      },
    },
    {
      name: 'still fetching',
      input: source(1, {
        conditions: [
          {
            type: 'Ready',
            status: 'Unknown',
            reason: 'Progressing',
            observedGeneration: 1,
          },
        ],
      }),
      want: undefined,
    },
  ])('$name', ({ input, want }) => {
    expect(fluxSourceFailure(input)).toEqual(want);
  });
});
