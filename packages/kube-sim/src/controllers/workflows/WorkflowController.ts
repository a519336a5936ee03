import { EventRecorder, SimController, nowRfc3339 } from '../runtime';
import type { ObjectKey, ReconcileResult, SimControllerOptions } from '../runtime';
import { StatusError } from '../../server/StatusError';
import type { GroupVersionResource, KubeObject } from '../../types';
import { Parameter, PlanError, PlanNode, Template, planWorkflow } from './workflowPlan';

const WORKFLOWS: GroupVersionResource = { group: 'argoproj.io', version: 'v1alpha1', resource: 'workflows' };
const TEMPLATES: GroupVersionResource = { group: 'argoproj.io', version: 'v1alpha1', resource: 'workflowtemplates' };
const MANAGER = 'workflow-controller';

/** @public */
export type WorkflowControllerOptions = SimControllerOptions;

interface WorkflowSpec {
  entrypoint?: string;
  templates?: Template[];
  arguments?: { parameters?: Parameter[] };
  workflowTemplateRef?: { name?: string; clusterScope?: boolean };
  activeDeadlineSeconds?: number;
  shutdown?: 'Stop' | 'Terminate';
  suspend?: boolean;
}

interface NodeStatus {
  id: string;
  name: string;
  displayName: string;
  type: string;
  templateName?: string;
  boundaryID?: string;
  children?: string[];
  phase: string;
  message?: string;
  startedAt: string;
  finishedAt: string | null;
  progress: string;
}

interface Cut {
  at: number;
  message: string;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Plays Argo Workflows' workflow-controller for argoproj.io/v1alpha1 Workflows, without
 * pods. A Workflow (inline `templates`, or `spec.workflowTemplateRef` to a WorkflowTemplate
 * in its namespace, with `spec.arguments.parameters`) goes Pending → Running → Succeeded |
 * Failed, or Error when it cannot start (`workflowtemplates.argoproj.io "x" not found`).
 * Status carries `startedAt`, `finishedAt`, `progress` ("2/3"), `message`, `nodes` (Steps,
 * StepGroup, DAG and Pod nodes with Argo's ids), `estimatedDuration`, conditions PodRunning /
 * Completed, `storedTemplates` and `storedWorkflowTemplateSpec`, and the labels
 * `workflows.argoproj.io/phase` and `/completed`.
 *
 * Each Pod step takes the duration and exits with the code its template declares:
 * annotations `sim.vworkspace.io/duration-seconds` / `sim.vworkspace.io/exit-code` on the
 * template's `metadata` (they may be `{{workflow.parameters.x}}` or `{{inputs.parameters.x}}`,
 * so a parameter can decide the outcome), else `sleep N` / `exit N` in its container or script,
 * else 10 s and exit 0. A non-zero exit fails the node (`Error (exit code N)`) and the workflow
 * (`child '<id>' failed`). A parameter without a value fails it with
 * `invalid spec: spec.arguments.<name>.value is required`. `spec.shutdown: Stop | Terminate`
 * fails it with `Stopped with strategy '<s>'`; `activeDeadlineSeconds` with
 * `Step exceeded its deadline`.
 * @public
 */
export class WorkflowController extends SimController {
  readonly name = MANAGER;
  protected readonly primary = WORKFLOWS;
  private readonly events: EventRecorder;
  private readonly started = new Map<string, number>();
  private readonly cuts = new Map<string, Cut>();

  constructor(options: WorkflowControllerOptions) {
    super(options);
    this.events = new EventRecorder(this.api, this.name);
  }

  protected async reconcile(_key: ObjectKey, workflow: KubeObject | undefined): Promise<ReconcileResult> {
    if (!workflow || workflow.metadata.deletionTimestamp) return this.forget(workflow);
    const status = (workflow.status ?? {}) as Record<string, unknown>;
    const phase = (status.phase as string | undefined) ?? '';
    if (['Succeeded', 'Failed', 'Error'].includes(phase)) return this.forget(workflow);
    if (phase === '') {
      await this.patch(workflow, 'Pending', { phase: 'Pending', progress: '0/0' });
      return undefined;
    }

    const uid = workflow.metadata.uid!;
    const spec = (workflow.spec ?? {}) as WorkflowSpec;
    let effective: WorkflowSpec;
    const stored: Record<string, unknown> = {};
    try {
      effective = this.effectiveSpec(workflow, spec, stored);
    } catch (error) {
      if (!(error instanceof StatusError && error.code === 404)) throw error;
      await this.finishEarly(workflow, 'Error', error.message);
      return undefined;
    }
    const parameters: Record<string, string> = {};
    for (const p of effective.arguments?.parameters ?? []) {
      if (p.value === undefined && p.valueFrom === undefined) {
        await this.finishEarly(workflow, 'Failed', `invalid spec: spec.arguments.${p.name}.value is required`);
        return undefined;
      }
      if (p.value !== undefined) parameters[p.name] = String(p.value);
    }
    let plan: PlanNode[];
    try {
      plan = planWorkflow(workflow.metadata.name!, effective.templates ?? [], effective.entrypoint ?? '', parameters);
    } catch (error) {
      if (!(error instanceof PlanError)) throw error;
      await this.finishEarly(workflow, 'Failed', `invalid spec: ${error.message}`);
      return undefined;
    }

    let startMs = this.started.get(uid);
    if (startMs === undefined) {
      startMs = status.startedAt ? Date.parse(status.startedAt as string) : Date.now();
      this.started.set(uid, startMs);
    }
    const scale = this.timings.timeScale;
    // The first pass shows the run as it starts, so that Running is seen even at time scale 0.
    let elapsed = scale > 0 ? (Date.now() - startMs) / scale : Number.POSITIVE_INFINITY;
    if (phase === 'Pending') elapsed = 0;
    const at = (nominal: number) => startMs! + Math.round(nominal * scale);
    const cut = this.cutOf(uid, effective, spec, elapsed);

    const nodes: Record<string, NodeStatus> = {};
    let next: number | undefined;
    for (const node of plan) {
      const state = nodeAt(node, elapsed, cut, node === plan[0]);
      for (const t of [node.start, node.end]) if (t > elapsed && (next === undefined || t < next)) next = t;
      if (!state) continue;
      nodes[node.id] = {
        id: node.id, name: node.name, displayName: node.displayName, type: node.type, templateName: node.templateName,
        ...(node.boundaryID ? { boundaryID: node.boundaryID } : {}),
        phase: state.phase, startedAt: rfc3339(at(node.start)), finishedAt: state.finishedAt === undefined ? null : rfc3339(at(state.finishedAt)),
        progress: '0/1',
        ...(state.message ? { message: state.message } : {}),
      };
    }
    for (const node of plan) {
      const present = nodes[node.id];
      if (!present) continue;
      const children = node.children.filter(c => nodes[c]);
      if (children.length) present.children = children;
      const pods = podsUnder(node, plan).filter(p => nodes[p.id]);
      present.progress = `${pods.filter(p => nodes[p.id].finishedAt).length}/${pods.length}`;
    }
    const root = nodes[plan[0].id];
    const done = root.finishedAt !== null;
    const previous = (status.nodes ?? {}) as Record<string, NodeStatus>;
    const finalPhase = root.phase === 'Succeeded' ? 'Succeeded' : 'Failed';
    await this.patch(workflow, done ? finalPhase : 'Running', {
      phase: done ? finalPhase : 'Running',
      startedAt: rfc3339(startMs),
      finishedAt: done ? root.finishedAt : null,
      progress: root.progress,
      message: done && root.message ? root.message : null,
      nodes,
      estimatedDuration: Math.round((plan[0].end - plan[0].start) / 1000),
      conditions: done
        ? [{ type: 'PodRunning', status: 'False' }, { type: 'Completed', status: 'True' }]
        : [{ type: 'PodRunning', status: Object.values(nodes).some(n => n.type === 'Pod' && n.phase === 'Running') ? 'True' : 'False' }],
      ...stored,
    });

    if (phase === 'Pending') await this.events.record(workflow, 'Normal', 'WorkflowRunning', 'Workflow Running');
    for (const node of Object.values(nodes)) {
      const before = previous[node.id]?.phase;
      if (before === node.phase || node.type !== 'Pod') continue;
      if (node.phase === 'Running') await this.events.record(workflow, 'Normal', 'WorkflowNodeRunning', `Running node ${node.name}`);
      else if (node.phase === 'Succeeded') await this.events.record(workflow, 'Normal', 'WorkflowNodeSucceeded', `Succeeded node ${node.name}`);
      else await this.events.record(workflow, 'Warning', 'WorkflowNodeFailed', `Failed node ${node.name}: ${node.message ?? ''}`);
    }
    if (done) {
      if (finalPhase === 'Succeeded') await this.events.record(workflow, 'Normal', 'WorkflowSucceeded', 'Workflow completed');
      else await this.events.record(workflow, 'Warning', 'WorkflowFailed', root.message ?? 'Workflow failed');
      return this.forget(workflow);
    }
    if (cut || phase === 'Pending') return { requeueAfterMs: 0 };
    const deadline = effective.activeDeadlineSeconds !== undefined ? effective.activeDeadlineSeconds * 1000 : undefined;
    if (deadline !== undefined && deadline > elapsed && (next === undefined || deadline < next)) next = deadline;
    return next === undefined ? undefined : { requeueAfterMs: Math.max(1, Math.ceil((next - elapsed) * scale)) };
  }

  /** The spec that runs: the referenced WorkflowTemplate's, overlaid with the Workflow's own fields and arguments. */
  private effectiveSpec(workflow: KubeObject, spec: WorkflowSpec, stored: Record<string, unknown>): WorkflowSpec {
    const ref = spec.workflowTemplateRef?.name;
    if (!ref) return spec;
    if (spec.workflowTemplateRef?.clusterScope) {
      throw new StatusError(404, 'NotFound', `clusterworkflowtemplates.argoproj.io "${ref}" not found`);
    }
    let template: KubeObject;
    try {
      template = this.api.get(TEMPLATES, ref, { namespace: workflow.metadata.namespace });
    } catch (error) {
      if (error instanceof StatusError && error.code === 404) throw new StatusError(404, 'NotFound', `workflowtemplates.argoproj.io "${ref}" not found`);
      throw error;
    }
    const base = (template.spec ?? {}) as WorkflowSpec;
    const { workflowTemplateRef: _ref, ...own } = spec;
    const given = new Map((spec.arguments?.parameters ?? []).map(p => [p.name, p]));
    const parameters = (base.arguments?.parameters ?? []).map(p => ({ ...p, ...given.get(p.name) }));
    for (const p of given.values()) if (!parameters.some(q => q.name === p.name)) parameters.push(p);
    const merged: WorkflowSpec = { ...base, ...own, arguments: { ...base.arguments, ...spec.arguments, parameters } };
    stored.storedWorkflowTemplateSpec = { ...merged, workflowTemplateRef: spec.workflowTemplateRef };
    stored.storedTemplates = Object.fromEntries((base.templates ?? []).map(t => [`namespaced/${ref}/${t.name}`, t]));
    return merged;
  }

  /** When the run is cut short: at the deadline, or where it stood when a shutdown was asked for. */
  private cutOf(uid: string, effective: WorkflowSpec, spec: WorkflowSpec, elapsed: number): Cut | undefined {
    const existing = this.cuts.get(uid);
    if (existing) return existing;
    let cut: Cut | undefined;
    if (spec.shutdown) cut = { at: Number.isFinite(elapsed) ? elapsed : 0, message: `Stopped with strategy '${spec.shutdown}'` };
    const deadline = effective.activeDeadlineSeconds;
    if (deadline !== undefined && deadline * 1000 <= elapsed && (!cut || deadline * 1000 < cut.at)) {
      cut = { at: deadline * 1000, message: 'Step exceeded its deadline' };
    }
    if (cut) this.cuts.set(uid, cut);
    return cut;
  }

  private async finishEarly(workflow: KubeObject, phase: 'Error' | 'Failed', message: string): Promise<void> {
    const now = nowRfc3339();
    await this.patch(workflow, phase, {
      phase, message, startedAt: (workflow.status as { startedAt?: string } | undefined)?.startedAt ?? now, finishedAt: now, progress: '0/0',
      conditions: [{ type: 'Completed', status: 'True' }],
    });
    await this.events.record(workflow, 'Warning', 'WorkflowFailed', message);
    this.forget(workflow);
  }

  /** The Workflow CRD has no status subresource: Argo writes the whole object. */
  private patch(workflow: KubeObject, phase: string, status: Record<string, unknown>): Promise<KubeObject> {
    const completed = ['Succeeded', 'Failed', 'Error'].includes(phase);
    return this.api.patch(WORKFLOWS, workflow.metadata.name!, {
      metadata: { labels: { 'workflows.argoproj.io/phase': phase, 'workflows.argoproj.io/completed': String(completed) } },
      status,
    }, { type: 'merge', namespace: workflow.metadata.namespace, fieldManager: MANAGER });
  }

  private forget(workflow: KubeObject | undefined): undefined {
    if (workflow?.metadata.uid) {
      this.started.delete(workflow.metadata.uid);
      this.cuts.delete(workflow.metadata.uid);
    }
    return undefined;
  }
}

/** A planned node's state at `elapsed`, or undefined when it has not started. */
function nodeAt(node: PlanNode, elapsed: number, cut: Cut | undefined, root: boolean): { phase: string; finishedAt?: number; message?: string } | undefined {
  const horizon = cut ? Math.min(elapsed, cut.at) : elapsed;
  if (!root && (node.start > horizon || (cut && cut.at <= elapsed && node.start >= cut.at))) return undefined;
  if (node.end <= horizon) return { phase: node.phase, finishedAt: node.end, message: node.message };
  if (cut && cut.at <= elapsed) return { phase: 'Failed', finishedAt: cut.at, message: cut.message };
  return { phase: 'Running' };
}

function podsUnder(node: PlanNode, plan: PlanNode[]): PlanNode[] {
  if (node.type === 'Pod') return [node];
  const byId = new Map(plan.map(n => [n.id, n]));
  return node.children.flatMap(c => podsUnder(byId.get(c)!, plan));
}
