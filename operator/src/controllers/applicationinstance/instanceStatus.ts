import {
  applicationInstanceConditionTypes as conditionTypes,
  ApplicationInstanceStatus,
  argoCdApplicationStatus,
  ArgoCdApplication,
  computeStatus,
  conditionReasonPattern,
  ConditionUpdate,
  getCondition,
  HelmRelease,
  helmReleaseStatus,
  ResourceIssue,
  setCondition,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { KubeObject } from '../../runtime';
import { isSubset } from './isSubset';

/**
 * Where an instance stands, from its child's status:
 * - `Ready`: the child is ready for its current generation and at the requested chart version;
 * - `Progressing`: anything short of that, including a stale green and a failure the child
 *   still retries;
 * - `Failed`: the child gave up (Stalled, or a failed sync of the requested revision);
 * - `Suspended`: not ready, and the user told the engine to stop reconciling;
 * - `Invalid`: the instance's spec fails validation; nothing changes until it is edited.
 * @public
 */
export type InstanceState = 'Ready' | 'Progressing' | 'Failed' | 'Suspended' | 'Invalid';

/** A child of an instance, as observed. @public */
export interface ChildObservation {
  kind: 'HelmRelease' | 'Application';
  name: string;
  namespace: string;
  /** The live object; undefined when it does not exist (yet). */
  object?: KubeObject;
  /** For an Application: the source we applied, to tell a stale comparison from a current one. */
  appliedSource?: unknown;
}

/** Inputs of {@link instanceStatus}. @public */
export interface InstanceStatusInput {
  generation: number;
  /** The status as stored, whose condition transition times are kept. */
  previous?: ApplicationInstanceStatus;
  /** Validation failures; when present the instance is Invalid. */
  issues?: ResourceIssue[];
  /** Reason of the Invalid state. Default `InvalidSpec`. */
  invalidReason?: string;
  /** What the spec asks for (absent when invalid). */
  want?: { chartVersion: string; suspend: boolean };
  child?: ChildObservation;
  lastBackup?: { operation: string; completedAt: string };
  now?: Date;
}

/** Verdict of {@link childState}. @public */
export interface ChildState {
  state: InstanceState;
  reason: string;
  message: string;
}

const maxMessage = 4096;

function reasonOf(reason: string | undefined, fallback: string): string {
  return reason && conditionReasonPattern.test(reason) ? reason.slice(0, 1024) : fallback;
}

function describeChild(child: ChildObservation): string {
  return `${child.kind} ${child.namespace}/${child.name}`;
}

function helmReleaseState(child: ChildObservation, chartVersion: string): ChildState {
  const hr = child.object as HelmRelease;
  const where = describeChild(child);
  const kstatus = computeStatus(hr);
  if (kstatus.status === 'Terminating') {
    return { state: 'Progressing', reason: 'Terminating', message: `${where}: ${kstatus.message}` };
  }
  const mapped = helmReleaseStatus(hr, { chartVersion });
  switch (mapped.phase) {
    case 'Succeeded':
      return { state: 'Ready', reason: reasonOf(mapped.reason, 'Ready'), message: `${where}: ${mapped.message}` };
    case 'Failed': {
      // Stalled says that Flux gave up; Ready says what failed: both help the reader.
      const ready = getCondition(hr.status?.conditions, 'Ready');
      const detail = ready?.status === 'False' && ready.message && ready.message !== mapped.message ? ` (${ready.message})` : '';
      return { state: 'Failed', reason: reasonOf(mapped.reason, 'Stalled'), message: `${where}: ${mapped.message}${detail}` };
    }
    default:
      return { state: 'Progressing', reason: reasonOf(mapped.reason, 'Progressing'), message: `${where}: ${mapped.message}` };
  }
}

function stateOfPhase(phase: string): InstanceState {
  if (phase === 'Succeeded') return 'Ready';
  if (phase === 'Failed') return 'Failed';
  return 'Progressing';
}

function applicationState(child: ChildObservation, revision: string): ChildState {
  const app = child.object as ArgoCdApplication;
  const where = describeChild(child);
  if (app.metadata?.deletionTimestamp) {
    return { state: 'Progressing', reason: 'Terminating', message: `${where}: being deleted` };
  }
  // Argo CD records what it compared; a comparison of an older source is a stale green.
  const comparedTo = (app.status?.sync as { comparedTo?: { source?: unknown } } | undefined)?.comparedTo;
  if (child.appliedSource && comparedTo?.source && !isSubset(child.appliedSource, comparedTo.source)) {
    return { state: 'Progressing', reason: 'OutOfSync', message: `${where}: Argo CD has not compared the current source yet` };
  }
  const mapped = argoCdApplicationStatus(app, { revision });
  const state = stateOfPhase(mapped.phase);
  return { state, reason: reasonOf(mapped.reason, state), message: `${where}: ${mapped.message}` };
}

/**
 * The state of an instance from its validation and its child. Pure.
 * @public
 */
export function childState(input: Pick<InstanceStatusInput, 'issues' | 'invalidReason' | 'want' | 'child'>): ChildState {
  const { issues, want, child } = input;
  if (issues?.length || !want) {
    const list = issues ?? [];
    return {
      state: 'Invalid',
      reason: reasonOf(input.invalidReason, 'InvalidSpec'),
      message: list.length ? list.map(i => `${i.path}: ${i.message}`).join('; ') : 'spec is invalid',
    };
  }
  let verdict: ChildState;
  if (!child?.object) {
    verdict = {
      state: 'Progressing',
      reason: 'Progressing',
      message: child ? `${describeChild(child)} not created yet` : 'no child to deploy the chart',
    };
  } else if (child.kind === 'HelmRelease') {
    verdict = helmReleaseState(child, want.chartVersion);
  } else {
    verdict = applicationState(child, want.chartVersion);
  }
  if (want.suspend && verdict.state !== 'Ready') {
    return { state: 'Suspended', reason: 'Suspended', message: `reconciliation is suspended; ${verdict.message}` };
  }
  return verdict;
}

/** What is actually deployed, and what was last attempted, as the child reports it. */
function deployedChart(child: ChildObservation | undefined): Pick<ApplicationInstanceStatus, 'chart' | 'lastAppliedRevision' | 'lastAttemptedRevision'> {
  if (!child?.object) return {};
  if (child.kind === 'HelmRelease') {
    const status = (child.object as HelmRelease).status;
    const deployed = status?.history?.find(h => h.status === 'deployed');
    return {
      ...(deployed
        ? {
            chart: { version: deployed.chartVersion, ...(deployed.appVersion ? { appVersion: deployed.appVersion } : {}) },
            lastAppliedRevision: deployed.chartVersion,
          }
        : {}),
      ...(status?.lastAttemptedRevision ? { lastAttemptedRevision: status.lastAttemptedRevision } : {}),
    };
  }
  const status = (child.object as ArgoCdApplication).status;
  const op = status?.operationState;
  const synced = status?.sync?.status === 'Synced' ? status.sync.revision : undefined;
  const applied = op?.phase === 'Succeeded' ? op.syncResult?.revision : undefined;
  const version = synced ?? applied;
  return {
    ...(version ? { chart: { version } } : {}),
    ...(applied ?? synced ? { lastAppliedRevision: applied ?? synced } : {}),
    ...(op?.syncResult?.revision ? { lastAttemptedRevision: op.syncResult.revision } : {}),
  };
}

const conditionsOf: Record<InstanceState, { ready: 'True' | 'False'; reconciling: boolean; stalled: boolean }> = {
  Ready: { ready: 'True', reconciling: false, stalled: false },
  Progressing: { ready: 'False', reconciling: true, stalled: false },
  Failed: { ready: 'False', reconciling: false, stalled: true },
  Suspended: { ready: 'False', reconciling: false, stalled: false },
  Invalid: { ready: 'False', reconciling: false, stalled: true },
};

/**
 * The status of an instance: kstatus conditions (Ready, Reconciling, Stalled, all three always
 * present), what is deployed, the child, and the newest successful backup. Condition transition
 * times are kept from `previous` unless the condition's status changes, so computing the status
 * of an unchanged world returns the stored status, and the controller writes nothing.
 * @public
 */
export function instanceStatus(input: InstanceStatusInput): ApplicationInstanceStatus {
  const verdict = childState(input);
  const flags = conditionsOf[verdict.state];
  const message = verdict.message.slice(0, maxMessage);
  const observedGeneration = input.generation;
  const now = input.now ?? new Date();
  const settledReason = verdict.state === 'Ready' ? 'Succeeded' : verdict.reason;
  const updates: ConditionUpdate[] = [
    { type: conditionTypes.ready, status: flags.ready, reason: verdict.reason, message, observedGeneration },
    {
      type: conditionTypes.reconciling,
      status: flags.reconciling ? 'True' : 'False',
      reason: flags.reconciling ? verdict.reason : settledReason,
      message: flags.reconciling ? message : '',
      observedGeneration,
    },
    {
      type: conditionTypes.stalled,
      status: flags.stalled ? 'True' : 'False',
      reason: flags.stalled ? verdict.reason : settledReason,
      message: flags.stalled ? message : '',
      observedGeneration,
    },
  ];
  let conditions = (input.previous?.conditions ?? []).filter(c =>
    updates.some(u => u.type === c.type),
  );
  for (const update of updates) conditions = setCondition(conditions, update, now);
  // a stable order, so a status equal in content is equal as JSON
  conditions.sort((a, b) => updates.findIndex(u => u.type === a.type) - updates.findIndex(u => u.type === b.type));
  const child = input.child;
  return {
    observedGeneration,
    conditions,
    ...(verdict.state === 'Invalid' ? pickDeployed(input.previous) : deployedChart(child)),
    ...releaseOf(input, verdict.state),
    ...(input.lastBackup ? { lastBackup: input.lastBackup } : {}),
  };
}

/** The child the status names: the current one, or for an invalid spec the one last reported. */
function releaseOf(input: InstanceStatusInput, state: InstanceState): Pick<ApplicationInstanceStatus, 'release'> {
  const child = input.child;
  if (child && state !== 'Invalid') return { release: { kind: child.kind, name: child.name, namespace: child.namespace } };
  if (input.previous?.release && state === 'Invalid') return { release: input.previous.release };
  return {};
}

/** An invalid spec deploys nothing new: what was deployed stays as last reported. */
function pickDeployed(previous: ApplicationInstanceStatus | undefined) {
  if (!previous) return {};
  const { chart, lastAppliedRevision, lastAttemptedRevision } = previous;
  return {
    ...(chart ? { chart } : {}),
    ...(lastAppliedRevision ? { lastAppliedRevision } : {}),
    ...(lastAttemptedRevision ? { lastAttemptedRevision } : {}),
  };
}
