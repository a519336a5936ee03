import type { UserInfo } from '../types';
import { forbidden, unauthorized } from './StatusError';

/**
 * One RBAC-like rule: a request is allowed when every listed dimension matches ('*' matches
 * anything). `resources` may name subresources as `jobs/status`. @public
 */
export interface AuthorizationRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  /** Unset: any namespace and cluster-scoped requests. */
  namespaces?: string[];
  resourceNames?: string[];
}

/** A bearer token and whom it stands for. Without `rules` the token may do anything. @public */
export interface TokenGrant {
  token: string;
  user: UserInfo;
  rules?: AuthorizationRule[];
}

/** What is being asked, in the terms of kube's authorizer attributes. */
export interface RequestAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

function matches(list: string[] | undefined, value: string): boolean {
  return list === undefined || list.includes('*') || list.includes(value);
}

/** Token authentication and rule-based authorization for one cluster. */
export class Authorizer {
  private readonly grants = new Map<string, TokenGrant>();

  constructor(grants: TokenGrant[]) {
    for (const grant of grants) this.grants.set(grant.token, grant);
  }

  addToken(grant: TokenGrant): void {
    this.grants.set(grant.token, grant);
  }

  removeToken(token: string): void {
    this.grants.delete(token);
  }

  /** The grant of an `Authorization: Bearer` header; 401 when missing or unknown. */
  authenticate(header: string | undefined): TokenGrant {
    const match = header && /^Bearer\s+(.+)$/i.exec(header.trim());
    const grant = match ? this.grants.get(match[1]) : undefined;
    if (!grant) throw unauthorized();
    return grant;
  }

  /** Throws 403 with kube's RBAC wording unless one of the grant's rules allows the request. */
  authorize(grant: TokenGrant, attrs: RequestAttributes): void {
    if (!grant.rules) return;
    const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    const allowed = grant.rules.some(
      rule =>
        matches(rule.verbs, attrs.verb) &&
        matches(rule.apiGroups, attrs.group) &&
        (matches(rule.resources, resource) ||
          (attrs.subresource !== undefined && rule.resources.includes(`*/${attrs.subresource}`))) &&
        (rule.namespaces === undefined || (attrs.namespace !== undefined && matches(rule.namespaces, attrs.namespace))) &&
        (rule.resourceNames === undefined || (attrs.name !== undefined && rule.resourceNames.includes(attrs.name))),
    );
    if (allowed) return;
    const who = `User "${grant.user.username}"`;
    const where = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
    throw forbidden(
      { group: attrs.group, resource: attrs.resource },
      attrs.name,
      `${who} cannot ${attrs.verb} resource "${resource}" in API group "${attrs.group}" ${where}`,
    );
  }
}
