import { computeStatus, KStatusObject } from '../status/computeStatus';
import { getCondition } from '../status/conditions';
import type { InstanceStatus } from './instances';

/** The status word of an instance, with the reason and message that decided it. @public */
export interface InstanceStatusVerdict {
  status: InstanceStatus;
  reason?: string;
  message?: string;
}

/** Reasons of a Stalled condition that mean "a wait passed its deadline, or the spec is invalid". */
const stalledReasons = /^(ProgressDeadlineExceeded|Invalid.*|.*Invalid)$/;

/**
 * The one status word of an ApplicationInstance, from its kstatus conditions: not observed yet
 * or being deleted is Progressing; Stalled=True is Stalled when a deadline passed or the spec
 * is invalid and Failed when the child gave up; Reconciling=True is Progressing; Ready=True is
 * Ready; Ready=False otherwise (e.g. suspended) is Progressing; no conditions is Unknown.
 * @public
 */
export function instanceStatusOf(obj: KStatusObject): InstanceStatusVerdict {
  const conditions = obj.status?.conditions;
  if (!conditions || conditions.length === 0) {
    return obj.metadata?.deletionTimestamp
      ? { status: 'Progressing', reason: 'Terminating', message: 'being deleted' }
      : { status: 'Unknown', message: 'the operator has not reported a status yet' };
  }
  const kstatus = computeStatus(obj);
  if (kstatus.status === 'Terminating') {
    return { status: 'Progressing', reason: 'Terminating', message: kstatus.message };
  }
  const generation = obj.metadata?.generation;
  const observed = obj.status?.observedGeneration;
  if (generation !== undefined && observed !== undefined && generation !== observed) {
    return { status: 'Progressing', reason: 'NotObserved', message: kstatus.message };
  }
  const stalled = getCondition(conditions, 'Stalled');
  if (stalled?.status === 'True') {
    return {
      status: stalledReasons.test(stalled.reason ?? '') ? 'Stalled' : 'Failed',
      reason: stalled.reason,
      message: stalled.message,
    };
  }
  const reconciling = getCondition(conditions, 'Reconciling');
  if (reconciling?.status === 'True') {
    return { status: 'Progressing', reason: reconciling.reason, message: reconciling.message };
  }
  const ready = getCondition(conditions, 'Ready');
  if (ready?.status === 'True') {
    return { status: 'Ready', reason: ready.reason, message: ready.message };
  }
  if (ready?.status === 'False') {
    return { status: 'Progressing', reason: ready.reason, message: ready.message };
  }
  return { status: 'Unknown', reason: ready?.reason, message: ready?.message };
}
