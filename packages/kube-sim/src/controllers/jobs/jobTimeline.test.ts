import { jobProgress, jobTimeline } from './jobTimeline';

describe('jobTimeline', () => {
  const failing = jobTimeline({ run: { durationMs: 5_000, exitCode: 1 }, backoffLimit: 2 });

  it('retries a failing pod with the doubling backoff until backoffLimit + 1 pods failed', () => {
    expect(failing.attempts).toEqual([{ start: 0, end: 5_000 }, { start: 15_000, end: 20_000 }, { start: 40_000, end: 45_000 }]);
    expect(failing).toMatchObject({ end: 45_000, outcome: 'BackoffLimitExceeded' });
  });

  it.each([
    { elapsed: 1_000, want: { active: 1, failed: 0, next: 5_000 } },
    { elapsed: 6_000, want: { active: 0, failed: 1, next: 15_000 } },
    { elapsed: 16_000, want: { active: 1, failed: 1, next: 20_000 } },
    { elapsed: 45_000, want: { active: 0, failed: 3, next: undefined } },
  ])('reports pods at $elapsed ms', ({ elapsed, want }) => {
    expect(jobProgress(failing, elapsed)).toEqual(want);
  });

  it('cuts the run at the deadline and counts the killed pod as failed', () => {
    const slow = jobTimeline({ run: { durationMs: 120_000, exitCode: 0 }, backoffLimit: 6, deadlineMs: 30_000 });
    expect(slow).toMatchObject({ end: 30_000, outcome: 'DeadlineExceeded', attempts: [{ start: 0, end: 30_000 }] });
    expect(jobProgress(slow, 30_000)).toEqual({ active: 0, failed: 1, next: undefined });
  });

  it('counts failures from before a suspension against the limit', () => {
    expect(jobTimeline({ run: { durationMs: 1_000, exitCode: 1 }, backoffLimit: 2, priorFailures: 2 }).attempts).toHaveLength(1);
  });
});
