import type { UserInfo } from '../types';
import { forbidden, unauthorized } from './StatusError';
import type { AccessAttributes, PolicyRule } from './rbac/policyRule';
import type { Decision, RbacAuthorizer } from './rbac/RbacAuthorizer';

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

/**
 * A bearer token and whom it stands for. Without `rules` the token may do anything; with
 * them it may do what they allow plus whatever RBAC objects in the cluster grant its user. @public
 */
export interface TokenGrant {
  token: string;
  user: UserInfo;
  rules?: AuthorizationRule[];
}

/** What is being asked, in the terms of kube's authorizer attributes; `path` marks a non-resource request. */
export type RequestAttributes = AccessAttributes;

/** Resolves bearer tokens that are not static grants (e.g. service-account tokens). */
export type TokenAuthenticator = (token: string) => TokenGrant | undefined;

const PRIVILEGED_GROUP = 'system:masters';

function matches(list: string[] | undefined, value: string): boolean {
  return list === undefined || list.includes('*') || list.includes(value);
}

function staticRuleAllows(rule: AuthorizationRule, attrs: RequestAttributes): boolean {
  if (attrs.path !== undefined) return false;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  return matches(rule.verbs, attrs.verb) &&
    matches(rule.apiGroups, attrs.group) &&
    (matches(rule.resources, resource) ||
      (attrs.subresource !== undefined && rule.resources.includes(`*/${attrs.subresource}`))) &&
    (rule.namespaces === undefined || (attrs.namespace !== undefined && matches(rule.namespaces, attrs.namespace))) &&
    (rule.resourceNames === undefined || (attrs.name !== undefined && rule.resourceNames.includes(attrs.name)));
}

/** kube's 403 wording for a request the authorizers did not allow. */
export function forbiddenMessage(user: UserInfo, attrs: RequestAttributes): string {
  const who = `User ${JSON.stringify(user.username)}`;
  if (attrs.path !== undefined) return `${who} cannot ${attrs.verb} path ${JSON.stringify(attrs.path)}`;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const where = attrs.namespace ? `in the namespace ${JSON.stringify(attrs.namespace)}` : 'at the cluster scope';
  return `${who} cannot ${attrs.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attrs.group)} ${where}`;
}

/**
 * Authentication by bearer token and authorization as a union, like kube-apiserver's
 * `--authorization-mode`: `system:masters` and rule-less static tokens may do anything; otherwise
 * a request is allowed by the token's static rules or by the cluster's RBAC objects.
 */
export class Authorizer {
  private readonly grants = new Map<string, TokenGrant>();
  /** Static rules by user object, so that writes (which carry only the user) find them. */
  private readonly grantsByUser = new WeakMap<UserInfo, TokenGrant>();
  private readonly authenticators: TokenAuthenticator[] = [];
  private rbac?: RbacAuthorizer;

  constructor(grants: TokenGrant[]) {
    for (const grant of grants) this.addToken(grant);
  }

  addToken(grant: TokenGrant): void {
    this.grants.set(grant.token, grant);
    this.grantsByUser.set(grant.user, grant);
  }

  removeToken(token: string): void {
    this.grants.delete(token);
  }

  addAuthenticator(authenticator: TokenAuthenticator): void {
    this.authenticators.push(authenticator);
  }

  useRbac(rbac: RbacAuthorizer): void {
    this.rbac = rbac;
  }

  /** The grant of an `Authorization: Bearer` header; 401 when missing or unknown. */
  authenticate(header: string | undefined): TokenGrant {
    const match = header && /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match) throw unauthorized();
    const token = match[1];
    let grant = this.grants.get(token);
    for (let i = 0; !grant && i < this.authenticators.length; i++) grant = this.authenticators[i](token);
    if (!grant) throw unauthorized();
    return grant;
  }

  /** Whether `user` may do what `attrs` describe, with the reason kube's authorizers would give. */
  decide(user: UserInfo, attrs: RequestAttributes, grant = this.grantsByUser.get(user)): Decision {
    if (user.groups.includes(PRIVILEGED_GROUP)) return { allowed: true, reason: '' };
    if (grant && grant.user === user) {
      if (!grant.rules) return { allowed: true, reason: '' };
      if (grant.rules.some(rule => staticRuleAllows(rule, attrs))) return { allowed: true, reason: '' };
    }
    return this.rbac?.decide(user, attrs) ?? { allowed: false, reason: '' };
  }

  /**
   * The rules `user` holds in `namespace` ('' for cluster-wide), for escalation checks: its
   * RBAC rules plus the static rules of its token that apply there.
   */
  rulesHeld(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const resolved = this.rbac?.rulesFor(user, namespace) ?? { rules: [], errors: [] };
    const rules = resolved.rules.map(r => r.rule);
    const grant = this.grantsByUser.get(user);
    for (const rule of grant?.rules ?? []) {
      if (rule.namespaces === undefined || (namespace && rule.namespaces.includes(namespace))) {
        rules.push({ verbs: rule.verbs, apiGroups: rule.apiGroups, resources: rule.resources, resourceNames: rule.resourceNames });
      }
    }
    return { rules, errors: resolved.errors };
  }

  /** Throws 403 with kube's wording unless the grant's user may make the request. */
  authorize(grant: TokenGrant, attrs: RequestAttributes): void {
    // Rule-less static tokens (the admin's among them) skip every lookup on the hot path.
    if (!grant.rules) return;
    const decision = this.decide(grant.user, attrs, grant);
    if (decision.allowed) return;
    const message = forbiddenMessage(grant.user, attrs);
    throw forbidden(
      { group: attrs.group, resource: attrs.resource },
      attrs.name,
      decision.reason ? `${message}: ${decision.reason}` : message,
    );
  }
}
