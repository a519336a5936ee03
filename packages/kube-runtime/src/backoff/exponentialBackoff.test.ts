import { backoffDelay } from './exponentialBackoff';

describe('backoffDelay', () => {
  it.each([
    { name: 'doubles per attempt up to the ceiling', backoff: { initialMs: 100, maxMs: 1000 }, attempts: [0, 1, 2, 3, 4, 5], want: [100, 200, 400, 800, 1000, 1000] },
    { name: 'grows by the given factor', backoff: { initialMs: 10, maxMs: 10_000, factor: 10 }, attempts: [0, 1, 2, 3, 4], want: [10, 100, 1000, 10_000, 10_000] },
    { name: 'stays finite far past the ceiling', backoff: { initialMs: 5, maxMs: 1_000_000 }, attempts: [10_000], want: [1_000_000] },
    { name: 'adds jitter of the base, never past the ceiling', backoff: { initialMs: 100, maxMs: 500, jitter: 1 }, attempts: [0, 1, 2], want: [150, 300, 500] },
  ])('$name', ({ backoff, attempts, want }) => {
    expect(attempts.map(a => backoffDelay(backoff, a, () => 0.5))).toEqual(want);
  });
});
