import {
  Condition,
  OperationPhase,
  OperationStatus,
  setCondition,
  terminalOperationPhases,
} from '@vworkspace/backstage-plugin-fleet-common';

/*
 * Conditions of an Operation:
 * - Accepted: True once started; False with the rejection reason (terminal); Unknown while it
 *   waits for a precondition (see acceptedReasons).
 * - Running: True while the engine runs, reason from the engine ("EngineStarting" between the
 *   status write that records the start and the engine resource existing); False once ended,
 *   reason = the final phase.
 * - Complete: absent until the end; True for Succeeded and PartiallySucceeded, False for
 *   Failed, TimedOut and Cancelled, reason = the final phase.
 */

/** Running reason between recording a start and the engine resource existing. @public */
export const engineStartingReason = 'EngineStarting';

/** Whether `phase` is final. @public */
export function isTerminalPhase(phase: string | undefined): phase is OperationPhase {
  return terminalOperationPhases.some(p => p === phase);
}

/** metav1.Time has second precision. @public */
export function metaTime(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A condition update without `lastTransitionTime`. */
interface Update {
  type: 'Accepted' | 'Running' | 'Complete';
  status: Condition['status'];
  reason: string;
  message: string;
}

/** Applies condition updates, stamping the Operation's generation. @public */
export function withConditions(
  status: OperationStatus,
  updates: Update[],
  generation: number | undefined,
  now: Date,
): OperationStatus {
  let conditions = status.conditions;
  for (const u of updates) {
    conditions = setCondition(conditions, { ...u, observedGeneration: generation }, now);
  }
  return { ...status, conditions };
}

/**
 * The status of an Operation that ended in `phase` (terminal), with the three conditions set
 * accordingly and `completedAt` stamped.
 * @public
 */
export function endedStatus(
  status: OperationStatus,
  end: { phase: OperationPhase; reason: string; message: string },
  generation: number | undefined,
  now: Date,
): OperationStatus {
  const success = end.phase === 'Succeeded' || end.phase === 'PartiallySucceeded';
  const updates: Update[] = [
    { type: 'Running', status: 'False', reason: end.phase, message: end.message },
    { type: 'Complete', status: success ? 'True' : 'False', reason: end.reason, message: end.message },
  ];
  return withConditions(
    { ...status, phase: end.phase, message: end.message, completedAt: status.completedAt ?? metaTime(now) },
    updates,
    generation,
    now,
  );
}

/** JSON with object keys sorted, so that key order from the API server does not count as a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)))
      : v,
  );
}

/** Whether writing `next` would change the stored status (so unchanged reconciles write nothing). @public */
export function statusChanged(current: OperationStatus | undefined, next: OperationStatus): boolean {
  return canonical(current ?? {}) !== canonical(next);
}
