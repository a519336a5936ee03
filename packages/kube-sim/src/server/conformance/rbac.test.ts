// Wire responses are checked as untyped JSON, hence `any` in assertions.
import {
  AuthorizationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { SimCluster } from '../../cluster/SimCluster';
import { failure, startTestCluster } from './__testUtils__/testCluster';

const RBAC = 'rbac.authorization.k8s.io';
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const OPERATION_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'operations.ops.vworkspace.io' },
  spec: {
    group: 'ops.vworkspace.io',
    scope: 'Namespaced',
    names: { kind: 'Operation', plural: 'operations', singular: 'operation', listKind: 'OperationList' },
    versions: [{
      name: 'v1alpha1', served: true, storage: true, subresources: { status: {} },
      schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    }],
  },
};
const operations = { group: 'ops.vworkspace.io', version: 'v1alpha1', plural: 'operations' };
const sa = (namespace: string, name: string) => `system:serviceaccount:${namespace}:${name}`;
const saGroups = (namespace: string) => `["system:serviceaccounts" "system:serviceaccounts:${namespace}" "system:authenticated"]`;

describe('RBAC authorization and service-account tokens', () => {
  let cluster: SimCluster;
  let admin: KubeConfig;
  const as = <T>(api: new (...args: any[]) => T, token: string): T => {
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeConfig({ token }));
    return kc.makeApiClient(api as any) as T;
  };
  const rbac = () => admin.makeApiClient(RbacAuthorizationV1Api);
  const core = () => admin.makeApiClient(CoreV1Api);
  /** A ServiceAccount in `namespace` and a bound token for it. */
  const account = async (namespace: string, name: string) => {
    await core().createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
    return cluster.serviceAccountToken(namespace, name);
  };
  const role = (namespace: string, name: string, rules: object[]) =>
    rbac().createNamespacedRole({ namespace, body: { metadata: { name }, rules } as any });
  const bindRole = (namespace: string, name: string, roleRef: { kind: string; name: string }, subjects: object[]) =>
    rbac().createNamespacedRoleBinding({ namespace, body: { metadata: { name }, roleRef: { apiGroup: RBAC, ...roleRef }, subjects } as any });

  beforeAll(async () => {
    const started = await startTestCluster({ crds: [OPERATION_CRD] });
    cluster = started.cluster;
    admin = started.kc;
    for (const name of ['apps', 'other']) await core().createNamespace({ body: { metadata: { name } } });
  });
  afterAll(() => cluster.stop());

  it('lets a ServiceAccount bound by a RoleBinding do exactly what the Role grants, in that namespace only', async () => {
    const token = await account('apps', 'fleet-operator');
    await role('apps', 'operator', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create'] }]);
    await bindRole('apps', 'operator', { kind: 'Role', name: 'operator' }, [{ kind: 'ServiceAccount', name: 'fleet-operator', namespace: 'apps' }]);
    const client = as(CoreV1Api, token);

    await client.createNamespacedConfigMap({ namespace: 'apps', body: { metadata: { name: 'state' } } });
    expect((await client.listNamespacedConfigMap({ namespace: 'apps' })).items.map(c => c.metadata!.name)).toEqual(['state']);

    const elsewhere = await failure(client.listNamespacedConfigMap({ namespace: 'other' }));
    expect(elsewhere.code).toBe(403);
    expect(elsewhere.body).toMatchObject({
      reason: 'Forbidden',
      message: `configmaps is forbidden: User "${sa('apps', 'fleet-operator')}" cannot list resource "configmaps" in API group "" in the namespace "other"`,
      details: { kind: 'configmaps' },
    });
    const del = await failure(client.deleteNamespacedConfigMap({ namespace: 'apps', name: 'state' }));
    expect(del.body.message).toBe(
      `configmaps "state" is forbidden: User "${sa('apps', 'fleet-operator')}" cannot delete resource "configmaps" in API group "" in the namespace "apps"`,
    );
    const secrets = await failure(client.listNamespacedSecret({ namespace: 'apps' }));
    expect(secrets.code).toBe(403);
  });

  it('needs create as well as patch for a server-side apply that creates its object', async () => {
    const token = await account('apps', 'applier');
    await role('apps', 'applier', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'patch'] }]);
    await bindRole('apps', 'applier', { kind: 'Role', name: 'applier' }, [{ kind: 'ServiceAccount', name: 'applier', namespace: 'apps' }]);
    const client = as(CoreV1Api, token);
    const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
    const body = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });

    const created = await failure(client.patchNamespacedConfigMap({ namespace: 'apps', name: 'new', body: body('new'), fieldManager: 'applier' }, apply));
    expect(created.code).toBe(403);
    expect(created.body.message).toBe(
      `configmaps "new" is forbidden: User "${sa('apps', 'applier')}" cannot create resource "configmaps" in API group "" in the namespace "apps"`,
    );
    await core().createNamespacedConfigMap({ namespace: 'apps', body: { metadata: { name: 'existing' } } });
    const updated = await client.patchNamespacedConfigMap({ namespace: 'apps', name: 'existing', body: body('existing'), fieldManager: 'applier' }, apply);
    expect(updated.data).toEqual({ a: '1' });
  });

  it('grants cluster-wide through a ClusterRoleBinding, and one namespace through a RoleBinding to a ClusterRole', async () => {
    const token = await account('apps', 'watcher');
    await rbac().createClusterRole({ body: { metadata: { name: 'namespace-reader' }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list'] }] } });
    await rbac().createClusterRole({ body: { metadata: { name: 'secret-reader' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }] } });
    const client = as(CoreV1Api, token);
    const before = await failure(client.listNamespace());
    expect(before.body.message).toBe(`namespaces is forbidden: User "${sa('apps', 'watcher')}" cannot list resource "namespaces" in API group "" at the cluster scope`);

    await rbac().createClusterRoleBinding({
      body: { metadata: { name: 'watcher-namespaces' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'namespace-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'watcher', namespace: 'apps' }] },
    });
    expect((await client.listNamespace()).items.map(n => n.metadata!.name)).toContain('apps');

    await bindRole('other', 'watcher-secrets', { kind: 'ClusterRole', name: 'secret-reader' }, [{ kind: 'Group', name: 'system:serviceaccounts:apps' }]);
    await client.listNamespacedSecret({ namespace: 'other' });
    expect((await failure(client.listNamespacedSecret({ namespace: 'apps' }))).code).toBe(403);

    // Access ends with the binding that granted it.
    await rbac().deleteClusterRoleBinding({ name: 'watcher-namespaces' });
    expect((await failure(client.listNamespace())).code).toBe(403);
  });

  it('limits a rule to resourceNames: get of that name only, never list', async () => {
    const token = await account('apps', 'elector');
    await role('apps', 'leader', [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['leader'], verbs: ['get', 'list', 'update'] }]);
    await bindRole('apps', 'elector', { kind: 'Role', name: 'leader' }, [{ kind: 'User', name: sa('apps', 'elector') }]);
    const leases = as(CoordinationV1Api, token);
    expect((await failure(leases.readNamespacedLease({ namespace: 'apps', name: 'leader' }))).code).toBe(404);
    const other = await failure(leases.readNamespacedLease({ namespace: 'apps', name: 'other' }));
    expect(other.body.message).toBe(
      `leases.coordination.k8s.io "other" is forbidden: User "${sa('apps', 'elector')}" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "apps"`,
    );
    expect((await failure(leases.listNamespacedLease({ namespace: 'apps' }))).code).toBe(403);
  });

  it('authorizes a subresource separately from its resource', async () => {
    await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      ...operations, namespace: 'apps', body: { apiVersion: 'ops.vworkspace.io/v1alpha1', kind: 'Operation', metadata: { name: 'op-1' }, spec: { type: 'backup' } },
    });
    const reporter = await account('apps', 'reporter');
    const editor = await account('apps', 'editor');
    await role('apps', 'status-writer', [
      { apiGroups: ['ops.vworkspace.io'], resources: ['operations'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['ops.vworkspace.io'], resources: ['operations/status'], verbs: ['update', 'patch'] },
    ]);
    await role('apps', 'spec-writer', [{ apiGroups: ['ops.vworkspace.io'], resources: ['operations'], verbs: ['get', 'patch'] }]);
    await bindRole('apps', 'reporter', { kind: 'Role', name: 'status-writer' }, [{ kind: 'ServiceAccount', name: 'reporter' }]);
    await bindRole('apps', 'editor', { kind: 'Role', name: 'spec-writer' }, [{ kind: 'ServiceAccount', name: 'editor', namespace: 'apps' }]);
    const target = { ...operations, namespace: 'apps', name: 'op-1' };

    const patched = await as(CustomObjectsApi, reporter).patchNamespacedCustomObjectStatus({ ...target, body: { status: { phase: 'Running' } } }, merge);
    expect((patched as any).status).toEqual({ phase: 'Running' });
    const spec = await failure(as(CustomObjectsApi, reporter).patchNamespacedCustomObject({ ...target, body: { spec: { type: 'restore' } } }, merge));
    expect(spec.body.message).toBe(
      `operations.ops.vworkspace.io "op-1" is forbidden: User "${sa('apps', 'reporter')}" cannot patch resource "operations" in API group "ops.vworkspace.io" in the namespace "apps"`,
    );

    await as(CustomObjectsApi, editor).patchNamespacedCustomObject({ ...target, body: { spec: { type: 'restore' } } }, merge);
    const status = await failure(as(CustomObjectsApi, editor).patchNamespacedCustomObjectStatus({ ...target, body: { status: { phase: 'Done' } } }, merge));
    expect(status.body.message).toBe(
      `operations.ops.vworkspace.io "op-1" is forbidden: User "${sa('apps', 'editor')}" cannot patch resource "operations/status" in API group "ops.vworkspace.io" in the namespace "apps"`,
    );
  });

  it('refuses Roles with rules the writer does not hold unless it may escalate', async () => {
    const token = await account('apps', 'delegate');
    await role('apps', 'role-writer', [
      { apiGroups: [RBAC], resources: ['roles'], verbs: ['create', 'update'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
    ]);
    await bindRole('apps', 'delegate', { kind: 'Role', name: 'role-writer' }, [{ kind: 'ServiceAccount', name: 'delegate', namespace: 'apps' }]);
    const client = as(RbacAuthorizationV1Api, token);

    await client.createNamespacedRole({ namespace: 'apps', body: { metadata: { name: 'cm-get' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] } });
    const refused = await failure(client.createNamespacedRole({
      namespace: 'apps',
      body: { metadata: { name: 'secret-reader' }, rules: [{ apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['get', 'list'] }] },
    }));
    expect(refused.code).toBe(403);
    expect(refused.body.message).toBe(
      `roles.rbac.authorization.k8s.io "secret-reader" is forbidden: user "${sa('apps', 'delegate')}" (groups=${saGroups('apps')}) ` +
      'is attempting to grant RBAC permissions not currently held:\n' +
      '{APIGroups:[""], Resources:["configmaps"], Verbs:["list"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
    );
    expect(refused.body.details).toEqual({ name: 'secret-reader', group: RBAC, kind: 'roles' });

    // Growing an existing Role is the same escalation.
    const grown = await failure(client.replaceNamespacedRole({
      namespace: 'apps', name: 'cm-get', body: { metadata: { name: 'cm-get' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
    }));
    expect(grown.code).toBe(403);

    await role('apps', 'escalator', [{ apiGroups: [RBAC], resources: ['roles'], verbs: ['escalate'] }]);
    await bindRole('apps', 'delegate-escalate', { kind: 'Role', name: 'escalator' }, [{ kind: 'ServiceAccount', name: 'delegate', namespace: 'apps' }]);
    await client.createNamespacedRole({ namespace: 'apps', body: { metadata: { name: 'secret-reader' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] } });
  });

  it('refuses bindings to roles the writer does not hold unless it may bind them, by name', async () => {
    const token = await account('apps', 'binder');
    await rbac().createClusterRole({ body: { metadata: { name: 'secret-admin' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['*'] }] } });
    await rbac().createClusterRole({ body: { metadata: { name: 'pvc-admin' }, rules: [{ apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['*'] }] } });
    await role('apps', 'binding-writer', [{ apiGroups: [RBAC], resources: ['rolebindings'], verbs: ['create'] }]);
    await bindRole('apps', 'binder', { kind: 'Role', name: 'binding-writer' }, [{ kind: 'ServiceAccount', name: 'binder', namespace: 'apps' }]);
    const client = as(RbacAuthorizationV1Api, token);
    const binding = (name: string, roleName: string) => ({
      namespace: 'apps',
      body: { metadata: { name }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: roleName }, subjects: [{ kind: 'User', name: 'someone' }] },
    });

    const refused = await failure(client.createNamespacedRoleBinding(binding('give-secrets', 'secret-admin')));
    expect(refused.body.message).toBe(
      `rolebindings.rbac.authorization.k8s.io "give-secrets" is forbidden: user "${sa('apps', 'binder')}" (groups=${saGroups('apps')}) ` +
      'is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["*"]}',
    );
    const missing = await failure(client.createNamespacedRoleBinding(binding('give-nothing', 'no-such-role')));
    expect(missing.body.message).toBe('rolebindings.rbac.authorization.k8s.io "give-nothing" is forbidden: clusterroles.rbac.authorization.k8s.io "no-such-role" not found');

    await rbac().createClusterRole({ body: { metadata: { name: 'bind-secret-admin' }, rules: [{ apiGroups: [RBAC], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['secret-admin'] }] } });
    await bindRole('apps', 'binder-bind', { kind: 'ClusterRole', name: 'bind-secret-admin' }, [{ kind: 'ServiceAccount', name: 'binder', namespace: 'apps' }]);
    await client.createNamespacedRoleBinding(binding('give-secrets', 'secret-admin'));
    expect((await failure(client.createNamespacedRoleBinding(binding('give-pvcs', 'pvc-admin')))).code).toBe(403);

    const changed = await failure(rbac().replaceNamespacedRoleBinding({ ...binding('give-secrets', 'pvc-admin'), name: 'give-secrets' }));
    expect(changed.code).toBe(422);
    expect(changed.body.message).toBe(
      'RoleBinding.rbac.authorization.k8s.io "give-secrets" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"pvc-admin"}: cannot change roleRef',
    );
  });

  it('answers SelfSubjectAccessReview and SubjectAccessReview as kubectl auth can-i reads them', async () => {
    const token = await account('apps', 'asker');
    await bindRole('apps', 'asker', { kind: 'Role', name: 'operator' }, [{ kind: 'ServiceAccount', name: 'asker', namespace: 'apps' }]);
    const ask = (spec: object, as_ = token) =>
      as(AuthorizationV1Api, as_).createSelfSubjectAccessReview({ body: { spec } }).then(r => r.status!);

    expect(await ask({ resourceAttributes: { namespace: 'apps', verb: 'list', resource: 'configmaps' } })).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "asker/apps" of Role "operator" to ServiceAccount "asker/apps"',
    });
    expect((await ask({ resourceAttributes: { namespace: 'apps', verb: 'delete', resource: 'configmaps' } })).allowed).toBe(false);
    expect((await ask({ resourceAttributes: { namespace: 'other', verb: 'list', resource: 'configmaps' } })).allowed).toBe(false);
    expect((await ask({ nonResourceAttributes: { path: '/apis/apps', verb: 'get' } })).allowed).toBe(true);
    expect((await ask({ resourceAttributes: { verb: '*', group: '*', resource: '*' } }, cluster.adminToken)).allowed).toBe(true);

    const review = await admin.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
      body: { spec: { user: sa('apps', 'asker'), groups: ['system:serviceaccounts', 'system:serviceaccounts:apps'], resourceAttributes: { namespace: 'apps', verb: 'create', resource: 'configmaps' } } },
    });
    expect(review.status!.allowed).toBe(true);
    const nobody = await admin.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
      body: { spec: { user: 'nobody', resourceAttributes: { namespace: 'apps', verb: 'create', resource: 'configmaps' } } },
    });
    expect(nobody.status!.allowed).toBe(false);

    // Reviews are answered, not stored.
    const list = await failure(
      admin.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: 'authorization.k8s.io', version: 'v1', plural: 'selfsubjectaccessreviews' }),
    );
    expect(list.code).toBe(405);
  });

  it('fills a service-account token Secret, which authenticates until its ServiceAccount is deleted', async () => {
    await core().createNamespacedServiceAccount({ namespace: 'apps', body: { metadata: { name: 'legacy' } } });
    await core().createNamespacedSecret({
      namespace: 'apps',
      body: { metadata: { name: 'legacy-token', annotations: { 'kubernetes.io/service-account.name': 'legacy' } }, type: 'kubernetes.io/service-account-token' },
    });
    await cluster.idle();
    const secret = await core().readNamespacedSecret({ namespace: 'apps', name: 'legacy-token' });
    const account_ = await core().readNamespacedServiceAccount({ namespace: 'apps', name: 'legacy' });
    expect(Object.keys(secret.data!).sort()).toEqual(['ca.crt', 'namespace', 'token']);
    expect(Buffer.from(secret.data!.namespace, 'base64').toString()).toBe('apps');
    expect(secret.metadata!.annotations!['kubernetes.io/service-account.uid']).toBe(account_.metadata!.uid);
    const token = Buffer.from(secret.data!.token, 'base64').toString();

    const client = as(CoreV1Api, token);
    const denied = await failure(client.listNamespacedConfigMap({ namespace: 'apps' }));
    expect(denied.body.message).toBe(`configmaps is forbidden: User "${sa('apps', 'legacy')}" cannot list resource "configmaps" in API group "" in the namespace "apps"`);
    await bindRole('apps', 'legacy', { kind: 'Role', name: 'operator' }, [{ kind: 'Group', name: 'system:serviceaccounts:apps' }]);
    await client.listNamespacedConfigMap({ namespace: 'apps' });

    const bound = cluster.serviceAccountToken('apps', 'legacy');
    await as(CoreV1Api, bound).listNamespacedConfigMap({ namespace: 'apps' });
    await core().deleteNamespacedServiceAccount({ namespace: 'apps', name: 'legacy' });
    expect((await failure(client.listNamespacedConfigMap({ namespace: 'apps' }))).code).toBe(401);
    expect((await failure(as(CoreV1Api, bound).listNamespacedConfigMap({ namespace: 'apps' }))).code).toBe(401);
    await cluster.idle();
    expect((await failure(core().readNamespacedSecret({ namespace: 'apps', name: 'legacy-token' }))).code).toBe(404);
  });

  it('keeps static token rules working alongside RBAC', async () => {
    cluster.addToken({
      token: 'static-token',
      user: { username: 'static-user', groups: ['ops'] },
      rules: [{ verbs: ['list'], apiGroups: [''], resources: ['configmaps'], namespaces: ['other'] }],
    });
    const client = as(CoreV1Api, 'static-token');
    await client.listNamespacedConfigMap({ namespace: 'other' });
    expect((await failure(client.listNamespacedConfigMap({ namespace: 'apps' }))).code).toBe(403);
    await bindRole('apps', 'ops', { kind: 'Role', name: 'operator' }, [{ kind: 'Group', name: 'ops' }]);
    await client.listNamespacedConfigMap({ namespace: 'apps' });
  });
});
