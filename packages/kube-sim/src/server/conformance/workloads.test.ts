// Wire responses are checked as untyped JSON, hence `any` in assertions.
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  NetworkingV1Api,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { SimCluster } from '../../cluster/SimCluster';
import { failure, startTestCluster } from './__testUtils__/testCluster';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const deployment = (replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'operator', namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'operator' } },
    template: {
      metadata: { labels: { app: 'operator' } },
      spec: { serviceAccountName: 'operator', containers: [{ name: 'operator', image: 'ghcr.io/vworkspace/operator:1.0.0', ports: [{ containerPort: 8443 }] }] },
    },
  },
});

describe('workload kinds a Helm chart renders', () => {
  let cluster: SimCluster;
  let kc: KubeConfig;
  beforeAll(async () => {
    ({ cluster, kc } = await startTestCluster());
  });
  afterAll(() => cluster.stop());

  it('serves Deployments with defaults, server-side apply, generation and a status subresource', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const objects = kc.makeApiClient(KubernetesObjectApi);
    const created = await objects.patch(deployment(1) as any, undefined, undefined, 'helm', true, PatchStrategy.ServerSideApply) as any;
    expect(created.metadata.generation).toBe(1);
    expect(created.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    expect(created.spec.revisionHistoryLimit).toBe(10);

    const applied = await objects.patch(deployment(2) as any, undefined, undefined, 'helm', true, PatchStrategy.ServerSideApply) as any;
    expect(applied.spec.replicas).toBe(2);
    expect(applied.metadata.generation).toBe(2);
    expect(applied.metadata.managedFields.map((f: any) => f.manager)).toEqual(['helm']);

    const read = await apps.readNamespacedDeployment({ namespace: 'default', name: 'operator' });
    await apps.replaceNamespacedDeploymentStatus({
      namespace: 'default', name: 'operator',
      body: { ...read, status: { observedGeneration: 2, replicas: 2, readyReplicas: 2, availableReplicas: 2 } },
    });
    const withStatus = await apps.readNamespacedDeployment({ namespace: 'default', name: 'operator' });
    expect(withStatus.status).toMatchObject({ readyReplicas: 2, observedGeneration: 2 });
    expect(withStatus.metadata!.generation).toBe(2);
    // A status written through the main resource is ignored, as kube does.
    await apps.patchNamespacedDeployment({ namespace: 'default', name: 'operator', body: { status: { readyReplicas: 0 } } }, merge);
    expect((await apps.readNamespacedDeployment({ namespace: 'default', name: 'operator' })).status!.readyReplicas).toBe(2);

    const scale = await apps.readNamespacedDeploymentScale({ namespace: 'default', name: 'operator' });
    expect(scale.spec!.replicas).toBe(2);
    expect(scale.status!.replicas).toBe(2);
  });

  it('rejects a Deployment whose selector does not select its template', async () => {
    const bad = deployment(1);
    bad.metadata.name = 'bad';
    bad.spec.template.metadata.labels = { app: 'other' };
    const { code, body } = await failure(kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: 'default', body: bad as any }));
    expect(code).toBe(422);
    expect(body.message).toBe(
      'Deployment.apps "bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    );
  });

  it('assigns a Service a ClusterIP that survives applies without it and cannot be changed', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const service = {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'operator-webhook', namespace: 'default' },
      spec: { selector: { app: 'operator' }, ports: [{ name: 'https', port: 443, targetPort: 8443 }] },
    };
    const created = await core.createNamespacedService({ namespace: 'default', body: service as any });
    const ip = created.spec!.clusterIP!;
    expect(ip).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(created.spec).toMatchObject({ type: 'ClusterIP', clusterIPs: [ip], sessionAffinity: 'None' });
    expect(created.spec!.ports![0]).toMatchObject({ protocol: 'TCP', port: 443 });

    const other = await core.createNamespacedService({ namespace: 'default', body: { ...service, metadata: { ...service.metadata, name: 'metrics' } } as any });
    expect(other.spec!.clusterIP).not.toBe(ip);

    const objects = kc.makeApiClient(KubernetesObjectApi);
    const applied = await objects.patch(
      { ...service, spec: { ...service.spec, ports: [{ name: 'https', port: 443, targetPort: 9443 }] } } as any,
      undefined, undefined, 'helm', true, PatchStrategy.ServerSideApply,
    ) as any;
    expect(applied.spec.clusterIP).toBe(ip);
    expect(applied.spec.ports[0].targetPort).toBe(9443);

    const { code, body } = await failure(core.patchNamespacedService({ namespace: 'default', name: 'operator-webhook', body: { spec: { clusterIP: '10.96.99.99', clusterIPs: ['10.96.99.99'] } } }, merge));
    expect(code).toBe(422);
    expect(body.message).toBe('Service "operator-webhook" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.99.99"}: may not change once set');

    const headless = await core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } } });
    expect(headless.spec!.clusterIP).toBe('None');
  });

  it('serves PodDisruptionBudgets and NetworkPolicies', async () => {
    const policy = kc.makeApiClient(PolicyV1Api);
    const pdb = await policy.createNamespacedPodDisruptionBudget({
      namespace: 'default', body: { metadata: { name: 'operator' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'operator' } } } },
    });
    expect(pdb.metadata!.generation).toBe(1);
    expect(pdb.status).toMatchObject({ disruptionsAllowed: 0, expectedPods: 0 });
    const objects = kc.makeApiClient(KubernetesObjectApi);
    const applied = await objects.patch({
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'operator', namespace: 'default' },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'operator' } } },
    } as any, undefined, undefined, 'helm', true, PatchStrategy.ServerSideApply) as any;
    // The applier took over the selector but never owned minAvailable, so it stays.
    expect(applied.spec).toEqual({ minAvailable: 1, maxUnavailable: 1, selector: { matchLabels: { app: 'operator' } } });
    expect((await policy.readNamespacedPodDisruptionBudget({ namespace: 'default', name: 'operator' })).spec!.maxUnavailable).toBe(1);

    const net = await kc.makeApiClient(NetworkingV1Api).createNamespacedNetworkPolicy({
      namespace: 'default', body: { metadata: { name: 'operator' }, spec: { podSelector: { matchLabels: { app: 'operator' } }, ingress: [{ ports: [{ port: 8443 }] }] } },
    });
    expect(net.spec!.policyTypes).toEqual(['Ingress']);
  });

  it('lists the new kinds in discovery', async () => {
    const objects = kc.makeApiClient(KubernetesObjectApi);
    const list = await objects.list('apps/v1', 'Deployment', 'default');
    expect(list.items.map(d => d.metadata!.name)).toEqual(['operator']);
    const resources = async (path: string) => {
      const res = await fetch(`${cluster.url}${path}`, { headers: { authorization: `Bearer ${cluster.adminToken}` } });
      return ((await res.json()) as any).resources.map((r: any) => r.name);
    };
    expect(await resources('/apis/apps/v1')).toEqual(['deployments', 'deployments/status', 'deployments/scale']);
    expect(await resources('/apis/rbac.authorization.k8s.io/v1')).toEqual(['clusterrolebindings', 'clusterroles', 'rolebindings', 'roles']);
    expect(await resources('/apis/authorization.k8s.io/v1')).toEqual(['localsubjectaccessreviews', 'selfsubjectaccessreviews', 'subjectaccessreviews']);
    expect(await resources('/api/v1')).toEqual(expect.arrayContaining(['services', 'services/status']));
  });
});
