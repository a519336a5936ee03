import type { StatusCause } from '../server/StatusError';
import type { KubeObject } from '../types';
import { deepEqual } from '../server/patches';
import { fieldImmutable, goStringMap, fieldInvalid, fieldNotSupported, fieldRequired, nonNegative } from '../validation/fieldErrors';
import { defaultPodTemplate, validatePodTemplate } from './podTemplate';
import { isPlainObject } from '../schema/jsonValue';

type Json = Record<string, unknown>;

function child(parent: Json, key: string): Json {
  if (!isPlainObject(parent[key])) parent[key] = {};
  return parent[key] as Json;
}

/** Labels the Job strategy puts on a Job's pod template (pkg/apis/batch/types.go). */
export const JOB_NAME_LABELS = ['job-name', 'batch.kubernetes.io/job-name'];
export const CONTROLLER_UID_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid'];
const CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';

const hasEntries = (v: unknown) => isPlainObject(v) && Object.keys(v).length > 0;

/**
 * `SetDefaults_Job` of pkg/apis/batch/v1/defaults.go (kube 1.31, JobPodReplacementPolicy on),
 * applied on every write as decoding does: completions and parallelism 1 when neither is given,
 * backoffLimit 6, completionMode NonIndexed, suspend false, podReplacementPolicy, the Job's
 * labels from its template's when it has none, and the pod template's own defaults.
 */
export function defaultJob(job: Json): void {
  const spec = child(job, 'spec');
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy !== undefined ? 'Failed' : 'TerminatedOrFailed';
  const template = child(spec, 'template');
  copyTemplateLabels(job);
  defaultPodTemplate(template);
}

/** A Job without labels takes its template's (SetDefaults_Job). */
function copyTemplateLabels(job: Json): void {
  const metadata = child(job, 'metadata');
  const templateLabels = (child(child(job, 'spec'), 'template').metadata as Json | undefined)?.labels;
  if (isPlainObject(templateLabels) && !hasEntries(metadata.labels)) metadata.labels = { ...templateLabels };
}

/**
 * Defaults, then the Job strategy's `generateSelector` (pkg/registry/batch/job/strategy.go) unless
 * `manualSelector`: the pod template gets the job-name and controller-uid labels and the selector
 * matches the controller uid. A Job still without labels shows its template's once stored, as a
 * read back from storage applies the defaults again.
 */
export function createJob(job: Json): void {
  defaultJob(job);
  const metadata = child(job, 'metadata');
  const spec = child(job, 'spec');
  if (spec.manualSelector !== true) {
    const templateMeta = child(child(spec, 'template'), 'metadata');
    const labels = child(templateMeta, 'labels');
    for (const key of JOB_NAME_LABELS) labels[key] ??= metadata.name;
    for (const key of CONTROLLER_UID_LABELS) labels[key] ??= metadata.uid;
    const selector = child(spec, 'selector');
    const matchLabels = child(selector, 'matchLabels');
    matchLabels[CONTROLLER_UID] ??= metadata.uid;
  }
  copyTemplateLabels(job);
  job.status = {};
}

/** Whether a label selector (matchLabels and matchExpressions) selects `labels`. */
function selects(selector: Json, labels: Record<string, string>): boolean {
  const matchLabels = isPlainObject(selector.matchLabels) ? (selector.matchLabels as Record<string, string>) : {};
  if (Object.entries(matchLabels).some(([k, v]) => labels[k] !== v)) return false;
  const expressions = Array.isArray(selector.matchExpressions) ? (selector.matchExpressions as Json[]) : [];
  return expressions.every(e => {
    const key = String(e.key);
    const values = Array.isArray(e.values) ? (e.values as string[]) : [];
    switch (e.operator) {
      case 'In':
        return key in labels && values.includes(labels[key]);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key]);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        return false;
    }
  });
}

/**
 * `ValidateJob` / `ValidateJobUpdate` of pkg/apis/batch/validation/validation.go: non-negative
 * counts, a selector that was generated (unless `manualSelector`) and selects the template,
 * the pod template (restartPolicy OnFailure or Never), and on update an immutable selector,
 * template, completionMode, podFailurePolicy and completions (but for elastic Indexed Jobs).
 */
export function validateJob(job: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = (isPlainObject(job.spec) ? job.spec : {}) as Json;
  const causes: StatusCause[] = [];
  for (const field of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) {
    causes.push(...nonNegative(`spec.${field}`, spec[field]));
  }
  if (spec.completionMode !== undefined && !['NonIndexed', 'Indexed'].includes(spec.completionMode as string)) {
    causes.push(fieldNotSupported('spec.completionMode', spec.completionMode, ['NonIndexed', 'Indexed']));
  }
  const template = (isPlainObject(spec.template) ? spec.template : {}) as Json;
  const templateLabels = ((isPlainObject(template.metadata) ? template.metadata.labels : undefined) ?? {}) as Record<string, string>;
  const selector = isPlainObject(spec.selector) ? spec.selector : undefined;
  const templateMetadata = isPlainObject(template.metadata) ? template.metadata : undefined;
  if (spec.manualSelector !== true && templateMetadata?.labels) {
    // ValidateGeneratedSelector: the template carries the generated labels, the selector is the generated one.
    const uid = job.metadata.uid ?? '';
    const expected: Array<[string, string]> = [
      [CONTROLLER_UID, uid], ['controller-uid', uid], ['batch.kubernetes.io/job-name', job.metadata.name ?? ''], ['job-name', job.metadata.name ?? ''],
    ];
    for (const [key, value] of expected) {
      const field = `spec.template.metadata.labels[${key}]`;
      if (!(key in templateLabels)) causes.push(fieldRequired(field, value));
      else if (templateLabels[key] !== value) causes.push(fieldInvalid(field, goStringMap(templateLabels), `must be '${value}'`));
    }
    if (selector && !selects(selector, { [CONTROLLER_UID]: uid })) causes.push(fieldInvalid('spec.selector', selector, '`selector` not auto-generated'));
  }
  if (!selector) causes.push(fieldRequired('spec.selector'));
  else if (!selects(selector, templateLabels)) {
    causes.push(fieldInvalid('spec.template.metadata.labels', goStringMap(templateLabels), '`selector` does not match template `labels`'));
  }
  causes.push(...validatePodTemplate(template, 'spec.template'));
  const restart = isPlainObject(template.spec) ? template.spec.restartPolicy : undefined;
  if (restart !== 'OnFailure' && restart !== 'Never') causes.push(fieldNotSupported('spec.template.spec.restartPolicy', restart ?? '', ['OnFailure', 'Never']));
  if (old) causes.push(...validateJobUpdate(spec, (old.spec ?? {}) as Json));
  return causes;
}

function validateJobUpdate(spec: Json, before: Json): StatusCause[] {
  const causes: StatusCause[] = [];
  const elastic = spec.completionMode === 'Indexed';
  if (!deepEqual(spec.completions, before.completions)) {
    if (!elastic) causes.push(fieldImmutable('spec.completions', spec.completions ?? null));
    else if (spec.completions === undefined) causes.push(fieldInvalid('spec.completions', null, 'must be greater than or equal to 0'));
    else if (spec.completions !== spec.parallelism) causes.push(fieldInvalid('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism'));
  }
  for (const field of ['selector', 'template', 'completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy']) {
    if (!deepEqual(spec[field], before[field])) causes.push(fieldImmutable(`spec.${field}`, spec[field] ?? null));
  }
  return causes;
}
