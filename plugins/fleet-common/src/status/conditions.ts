import type { Condition, ConditionStatus } from '../schemas/conditions';

/** The least a condition has: a type and a status (metav1, Job and Argo CD conditions all do). @public */
export interface ConditionLike {
  type: string;
  status?: string;
}

/** The condition of `type`, if present. @public */
export function getCondition<C extends ConditionLike>(
  conditions: ReadonlyArray<C> | undefined,
  type: string,
): C | undefined {
  return conditions?.find(c => c.type === type);
}

/** Whether the condition of `type` is present and True. @public */
export function isTrue(
  conditions: ReadonlyArray<ConditionLike> | undefined,
  type: string,
): boolean {
  return getCondition(conditions, type)?.status === 'True';
}

/** Whether the condition of `type` is present and False. @public */
export function isFalse(
  conditions: ReadonlyArray<ConditionLike> | undefined,
  type: string,
): boolean {
  return getCondition(conditions, type)?.status === 'False';
}

/** metav1.Time has second precision; a millisecond timestamp would differ after a round trip. */
function metaTime(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A condition to set; `lastTransitionTime` is computed. @public */
export interface ConditionUpdate {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
}

/**
 * Returns `conditions` with `update` set, in place of any condition of the same type.
 * `lastTransitionTime` moves to `now` only when the status changes, as kube's
 * `meta.SetStatusCondition` does, so that "since when" stays true across reconciles.
 * @public
 */
export function setCondition(
  conditions: ReadonlyArray<Condition> | undefined,
  update: ConditionUpdate,
  now: Date = new Date(),
): Condition[] {
  const list = conditions ?? [];
  const existing = getCondition(list, update.type);
  const next: Condition = {
    ...existing,
    ...update,
    lastTransitionTime:
      existing && existing.status === update.status
        ? existing.lastTransitionTime
        : metaTime(now),
  };
  if (update.observedGeneration === undefined) {
    delete next.observedGeneration;
  }
  return existing
    ? list.map(c => (c.type === update.type ? next : c))
    : [...list, next];
}
