import type { StatusCause } from '../server/StatusError';
import type { ObjectMeta } from '../types';
import { fieldForbidden, fieldInvalid, fieldRequired, fieldTooLong, nonNegative } from './fieldErrors';
import { NameRule, checkName, isDns1123Label, isQualifiedName, isValidLabelValue } from './names';

/** `TotalAnnotationSizeLimitB`: keys and values of all annotations together. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** `ValidateLabels` of k8s.io/apimachinery/pkg/apis/meta/v1/validation: keys qualified names, values label values. */
export function validateLabels(labels: unknown, field: string): StatusCause[] {
  if (labels === undefined || labels === null || typeof labels !== 'object') return [];
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    for (const message of isQualifiedName(key)) causes.push(fieldInvalid(field, key, message));
    const text = typeof value === 'string' ? value : String(value);
    for (const message of isValidLabelValue(text)) causes.push(fieldInvalid(field, text, message));
  }
  return causes;
}

/** `ValidateAnnotations` of k8s.io/apimachinery/pkg/api/validation/objectmeta.go: keys (any case) and total size. */
export function validateAnnotations(annotations: unknown, field: string): StatusCause[] {
  if (annotations === undefined || annotations === null || typeof annotations !== 'object') return [];
  const causes: StatusCause[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations as Record<string, unknown>)) {
    for (const message of isQualifiedName(key.toLowerCase())) causes.push(fieldInvalid(field, key, message));
    size += Buffer.byteLength(key) + Buffer.byteLength(typeof value === 'string' ? value : String(value));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) causes.push(fieldTooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT));
  return causes;
}

function validateOwnerReferences(refs: ObjectMeta['ownerReferences'], field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  let controller = '';
  for (const ref of refs ?? []) {
    const version = (ref.apiVersion ?? '').split('/').at(-1) ?? '';
    if (!version) causes.push(fieldInvalid(`${field}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) causes.push(fieldInvalid(`${field}.kind`, ref.kind ?? '', 'must not be empty'));
    if (!ref.name) causes.push(fieldInvalid(`${field}.name`, ref.name ?? '', 'must not be empty'));
    if (!ref.uid) causes.push(fieldInvalid(`${field}.uid`, ref.uid ?? '', 'must not be empty'));
    if (ref.apiVersion === 'v1' && ref.kind === 'Event') causes.push(fieldInvalid(field, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (ref.controller) {
      const current = `${ref.kind}/${ref.name}`;
      if (controller) {
        causes.push(fieldInvalid(field, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${current}`));
      } else controller = current;
    }
  }
  return causes;
}

function validateFinalizers(finalizers: string[] | undefined, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const finalizer of finalizers ?? []) {
    for (const message of isQualifiedName(finalizer)) causes.push(fieldInvalid(field, finalizer, message));
  }
  if (finalizers?.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    causes.push(fieldInvalid(field, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return causes;
}

/** What decides how a kind's metadata is checked. */
export interface ObjectMetaRules {
  nameRule: NameRule;
  namespaced: boolean;
}

/**
 * `ValidateObjectMetaAccessor` (create) and the metadata half of `ValidateObjectMetaAccessorUpdate`
 * (update: the name is fixed by then, so only what may change is checked) of
 * k8s.io/apimachinery/pkg/api/validation/objectmeta.go.
 */
export function validateObjectMeta(metadata: ObjectMeta, rules: ObjectMetaRules, isUpdate: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!isUpdate) {
    const prefix = metadata.generateName;
    if (prefix) {
      for (const message of checkName(rules.nameRule, prefix, true)) causes.push(fieldInvalid('metadata.generateName', prefix, message));
    }
    const name = metadata.name;
    if (!name) causes.push(fieldRequired('metadata.name', 'name or generateName is required'));
    else for (const message of checkName(rules.nameRule, name, false)) causes.push(fieldInvalid('metadata.name', name, message));
    if (rules.namespaced && metadata.namespace) {
      for (const message of isDns1123Label(metadata.namespace)) causes.push(fieldInvalid('metadata.namespace', metadata.namespace, message));
    } else if (!rules.namespaced && metadata.namespace) {
      causes.push(fieldForbidden('metadata.namespace', 'not allowed on this type'));
    }
  }
  causes.push(...nonNegative('metadata.generation', metadata.generation));
  causes.push(...validateLabels(metadata.labels, 'metadata.labels'));
  causes.push(...validateAnnotations(metadata.annotations, 'metadata.annotations'));
  causes.push(...validateOwnerReferences(metadata.ownerReferences, 'metadata.ownerReferences'));
  causes.push(...validateFinalizers(metadata.finalizers, 'metadata.finalizers'));
  return causes;
}

/** Go's `SimpleNameGenerator`: the prefix cut to 58 characters, then five random characters. */
export function generateName(prefix: string): string {
  const alphanumerics = 'bcdfghjklmnpqrstvwxz2456789';
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += alphanumerics[Math.floor(Math.random() * alphanumerics.length)];
  return `${prefix.slice(0, 58)}${suffix}`;
}
