import type { RunOutcome } from './simulatedRun';

/** How a Job run ends. */
export type JobOutcome = 'Complete' | 'BackoffLimitExceeded' | 'DeadlineExceeded';

/** A Job's whole run laid out in nominal milliseconds from its start. */
export interface JobTimeline {
  /** Pod attempts, in order; the last may be cut short by the deadline. */
  attempts: Array<{ start: number; end: number }>;
  /** When the job controller decides the outcome. */
  end: number;
  outcome: JobOutcome;
}

/** The job controller's pod failure backoff: 10 s doubling per failure, capped at 6 min. */
const backoffMs = (failures: number) => Math.min(10_000 * 2 ** Math.max(0, failures - 1), 360_000);

/**
 * Lays out a Job's attempts: each pod runs `run.durationMs` and exits with
 * `run.exitCode` (every retry behaves the same); a failure is retried after the
 * backoff until `backoffLimit + 1` pods have failed, and `deadlineMs`
 * (activeDeadlineSeconds) cuts the whole run short.
 */
export function jobTimeline(options: { run: RunOutcome; backoffLimit: number; deadlineMs?: number; priorFailures?: number }): JobTimeline {
  const { run, backoffLimit, deadlineMs } = options;
  const attempts: JobTimeline['attempts'] = [];
  let failures = options.priorFailures ?? 0;
  let t = 0;
  for (;;) {
    const end = t + run.durationMs;
    if (deadlineMs !== undefined && end > deadlineMs) {
      if (t < deadlineMs) attempts.push({ start: t, end: deadlineMs });
      return { attempts, end: deadlineMs, outcome: 'DeadlineExceeded' };
    }
    attempts.push({ start: t, end });
    if (run.exitCode === 0) return { attempts, end, outcome: 'Complete' };
    failures += 1;
    if (failures > backoffLimit) return { attempts, end, outcome: 'BackoffLimitExceeded' };
    t = end + backoffMs(failures);
    if (deadlineMs !== undefined && t >= deadlineMs) return { attempts, end: deadlineMs, outcome: 'DeadlineExceeded' };
  }
}

/** Pods running and pods failed so far at `elapsed` nominal ms, and when that next changes. */
export function jobProgress(timeline: JobTimeline, elapsed: number): { active: number; failed: number; next?: number } {
  let failed = 0;
  let active = 0;
  let next: number | undefined;
  timeline.attempts.forEach((attempt, index) => {
    if (elapsed >= attempt.start && elapsed < attempt.end) active = 1;
    // Every pod but a successful last one ends failed: a pod killed at the deadline counts as failed too.
    const succeeds = timeline.outcome === 'Complete' && index === timeline.attempts.length - 1;
    if (elapsed >= attempt.end && !succeeds) failed += 1;
    for (const t of [attempt.start, attempt.end]) if (t > elapsed && (next === undefined || t < next)) next = t;
  });
  if (timeline.end > elapsed && (next === undefined || timeline.end < next)) next = timeline.end;
  return { active, failed, next };
}
