// Wire responses are checked as untyped JSON, hence `any` in assertions.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { AdmissionregistrationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { createCertificateAuthority } from '../../tls/certificateAuthority';
import { startTestCluster, failure } from './__testUtils__/testCluster';
import type { SimCluster } from '../../cluster/SimCluster';

/** The status of the webhook's denial: with the code a `code` label asks for, if any. */
function denial(code: string | undefined): { code?: number; message: string } {
  if (code) return { code: Number(code), message: 'not today' };
  return { message: 'not today' };
}

describe('validating admission webhooks', () => {
  let cluster: SimCluster;
  let core: CoreV1Api;
  let admission: AdmissionregistrationV1Api;
  let hook: https.Server;
  let hookPort: number;
  const reviews: any[] = [];
  const ca = createCertificateAuthority('webhook-ca');
  const caBundle = Buffer.from(ca.cert).toString('base64');

  beforeAll(async () => {
    hook = https.createServer(ca.issue(['127.0.0.1', 'guard.apps.svc']), (req, res) => {
      let text = '';
      req.on('data', c => (text += c));
      req.on('end', () => {
        const review = JSON.parse(text);
        reviews.push(review);
        const labels = review.request.object?.metadata?.labels ?? {};
        const allowed = labels.deny !== 'yes';
        const status = allowed ? undefined : denial(labels.code);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed, status } }));
      });
    });
    await new Promise<void>(r => hook.listen(0, '127.0.0.1', () => r()));
    hookPort = (hook.address() as AddressInfo).port;
    const started = await startTestCluster({ serviceResolver: ({ namespace, name }) => `https://127.0.0.1:${hookPort}/${namespace}/${name}` });
    cluster = started.cluster;
    core = started.kc.makeApiClient(CoreV1Api);
    admission = started.kc.makeApiClient(AdmissionregistrationV1Api);
    await core.createNamespace({ body: { metadata: { name: 'guarded', labels: { guard: 'on' } } } });
    await admission.createValidatingWebhookConfiguration({
      body: {
        metadata: { name: 'guard' },
        webhooks: [{
          name: 'guard.example.com',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          clientConfig: { url: `https://127.0.0.1:${hookPort}/validate`, caBundle },
          rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], scope: 'Namespaced' }],
          namespaceSelector: { matchLabels: { guard: 'on' } },
        }, {
          name: 'service.example.com',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          clientConfig: { service: { namespace: 'apps', name: 'guard', path: '/svc' }, caBundle },
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['secrets'] }],
          objectSelector: { matchLabels: { checked: 'yes' } },
        }],
      },
    });
  });
  afterAll(async () => {
    await cluster.stop();
    await new Promise(r => hook.close(r));
  });

  it('sends an AdmissionReview and honours an allow', async () => {
    await core.createNamespacedConfigMap({ namespace: 'guarded', body: { metadata: { name: 'ok' } } });
    const review = reviews.find(r => r.request.name === 'ok');
    expect(review.request).toMatchObject({
      kind: { group: '', version: 'v1', kind: 'ConfigMap' },
      resource: { group: '', version: 'v1', resource: 'configmaps' },
      namespace: 'guarded', operation: 'CREATE', dryRun: false, oldObject: null,
      userInfo: { username: 'kube-sim-admin' },
    });
  });

  it('returns a denial as kube does: 400 unless the webhook gives a code', async () => {
    const denied = await failure(core.createNamespacedConfigMap({ namespace: 'guarded', body: { metadata: { name: 'no', labels: { deny: 'yes' } } } }));
    expect(denied.code).toBe(400);
    expect(denied.body.message).toBe('admission webhook "guard.example.com" denied the request: not today');
    const coded = await failure(core.createNamespacedConfigMap({ namespace: 'guarded', body: { metadata: { name: 'no2', labels: { deny: 'yes', code: '403' } } } }));
    expect(coded.code).toBe(403);
  });

  it('skips objects outside the namespace selector', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'free', labels: { deny: 'yes' } } } });
    expect(created.metadata?.name).toBe('free');
  });

  it('reaches service webhooks through the service resolver, with an object selector', async () => {
    await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 's1', labels: { checked: 'yes' } } } });
    expect(reviews.some(r => r.request.name === 's1')).toBe(true);
    await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 's2' } } });
    expect(reviews.some(r => r.request.name === 's2')).toBe(false);
  });

  it('applies failurePolicy when the webhook cannot be reached', async () => {
    await admission.createValidatingWebhookConfiguration({
      body: {
        metadata: { name: 'broken' },
        webhooks: ['Ignore', 'Fail'].map(policy => ({
          name: `${policy.toLowerCase()}.example.com`,
          admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: policy,
          clientConfig: { url: 'https://127.0.0.1:1/nothing', caBundle },
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['serviceaccounts'] }],
          objectSelector: { matchLabels: { policy } },
        })),
      },
    });
    await core.createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'ignored', labels: { policy: 'Ignore' } } } });
    const { code, body } = await failure(core.createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'failed', labels: { policy: 'Fail' } } } }));
    expect(code).toBe(500);
    expect(body.reason).toBe('InternalError');
    expect(body.message).toMatch(/^Internal error occurred: failed calling webhook "fail.example.com": failed to call webhook: /);
  });
});
