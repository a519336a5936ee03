import type { RenderedObject } from './helmTemplate';

/** One request on an API resource, as RBAC sees it. */
export interface ResourceRequest {
  verb: string;
  /** API group; '' for the core group. */
  group: string;
  /** Resource, with its subresource if any (`operations/status`). */
  resource: string;
  /** Namespace of the request; undefined for cluster-scoped resources and requests across all namespaces. */
  namespace?: string;
  /** Name of the object, when the request names one (also `fieldSelector=metadata.name=...`). */
  name?: string;
}

/**
 * The RBAC attributes of an HTTP request to the API server, as the real apiserver derives them
 * (k8s.io/apiserver RequestInfoFactory); undefined for non-resource paths (discovery, /version).
 */
export function resourceRequestOf(method: string, rawPath: string): ResourceRequest | undefined {
  const url = new URL(rawPath, 'https://apiserver');
  const parts = url.pathname.split('/').filter(Boolean);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  if (!rest.length) return undefined;
  let namespace: string | undefined;
  // /api/v1/namespaces and /api/v1/namespaces/<name> are the Namespace resource itself.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, pathName, ...sub] = rest;
  const fullResource = sub.length ? `${resource}/${sub.join('/')}` : resource;
  const watchParam = url.searchParams.get('watch');
  const watch = watchParam === 'true' || watchParam === '1';
  const fieldName = /^metadata\.name=([^,]+)$/.exec(url.searchParams.get('fieldSelector') ?? '')?.[1];
  const name = pathName ?? fieldName;
  let verb: string;
  switch (method.toUpperCase()) {
    case 'GET':
    case 'HEAD':
      if (watch) verb = 'watch';
      else verb = pathName ? 'get' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = pathName ? 'delete' : 'deletecollection';
      break;
    default:
      verb = method.toLowerCase();
  }
  return { verb, group, resource: fullResource, namespace, name };
}

/** One (verb, resource) pair a Role or ClusterRole grants a subject, where it applies. */
export interface Grant {
  verb: string;
  group: string;
  resource: string;
  /** The namespace a RoleBinding limits it to; undefined for a ClusterRoleBinding (everywhere). */
  namespace?: string;
  resourceNames?: string[];
  /** The role granting it, for messages. */
  role: string;
}

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}

type Binding = RenderedObject & {
  roleRef: { kind: string; name: string };
  subjects?: Array<{ kind: string; name: string; namespace?: string }>;
};

/**
 * Every (verb, resource) pair the rendered objects grant the ServiceAccount `namespace/name`
 * through ClusterRoleBindings and RoleBindings, expanded from the rules of the bound roles.
 */
export function grantsOf(objects: RenderedObject[], account: { namespace: string; name: string }): Grant[] {
  const bindsAccount = (b: Binding) =>
    (b.subjects ?? []).some(s => s.kind === 'ServiceAccount' && s.name === account.name && s.namespace === account.namespace);
  const roleOf = (kind: string, name: string, namespace?: string) => {
    const role = objects.find(o => o.kind === kind && o.metadata.name === name && (kind === 'ClusterRole' || o.metadata.namespace === namespace));
    if (!role) throw new Error(`${kind} ${namespace ? `${namespace}/` : ''}${name} is bound but not rendered`);
    return role;
  };
  const out: Grant[] = [];
  const expand = (role: RenderedObject, namespace: string | undefined) => {
    for (const rule of (role.rules as PolicyRule[] | undefined) ?? []) {
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          for (const verb of rule.verbs) {
            out.push({ verb, group, resource, namespace, resourceNames: rule.resourceNames, role: `${role.kind}/${role.metadata.name}` });
          }
        }
      }
    }
  };
  for (const b of objects.filter(o => o.kind === 'ClusterRoleBinding') as Binding[]) {
    if (bindsAccount(b)) expand(roleOf('ClusterRole', b.roleRef.name), undefined);
  }
  for (const b of objects.filter(o => o.kind === 'RoleBinding') as Binding[]) {
    if (bindsAccount(b)) expand(roleOf(b.roleRef.kind, b.roleRef.name, b.metadata.namespace), b.metadata.namespace);
  }
  return out;
}

/** Whether `request` is one that `grant` allows. */
export function grantCovers(grant: Grant, request: ResourceRequest): boolean {
  return (
    grant.verb === request.verb &&
    grant.group === request.group &&
    grant.resource === request.resource &&
    (grant.namespace === undefined || grant.namespace === request.namespace) &&
    (!grant.resourceNames || (request.name !== undefined && grant.resourceNames.includes(request.name)))
  );
}

/** `verb group/resource` of a grant or request, `core` standing for the core group. */
export const pairOf = (x: { verb: string; group: string; resource: string }) => `${x.verb} ${x.group || 'core'}/${x.resource}`;

/** `pairOf` plus where it applies: `(namespaced)`, `(all namespaces)` or `(cluster)`. */
export function usedKeyOf(r: ResourceRequest, namespaced: (group: string, resource: string) => boolean): string {
  let scope = 'cluster';
  if (r.namespace) scope = 'namespaced';
  else if (namespaced(r.group, r.resource.split('/')[0])) scope = 'all namespaces';
  return `${pairOf(r)} (${scope})`;
}
