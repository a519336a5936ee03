import type { ResourceStore } from '../../store/ResourceStore';
import type { KubeObject, UserInfo } from '../../types';
import { AccessAttributes, PolicyRule, RBAC_GROUP, ruleAllows } from './policyRule';

/** rbac.authorization.k8s.io/v1 Subject. */
export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

/** rbac.authorization.k8s.io/v1 RoleRef. */
export interface RoleRef {
  apiGroup: string;
  kind: string;
  name: string;
}

interface Binding {
  object: KubeObject;
  /** The subject as kube's describeSubject prints it, for allow reasons. */
  subject: string;
}

/** The rules a user holds in one namespace (or cluster-wide), where they come from, and what could not be resolved. */
export interface ResolvedRules {
  rules: Array<{ rule: PolicyRule; source: string }>;
  errors: string[];
}

/** What the RBAC authorizer says about a request. */
export interface Decision {
  allowed: boolean;
  reason: string;
}

type Stores = () => { roles: ResourceStore; clusterRoles: ResourceStore; roleBindings: ResourceStore; clusterRoleBindings: ResourceStore };

const SA_PREFIX = 'system:serviceaccount:';

function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') return `ServiceAccount ${JSON.stringify(`${subject.name}/${subject.namespace || bindingNamespace}`)}`;
  return `${subject.kind} ${JSON.stringify(subject.name)}`;
}

/**
 * The subject as the user side of the index sees it: a ServiceAccount subject is just the
 * username `system:serviceaccount:<ns>:<name>`, which is all kube compares.
 */
function subjectKey(subject: Subject, bindingNamespace: string): string | undefined {
  switch (subject.kind) {
    case 'User':
      return `u:${subject.name}`;
    case 'Group':
      return `g:${subject.name}`;
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace;
      return namespace ? `u:${SA_PREFIX}${namespace}:${subject.name}` : undefined;
    }
    default:
      return undefined;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * kube's RBAC authorizer over the cluster's own Roles, ClusterRoles and bindings. Bindings are
 * indexed by subject and each user's resolved rules are cached per namespace; any change to an
 * RBAC object drops both, so a request costs a few map lookups and a scan of the user's rules.
 * ClusterRole aggregationRule is not evaluated: aggregated roles hold only their own rules.
 */
export class RbacAuthorizer {
  private clusterIndex?: Map<string, Binding[]>;
  private namespaceIndex?: Map<string, Map<string, Binding[]>>;
  private readonly cache = new Map<string, Map<string, ResolvedRules>>();

  constructor(private readonly stores: Stores) {}

  /** Called for every committed change; only RBAC objects matter. */
  observe(group: string): void {
    if (group === RBAC_GROUP) this.invalidate();
  }

  invalidate(): void {
    this.clusterIndex = undefined;
    this.namespaceIndex = undefined;
    this.cache.clear();
  }

  private index(): { cluster: Map<string, Binding[]>; namespaced: Map<string, Map<string, Binding[]>> } {
    if (!this.clusterIndex || !this.namespaceIndex) {
      const { roleBindings, clusterRoleBindings } = this.stores();
      const cluster = new Map<string, Binding[]>();
      for (const object of clusterRoleBindings.objects.values()) {
        for (const subject of (object.subjects as Subject[] | undefined) ?? []) {
          const key = subjectKey(subject, '');
          if (key) push(cluster, key, { object, subject: describeSubject(subject, '') });
        }
      }
      const namespaced = new Map<string, Map<string, Binding[]>>();
      for (const object of roleBindings.objects.values()) {
        const namespace = object.metadata.namespace!;
        let byKey = namespaced.get(namespace);
        if (!byKey) namespaced.set(namespace, (byKey = new Map()));
        for (const subject of (object.subjects as Subject[] | undefined) ?? []) {
          const key = subjectKey(subject, namespace);
          if (key) push(byKey, key, { object, subject: describeSubject(subject, namespace) });
        }
      }
      this.clusterIndex = cluster;
      this.namespaceIndex = namespaced;
    }
    return { cluster: this.clusterIndex, namespaced: this.namespaceIndex };
  }

  private static keysOf(user: UserInfo): string[] {
    // Every authenticated user is in system:authenticated, whatever its token declared.
    const groups = user.groups.includes('system:authenticated') ? user.groups : [...user.groups, 'system:authenticated'];
    return [`u:${user.username}`, ...groups.map(g => `g:${g}`)];
  }

  /** The rules of a role reference, or the error kube's rule resolver reports. */
  private roleRules(ref: RoleRef, namespace: string): { rules: PolicyRule[] } | { error: string } {
    const { roles, clusterRoles } = this.stores();
    if (ref.kind === 'Role') {
      const role = namespace ? roles.get(`${namespace}/${ref.name}`) : undefined;
      if (!role) return { error: `role.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found` };
      return { rules: (role.rules as PolicyRule[] | undefined) ?? [] };
    }
    if (ref.kind === 'ClusterRole') {
      const role = clusterRoles.get(ref.name);
      if (!role) return { error: `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found` };
      return { rules: (role.rules as PolicyRule[] | undefined) ?? [] };
    }
    return { error: `unsupported role reference kind: ${JSON.stringify(ref.kind)}` };
  }

  /** The rules of a role reference as seen from a namespace ('' for cluster-wide), for binding checks. */
  referencedRules(ref: RoleRef, namespace: string): { rules: PolicyRule[] } | { error: string } {
    return this.roleRules(ref, namespace);
  }

  /** Everything `user` may do in `namespace` ('' or undefined: cluster-wide bindings only). */
  rulesFor(user: UserInfo, namespace = ''): ResolvedRules {
    const userKey = `${user.username}\u0000${user.groups.join('\u0000')}`;
    let byNamespace = this.cache.get(userKey);
    if (!byNamespace) this.cache.set(userKey, (byNamespace = new Map()));
    const cached = byNamespace.get(namespace);
    if (cached) return cached;

    const { cluster, namespaced } = this.index();
    const resolved: ResolvedRules = { rules: [], errors: [] };
    const seen = new Set<KubeObject>();
    const add = (binding: Binding, bindingNamespace: string, describe: string) => {
      if (seen.has(binding.object)) return;
      seen.add(binding.object);
      const ref = binding.object.roleRef as RoleRef;
      const found = this.roleRules(ref, bindingNamespace);
      if ('error' in found) {
        if (!resolved.errors.includes(found.error)) resolved.errors.push(found.error);
        return;
      }
      const source = `${describe} of ${ref.kind} ${JSON.stringify(ref.name)} to ${binding.subject}`;
      for (const rule of found.rules) resolved.rules.push({ rule, source });
    };
    const keys = RbacAuthorizer.keysOf(user);
    for (const key of keys) {
      for (const b of cluster.get(key) ?? []) add(b, '', `ClusterRoleBinding ${JSON.stringify(b.object.metadata.name)}`);
    }
    const local = namespace ? namespaced.get(namespace) : undefined;
    if (local) {
      for (const key of keys) {
        for (const b of local.get(key) ?? []) add(b, namespace, `RoleBinding ${JSON.stringify(`${b.object.metadata.name}/${namespace}`)}`);
      }
    }
    byNamespace.set(namespace, resolved);
    return resolved;
  }

  /** kube's RBAC decision: allowed by the first matching rule, else no opinion with resolution errors. */
  decide(user: UserInfo, attrs: AccessAttributes): Decision {
    const resolved = this.rulesFor(user, attrs.path === undefined ? attrs.namespace : '');
    for (const { rule, source } of resolved.rules) {
      if (ruleAllows(attrs, rule)) return { allowed: true, reason: `RBAC: allowed by ${source}` };
    }
    const errors = resolved.errors;
    if (errors.length === 0) return { allowed: false, reason: '' };
    return { allowed: false, reason: `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}` };
  }
}
