import {
  HelmHookJobParameters,
  HelmReleasePayload,
  Job,
  OperationType,
} from '@vworkspace/backstage-plugin-fleet-common';
import { decodeHelmReleaseSecret } from '@vworkspace/backstage-plugin-fleet-common/node';
import { parse } from 'yaml';
import type { KubeObject } from '@vworkspace/kube-runtime';
import { Engine, EngineContext, EngineFailure, EngineRef } from './Engine';
import { adopt, createOrAdopt, deterministicName, engineLabels, operationOwnerReference } from './engineResources';
import { jobLifecycle } from './job';
import { operationKinds } from './kinds';
import { withPodSecurity } from './podSecurity';

function hookJobName(ctx: EngineContext): string {
  return deterministicName([ctx.operation.metadata.name]);
}

/**
 * The Helm release name of an instance. The operator deploys each instance as a release named
 * after it, in its namespace, which is also where Helm keeps the release Secrets.
 */
function releaseName(ctx: EngineContext): string {
  return ctx.target.metadata.name;
}

/** The newest revision among Helm release Secrets (by their `version` label). @public */
export function latestReleaseSecret<T extends KubeObject>(secrets: T[]): T | undefined {
  const revision = (s: T) => Number(s.metadata?.labels?.version ?? NaN);
  return secrets.filter(s => Number.isInteger(revision(s))).sort((a, b) => revision(b) - revision(a))[0];
}

/**
 * The Job to create from hook `hookName` of `release`: its manifest under a deterministic name,
 * in the Operation's namespace, owned by the Operation, with every `helm.sh/hook*` annotation
 * removed (they mean something to Helm only, and a hook delete policy must not apply to a Job
 * that Helm did not create). `ttlSecondsAfterFinished` is dropped too: a TTL controller could
 * delete the finished Job before the operator reads its outcome, and the Job goes with its
 * Operation anyway. Its pod is made to pass the `restricted` Pod Security level where the chart
 * leaves the settings open.
 * @public
 */
export function hookJobFrom(ctx: EngineContext, release: HelmReleasePayload, hookName: string): Job {
  const hooks = release.hooks ?? [];
  const hook = hooks.find(h => h.name === hookName);
  if (!hook) {
    const known = hooks.map(h => h.name).join(', ') || 'none';
    throw new EngineFailure(
      'HookNotFound',
      `release ${release.name} revision ${release.version} (chart ${release.chart.metadata.name} ${release.chart.metadata.version}) has no hook ${hookName}; hooks: ${known}`,
    );
  }
  if (hook.kind !== 'Job') {
    throw new EngineFailure('HookNotAJob', `hook ${hookName} is a ${hook.kind}, only Job hooks can be run`);
  }
  let manifest: Job;
  try {
    manifest = parse(hook.manifest) as Job;
  } catch (err) {
    throw new EngineFailure('InvalidHook', `hook ${hookName} has no valid manifest: ${String(err)}`);
  }
  const annotations = Object.fromEntries(
    Object.entries(manifest.metadata?.annotations ?? {}).filter(([key]) => !key.startsWith('helm.sh/hook')),
  );
  const { status: _status, ...rest } = manifest;
  const { ttlSecondsAfterFinished: _ttl, ...spec } = manifest.spec ?? ({} as Job['spec']);
  return {
    ...rest,
    spec: {
      ...spec,
      template: { ...spec.template, spec: withPodSecurity(spec.template?.spec ?? { containers: [] }, 'restricted') },
    },
    apiVersion: operationKinds.Job.apiVersion,
    kind: 'Job',
    metadata: {
      name: hookJobName(ctx),
      namespace: ctx.operation.metadata.namespace,
      labels: { ...manifest.metadata?.labels, ...engineLabels(ctx) },
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ownerReferences: [operationOwnerReference(ctx)],
    },
  };
}

async function readRelease(ctx: EngineContext): Promise<HelmReleasePayload> {
  const namespace = ctx.operation.metadata.namespace;
  const name = releaseName(ctx);
  const list = await ctx.client.list(operationKinds.Secret, { namespace, labelSelector: `owner=helm,name=${name}` });
  const latest = latestReleaseSecret(list.items);
  if (!latest) {
    throw new EngineFailure('ReleaseNotFound', `no Helm release Secret of release ${name} in namespace ${namespace}`);
  }
  try {
    return decodeHelmReleaseSecret(latest);
  } catch (err) {
    throw new EngineFailure('InvalidRelease', err instanceof Error ? err.message : String(err));
  }
}

/**
 * Runs, on demand, a Job hook that the instance's chart declares (a database migration, a
 * backup script...), read from the newest Helm release Secret. Flux instances only: Argo CD
 * renders charts without installing a Helm release, so there is no release Secret to read.
 * @public
 */
export const helmHookJobEngine: Engine = {
  name: 'helmHookJob',
  defaultTimeoutSeconds: 3600,
  supports(type: OperationType) {
    return type !== 'Upgrade';
  },
  refuse(ctx) {
    if (ctx.target.spec.engine === 'argocd') {
      return {
        reason: 'EngineUnsupported',
        message: `ApplicationInstance ${ctx.target.metadata.name} is deployed by Argo CD, which keeps no Helm release Secret: chart hooks can only be run for flux instances`,
      };
    }
    return undefined;
  },
  ref(ctx): EngineRef {
    return { apiVersion: operationKinds.Job.apiVersion, kind: operationKinds.Job.kind, name: hookJobName(ctx), namespace: ctx.operation.metadata.namespace };
  },
  async start(ctx) {
    const existing = await jobLifecycle.get(ctx, hookJobName(ctx));
    if (existing) return adopt(existing, operationKinds.Job, ctx);
    const params = ctx.operation.spec.parameters as HelmHookJobParameters;
    const release = await readRelease(ctx);
    return createOrAdopt(ctx.client, operationKinds.Job, hookJobFrom(ctx, release, params.hook) as KubeObject, ctx);
  },
  get(ctx) {
    return jobLifecycle.get(ctx, hookJobName(ctx));
  },
  observe(_ctx, resource) {
    return jobLifecycle.observe(resource);
  },
  diagnose(ctx, resource) {
    return jobLifecycle.diagnose(ctx, resource);
  },
  stop(ctx) {
    return jobLifecycle.stop(ctx, hookJobName(ctx));
  },
};
