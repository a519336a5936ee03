/** A metav1.Condition as the real controllers write them. @public */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/**
 * Sets a condition in place, keeping `lastTransitionTime` unless the status
 * flips (the meta.SetStatusCondition rule every controller follows).
 */
export function setCondition(
  conditions: Condition[],
  next: Omit<Condition, 'lastTransitionTime'>,
  now: string,
): Condition[] {
  const existing = conditions.find(c => c.type === next.type);
  if (!existing) {
    conditions.push({ ...next, lastTransitionTime: now });
    return conditions;
  }
  if (existing.status !== next.status) existing.lastTransitionTime = now;
  existing.status = next.status;
  existing.reason = next.reason;
  existing.message = next.message;
  if (next.observedGeneration !== undefined) existing.observedGeneration = next.observedGeneration;
  return conditions;
}

/** Removes a condition type in place. */
export function removeCondition(conditions: Condition[], type: string): Condition[] {
  const index = conditions.findIndex(c => c.type === type);
  if (index >= 0) conditions.splice(index, 1);
  return conditions;
}

export function findCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find(c => c.type === type);
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
