import type { PendingWrite, WriteCheck } from '../Apiserver';
import type { Authorizer } from '../authorizer';
import { deepEqual } from '../../apply/deepEqual';
import { forbidden } from '../StatusError';
import type { UserInfo } from '../../types';
import { PolicyRule, RBAC_GROUP, compactRules, compactString, goQuoteList, uncoveredRules } from './policyRule';
import type { RbacAuthorizer, RoleRef } from './RbacAuthorizer';

const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** Lister errors name the singular resource; the registry the escalation check reads names the plural. */
const registryError = (error: string) => error.replace(/^(cluster)?role\.rbac/, m => `${m.slice(0, -5)}s.rbac`);

/**
 * kube's RBAC escalation prevention, run where kube runs it (in the storage of roles and
 * bindings, after the request itself was authorized): a Role or ClusterRole may only hold rules
 * its writer holds unless the writer may `escalate`; a binding may only reference a role whose
 * rules its writer holds unless the writer may `bind` that role. `system:masters` is exempt.
 */
export function escalationCheck(authorizer: Authorizer, rbac: RbacAuthorizer): WriteCheck {
  function confirmNoEscalation(user: UserInfo, namespace: string, wanted: PolicyRule[]): string | undefined {
    const held = authorizer.rulesHeld(user, namespace);
    const missing = uncoveredRules(held.rules, wanted);
    if (missing.length === 0) return undefined;
    const descriptions = [...new Set(compactRules(missing).map(compactString))].sort();
    let message = `user ${JSON.stringify(user.username)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${descriptions.join('\n')}`;
    if (held.errors.length > 0) message += `; resolution errors: [${held.errors.map(registryError).join(' ')}]`;
    return message;
  }

  function checkRole(write: PendingWrite, user: UserInfo): void {
    const { object, old, type } = write;
    if (old && deepEqual(object.rules ?? [], old.rules ?? []) && deepEqual(object.aggregationRule, old.aggregationRule)) return;
    const name = object.metadata.name!;
    const escalate = authorizer.decide(user, {
      verb: 'escalate', group: RBAC_GROUP, resource: type.plural, namespace: write.namespace, name: old ? name : undefined,
    });
    if (escalate.allowed) return;
    // An aggregated ClusterRole can come to hold anything, so only full authority may make one.
    const wanted = object.aggregationRule ? FULL_AUTHORITY : ((object.rules as PolicyRule[] | undefined) ?? []);
    const refusal = confirmNoEscalation(user, write.namespace ?? '', wanted);
    if (refusal) throw forbidden({ group: RBAC_GROUP, resource: type.plural }, name, refusal);
  }

  function checkBinding(write: PendingWrite, user: UserInfo): void {
    const { object, old, type } = write;
    const ref = object.roleRef as RoleRef;
    if (old && deepEqual(ref, old.roleRef)) return;
    const namespace = write.namespace ?? '';
    const name = object.metadata.name!;
    const bind = authorizer.decide(user, {
      verb: 'bind', group: ref.apiGroup, resource: ref.kind === 'Role' ? 'roles' : 'clusterroles', namespace: write.namespace, name: ref.name,
    });
    if (bind.allowed) return;
    const gr = { group: RBAC_GROUP, resource: type.plural };
    const referenced = rbac.referencedRules(ref, namespace);
    if ('error' in referenced) throw forbidden(gr, name, registryError(referenced.error));
    const refusal = confirmNoEscalation(user, namespace, referenced.rules);
    if (refusal) throw forbidden(gr, name, refusal);
  }

  return write => {
    if (write.type.group !== RBAC_GROUP || write.subresource) return;
    const user = write.ctx.user;
    if (user.groups.includes('system:masters')) return;
    if (write.type.plural === 'roles' || write.type.plural === 'clusterroles') checkRole(write, user);
    else if (write.type.plural === 'rolebindings' || write.type.plural === 'clusterrolebindings') checkBinding(write, user);
  };
}
