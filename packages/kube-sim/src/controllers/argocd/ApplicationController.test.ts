import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { join } from 'node:path';
import { SimCluster } from '../../cluster/SimCluster';
import type { KubeObject } from '../../types';
import { ChartCatalog } from '../charts';
import { eventually } from '../runtime/eventually';
import { ApplicationController } from './ApplicationController';


jest.setTimeout(30_000);
const APP = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' };
let cluster: SimCluster;
let custom: CustomObjectsApi;
let core: CoreV1Api;
let controller: ApplicationController;

beforeAll(async () => {
  cluster = await SimCluster.start({ tls: false, crds: [join(__dirname, '../../../crds/upstream/application-crd.yaml')] });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeConfig());
  custom = kc.makeApiClient(CustomObjectsApi);
  core = kc.makeApiClient(CoreV1Api);
  controller = new ApplicationController({ api: cluster.api, timings: { timeScale: 0 }, catalog: ChartCatalog.load() }).start();
  await core.createNamespace({ body: { metadata: { name: 'team-b' } } });
}, 30_000);

afterAll(async () => {
  controller.stop();
  await cluster.stop();
});

function application(name: string, repoURL: string, chart: string, targetRevision: string, automated: boolean): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: {
      project: 'default',
      source: { repoURL, chart, targetRevision, helm: { valuesObject: { domain: 'https://vault.team-b.example' } } },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'team-b' },
      ...(automated ? { syncPolicy: { automated: { prune: true, selfHeal: true } } } : {}),
    },
  };
}

const status = (o: KubeObject) => (o.status ?? {}) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- status read ad hoc in assertions
const getApp = (name: string) => custom.getNamespacedCustomObject({ ...APP, namespace: 'argocd', name }) as Promise<KubeObject>;
const waitApp = (name: string, probe: (s: Record<string, any>) => boolean, what: string) => // eslint-disable-line @typescript-eslint/no-explicit-any
  eventually(async () => {
    const app = await getApp(name);
    return probe(status(app)) ? app : undefined;
  }, { timeoutMs: 15_000, what });

describe('ApplicationController', () => {
  it('has its namespace, argocd, as an Argo CD install does', async () => {
    await controller.whenIdle();
    const namespace = await core.readNamespace({ name: 'argocd' });
    expect(namespace.status?.phase).toBe('Active');
  });

  it('auto-syncs a Helm chart: Synced, Healthy, operationState, resources, images', async () => {
    await custom.createNamespacedCustomObject({ ...APP, namespace: 'argocd', body: application('vault', 'https://guerzon.github.io/vaultwarden', 'vaultwarden', '0.30.0', true) });
    const app = await waitApp('vault', s => s.sync?.status === 'Synced' && s.health?.status === 'Healthy', 'synced');
    const s = status(app);
    expect(s.sync.revision).toBe('0.30.0');
    expect(s.operationState).toMatchObject({ phase: 'Succeeded', message: 'successfully synced (all tasks run)', operation: { initiatedBy: { automated: true } }, syncResult: { revision: '0.30.0' } });
    expect(s.operationState.finishedAt).toBeDefined();
    expect(s.summary.images).toEqual(['docker.io/vaultwarden/server:1.32.5-alpine']);
    expect(s.resources.map((r: { kind: string; status: string }) => [r.kind, r.status])).toEqual([['ConfigMap', 'Synced'], ['PersistentVolumeClaim', 'Synced']]);
    expect(s.history).toHaveLength(1);
    expect(s.reconciledAt).toBeDefined();
    const cm = await core.readNamespacedConfigMap({ name: 'vault', namespace: 'team-b' });
    expect(cm.data?.DOMAIN).toBe('https://vault.team-b.example');
    expect(cm.metadata?.annotations?.['argocd.argoproj.io/tracking-id']).toBe('vault:/ConfigMap:team-b/vault');
    const secrets = await core.listNamespacedSecret({ namespace: 'team-b', labelSelector: 'owner=helm' });
    expect(secrets.items).toHaveLength(0);
  });

  it('leaves a manual app OutOfSync until a sync operation is requested', async () => {
    await custom.createNamespacedCustomObject({ ...APP, namespace: 'argocd', body: application('chat', 'https://helm.mattermost.com', 'mattermost-team-edition', '6.6.63', false) });
    await waitApp('chat', s => s.sync?.status === 'OutOfSync' && s.health?.status === 'Missing', 'out of sync');
    await custom.patchNamespacedCustomObject({ ...APP, namespace: 'argocd', name: 'chat',
      body: [{ op: 'add', path: '/operation', value: { sync: { revision: '6.6.63' }, initiatedBy: { username: 'admin' } } }] });
    const app = await waitApp('chat', s => s.sync?.status === 'Synced', 'manual sync');
    expect(status(app).operationState.operation.initiatedBy).toEqual({ username: 'admin' });
    expect(app.operation).toBeUndefined();
  });

  it('reports a failing chart version as a Failed operation and Degraded health', async () => {
    await custom.createNamespacedCustomObject({ ...APP, namespace: 'argocd', body: application('chat2', 'https://helm.mattermost.com', 'mattermost-team-edition', '6.6.64', true) });
    const app = await waitApp('chat2', s => s.operationState?.phase === 'Failed', 'failed sync');
    expect(status(app).health.status).toBe('Degraded');
    expect(status(app).operationState.message).toMatch(/^one or more objects failed to apply, reason: resource Deployment\/team-b\/chat2 not ready/);
  });

  it('reports an unknown chart version as a ComparisonError', async () => {
    await custom.createNamespacedCustomObject({ ...APP, namespace: 'argocd', body: application('bad', 'https://guerzon.github.io/vaultwarden', 'vaultwarden', '9.9.9', true) });
    const app = await waitApp('bad', s => s.sync?.status === 'Unknown', 'comparison error');
    expect(status(app).conditions[0]).toMatchObject({ type: 'ComparisonError' });
    expect(status(app).conditions[0].message).toContain('version "9.9.9" not found');
  });

  it('syncs an OCI chart and deletes resources with the resources finalizer', async () => {
    await custom.createNamespacedCustomObject({ ...APP, namespace: 'argocd', body: application('photos', 'ghcr.io/immich-app/immich-charts', 'immich', '0.9.3', true) });
    await waitApp('photos', s => s.sync?.status === 'Synced', 'oci synced');
    await core.readNamespacedPersistentVolumeClaim({ name: 'photos-library', namespace: 'team-b' });
    await custom.deleteNamespacedCustomObject({ ...APP, namespace: 'argocd', name: 'photos' });
    const gone = await eventually(async () => {
      try {
        await core.readNamespacedPersistentVolumeClaim({ name: 'photos-library', namespace: 'team-b' });
        return false;
      } catch {
        return true;
      }
    }, { what: 'resources deleted' });
    expect(gone).toBe(true);
    await expect(getApp('photos')).rejects.toThrow();
  });
});
