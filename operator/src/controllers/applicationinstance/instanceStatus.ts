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
import type { KubeObject } from '@vworkspace/kube-runtime';
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
  /**
   * For a HelmRelease: its chart sources as cached (HelmRepository or OCIRepository). A source
   * that fails explains a release that cannot get its chart.
   */
  sources?: ReadonlyArray<KubeObject | undefined>;
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
  /**
   * A child could not be written (see `describeApplyFailure`); the operator retries with
   * backoff, so the instance is Progressing with this reason until it works or the deadline
   * passes.
   */
  applyFailure?: { reason: string; message: string };
  lastBackup?: { operation: string; completedAt: string };
  now?: Date;
  /**
   * How long an instance may stay Progressing for one generation before it says Stalled
   * (reason `ProgressDeadlineExceeded`) with what it was waiting for. Default
   * {@link defaultProgressDeadlineMs}; 0 or less waits without a deadline.
   */
  progressDeadlineMs?: number;
}

/**
 * Default of {@link InstanceStatusInput.progressDeadlineMs}: 15 minutes, longer than a Flux
 * upgrade with its default 5 minute timeout followed by a rollback and a retry, so that only a
 * wait that is really stuck is called Stalled.
 * @public
 */
export const defaultProgressDeadlineMs = 15 * 60_000;

/** Reason of the Stalled state an instance enters when its progress deadline passes. @public */
export const progressDeadlineExceeded = 'ProgressDeadlineExceeded';

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
  const mapped = helmReleaseStatus(hr, { chartVersion }, { sources: child.sources });
  switch (mapped.phase) {
    case 'Succeeded':
      return { state: 'Ready', reason: reasonOf(mapped.reason, 'Ready'), message: `${where}: ${mapped.message}` };
    case 'Failed': {
      // Stalled says that Flux gave up; Released (the failed install or upgrade itself, when a
      // rollback since made Ready speak of the rollback) or else Ready says what failed.
      const why = ['Released', 'Ready']
        .map(type => getCondition(hr.status?.conditions, type))
        .find(c => c?.status === 'False' && c.message && c.message !== mapped.message);
      const detail = why ? ` (${why.message})` : '';
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
export function childState(input: Pick<InstanceStatusInput, 'issues' | 'invalidReason' | 'want' | 'child' | 'applyFailure'>): ChildState {
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
  if (input.applyFailure) {
    verdict = { state: 'Progressing', reason: reasonOf(input.applyFailure.reason, 'ApplyFailed'), message: input.applyFailure.message };
  } else if (!child?.object) {
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
  const now = input.now ?? new Date();
  const verdict = withDeadline(childState(input), input, now);
  const flags = conditionsOf[verdict.state];
  const message = verdict.message.slice(0, maxMessage);
  const observedGeneration = input.generation;
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
  let conditions = (input.previous?.conditions ?? []).filter(
    c => updates.some(u => u.type === c.type) && !(c.type === conditionTypes.ready && notReadySinceEarlierGeneration(c, observedGeneration)),
  );
  for (const update of updates) conditions = setCondition(conditions, update, now);
  // a stable order, so a status equal in content is equal as JSON
  conditions.sort((a, b) => updates.findIndex(u => u.type === a.type) - updates.findIndex(u => u.type === b.type));
  const child = input.child;
  // Nothing new was deployed (invalid spec, or a child we could not write): keep what was seen.
  const keepPrevious = verdict.state === 'Invalid' || !!input.applyFailure;
  return {
    observedGeneration,
    conditions,
    ...(keepPrevious ? pickDeployed(input.previous) : deployedChart(child)),
    ...releaseOf(input, keepPrevious),
    ...(input.lastBackup ? { lastBackup: input.lastBackup } : {}),
  };
}

/**
 * A Ready=False of an earlier generation: the wait for the current generation starts now, so
 * Ready's transition time is reset (the deadline counts from it).
 */
function notReadySinceEarlierGeneration(c: { status: string; observedGeneration?: number }, generation: number): boolean {
  return c.status === 'False' && c.observedGeneration !== generation;
}

/** When the wait for the current generation began: Ready's last transition to False for it. */
function waitingSince(previous: ApplicationInstanceStatus | undefined, generation: number, now: Date): number {
  const ready = getCondition(previous?.conditions, conditionTypes.ready);
  if (!ready || ready.status !== 'False' || ready.observedGeneration !== generation) return now.getTime();
  const since = Date.parse(ready.lastTransitionTime);
  return Number.isNaN(since) ? now.getTime() : Math.min(since, now.getTime());
}

function deadlineOf(input: Pick<InstanceStatusInput, 'progressDeadlineMs'>): number {
  return input.progressDeadlineMs ?? defaultProgressDeadlineMs;
}

/** A Progressing verdict past its deadline becomes Failed (Stalled), saying what it waited for. */
function withDeadline(verdict: ChildState, input: InstanceStatusInput, now: Date): ChildState {
  const deadline = deadlineOf(input);
  if (verdict.state !== 'Progressing' || deadline <= 0) return verdict;
  const waited = now.getTime() - waitingSince(input.previous, input.generation, now);
  if (waited < deadline) return verdict;
  return {
    state: 'Failed',
    reason: progressDeadlineExceeded,
    message: `not ready after ${formatDuration(waited)} (deadline ${formatDuration(deadline)}); still waiting for ${verdict.message} [${verdict.reason}]`,
  };
}

/**
 * When the status of an instance that is still progressing must be looked at again for its
 * deadline to take effect, in milliseconds from `now`; undefined when it is not waiting.
 * @public
 */
export function untilProgressDeadline(
  status: ApplicationInstanceStatus,
  input: Pick<InstanceStatusInput, 'progressDeadlineMs'> & { generation: number; now: Date },
): number | undefined {
  const deadline = deadlineOf(input);
  const reconciling = getCondition(status.conditions, conditionTypes.reconciling);
  if (deadline <= 0 || reconciling?.status !== 'True') return undefined;
  const since = waitingSince(status, input.generation, input.now);
  return Math.max(since + deadline - input.now.getTime(), 0);
}

/** `15m`, `1h30m`, `45s`: how a person reads a wait. */
function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  const parts = [h ? `${h}h` : '', m ? `${m}m` : '', sec || (!h && !m) ? `${sec}s` : ''];
  return parts.join('');
}

/** The child the status names: the current one, or when nothing new was observed the one last reported. */
function releaseOf(input: InstanceStatusInput, keepPrevious: boolean): Pick<ApplicationInstanceStatus, 'release'> {
  const child = input.child;
  if (child && !keepPrevious) return { release: { kind: child.kind, name: child.name, namespace: child.namespace } };
  if (input.previous?.release && keepPrevious) return { release: input.previous.release };
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
