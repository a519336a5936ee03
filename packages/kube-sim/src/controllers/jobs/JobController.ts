import { EventRecorder, SimController, nowRfc3339 } from '../runtime';
import type { ObjectKey, ReconcileResult, SimControllerOptions } from '../runtime';
import type { KubeObject } from '../../types';
import { jobProgress, jobTimeline, JobOutcome } from './jobTimeline';
import { simulatedRun, ContainerLike } from './simulatedRun';
import { podSecurityRefusal } from './podSecurity';

const JOBS = { group: 'batch', version: 'v1', resource: 'jobs' };

/** Nominal run of a pod that declares nothing: a few seconds, exit 0. */
const DEFAULT_RUN = { durationMs: 5_000, exitCode: 0 };

interface JobCondition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastProbeTime: string;
  lastTransitionTime: string;
}

const FINISH: Record<JobOutcome, { target: string; final: string; reason: string; message: string }> = {
  Complete: { target: 'SuccessCriteriaMet', final: 'Complete', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
  BackoffLimitExceeded: { target: 'FailureTarget', final: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
  DeadlineExceeded: { target: 'FailureTarget', final: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' },
};

/** @public */
export type JobControllerOptions = SimControllerOptions;

/**
 * Plays the kube-controller-manager Job controller for batch/v1 Jobs, without
 * pods: a Job's pods are simulated, and only the Job's status (and Events) show
 * their runs. Each pod attempt takes the duration and exits with the code given by
 *
 * - annotations `sim.vworkspace.io/duration-seconds` and `sim.vworkspace.io/exit-code`
 *   on the pod template (`spec.template.metadata.annotations`), else on the Job;
 * - otherwise `sleep N` / `exit N` found in the first container's command or args;
 * - otherwise 5 s and exit 0.
 *
 * A failing pod is retried with the real backoff (10 s doubling, 6 min cap) until
 * `backoffLimit` (default 6) is exceeded: conditions FailureTarget then Failed,
 * reason `BackoffLimitExceeded`, `failed: backoffLimit + 1`. `activeDeadlineSeconds`
 * ends the run with reason `DeadlineExceeded`. Success writes SuccessCriteriaMet then
 * Complete (reason `CompletionsReached`), `succeeded`, `completionTime`. `spec.suspend`
 * stops the run (condition Suspended, reason `JobSuspended`); resuming restarts it with a
 * new `startTime`, as Kubernetes does. Completions and parallelism above 1 are treated as one
 * pod that counts for all completions. A finished Job with `ttlSecondsAfterFinished` is deleted
 * after that time (scaled by the time scale), as the TTL-after-finished controller does. In a
 * namespace whose `pod-security.kubernetes.io/enforce` level the pod template violates, the Job
 * is admitted but its pods are refused: FailedCreate events, until activeDeadlineSeconds.
 * @public
 */
export class JobController extends SimController {
  readonly name = 'job-controller';
  protected readonly primary = JOBS;
  private readonly events: EventRecorder;
  /** Start of the current run per Job uid, in wall-clock ms (startTime has second precision). */
  private readonly started = new Map<string, { startMs: number; priorFailures: number }>();

  constructor(options: JobControllerOptions) {
    super(options);
    this.events = new EventRecorder(this.api, this.name);
  }

  /**
   * The TTL-after-finished controller (pkg/controller/ttlafterfinished): a finished Job with
   * `ttlSecondsAfterFinished` is deleted that long after its Complete or Failed condition, in the
   * foreground and only if unchanged since (a resourceVersion precondition), as kube does.
   */
  private async expireAfterFinished(job: KubeObject, conditions: JobCondition[]): Promise<ReconcileResult> {
    const ttl = (job.spec as { ttlSecondsAfterFinished?: number } | undefined)?.ttlSecondsAfterFinished;
    if (ttl === undefined) return undefined;
    const finished = conditions.find(c => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    const finishedAt = Date.parse(finished?.lastTransitionTime ?? '') || Date.now();
    const dueInMs = finishedAt + this.duration(ttl * 1000) - Date.now();
    if (dueInMs > 0) return { requeueAfterMs: dueInMs };
    await this.api.delete(JOBS, job.metadata.name!, {
      namespace: job.metadata.namespace,
      propagationPolicy: 'Foreground',
      preconditions: { resourceVersion: job.metadata.resourceVersion },
    });
    return undefined;
  }

  /** Why the namespace's Pod Security level refuses this Job's pods, if it does. */
  private podRefusal(job: KubeObject, podSpec: object): string | undefined {
    let namespace: KubeObject | undefined;
    try {
      namespace = this.api.get({ group: '', version: 'v1', resource: 'namespaces' }, job.metadata.namespace!);
    } catch {
      return undefined;
    }
    return podSecurityRefusal(namespace, `${job.metadata.name}-${podSuffix(job.metadata.uid!, 0)}`, podSpec);
  }

  /**
   * A Job whose pods are refused (Pod Security admission): started, no pod, a FailedCreate
   * event per attempt with the controller's backoff, until its activeDeadlineSeconds ends it.
   */
  private async refusedPods(job: KubeObject, status: Record<string, unknown>, conditions: JobCondition[], refusal: string, write: () => Promise<void>): Promise<ReconcileResult> {
    const now = nowRfc3339();
    const deadline = (job.spec as { activeDeadlineSeconds?: number }).activeDeadlineSeconds;
    if (!status.startTime) {
      status.startTime = now;
      status.active = undefined;
      status.ready = 0;
      status.terminating = 0;
      status.uncountedTerminatedPods = {};
      await write();
    }
    await this.events.record(job, 'Warning', 'FailedCreate', `Error creating: ${refusal}`);
    const elapsedMs = Date.now() - Date.parse(status.startTime as string);
    const deadlineMs = deadline === undefined ? undefined : this.duration(deadline * 1000);
    if (deadlineMs !== undefined && elapsedMs >= deadlineMs) {
      const finish = FINISH.DeadlineExceeded;
      setJobCondition(conditions, { type: finish.target, status: 'True', reason: finish.reason, message: finish.message }, now);
      await write();
      return { requeueAfterMs: 0 };
    }
    // The controller retries after a backoff; at time scale 0 one attempt shows the refusal.
    if (this.timings.timeScale === 0) return undefined;
    const retry = this.duration(10_000);
    return { requeueAfterMs: deadlineMs === undefined ? retry : Math.min(retry, Math.max(1, deadlineMs - elapsedMs)) };
  }

  protected async reconcile(_key: ObjectKey, job: KubeObject | undefined): Promise<ReconcileResult> {
    if (!job) return undefined;
    const uid = job.metadata.uid!;
    if (job.metadata.deletionTimestamp) {
      this.started.delete(uid);
      return undefined;
    }
    const spec = (job.spec ?? {}) as Record<string, unknown>;
    const status = { ...((job.status ?? {}) as Record<string, unknown>) };
    const conditions = [...((status.conditions as JobCondition[] | undefined) ?? [])];
    const has = (type: string) => conditions.some(c => c.type === type && c.status === 'True');
    const now = nowRfc3339();
    const write = async () => {
      status.conditions = conditions.length ? conditions : undefined;
      // Dropping undefined fields leaves the status the Go structs' omitempty would serialise.
      await this.api.updateStatus(JOBS, { ...job, status: JSON.parse(JSON.stringify(status)) }, { fieldManager: 'kube-controller-manager' });
    };

    if (has('Complete') || has('Failed')) {
      this.started.delete(uid);
      return this.expireAfterFinished(job, conditions);
    }
    // The second half of finishing: pods are gone, the terminal condition follows its target.
    const target = conditions.find(c => (c.type === 'SuccessCriteriaMet' || c.type === 'FailureTarget') && c.status === 'True');
    if (target) {
      conditions.push({ ...target, type: target.type === 'SuccessCriteriaMet' ? 'Complete' : 'Failed', lastProbeTime: now, lastTransitionTime: now });
      status.completionTime = target.type === 'SuccessCriteriaMet' ? now : undefined;
      status.active = undefined;
      status.ready = 0;
      status.terminating = 0;
      await write();
      this.started.delete(uid);
      if (target.type === 'SuccessCriteriaMet') await this.events.record(job, 'Normal', 'Completed', 'Job completed');
      else await this.events.record(job, 'Warning', target.reason, target.message);
      return undefined;
    }

    const suspendedCondition = conditions.find(c => c.type === 'Suspended');
    if (spec.suspend === true) {
      if (suspendedCondition?.status === 'True') return undefined;
      setJobCondition(conditions, { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' }, now);
      status.active = undefined;
      status.ready = 0;
      status.terminating = 0;
      status.uncountedTerminatedPods ??= {};
      this.started.delete(uid);
      await write();
      await this.events.record(job, 'Normal', 'Suspended', 'Job suspended');
      return undefined;
    }

    const template = (spec.template ?? {}) as { metadata?: { annotations?: Record<string, string> }; spec?: { containers?: ContainerLike[] } };
    const refusal = this.podRefusal(job, template.spec ?? {});
    if (refusal) return this.refusedPods(job, status, conditions, refusal, write);

    let run = this.started.get(uid);
    const resumed = suspendedCondition?.status === 'True';
    const starting = resumed || !status.startTime;
    if (!run || starting) {
      // Failures before a suspension still count against backoffLimit after it.
      run = { startMs: starting ? Date.now() : Date.parse(status.startTime as string), priorFailures: (status.failed as number | undefined) ?? 0 };
      this.started.set(uid, run);
    }
    if (starting) {
      status.startTime = now;
      if (resumed) setJobCondition(conditions, { type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed' }, now);
    }

    const outcome = simulatedRun([template.metadata?.annotations, job.metadata.annotations], template.spec?.containers?.slice(0, 1) ?? [], DEFAULT_RUN);
    const deadlineSeconds = spec.activeDeadlineSeconds as number | undefined;
    const timeline = jobTimeline({
      run: outcome,
      backoffLimit: (spec.backoffLimit as number | undefined) ?? 6,
      deadlineMs: deadlineSeconds === undefined ? undefined : deadlineSeconds * 1000,
      priorFailures: run.priorFailures,
    });
    const elapsed = this.timings.timeScale > 0 ? (Date.now() - run.startMs) / this.timings.timeScale : Number.POSITIVE_INFINITY;
    const progress = jobProgress(timeline, elapsed);
    const wasActive = (status.active as number | undefined) ?? 0;
    const failed = run.priorFailures + progress.failed;
    const next: Record<string, unknown> = {
      ...status,
      active: progress.active || undefined,
      ready: progress.active,
      terminating: 0,
      failed: failed || undefined,
      uncountedTerminatedPods: {},
    };
    const finished = elapsed >= timeline.end;
    if (finished) {
      const finish = FINISH[timeline.outcome];
      next.active = undefined;
      next.ready = 0;
      if (timeline.outcome === 'Complete') next.succeeded = (spec.completions as number | undefined) ?? 1;
      setJobCondition(conditions, { type: finish.target, status: 'True', reason: finish.reason, message: finish.message }, now);
    }
    const changed = JSON.stringify(next) !== JSON.stringify(status) || finished;
    Object.assign(status, next);
    if (changed) await write();
    if (starting) {
      if (resumed) await this.events.record(job, 'Normal', 'Resumed', 'Job resumed');
      await this.events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${job.metadata.name}-${podSuffix(uid, failed)}`);
    }
    if (finished && timeline.outcome === 'DeadlineExceeded' && wasActive) {
      await this.events.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${job.metadata.name}-${podSuffix(uid, failed - 1)}`);
    }
    if (finished) return { requeueAfterMs: 0 };
    return progress.next === undefined ? undefined : { requeueAfterMs: Math.max(1, Math.ceil((progress.next - elapsed) * this.timings.timeScale)) };
  }
}

function setJobCondition(conditions: JobCondition[], next: Omit<JobCondition, 'lastProbeTime' | 'lastTransitionTime'>, now: string): void {
  const existing = conditions.find(c => c.type === next.type);
  if (!existing) {
    conditions.push({ ...next, lastProbeTime: now, lastTransitionTime: now });
    return;
  }
  if (existing.status !== next.status) existing.lastTransitionTime = now;
  Object.assign(existing, next, { lastProbeTime: now });
}

/** A stable pod name suffix per attempt, shaped like the apiserver's generateName suffix. */
function podSuffix(uid: string, attempt: number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let hash = 2166136261;
  for (const ch of `${uid}/${attempt}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  let out = '';
  for (let i = 0; i < 5; i++) {
    out += alphabet[hash % alphabet.length];
    hash = Math.floor(hash / alphabet.length) + i * 7919;
  }
  return out;
}
