import { createCertificateAuthority, SimCluster, startControllers } from '@vworkspace/kube-sim';
import type { SimControllersHandle } from '@vworkspace/kube-sim';
import { stringify } from 'yaml';
import { parseOptions } from '../cli/options';
import { instanceKinds, registerControllers } from '../controllers';
import { operationKinds } from '../engines/kinds';
import { JsonLogger, KubeClient, KubeObject, Manager } from '@vworkspace/kube-runtime';
import { find, helmTemplate, RenderedObject } from './__testUtils__/helmTemplate';
import { Kubectl } from './__testUtils__/kubectl';
import { CountingProxy, fleetCrdDirs, startCountingProxy, waitFor } from '../testing';
import { Grant, grantCovers, grantsOf, pairOf, ResourceRequest, resourceRequestOf, usedKeyOf } from './__testUtils__/rbacUsage';

jest.setTimeout(120_000);

/*
 * The operator, run as its chart installs it: with the chart's ServiceAccount and nothing but
 * the RBAC the chart grants it, and with the options the chart's Deployment passes. Every request
 * it makes goes through a recording proxy, so the test can tell both that it was never refused
 * and which of its grants it actually needed.
 */

const releaseNamespace = 'vworkspace-system';
const ns = 'team-a';
const rbacKinds = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

/**
 * Grants the operator holds for code paths this run does not take, each with that path. Every
 * other grant must be used below: a grant nobody needs fails the test.
 */
const NEEDED_ELSEWHERE: Record<string, string> = {
  // Flux: a chart from an OCI registry is served by an OCIRepository (applied, garbage-collected
  // when no instance uses it); a HelmRelease is deleted when the instance switches to Argo CD.
  'create source.toolkit.fluxcd.io/ocirepositories': 'instances with an oci:// chart (applied: create and patch)',
  'patch source.toolkit.fluxcd.io/ocirepositories': 'instances with an oci:// chart (applied: create and patch)',
  'delete source.toolkit.fluxcd.io/ocirepositories': 'an OCIRepository no instance uses any more',
  'delete source.toolkit.fluxcd.io/helmrepositories': 'a HelmRepository no instance uses any more (chart URL changed)',
  'delete helm.toolkit.fluxcd.io/helmreleases': 'an instance switching from the flux engine to argocd',
  // Argo CD engine: Applications in the Argo CD namespace, found by name when not cached.
  'get argoproj.io/applications': 'argocd engine, when Applications are not cached',
  'create argoproj.io/applications': 'argocd engine (applied: create and patch)',
  'patch argoproj.io/applications': 'argocd engine (applied: create and patch)',
  'delete argoproj.io/applications': 'argocd engine: the cleanup finalizer and engine switches',
  // Workflow engine: creates the Workflow, reads it back, stops it with spec.shutdown.
  'get argoproj.io/workflows': 'workflow engine',
  'create argoproj.io/workflows': 'workflow engine',
  'patch argoproj.io/workflows': 'workflow engine: stopping a Workflow on cancel or timeout',
  // Storage engines.
  'get snapshot.storage.k8s.io/volumesnapshots': 'snapshot engine',
  'create snapshot.storage.k8s.io/volumesnapshots': 'snapshot engine',
  'delete snapshot.storage.k8s.io/volumesnapshots': 'snapshot engine: cancel or timeout',
  'get volsync.backube/replicationsources': 'volsync engine',
  'patch volsync.backube/replicationsources': 'volsync engine: triggering a manual sync',
  // Jobs end on cancel or timeout by deletion.
  'delete batch/jobs': 'job and helmHookJob engines: cancel or timeout',
  // A Job without pods: its FailedCreate events say why (a pod refused by Pod Security).
  'list core/events': 'job and helmHookJob engines: a Job that cannot create its pod',
  // helmHookJob engine: reads the hooks from the Helm release Secrets (owner=helm).
  'list core/secrets': 'helmHookJob engine',
  // Velero: cancels delete, a Restore without backupName restores the latest Backup.
  'delete velero.io/backups': 'velero engine: cancel or timeout of a Backup',
  'list velero.io/backups': 'velero engine: Restore of the latest successful Backup',
  'get velero.io/restores': 'velero engine: Restore',
  'create velero.io/restores': 'velero engine: Restore',
  'delete velero.io/restores': 'velero engine: cancel or timeout of a Restore',
};

/** How long to wait for the operator to act: its requests pass through the proxy and its RBAC is the chart's. */
const waitMs = 40_000;

type Condition = { type: string; status: string; reason?: string; message?: string };
type WithStatus = KubeObject & { status?: { phase?: string; message?: string; conditions?: Condition[]; chart?: { version?: string } } };
const conditionOf = (obj: WithStatus | undefined, type: string) => obj?.status?.conditions?.find(c => c.type === type);

/** The finalizers subresource of the kinds the operator's children are owned by. */
const ownerResources: Record<string, { group: string; resource: string }> = {
  [`${instanceKinds.ApplicationInstance.apiVersion}/ApplicationInstance`]: { group: 'apps.vworkspace.io', resource: 'applicationinstances/finalizers' },
  [`${operationKinds.Operation.apiVersion}/Operation`]: { group: 'ops.vworkspace.io', resource: 'operations/finalizers' },
};

describe('the operator with exactly the RBAC of its chart', () => {
  let cluster: SimCluster;
  let controllers: SimControllersHandle;
  let proxy: CountingProxy;
  let admin: KubeClient;
  let operatorClient: KubeClient;
  let manager: Manager;
  let running: Promise<unknown>;
  let objects: RenderedObject[];
  let account: { namespace: string; name: string };
  let kubectl: Kubectl;
  let applied: { code: number | null; stderr: string };
  let options: ReturnType<typeof parseOptions>;
  /** Objects the operator created, as read back: their owner references count as uses. */
  const children: KubeObject[] = [];

  const getOrUndefined = async (kind: Parameters<KubeClient['get']>[0], name: string, namespace: string) => {
    try {
      return (await admin.get(kind, name, namespace)) as WithStatus;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  };
  const operation = (name: string) => getOrUndefined(operationKinds.Operation, name, ns);
  const createOperation = (name: string, spec: Record<string, unknown>) =>
    admin.create(operationKinds.Operation, { apiVersion: operationKinds.Operation.apiVersion, kind: 'Operation', metadata: { name, namespace: ns }, spec });
  const waitForPhase = async (name: string, ...phases: string[]) => {
    let last: WithStatus | undefined;
    return waitFor(
      async () => {
        last = await operation(name);
        return phases.includes(last?.status?.phase ?? '') ? last : undefined;
      },
      () => `operation ${name} to reach ${phases.join('|')} (now ${JSON.stringify(last?.status)})`,
      waitMs,
    );
  };

  beforeAll(async () => {
    const ca = createCertificateAuthority();
    cluster = await SimCluster.start({ ca, crds: [...fleetCrdDirs] });
    admin = KubeClient.fromString(cluster.kubeConfig(), { qps: 1000, burst: 1000 });
    kubectl = new Kubectl(cluster.kubeConfig());

    // 1. The chart's RBAC, applied by an admin with the real kubectl.
    // Every optional engine enabled: its grants are checked too (used here, or named below).
    objects = await helmTemplate({ namespace: releaseNamespace, set: { 'velero.enabled': true, 'workflows.enabled': true, 'volsync.enabled': true } });
    const deployment = find(objects, 'Deployment', 'fleet-operator');
    const namespaces = [releaseNamespace, ns, ...new Set(objects.map(o => o.metadata.namespace).filter((n): n is string => !!n))];
    const manifest = [
      ...[...new Set(namespaces)].map(name => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
      ...objects.filter(o => rbacKinds.has(o.kind)),
    ];
    applied = await kubectl.run(['apply', '--server-side', '--field-manager=helm', '-f', '-'], manifest.map(o => stringify(o)).join('---\n'));

    controllers = startControllers(cluster, { flux: true, velero: true, jobs: true, snapshots: true, timeScale: 0 });

    // 2. The options of the chart's Deployment, parsed as the operator's entry point parses them.
    const podSpec = (deployment.spec as { template: { spec: PodSpec } }).template.spec;
    const container = podSpec.containers.find(c => c.name === 'operator')!;
    const env = Object.fromEntries((container.env ?? []).filter(e => e.value !== undefined).map(e => [e.name, e.value]));
    options = parseOptions(container.args ?? [], env);

    // A kubeconfig holding only a token of the chart's ServiceAccount, through the recording proxy.
    account = { namespace: releaseNamespace, name: podSpec.serviceAccountName };
    const token = cluster.serviceAccountToken(account.namespace, account.name);
    proxy = await startCountingProxy(cluster.url, { ca });
    operatorClient = KubeClient.fromString(proxy.kubeConfig(cluster.kubeConfig({ token })), { qps: options.kubeApiQps, burst: options.kubeApiBurst });

    // The wiring of `fleet-operator run` (src/main.ts), without its HTTP listeners.
    let watchApplications = false;
    try {
      const list = await operatorClient.request<{ resources?: Array<{ name: string }> }>('GET', `/apis/${instanceKinds.Application.apiVersion}`);
      watchApplications = !!list.resources?.some(r => r.name === instanceKinds.Application.plural);
    } catch {
      watchApplications = false;
    }
    const logger = new JsonLogger({ level: 'error', write: line => process.stderr.write(`${line}\n`) });
    manager = new Manager({
      client: operatorClient,
      namespace: options.namespace,
      logger,
      concurrency: options.concurrency,
      leaderElection: { enabled: options.leaderElect, name: options.leaderElectionId, namespace: options.leaderElectionNamespace },
    });
    registerControllers(manager, {
      concurrency: options.concurrency,
      applicationInstance: { argocd: { namespace: options.argocdNamespace }, watchApplications },
      // Engines are polled every 5 s by default; the poll interval changes no request kind, only how soon.
      operation: { veleroNamespace: options.veleroNamespace, profileClusterRolePrefix: options.profileClusterRolePrefix, pollIntervalMs: 100 },
    });
    running = manager.start().catch((err: unknown) => err);
  });

  afterAll(async () => {
    await manager?.stop();
    await running;
    operatorClient?.close();
    controllers?.stop();
    await proxy?.stop();
    admin?.close();
    kubectl?.dispose();
    await cluster?.stop();
  });

  it('installs the chart\'s RBAC and runs with the options its Deployment passes', () => {
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(options).toMatchObject({
      namespace: '',
      leaderElect: true,
      leaderElectionNamespace: releaseNamespace,
      veleroNamespace: 'velero',
      profileClusterRolePrefix: 'fleet-operator-profile-',
    });
  });

  it('deploys an ApplicationInstance with Flux until Ready', async () => {
    await admin.create(instanceKinds.ApplicationInstance, {
      apiVersion: instanceKinds.ApplicationInstance.apiVersion,
      kind: 'ApplicationInstance',
      metadata: {
        name: 'cloud',
        namespace: ns,
        annotations: {
          'ops.vworkspace.io/backup': 'velero',
          'ops.vworkspace.io/restore': 'velero',
          'ops.vworkspace.io/upgrade': 'helm',
          'ops.vworkspace.io/runcommand': 'job',
        },
      },
      spec: {
        app: 'nextcloud',
        engine: 'flux',
        chart: { name: 'nextcloud', version: '6.2.0', repository: { url: 'https://nextcloud.github.io/helm/', type: 'helm' } },
      },
    });
    let last: WithStatus | undefined;
    await waitFor(
      async () => {
        last = await getOrUndefined(instanceKinds.ApplicationInstance, 'cloud', ns);
        return conditionOf(last, 'Ready')?.status === 'True';
      },
      () => `instance Ready (now ${JSON.stringify(last?.status)})`,
      waitMs,
    );
    const release = await admin.get(instanceKinds.HelmRelease, 'cloud', ns);
    expect(release.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ApplicationInstance', name: 'cloud' });
    children.push(release, ...(await admin.list(instanceKinds.HelmRepository, { namespace: ns })).items);
  });

  it('backs it up with Velero', async () => {
    await createOperation('backup', { type: 'Backup', engine: 'velero', target: { applicationInstance: 'cloud' }, parameters: { ttl: '72h' } });
    const op = await waitForPhase('backup', 'Succeeded', 'PartiallySucceeded', 'Failed', 'TimedOut', 'Cancelled', 'Rejected');
    expect(op.status?.phase).toBe('Succeeded');
    const backups = await admin.list(operationKinds.VeleroBackup, { namespace: 'velero' });
    expect(backups.items.map(b => (b as WithStatus).status?.phase)).toEqual(['Completed']);
  });

  it('runs a command in a Job under the readonly profile, binding the profile ClusterRole', async () => {
    await createOperation('inspect', {
      type: 'RunCommand',
      engine: 'job',
      target: { applicationInstance: 'cloud' },
      parameters: { image: 'busybox:1.36', command: ['sh', '-c', 'echo hello'], rbacProfile: 'readonly' },
    });
    const op = await waitForPhase('inspect', 'Succeeded', 'Failed', 'TimedOut', 'Cancelled', 'Rejected');
    expect(op.status?.phase).toBe('Succeeded');
    const selector = { labelSelector: 'ops.vworkspace.io/rbac-profile=readonly' };
    const accounts = await admin.list(operationKinds.ServiceAccount, { namespace: ns, ...selector });
    const bindings = await admin.list(operationKinds.RoleBinding, { namespace: ns, ...selector });
    expect(accounts.items.map(a => a.metadata?.name)).toHaveLength(1);
    const accountName = accounts.items[0].metadata?.name;
    expect(bindings.items.map(b => (b as KubeObject & { roleRef: unknown; subjects: unknown }))).toEqual([
      expect.objectContaining({
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'fleet-operator-profile-readonly' },
        subjects: [{ kind: 'ServiceAccount', name: accountName, namespace: ns }],
      }),
    ]);
    const job = (await admin.get(operationKinds.Job, 'inspect', ns)) as KubeObject & { spec: { template: { spec: { serviceAccountName: string } } } };
    expect(job.spec.template.spec.serviceAccountName).toBe(accountName);
    children.push(job);
  });

  it('upgrades it with Helm to 6.3.0', async () => {
    await createOperation('upgrade', { type: 'Upgrade', engine: 'helm', target: { applicationInstance: 'cloud' }, parameters: { version: '6.3.0' } });
    const op = await waitForPhase('upgrade', 'Succeeded', 'Failed', 'TimedOut', 'Cancelled', 'Rejected');
    expect(op.status?.phase).toBe('Succeeded');
    const instance = await getOrUndefined(instanceKinds.ApplicationInstance, 'cloud', ns);
    expect(instance?.status?.chart?.version).toBe('6.3.0');
    expect(conditionOf(instance, 'Ready')?.status).toBe('True');
  });

  it('deletes the instance and its children', async () => {
    await admin.delete(instanceKinds.ApplicationInstance, 'cloud', ns);
    await waitFor(
      async () => !(await getOrUndefined(instanceKinds.ApplicationInstance, 'cloud', ns)),
      () => 'instance gone',
      waitMs,
    );
    await waitFor(
      async () => {
        const releases = await admin.list(instanceKinds.HelmRelease, { namespace: ns });
        const repositories = await admin.list(instanceKinds.HelmRepository, { namespace: ns });
        return releases.items.length + repositories.items.length === 0;
      },
      () => 'HelmRelease and HelmRepository gone',
      waitMs,
    );
    expect((await admin.list(instanceKinds.HelmRelease, { namespace: ns })).items).toEqual([]);
  });

  it('was never refused, and uses every grant of the chart but those other paths need', async () => {
    // Stopping releases the Lease: part of what the operator does.
    await manager.stop();
    expect(await running).toBeUndefined();

    const refused = proxy.requests.filter(r => r.status === 403).map(r => `${r.method} ${r.path}`);
    expect(refused).toEqual([]);
    // Every request was answered: none was lost on the way to the API server.
    expect(proxy.requests.filter(r => r.status === undefined && !r.path.includes('watch=')).map(r => `${r.method} ${r.path}`)).toEqual([]);

    const used: ResourceRequest[] = proxy.requests.flatMap(r => {
      const request = resourceRequestOf(r.method, r.path);
      if (!request) return [];
      // A server-side apply that creates its object (201) is authorized as "patch" and "create".
      return request.verb === 'patch' && r.status === 201 ? [request, { ...request, verb: 'create' }] : [request];
    });
    // Setting blockOwnerDeletion on a child needs "update" on the owner's finalizers subresource
    // (OwnerReferencesPermissionEnforcement).
    for (const child of children) {
      for (const ref of child.metadata?.ownerReferences ?? []) {
        const owner = ownerResources[`${ref.apiVersion}/${ref.kind}`];
        if (ref.blockOwnerDeletion && owner) used.push({ verb: 'update', ...owner, namespace: child.metadata?.namespace });
      }
    }
    // "bind" is no request of its own: it is what lets the operator create a RoleBinding to a
    // ClusterRole granting more than it holds itself (the profile ClusterRoles).
    const bindings = await admin.list(operationKinds.RoleBinding, { namespace: ns });
    for (const b of bindings.items as Array<KubeObject & { roleRef: { kind: string; name: string } }>) {
      const created = proxy.requests.some(
        r => r.method === 'POST' && r.status === 201 && r.path.startsWith(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`),
      );
      if (created && b.roleRef.kind === 'ClusterRole') {
        used.push({ verb: 'bind', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: b.roleRef.name });
      }
    }

    const namespaced = await namespacedResources(admin);
    const usedSet = [...new Set(used.map(r => usedKeyOf(r, (g, res) => namespaced.has(`${g}/${res}`))))].sort();
    console.log(`(verb, resource) pairs the operator used:\n  ${usedSet.join('\n  ')}`);

    const grants = grantsOf(objects, account);
    expect(grants.length).toBeGreaterThan(0);
    const describe = (g: Grant) =>
      `${pairOf(g)}${g.resourceNames ? `[${g.resourceNames.join(',')}]` : ''}${g.namespace ? ` in ${g.namespace}` : ''} (${g.role})`;
    const unused = grants.filter(g => !used.some(r => grantCovers(g, r)) && !(pairOf(g) in NEEDED_ELSEWHERE)).map(describe);
    expect(unused).toEqual([]);
    // The allow-list names grants only: an entry the chart no longer grants is stale.
    const granted = new Set(grants.map(pairOf));
    expect(Object.keys(NEEDED_ELSEWHERE).filter(pair => !granted.has(pair))).toEqual([]);
  });
});


interface PodSpec {
  serviceAccountName: string;
  containers: Array<{ name: string; args?: string[]; env?: Array<{ name: string; value?: string }> }>;
}

/** `group/resource` of every namespaced resource the cluster serves, from discovery. */
async function namespacedResources(client: KubeClient): Promise<Set<string>> {
  type ResourceList = { resources: Array<{ name: string; namespaced: boolean }> };
  const out = new Set<string>();
  const add = (group: string, list: ResourceList) => {
    for (const r of list.resources) if (r.namespaced && !r.name.includes('/')) out.add(`${group}/${r.name}`);
  };
  add('', await client.request<ResourceList>('GET', '/api/v1'));
  const groups = await client.request<{ groups: Array<{ name: string; preferredVersion: { groupVersion: string } }> }>('GET', '/apis');
  for (const g of groups.groups) add(g.name, await client.request<ResourceList>('GET', `/apis/${g.preferredVersion.groupVersion}`));
  return out;
}
