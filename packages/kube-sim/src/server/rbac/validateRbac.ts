import type { KubeObject } from '../../types';
import type { StatusCause } from '../StatusError';
import { PolicyRule, RBAC_GROUP } from './policyRule';
import type { RoleRef, Subject } from './RbacAuthorizer';

const goStrings = (list: string[]) => `[]string{${list.map(s => JSON.stringify(s)).join(', ')}}`;
const unsupported = (field: string, value: string, supported: string[]): StatusCause => ({
  reason: 'FieldValueNotSupported',
  field,
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map(s => JSON.stringify(s)).join(', ')}`,
});
const required = (field: string, detail?: string): StatusCause => ({
  reason: 'FieldValueRequired',
  field,
  message: detail ? `Required value: ${detail}` : 'Required value',
});

/** kube's ValidatePolicyRule for each rule of a Role (namespaced) or ClusterRole. */
export function validateRules(object: KubeObject, namespaced: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  ((object.rules as PolicyRule[] | undefined) ?? []).forEach((rule, i) => {
    const path = `rules[${i}]`;
    if (!rule.verbs?.length) causes.push(required(`${path}.verbs`, 'verbs must contain at least one value'));
    if (rule.nonResourceURLs?.length) {
      if (namespaced) {
        causes.push({ reason: 'FieldValueInvalid', field: `${path}.nonResourceURLs`, message: `Invalid value: ${goStrings(rule.nonResourceURLs)}: namespaced rules cannot apply to non-resource URLs` });
      }
      if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
        causes.push({ reason: 'FieldValueInvalid', field: `${path}.nonResourceURLs`, message: `Invalid value: ${goStrings(rule.nonResourceURLs)}: rules cannot apply to both regular resources and non-resource URLs` });
      }
      return;
    }
    if (!rule.apiGroups?.length) causes.push(required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
    if (!rule.resources?.length) causes.push(required(`${path}.resources`, 'resource rules must supply at least one resource'));
  });
  return causes;
}

function describeRoleRef(ref: RoleRef): string {
  return `rbac.RoleRef{APIGroup:${JSON.stringify(ref.apiGroup ?? '')}, Kind:${JSON.stringify(ref.kind ?? '')}, Name:${JSON.stringify(ref.name ?? '')}}`;
}

/** kube's RoleBinding / ClusterRoleBinding validation: roleRef, subjects, and roleRef immutability. */
export function validateBinding(object: KubeObject, old: KubeObject | undefined, namespaced: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  const ref = (object.roleRef ?? {}) as RoleRef;
  if (ref.apiGroup !== RBAC_GROUP) causes.push(unsupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) causes.push(unsupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) causes.push(required('roleRef.name'));
  ((object.subjects as Subject[] | undefined) ?? []).forEach((subject, i) => {
    const path = `subjects[${i}]`;
    if (!subject.name) causes.push(required(`${path}.name`));
    if (subject.kind === 'ServiceAccount') {
      if (!namespaced && !subject.namespace) causes.push(required(`${path}.namespace`));
    } else if (subject.kind !== 'User' && subject.kind !== 'Group') {
      causes.push(unsupported(`${path}.kind`, subject.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    }
  });
  const before = old?.roleRef as RoleRef | undefined;
  if (before && (before.apiGroup !== ref.apiGroup || before.kind !== ref.kind || before.name !== ref.name)) {
    causes.push({ reason: 'FieldValueInvalid', field: 'roleRef', message: `Invalid value: ${describeRoleRef(ref)}: cannot change roleRef` });
  }
  return causes;
}

/** kube's v1 defaults: roleRef and User/Group subjects name the RBAC API group. */
export function defaultBinding(object: Record<string, unknown>): void {
  const ref = object.roleRef as Partial<RoleRef> | undefined;
  if (ref && !ref.apiGroup) ref.apiGroup = RBAC_GROUP;
  for (const subject of (object.subjects as Subject[] | undefined) ?? []) {
    if (subject.apiGroup === undefined && (subject.kind === 'User' || subject.kind === 'Group')) subject.apiGroup = RBAC_GROUP;
  }
}

