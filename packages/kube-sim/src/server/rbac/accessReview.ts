import type { KubeObject, UserInfo } from '../../types';
import type { Authorizer } from '../authorizer';
import { StatusCause, invalid } from '../StatusError';
import type { AccessAttributes } from './policyRule';

export const AUTHORIZATION_GROUP = 'authorization.k8s.io';

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

interface ReviewSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  uid?: string;
}

function attributesOf(spec: ReviewSpec): AccessAttributes {
  const r = spec.resourceAttributes;
  if (r) {
    return { verb: r.verb ?? '', group: r.group ?? '', resource: r.resource ?? '', subresource: r.subresource || undefined, namespace: r.namespace || undefined, name: r.name || undefined };
  }
  const n = spec.nonResourceAttributes!;
  return { verb: n.verb ?? '', group: '', resource: '', path: n.path ?? '' };
}

/**
 * Answers a SelfSubjectAccessReview, SubjectAccessReview or LocalSubjectAccessReview the way
 * kube-apiserver does (and `kubectl auth can-i` reads it): the object comes back with
 * `status.allowed` and the authorizer's reason, and nothing is stored.
 */
export function accessReview(authorizer: Authorizer, object: KubeObject, requester: UserInfo): KubeObject {
  const spec = (object.spec ?? {}) as ReviewSpec;
  const causes: StatusCause[] = [];
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    causes.push({ reason: 'FieldValueInvalid', field: 'spec.nonResourceAttributes', message: `Invalid value: ${JSON.stringify(spec.nonResourceAttributes)}: cannot be specified in combination with resourceAttributes` });
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    causes.push({ reason: 'FieldValueInvalid', field: 'spec.resourceAttributes', message: 'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified' });
  }
  let user = requester;
  if (object.kind !== 'SelfSubjectAccessReview') {
    if (!spec.user && !spec.groups?.length) {
      causes.push({ reason: 'FieldValueInvalid', field: 'spec.user', message: 'Invalid value: "": at least one of user or group must be specified' });
    }
    user = { username: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [] };
  }
  if (object.kind === 'LocalSubjectAccessReview' && spec.resourceAttributes && spec.resourceAttributes.namespace !== object.metadata.namespace) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.resourceAttributes.namespace',
      message: `Invalid value: ${JSON.stringify(spec.resourceAttributes.namespace ?? '')}: must match metadata.namespace`,
    });
  }
  if (causes.length > 0) throw invalid({ group: AUTHORIZATION_GROUP, kind: object.kind }, object.metadata.name ?? '', causes);
  const decision = authorizer.decide(user, attributesOf(spec));
  const status: Record<string, unknown> = { allowed: decision.allowed };
  if (decision.reason) status.reason = decision.reason;
  return { ...object, status };
}
