// Wire responses are checked as untyped JSON, hence `any` in assertions.
import https from 'node:https';
import { BatchV1Api, CoreV1Api, CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { SimCluster } from '../../cluster/SimCluster';
import { failure } from './__testUtils__/testCluster';

const SA = 'system:serviceaccount:apps:fleet-operator';

describe('authentication, authorization and discovery over HTTPS', () => {
  let cluster: SimCluster;
  const client = <T>(api: new (...args: any[]) => T, token?: string): T => {
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeConfig({ token }));
    return kc.makeApiClient(api as any) as T;
  };
  const request = (path: string, token = cluster.adminToken) => new Promise<any>((resolve, reject) => {
    https.get(`${cluster.url}${path}`, { ca: cluster.caPem, headers: { authorization: `Bearer ${token}` } }, res => {
      let text = '';
      res.on('data', c => (text += c));
      res.on('end', () => resolve({ code: res.statusCode, body: JSON.parse(text) }));
    }).on('error', reject);
  });
  beforeAll(async () => {
    cluster = await SimCluster.start({
      tokens: [{
        token: 'operator-token',
        user: { username: SA, groups: ['system:serviceaccounts'] },
        rules: [
          { verbs: ['get', 'list', 'watch', 'create'], apiGroups: ['batch'], resources: ['jobs'], namespaces: ['apps'] },
          { verbs: ['get', 'update'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['apps'], resourceNames: ['leader'] },
        ],
      }],
    });
    await client(CoreV1Api).createNamespace({ body: { metadata: { name: 'apps' } } });
  });
  afterAll(() => cluster.stop());

  it('serves HTTPS with a CA the real client verifies', async () => {
    expect(cluster.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const namespaces = await client(CoreV1Api).listNamespace();
    expect(namespaces.items.map(n => n.metadata!.name)).toEqual(['apps', 'default', 'kube-node-lease', 'kube-public', 'kube-system']);
  });

  it('answers an unknown token with 401 Unauthorized', async () => {
    // client-node drops 401 bodies, so the Status is read with a plain request.
    expect((await failure(client(CoreV1Api, 'wrong').listNamespace())).code).toBe(401);
    const { code, body } = await request('/api/v1/namespaces', 'wrong');
    expect(code).toBe(401);
    expect(body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });

  it('answers a request outside the rules with 403 and kube\'s message', async () => {
    const batch = client(BatchV1Api, 'operator-token');
    await batch.listNamespacedJob({ namespace: 'apps' });
    const { code, body } = await failure(batch.readNamespacedJob({ namespace: 'default', name: 'x' }));
    expect(code).toBe(403);
    expect(body.message).toBe(`jobs.batch "x" is forbidden: User "${SA}" cannot get resource "jobs" in API group "batch" in the namespace "default"`);
    expect(body.details).toEqual({ name: 'x', group: 'batch', kind: 'jobs' });
    const status = await failure(batch.replaceNamespacedJobStatus({ namespace: 'apps', name: 'x', body: {} }));
    expect(status.body.message).toBe(`jobs.batch "x" is forbidden: User "${SA}" cannot update resource "jobs/status" in API group "batch" in the namespace "apps"`);
    const list = await failure(client(CoreV1Api, 'operator-token').listNamespace());
    expect(list.body.message).toBe(`namespaces is forbidden: User "${SA}" cannot list resource "namespaces" in API group "" at the cluster scope`);
  });

  it('limits rules to resourceNames', async () => {
    const leases = client(CoordinationV1Api, 'operator-token');
    expect((await failure(leases.readNamespacedLease({ namespace: 'apps', name: 'leader' }))).code).toBe(404);
    expect((await failure(leases.readNamespacedLease({ namespace: 'apps', name: 'other' }))).code).toBe(403);
  });

  it('serves legacy discovery documents', async () => {
    expect((await request('/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await request('/apis')).body;
    expect(groups.groups.map((g: any) => g.name)).toEqual(expect.arrayContaining(['batch', 'coordination.k8s.io', 'apiextensions.k8s.io', 'admissionregistration.k8s.io', 'events.k8s.io']));
    expect((await request('/apis/batch')).body).toMatchObject({ kind: 'APIGroup', name: 'batch', preferredVersion: { groupVersion: 'batch/v1', version: 'v1' } });
    const batch = (await request('/apis/batch/v1')).body;
    expect(batch.resources.map((r: any) => r.name)).toEqual(['jobs', 'jobs/status']);
    const core = (await request('/api/v1')).body;
    expect(core.resources.find((r: any) => r.name === 'namespaces')).toMatchObject({ namespaced: false, kind: 'Namespace' });
    expect((await request('/version')).body.major).toBe('1');
    expect(await request('/apis/nope.example.com/v1')).toMatchObject({ code: 404, body: { reason: 'NotFound' } });
  });
});
