import { SimCluster } from '@vworkspace/kube-sim';
import { KubeClient } from '@vworkspace/kube-runtime';
import {
  createInstance,
  createOperation,
  engineResources,
  eventsFor,
  getOperation,
  gvr,
  ns,
  OperatorHandle,
  startCluster,
  startOperator,
  waitFor,
  waitForPhase,
} from './__testUtils__/operatorSim';

jest.setTimeout(60_000);

const operatorNamespace = 'fleet-system';
const operatorAccount = 'fleet-operator';
const rbacGroup = 'rbac.authorization.k8s.io';
const roles = { group: rbacGroup, version: 'v1', resource: 'roles' };
const roleBindings = { group: rbacGroup, version: 'v1', resource: 'rolebindings' };
const clusterRoleBindings = { group: rbacGroup, version: 'v1', resource: 'clusterrolebindings' };
const subjects = [{ kind: 'ServiceAccount', name: operatorAccount, namespace: operatorNamespace }];

/** The operator's access, as the chart grants it: its own kinds cluster-wide, Velero's in Velero's namespace only. */
async function grantOperatorAccess(cluster: SimCluster): Promise<void> {
  await cluster.api.create(gvr.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: operatorNamespace } });
  await cluster.api.create(gvr.serviceaccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: operatorAccount, namespace: operatorNamespace } });
  await cluster.api.create(gvr.clusterroles, {
    apiVersion: `${rbacGroup}/v1`,
    kind: 'ClusterRole',
    metadata: { name: 'fleet-operator' },
    rules: [
      { apiGroups: ['ops.vworkspace.io'], resources: ['operations', 'operations/status', 'operations/finalizers'], verbs: ['get', 'list', 'watch', 'patch', 'update'] },
      { apiGroups: ['apps.vworkspace.io'], resources: ['applicationinstances'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ],
  });
  await cluster.api.create(clusterRoleBindings, {
    apiVersion: `${rbacGroup}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name: 'fleet-operator' },
    roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: 'fleet-operator' },
    subjects,
  });
  await grantVeleroAccess(cluster, [
    { apiGroups: ['velero.io'], resources: ['backups'], verbs: ['get', 'list', 'create', 'delete'] },
    { apiGroups: ['velero.io'], resources: ['restores'], verbs: ['get', 'create', 'delete'] },
  ]);
}

/** The operator's Role in Velero's namespace with `rules`, bound to its ServiceAccount. */
async function grantVeleroAccess(cluster: SimCluster, rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>): Promise<void> {
  await cluster.api.create(roles, {
    apiVersion: `${rbacGroup}/v1`,
    kind: 'Role',
    metadata: { name: 'fleet-operator-velero', namespace: 'velero' },
    rules,
  });
  await cluster.api.create(roleBindings, {
    apiVersion: `${rbacGroup}/v1`,
    kind: 'RoleBinding',
    metadata: { name: 'fleet-operator-velero', namespace: 'velero' },
    roleRef: { apiGroup: rbacGroup, kind: 'Role', name: 'fleet-operator-velero' },
    subjects,
  });
}

const gone = (check: () => unknown) => {
  try {
    check();
    return false;
  } catch {
    return true;
  }
};

/*
 * Velero runs in no test here: Backups and Restores stay as created, so their Operations run
 * until deleted. What goes away is the operator's way to them.
 */
describe('deleting an Operation whose engine resource cannot be reached any more', () => {
  let cluster: SimCluster;
  let operator: OperatorHandle;
  let client: KubeClient;

  beforeAll(async () => {
    cluster = await startCluster();
    await grantOperatorAccess(cluster);
    await createInstance(cluster, 'app', { annotations: { 'ops.vworkspace.io/backup': 'velero', 'ops.vworkspace.io/restore': 'velero' } });
    const token = cluster.serviceAccountToken(operatorNamespace, operatorAccount);
    client = KubeClient.fromString(cluster.kubeConfig({ token }), { qps: 1000, burst: 1000 });
    operator = startOperator(cluster, {}, client);
  });

  afterAll(async () => {
    await operator.stop();
    client.close();
    await cluster.stop();
  });

  it('lets the Operation go once its access to the Backup is gone, with an Event, and keeps the Backup', async () => {
    await createOperation(cluster, 'nightly', { type: 'Backup', engine: 'velero', target: { applicationInstance: 'app' }, parameters: {} });
    await waitForPhase(cluster, 'nightly', 'Running');
    const [backup] = await waitFor(() => {
      const found = engineResources(cluster, gvr.backups, 'nightly', 'velero');
      return found.length ? found : undefined;
    }, 'Backup created');

    // Velero's namespace is managed apart from the operator: its Role there was removed.
    await cluster.api.delete(roleBindings, 'fleet-operator-velero', { namespace: 'velero' });
    await cluster.api.delete(roles, 'fleet-operator-velero', { namespace: 'velero' });

    await cluster.api.delete(gvr.operations, 'nightly', { namespace: ns });
    await waitFor(() => gone(() => getOperation(cluster, 'nightly')), 'Operation gone');
    const unreachable = await waitFor(
      () => eventsFor(cluster, 'nightly').find(e => e.reason === 'EngineResourceUnreachable'),
      'EngineResourceUnreachable event',
    );
    expect(unreachable.type).toBe('Warning');
    expect(unreachable.message).toContain(`Backup velero/${backup.metadata.name}`);
    expect(unreachable.message).toContain('forbidden');
    // Data outlives the request: the Backup is still there.
    await cluster.idle();
    expect(cluster.api.get(gvr.backups, backup.metadata.name!, { namespace: 'velero' })).toBeDefined();
  });

  it('lets a Restore\'s Operation go once Velero\'s namespace is deleted with everything in it', async () => {
    // The operator's Role in Velero's namespace, as installed.
    await grantVeleroAccess(cluster, [{ apiGroups: ['velero.io'], resources: ['backups', 'restores'], verbs: ['get', 'list', 'create', 'delete'] }]);
    await createOperation(cluster, 'rollback', { type: 'Restore', engine: 'velero', target: { applicationInstance: 'app' }, parameters: { backupName: 'team-a-nightly' } });
    await waitForPhase(cluster, 'rollback', 'Running');
    await waitFor(() => engineResources(cluster, gvr.restores, 'rollback', 'velero').length === 1, 'Restore created');

    // Velero uninstalled: its namespace, the Restore and the operator's Role there all go.
    await cluster.api.delete(gvr.namespaces, 'velero');
    await waitFor(() => gone(() => cluster.api.get(gvr.namespaces, 'velero')), 'velero namespace gone');

    await cluster.api.delete(gvr.operations, 'rollback', { namespace: ns });
    await waitFor(() => gone(() => getOperation(cluster, 'rollback')), 'Operation gone');
    const unreachable = await waitFor(
      () => eventsFor(cluster, 'rollback').find(e => e.reason === 'EngineResourceUnreachable'),
      'EngineResourceUnreachable event',
    );
    expect(unreachable.message).toContain('Restore velero/team-a-rollback cannot be reached any more');
  });

  it('does not keep a namespace Terminating whose Operation\'s engine resource is out of reach', async () => {
    const team = 'team-b';
    await cluster.api.create(gvr.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: team } });
    await cluster.api.create(gvr.instances, {
      apiVersion: 'apps.vworkspace.io/v1alpha1',
      kind: 'ApplicationInstance',
      metadata: { name: 'wiki', namespace: team, annotations: { 'ops.vworkspace.io/restore': 'velero' } },
      spec: { app: 'wiki', chart: { name: 'wiki', version: '1.0.0', repository: { url: 'https://charts.example.com/', type: 'helm' } } },
    });
    await cluster.api.create(gvr.operations, {
      apiVersion: 'ops.vworkspace.io/v1alpha1',
      kind: 'Operation',
      // A Restore does not wait for its target to be Ready: it starts at once.
      metadata: { name: 'restore', namespace: team },
      spec: { type: 'Restore', engine: 'velero', target: { applicationInstance: 'wiki' }, parameters: { backupName: 'wiki-nightly' } },
    });
    // Velero is gone (previous test): creating the Restore is refused, and the Operation failed;
    // its finalizer still asks the operator before it goes.
    await waitFor(() => {
      const op = cluster.api.get(gvr.operations, 'restore', { namespace: team }) as { status?: { phase?: string }; metadata: { finalizers?: string[] } };
      return op.status?.phase === 'Failed' && op.metadata.finalizers?.includes('ops.vworkspace.io/cancel');
    }, 'Operation failed, finalizer on');

    await cluster.api.delete(gvr.namespaces, team);
    await waitFor(() => gone(() => cluster.api.get(gvr.namespaces, team)), `namespace ${team} gone`);
    expect(cluster.api.list(gvr.operations, { namespace: team }).items).toEqual([]);
  });

  it('then fails a new Backup at once, saying what the velero engine needs, instead of running forever', async () => {
    await createOperation(cluster, 'after-uninstall', { type: 'Backup', engine: 'velero', target: { applicationInstance: 'app' }, parameters: {} });
    const op = await waitForPhase(cluster, 'after-uninstall', 'Failed', 'TimedOut', 'Succeeded');
    expect(op.status?.phase).toBe('Failed');
    expect(op.status?.conditions?.find(c => c.type === 'Complete')).toMatchObject({ reason: 'EngineResourceForbidden' });
    expect(op.status?.message).toContain('backups');
    expect(op.status?.message).toContain('velero.enabled=true');
  });
});
