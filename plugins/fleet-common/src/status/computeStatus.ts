import { getCondition } from './conditions';

/** kstatus status values. @public */
export type KStatus =
  | 'InProgress'
  | 'Current'
  | 'Failed'
  | 'Terminating'
  | 'NotFound';

/** Result of {@link computeStatus}. @public */
export interface ComputedStatus {
  status: KStatus;
  message: string;
}

/** The parts of any object that kstatus reads. @public */
export interface KStatusObject {
  metadata?: { generation?: number; deletionTimestamp?: string };
  status?: {
    observedGeneration?: number;
    conditions?: ReadonlyArray<{
      type: string;
      status?: string;
      reason?: string;
      message?: string;
      observedGeneration?: number;
    }>;
  };
}

/**
 * The kstatus status of a custom resource with conditions, in the order of
 * sigs.k8s.io/cli-utils: deletion, generation, Reconciling, Stalled. Then the Ready condition,
 * which every kind we watch reports: kstatus calls an object without conditions Current, but a
 * HelmRelease the controller has not looked at yet is not deployed, so here it is InProgress.
 * @public
 */
export function computeStatus(
  obj: KStatusObject | undefined | null,
): ComputedStatus {
  if (!obj) {
    return { status: 'NotFound', message: 'Resource not found' };
  }
  if (obj.metadata?.deletionTimestamp) {
    return {
      status: 'Terminating',
      message: 'Resource scheduled for deletion',
    };
  }
  const generation = obj.metadata?.generation;
  const observed = obj.status?.observedGeneration;
  if (
    generation !== undefined &&
    observed !== undefined &&
    observed !== generation
  ) {
    // Flux leaves status.observedGeneration behind while it retries a failure, but writes the
    // Ready condition for the current generation: that condition says what is wrong.
    const ready = getCondition(obj.status?.conditions, 'Ready');
    if (ready?.status === 'False' && ready.observedGeneration === generation) {
      return {
        status: 'InProgress',
        message: describe(ready, 'Resource is not Ready'),
      };
    }
    return {
      status: 'InProgress',
      message: `Generation ${generation} not yet observed (observed ${observed})`,
    };
  }
  const conditions = obj.status?.conditions;
  const reconciling = getCondition(conditions, 'Reconciling');
  if (reconciling?.status === 'True') {
    return {
      status: 'InProgress',
      message: describe(reconciling, 'Reconciling'),
    };
  }
  const stalled = getCondition(conditions, 'Stalled');
  if (stalled?.status === 'True') {
    return { status: 'Failed', message: describe(stalled, 'Stalled') };
  }
  const ready = getCondition(conditions, 'Ready');
  switch (ready?.status) {
    case 'True':
      return {
        status: 'Current',
        message: describe(ready, 'Resource is Ready'),
      };
    case 'False':
      return {
        status: 'InProgress',
        message: describe(ready, 'Resource is not Ready'),
      };
    default:
      return {
        status: 'InProgress',
        message: ready
          ? describe(ready, 'Readiness unknown')
          : 'Waiting for a Ready condition',
      };
  }
}

function describe(
  c: { reason?: string; message?: string },
  fallback: string,
): string {
  if (c.message) return c.reason ? `${c.reason}: ${c.message}` : c.message;
  return c.reason ?? fallback;
}
