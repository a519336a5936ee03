import type { KStatusObject } from './computeStatus';
import { getCondition } from './conditions';

/**
 * A Flux source (HelmRepository, OCIRepository or HelmChart) as far as its health goes: the
 * parts every source kind shares.
 * @public
 */
export interface FluxSourceLike extends KStatusObject {
  kind?: string;
  metadata?: KStatusObject['metadata'] & { name?: string; namespace?: string };
}

/** Why a source cannot deliver a chart, from {@link fluxSourceFailure}. @public */
export interface FluxSourceFailure {
  /** `Kind namespace/name` of the source. */
  source: string;
  /** True when source-controller gave up (Stalled): a retry will not help without a change. */
  stalled: boolean;
  reason: string;
  message: string;
}

/**
 * Whether a condition speaks for the object's current generation. Flux writes a condition's
 * own `observedGeneration` on every pass, but advances `status.observedGeneration` only when a
 * pass ends well or stalls: a fetch that keeps failing leaves it behind while the Ready
 * condition already says why. So the condition's own generation is the one to trust; only a
 * condition without one falls back on the status'.
 * @public
 */
export function isConditionCurrent(
  condition: { observedGeneration?: number } | undefined,
  object: FluxSourceLike,
): boolean {
  if (!condition) return false;
  const generation = object.metadata?.generation;
  if (generation === undefined) return true;
  const observed =
    condition.observedGeneration ?? object.status?.observedGeneration;
  return observed !== undefined && observed >= generation;
}

/**
 * The failure a Flux source reports for its current generation (Stalled, or Ready=False), or
 * undefined when it is ready, still working, or has not looked at its current generation yet.
 * Pure.
 * @public
 */
export function fluxSourceFailure(
  source: FluxSourceLike | undefined,
): FluxSourceFailure | undefined {
  if (!source) return undefined;
  const where = `${source.kind ?? 'source'} ${
    source.metadata?.namespace ?? ''
  }/${source.metadata?.name ?? ''}`;
  const conditions = source.status?.conditions;
  const stalled = getCondition(conditions, 'Stalled');
  if (stalled?.status === 'True' && isConditionCurrent(stalled, source)) {
    return {
      source: where,
      stalled: true,
      reason: stalled.reason || 'Stalled',
      message: stalled.message || `${where} stalled`,
    };
  }
  const ready = getCondition(conditions, 'Ready');
  if (ready?.status === 'False' && isConditionCurrent(ready, source)) {
    return {
      source: where,
      stalled: false,
      reason: ready.reason || 'SourceNotReady',
      message: ready.message || `${where} is not ready`,
    };
  }
  return undefined;
}
