import {
  Job,
  JobParameters,
  jobStatus,
  OperationType,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { KubeObject } from '@vworkspace/kube-runtime';
import { Engine, EngineContext, EngineRef, Observation, StopOutcome } from './Engine';
import {
  createOrAdopt,
  deleteIfExists,
  deterministicName,
  engineLabels,
  getOrUndefined,
  operationOwnerReference,
} from './engineResources';
import { operationKinds } from './kinds';
import { PodSecurityLevel, withPodSecurity } from './podSecurity';
import { checkRbacProfile, ensureProfileAccount, readRbacProfile } from './profileAccount';

/** Name of the Job an Operation runs. @public */
export function jobName(ctx: EngineContext): string {
  return deterministicName([ctx.operation.metadata.name]);
}

/**
 * The batch/v1 Job of a job-engine Operation. `backoffLimit` defaults to 0: a maintenance
 * command is not known to be safe to run twice, so a retry must be asked for. The Job's own
 * deadline defaults to the Operation's, so the Job stops itself even if the operator is down.
 * Its pod passes the `podSecurity` level (default `restricted`, set per RBAC profile).
 * @public
 */
export function buildJob(ctx: EngineContext, serviceAccountName: string, podSecurity: PodSecurityLevel = 'restricted'): Job {
  const params = ctx.operation.spec.parameters as JobParameters;
  const labels = engineLabels(ctx);
  return {
    apiVersion: operationKinds.Job.apiVersion,
    kind: 'Job',
    metadata: {
      name: jobName(ctx),
      namespace: ctx.operation.metadata.namespace,
      labels,
      ownerReferences: [operationOwnerReference(ctx)],
    },
    spec: {
      backoffLimit: params.backoffLimit ?? 0,
      activeDeadlineSeconds: params.activeDeadlineSeconds ?? ctx.operation.spec.timeoutSeconds,
      template: {
        metadata: { labels },
        spec: withPodSecurity(
          {
            restartPolicy: 'Never' as const,
            serviceAccountName,
            containers: [
              {
                name: 'operation',
                image: params.image,
                ...(params.command ? { command: params.command } : {}),
                ...(params.args ? { args: params.args } : {}),
                ...(params.env ? { env: params.env } : {}),
              },
            ],
          },
          podSecurity,
        ),
      },
    },
  };
}

/** The fields of a core/v1 Event that tell why a Job has no pod. */
type JobEvent = KubeObject & {
  type?: string;
  reason?: string;
  message?: string;
  lastTimestamp?: string;
  eventTime?: string;
  involvedObject?: { uid?: string };
};

/** Reads, maps and stops Jobs: shared by the job and helmHookJob engines. */
export const jobLifecycle = {
  async get(ctx: EngineContext, name: string): Promise<KubeObject | undefined> {
    return getOrUndefined(ctx.client, operationKinds.Job, name, ctx.operation.metadata.namespace);
  },
  observe(resource: KubeObject): Observation {
    const status = jobStatus(resource as Job);
    const failed = (resource as Job).status?.conditions?.find(c => c.type === 'Failed' && c.status === 'True');
    const complete = (resource as Job).status?.conditions?.find(c => c.type === 'Complete' && c.status === 'True');
    const condition = failed ?? complete;
    return {
      status,
      raw: {
        phase: condition?.type ?? (status.phase === 'Pending' ? 'Pending' : 'Active'),
        reason: condition?.reason,
        message: condition?.message,
      },
      result: { jobName: resource.metadata?.name },
    };
  },
  /**
   * Why a Job has no pod yet: the newest FailedCreate Warning the Job controller recorded on it
   * (a pod refused by Pod Security admission, a quota, a missing ServiceAccount). Without it, an
   * Operation would only say "Job has not started" until its deadline.
   */
  async diagnose(ctx: EngineContext, resource: KubeObject): Promise<string | undefined> {
    const job = resource as Job;
    const status = job.status ?? {};
    const ended = status.conditions?.some(c => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    if (ended || (status.active ?? 0) > 0 || (status.succeeded ?? 0) > 0 || (status.ready ?? 0) > 0) return undefined;
    const name = job.metadata.name!;
    const events = await ctx.client.list<JobEvent>(operationKinds.Event, {
      namespace: ctx.operation.metadata.namespace,
      fieldSelector: `involvedObject.kind=Job,involvedObject.name=${name}`,
    });
    // Events of an earlier Job of the same name (another uid) say nothing about this one.
    const ofThisJob = (e: JobEvent) => !job.metadata.uid || !e.involvedObject?.uid || e.involvedObject.uid === job.metadata.uid;
    const when = (e: JobEvent) => e.lastTimestamp ?? e.eventTime ?? '';
    const failed = events.items
      .filter(e => e.reason === 'FailedCreate' && e.type === 'Warning' && ofThisJob(e))
      .sort((a, b) => when(b).localeCompare(when(a)))[0];
    return failed ? `Job ${name} cannot create its pod: ${failed.message ?? 'FailedCreate'}` : undefined;
  },
  async stop(ctx: EngineContext, name: string): Promise<StopOutcome> {
    // Foreground: the Job disappears only after its pods, so nothing keeps running unseen.
    const deleted = await deleteIfExists(ctx.client, operationKinds.Job, name, ctx.operation.metadata.namespace, 'Foreground');
    return { outcome: 'stopped', message: deleted ? `Job ${name} deleted with its pods` : `Job ${name} was already gone` };
  },
};

/**
 * Runs a one-shot batch/v1 Job from an image, command, args and env, as the namespace's
 * ServiceAccount of the operation's RBAC profile. The Job is owned by the Operation: it is a
 * record of work, not data, and goes with it.
 * @public
 */
export const jobEngine: Engine = {
  name: 'job',
  defaultTimeoutSeconds: 3600,
  supports(type: OperationType) {
    return type !== 'Upgrade';
  },
  ref(ctx): EngineRef {
    return { apiVersion: operationKinds.Job.apiVersion, kind: operationKinds.Job.kind, name: jobName(ctx), namespace: ctx.operation.metadata.namespace };
  },
  check: checkRbacProfile,
  async start(ctx) {
    const profile = await readRbacProfile(ctx);
    const account = await ensureProfileAccount(ctx);
    return createOrAdopt(ctx.client, operationKinds.Job, buildJob(ctx, account, profile.podSecurity), ctx);
  },
  get(ctx) {
    return jobLifecycle.get(ctx, jobName(ctx));
  },
  observe(_ctx, resource) {
    return jobLifecycle.observe(resource);
  },
  diagnose(ctx, resource) {
    return jobLifecycle.diagnose(ctx, resource);
  },
  stop(ctx) {
    return jobLifecycle.stop(ctx, jobName(ctx));
  },
};
