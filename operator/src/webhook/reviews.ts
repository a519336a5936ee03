import {
  applicationInstanceSchema,
  issuesOf,
  operationSchema,
  operationSpecSchema,
  ResourceIssue,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { z } from 'zod';

/** The part of an admission.k8s.io/v1 AdmissionRequest the validators read. @public */
export interface AdmissionRequest {
  uid: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  name?: string;
  namespace?: string;
  object?: Record<string, unknown> | null;
  oldObject?: Record<string, unknown> | null;
}

/** A verdict; `code` and `reason` become the Status the API server returns to the client. @public */
export type Verdict = { allowed: true } | { allowed: false; code: number; reason: string; message: string };

const allow: Verdict = { allowed: true };

function format(issues: ResourceIssue[]): string {
  return issues.map(i => `${i.path}: ${i.message}`).join('; ');
}

function invalid(kind: string, request: AdmissionRequest, issues: ResourceIssue[]): Verdict {
  const name = `${request.namespace ? `${request.namespace}/` : ''}${request.name || '(new)'}`;
  return { allowed: false, code: 400, reason: 'BadRequest', message: `${kind} ${name} is invalid: ${format(issues)}` };
}

function check(schema: z.ZodType, value: unknown): ResourceIssue[] {
  const result = schema.safeParse(value);
  return result.success ? [] : issuesOf(result.error);
}

/** Key order must not make two equal specs differ. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)))
      : v,
  );
}

/** The spec with defaults applied (so that a client leaving a default out changes nothing) and without `cancel`. */
function comparable(spec: unknown): string {
  const parsed = operationSpecSchema.safeParse(spec);
  const value = { ...((parsed.success ? parsed.data : spec) as Record<string, unknown>) };
  delete value.cancel;
  return canonical(value);
}

/**
 * Validates an Operation. CREATE: the whole object against the schema, each failing field named.
 * UPDATE: the spec may not change, except `cancel`, and only towards true; any other update
 * (finalizers, labels) is allowed even for an object an older schema accepted, so that the
 * operator can always let a deleted Operation go.
 * @public
 */
export function reviewOperation(request: AdmissionRequest): Verdict {
  if (request.operation === 'CREATE') {
    const issues = check(operationSchema, request.object);
    return issues.length ? invalid('Operation', request, issues) : allow;
  }
  if (request.operation === 'UPDATE') {
    const spec = (request.object as { spec?: { cancel?: unknown } } | undefined)?.spec;
    const oldSpec = (request.oldObject as { spec?: { cancel?: unknown } } | undefined)?.spec;
    if (comparable(spec) !== comparable(oldSpec)) {
      return { allowed: false, code: 403, reason: 'Forbidden', message: 'spec: Operation spec is immutable, except spec.cancel' };
    }
    if (oldSpec?.cancel === true && spec?.cancel !== true) {
      return { allowed: false, code: 403, reason: 'Forbidden', message: 'spec.cancel: a cancel cannot be withdrawn' };
    }
    if (spec?.cancel !== undefined && typeof spec.cancel !== 'boolean') {
      return invalid('Operation', request, [{ path: 'spec.cancel', message: 'must be a boolean' }]);
    }
  }
  return allow;
}

/**
 * Validates an ApplicationInstance on CREATE and on any UPDATE that changes its spec. An update
 * that leaves the spec alone (finalizers, labels, a deletion in progress) is always allowed.
 * @public
 */
export function reviewApplicationInstance(request: AdmissionRequest): Verdict {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return allow;
  if (request.operation === 'UPDATE') {
    const spec = (request.object as { spec?: unknown } | undefined)?.spec;
    const oldSpec = (request.oldObject as { spec?: unknown } | undefined)?.spec;
    if (canonical(spec) === canonical(oldSpec)) return allow;
  }
  const issues = check(applicationInstanceSchema, request.object);
  return issues.length ? invalid('ApplicationInstance', request, issues) : allow;
}
