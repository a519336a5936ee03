import {
  ApplicationInstance,
  capabilityAnnotationFor,
  getCondition,
  mutatingOperationTypes,
  OperationSpec,
  OperationType,
  terminalOperationPhases,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { Engine, EngineContext } from '../../engines/Engine';
import type { KubeObject } from '@vworkspace/kube-runtime';

/**
 * Reasons of the `Accepted` condition: the vocabulary of acceptance.
 *
 * - `Accepted=True`, reason `Accepted`: preconditions held and the engine was started.
 * - `Accepted=False` (terminal, phase Failed): `InvalidSpec`, `InvalidParameters`,
 *   `TargetNotFound`, `CapabilityMismatch`, `EngineUnsupported`.
 * - `Accepted=Unknown` (phase Pending, retried until the deadline): `TargetNotReady`,
 *   `TargetBusy` (another mutating operation on the same instance runs, or is ahead in line).
 *
 * Every type but Restore waits for the target to be Ready: a restore is what brings a broken
 * instance back, so it must not wait for the instance to heal first.
 * @public
 */
export const acceptedReasons = {
  accepted: 'Accepted',
  invalidSpec: 'InvalidSpec',
  invalidParameters: 'InvalidParameters',
  targetNotFound: 'TargetNotFound',
  capabilityMismatch: 'CapabilityMismatch',
  engineUnsupported: 'EngineUnsupported',
  targetNotReady: 'TargetNotReady',
  targetBusy: 'TargetBusy',
} as const;

/** The outcome of admission. @public */
export type AdmissionDecision =
  | { kind: 'accept' }
  | { kind: 'reject'; reason: string; message: string }
  | { kind: 'wait'; reason: string; message: string };

/** An Operation as admission sees it: name, namespace, age, and its parsed spec. @public */
export interface AdmissionSubject {
  name: string;
  namespace: string;
  creationTimestamp?: string;
  spec: OperationSpec;
}

const needsReadyTarget = (type: OperationType) => type !== 'Restore';

const isMutating = (type: unknown) => mutatingOperationTypes.includes(type as OperationType);

function isTerminal(op: KubeObject): boolean {
  const phase = (op.status as { phase?: string } | undefined)?.phase;
  return terminalOperationPhases.some(p => p === phase);
}

/** Older first: creation time, then name, so that every reconciler orders the line the same way. */
function before(a: { creationTimestamp?: string; name: string }, b: { creationTimestamp?: string; name: string }): boolean {
  const ta = a.creationTimestamp ?? '';
  const tb = b.creationTimestamp ?? '';
  return ta === tb ? a.name < b.name : ta < tb;
}

/**
 * The mutating operation that keeps `subject` waiting, if any: one on the same instance that
 * runs, or that is not finished and came first. Line order (not only "is running") keeps two
 * waiting operations from starting together off a cache that has not seen the other's start.
 * @public
 */
export function blockingOperation(subject: AdmissionSubject, siblings: KubeObject[]): KubeObject | undefined {
  if (!isMutating(subject.spec.type)) return undefined;
  const spec = (o: KubeObject) => (o.spec ?? {}) as { type?: unknown; target?: { applicationInstance?: unknown } };
  const candidates = siblings.filter(o => {
    if (o.metadata?.name === subject.name || o.metadata?.namespace !== subject.namespace) return false;
    if (spec(o).target?.applicationInstance !== subject.spec.target.applicationInstance) return false;
    if (!isMutating(spec(o).type) || isTerminal(o)) return false;
    const phase = (o.status as { phase?: string } | undefined)?.phase;
    return phase === 'Running' || before({ creationTimestamp: o.metadata?.creationTimestamp, name: o.metadata?.name ?? '' }, subject);
  });
  return candidates.find(o => (o.status as { phase?: string } | undefined)?.phase === 'Running') ?? candidates[0];
}

/**
 * Decides whether an Operation may start now: refused for good (wrong engine for the
 * instance, engine-specific refusal), told to wait (target not Ready, another mutating
 * operation first), or accepted. Pure: the caller fetched the target and the siblings.
 * @public
 */
export function admitOperation(options: {
  subject: AdmissionSubject;
  target: ApplicationInstance | undefined;
  siblings: KubeObject[];
  engine: Engine;
  context?: EngineContext;
}): AdmissionDecision {
  const { subject, target, siblings, engine } = options;
  const where = `${subject.namespace}/${subject.spec.target.applicationInstance}`;
  if (!target) {
    return {
      kind: 'reject',
      reason: acceptedReasons.targetNotFound,
      message: `ApplicationInstance ${where} not found`,
    };
  }
  if (!engine.supports(subject.spec.type)) {
    return {
      kind: 'reject',
      reason: acceptedReasons.engineUnsupported,
      message: `engine ${engine.name} does not run ${subject.spec.type} operations`,
    };
  }
  const annotation = capabilityAnnotationFor(subject.spec.type);
  const declared = target.metadata.annotations?.[annotation];
  if (declared !== subject.spec.engine) {
    return {
      kind: 'reject',
      reason: acceptedReasons.capabilityMismatch,
      message: declared
        ? `ApplicationInstance ${where} runs ${subject.spec.type} operations with ${declared} (annotation ${annotation}), not ${subject.spec.engine}`
        : `ApplicationInstance ${where} declares no engine for ${subject.spec.type} operations (no annotation ${annotation})`,
    };
  }
  const refusal = options.context && engine.refuse?.(options.context);
  if (refusal) return { kind: 'reject', ...refusal };

  // Busy first: while another operation changes the instance it is not Ready either, and
  // naming that operation says more than "not Ready".
  const blocker = blockingOperation(subject, siblings);
  if (blocker) {
    const phase = (blocker.status as { phase?: string } | undefined)?.phase ?? 'Pending';
    const type = (blocker.spec as { type?: string } | undefined)?.type;
    return {
      kind: 'wait',
      reason: acceptedReasons.targetBusy,
      message: `waiting for ${type} operation ${blocker.metadata?.name} (${phase}) on ApplicationInstance ${where}: one mutating operation at a time`,
    };
  }
  if (!needsReadyTarget(subject.spec.type)) return { kind: 'accept' };
  const ready = getCondition(target.status?.conditions, 'Ready');
  const generation = target.metadata.generation;
  const observed = target.status?.observedGeneration;
  const current = generation === undefined || observed === undefined || observed === generation;
  if (ready?.status !== 'True' || !current) {
    let why = 'no Ready condition yet';
    if (!current) why = `generation ${generation} not yet observed`;
    else if (ready) why = `Ready=${ready.status} (${ready.reason}): ${ready.message}`;
    return { kind: 'wait', reason: acceptedReasons.targetNotReady, message: `waiting for ApplicationInstance ${where} to be Ready: ${why}` };
  }
  return { kind: 'accept' };
}
