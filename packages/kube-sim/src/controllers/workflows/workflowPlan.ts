import { simulatedRun, ContainerLike } from '../jobs/simulatedRun';

/** The parts of an Argo template the simulation reads. */
export interface Template {
  name: string;
  metadata?: { annotations?: Record<string, string> };
  inputs?: { parameters?: Parameter[] };
  container?: ContainerLike;
  script?: ContainerLike;
  steps?: Step[][];
  dag?: { tasks?: Task[] };
}
export interface Parameter {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface Step {
  name: string;
  template?: string;
  arguments?: { parameters?: Parameter[] };
}
interface Task extends Step {
  dependencies?: string[];
  depends?: string;
}

/** One node of the planned run, in nominal milliseconds from the workflow's start. */
export interface PlanNode {
  id: string;
  name: string;
  displayName: string;
  type: 'Pod' | 'Steps' | 'StepGroup' | 'DAG';
  templateName?: string;
  boundaryID?: string;
  children: string[];
  start: number;
  end: number;
  phase: 'Succeeded' | 'Failed';
  message?: string;
}

/** Why a workflow cannot run at all. */
export class PlanError extends Error {}

/** A run of a container that declares nothing. */
const DEFAULT_POD = { durationMs: 10_000, exitCode: 0 };
const MAX_DEPTH = 20;

/** Argo's node id: the workflow name, or the workflow name and the FNV-32a hash of the node name. */
export function nodeId(workflow: string, nodeName: string): string {
  if (nodeName === workflow) return workflow;
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(nodeName)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return `${workflow}-${hash}`;
}

const substitute = (text: string, scopes: Record<string, string>) =>
  text.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (whole, key: string) => scopes[key] ?? whole);

function substituteAll(values: Record<string, string> | undefined, scopes: Record<string, string>): Record<string, string> | undefined {
  return values && Object.fromEntries(Object.entries(values).map(([k, v]) => [k, substitute(v, scopes)]));
}

/**
 * Lays out a whole workflow run: Pods take the duration and exit code their
 * template declares (annotations `sim.vworkspace.io/duration-seconds` and
 * `sim.vworkspace.io/exit-code` on the template's metadata, which may use
 * `{{inputs.parameters.x}}` / `{{workflow.parameters.x}}`, else `sleep N` /
 * `exit N` in the container or script); step groups run in order, their steps in
 * parallel, and stop at the first failed group; DAG tasks start when their
 * dependencies succeed. Nodes come out parent first.
 */
export function planWorkflow(workflow: string, templates: Template[], entrypoint: string, parameters: Record<string, string>): PlanNode[] {
  const byName = new Map(templates.map(t => [t.name, t]));
  const nodes: PlanNode[] = [];
  const globals = Object.fromEntries(Object.entries(parameters).map(([k, v]) => [`workflow.parameters.${k}`, v]));

  const lookup = (name: string | undefined) => {
    const template = name ? byName.get(name) : undefined;
    if (!template) throw new PlanError(`templates.${name ?? ''} not found`);
    return template;
  };

  const inputsOf = (template: Template, args: Parameter[] | undefined, scopes: Record<string, string>) => {
    const inputs: Record<string, string> = {};
    for (const p of template.inputs?.parameters ?? []) {
      const given = args?.find(a => a.name === p.name)?.value ?? p.value;
      if (given === undefined) throw new PlanError(`inputs.parameters.${p.name} was not supplied`);
      inputs[`inputs.parameters.${p.name}`] = substitute(given, scopes);
    }
    return { ...globals, ...inputs };
  };

  const plan = (template: Template, name: string, displayName: string, start: number, scopes: Record<string, string>, boundaryID: string | undefined, depth: number): PlanNode => {
    if (depth > MAX_DEPTH) throw new PlanError(`template ${template.name} recurses deeper than ${MAX_DEPTH} levels`);
    const node: PlanNode = {
      id: nodeId(workflow, name), name, displayName, templateName: template.name, boundaryID, children: [],
      start, end: start, phase: 'Succeeded', type: 'Pod',
    };
    if (template.steps) node.type = 'Steps';
    else if (template.dag) node.type = 'DAG';
    nodes.push(node);
    if (node.type === 'Pod') {
      const container = template.container ?? template.script ?? {};
      const run = simulatedRun([substituteAll(template.metadata?.annotations, scopes)], [container], DEFAULT_POD);
      node.end = start + run.durationMs;
      if (run.exitCode !== 0) Object.assign(node, { phase: 'Failed', message: `Error (exit code ${run.exitCode})` });
      return node;
    }
    const fail = (child: PlanNode) => Object.assign(node, { phase: 'Failed', message: `child '${child.id}' failed` });
    if (template.steps) {
      let t = start;
      for (const [index, group] of template.steps.entries()) {
        const groupNode: PlanNode = {
          id: nodeId(workflow, `${name}[${index}]`), name: `${name}[${index}]`, displayName: `[${index}]`, type: 'StepGroup',
          templateName: template.name, boundaryID: node.id, children: [], start: t, end: t, phase: 'Succeeded',
        };
        nodes.push(groupNode);
        node.children.push(groupNode.id);
        for (const step of group) {
          const child = lookup(step.template);
          const stepNode = plan(child, `${name}[${index}].${step.name}`, step.name, t, inputsOf(child, step.arguments?.parameters, scopes), node.id, depth + 1);
          groupNode.children.push(stepNode.id);
          groupNode.end = Math.max(groupNode.end, stepNode.end);
          if (stepNode.phase === 'Failed' && groupNode.phase === 'Succeeded') Object.assign(groupNode, { phase: 'Failed', message: `child '${stepNode.id}' failed` });
        }
        t = groupNode.end;
        if (groupNode.phase === 'Failed') {
          fail(groupNode);
          break;
        }
      }
      node.end = t;
      return node;
    }
    const tasks = template.dag?.tasks ?? [];
    const done = new Map<string, PlanNode>();
    const depsOf = (task: Task) => task.dependencies ?? (task.depends ? task.depends.split(/&&|\|\|/).map(d => d.replace(/[()!\s]/g, '').split('.')[0]).filter(Boolean) : []);
    for (let progressed = true; progressed && done.size < tasks.length;) {
      progressed = false;
      for (const task of tasks) {
        if (done.has(task.name)) continue;
        const deps = depsOf(task).map(d => done.get(d));
        if (deps.some(d => !d)) continue;
        progressed = true;
        if (deps.some(d => d!.phase === 'Failed')) {
          done.set(task.name, { ...deps.find(d => d!.phase === 'Failed')!, id: '' });
          continue;
        }
        const child = lookup(task.template);
        const taskStart = Math.max(start, ...deps.map(d => d!.end));
        const taskNode = plan(child, `${name}.${task.name}`, task.name, taskStart, inputsOf(child, task.arguments?.parameters, scopes), node.id, depth + 1);
        node.children.push(taskNode.id);
        done.set(task.name, taskNode);
        node.end = Math.max(node.end, taskNode.end);
        if (taskNode.phase === 'Failed' && node.phase === 'Succeeded') fail(taskNode);
      }
    }
    if (done.size < tasks.length) throw new PlanError(`templates.${template.name}.tasks has a dependency cycle or an unknown dependency`);
    return node;
  };

  const entry = byName.get(entrypoint);
  if (!entry) throw new PlanError(`spec.entrypoint template '${entrypoint}' not found`);
  const args = Object.entries(parameters).map(([paramName, value]) => ({ name: paramName, value }));
  plan(entry, workflow, workflow, 0, inputsOf(entry, args, globals), undefined, 0);
  return nodes;
}
