import {
  ArgoWorkflow,
  OperationType,
  WorkflowParameters,
  workflowStatus,
} from '@vworkspace/backstage-plugin-fleet-common';
import { Engine, EngineContext, EngineRef } from './Engine';
import {
  createOrAdopt,
  deterministicName,
  engineLabels,
  getOrUndefined,
  operationOwnerReference,
  operatorWrite,
} from './engineResources';
import { operationKinds } from './kinds';
import { checkRbacProfile, ensureProfileAccount } from './profileAccount';

function workflowName(ctx: EngineContext): string {
  return deterministicName([ctx.operation.metadata.name]);
}

/**
 * The Argo Workflow of a workflow-engine Operation: the named WorkflowTemplate with the given
 * parameters, and Argo's own deadline set to the Operation's so it stops on its own too.
 * @public
 */
export function buildWorkflow(ctx: EngineContext, serviceAccountName: string): ArgoWorkflow {
  const params = ctx.operation.spec.parameters as WorkflowParameters;
  const parameters = Object.entries(params.parameters ?? {}).map(([name, value]) => ({ name, value }));
  return {
    apiVersion: operationKinds.Workflow.apiVersion,
    kind: 'Workflow',
    metadata: {
      name: workflowName(ctx),
      namespace: ctx.operation.metadata.namespace,
      labels: engineLabels(ctx),
      ownerReferences: [operationOwnerReference(ctx)],
    },
    spec: {
      workflowTemplateRef: { name: params.workflowTemplate },
      ...(parameters.length ? { arguments: { parameters } } : {}),
      serviceAccountName,
      activeDeadlineSeconds: ctx.operation.spec.timeoutSeconds,
    },
  };
}

/**
 * Runs an Argo Workflow from a WorkflowTemplate. Stopping sets `spec.shutdown: Terminate`,
 * which Argo honours by killing running steps (exit handlers are skipped: a cancel is a cancel).
 * @public
 */
export const workflowEngine: Engine = {
  name: 'workflow',
  defaultTimeoutSeconds: 3600,
  requires: 'Argo Workflows installed and the chart value workflows.enabled=true',
  supports(type: OperationType) {
    return type !== 'Upgrade';
  },
  ref(ctx): EngineRef {
    return {
      apiVersion: operationKinds.Workflow.apiVersion,
      kind: 'Workflow',
      name: workflowName(ctx),
      namespace: ctx.operation.metadata.namespace,
    };
  },
  check: checkRbacProfile,
  async start(ctx) {
    const account = await ensureProfileAccount(ctx);
    return createOrAdopt(ctx.client, operationKinds.Workflow, buildWorkflow(ctx, account), ctx);
  },
  get(ctx) {
    return getOrUndefined(ctx.client, operationKinds.Workflow, workflowName(ctx), ctx.operation.metadata.namespace);
  },
  observe(_ctx, resource) {
    const wf = resource as ArgoWorkflow;
    return {
      status: workflowStatus(wf),
      raw: { phase: wf.status?.phase || 'Pending', message: wf.status?.message },
      result: { workflowName: wf.metadata.name },
    };
  },
  async stop(ctx, resource) {
    const name = workflowName(ctx);
    if (!resource) return { outcome: 'stopped', message: `Workflow ${name} is gone` };
    await ctx.client.patch(
      operationKinds.Workflow,
      name,
      ctx.operation.metadata.namespace,
      { spec: { shutdown: 'Terminate' } },
      { type: 'merge', ...operatorWrite },
    );
    return { outcome: 'stopped', message: `Workflow ${name} terminated (spec.shutdown: Terminate)` };
  },
};
