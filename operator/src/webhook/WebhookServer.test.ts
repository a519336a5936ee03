import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { SimCluster } from '@vworkspace/kube-sim';
import { createWebhookServer, reviewOperation, WebhookServer, webhookPaths } from './index';
import { ns, startCluster } from '../controllers/operation/__testUtils__/operatorSim';
import { operationKinds } from '../engines/kinds';
import { KubeApiError, KubeClient } from '@vworkspace/kube-runtime';

jest.setTimeout(60_000);

const operation = (spec: Record<string, unknown>, name = 'op') => ({
  apiVersion: 'ops.vworkspace.io/v1alpha1',
  kind: 'Operation',
  metadata: { name, namespace: ns },
  spec,
});

const backup = { type: 'Backup', engine: 'velero', target: { applicationInstance: 'app' }, parameters: {} };

describe('validating webhook, through the API server', () => {
  let cluster: SimCluster;
  let webhook: WebhookServer;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    cluster = await startCluster();
    webhook = await createWebhookServer({ bindAddress: '127.0.0.1:0' });
    const address = await webhook.listen();
    const rule = (group: string, resource: string) => ({
      operations: ['CREATE', 'UPDATE'],
      apiGroups: [group],
      apiVersions: ['v1alpha1'],
      resources: [resource],
    });
    await cluster.api.create(
      { group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingwebhookconfigurations' },
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: 'vworkspace-operator' },
        webhooks: [
          {
            name: 'operations.ops.vworkspace.io',
            clientConfig: { url: `https://${address}${webhookPaths.operation}`, caBundle: webhook.caBundle },
            rules: [rule('ops.vworkspace.io', 'operations')],
            failurePolicy: 'Fail',
            sideEffects: 'None',
            admissionReviewVersions: ['v1'],
          },
          {
            name: 'applicationinstances.apps.vworkspace.io',
            clientConfig: { url: `https://${address}${webhookPaths.applicationInstance}`, caBundle: webhook.caBundle },
            rules: [rule('apps.vworkspace.io', 'applicationinstances')],
            failurePolicy: 'Fail',
            sideEffects: 'None',
            admissionReviewVersions: ['v1'],
          },
        ],
      },
    );
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeConfig());
    custom = kc.makeApiClient(CustomObjectsApi);
  });

  afterAll(async () => {
    await webhook.close();
    await cluster.stop();
  });

  const createOp = (body: Record<string, unknown>) =>
    custom.createNamespacedCustomObject({ group: 'ops.vworkspace.io', version: 'v1alpha1', namespace: ns, plural: 'operations', body });

  async function rejection(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
    try {
      await promise;
    } catch (error) {
      const e = error as { code?: number; body?: string };
      const body = JSON.parse(e.body ?? '{}') as { message?: string };
      return { code: e.code ?? 0, message: body.message ?? '' };
    }
    throw new Error('the API server accepted it');
  }

  it.each([
    {
      name: 'a misspelt velero parameter',
      spec: { ...backup, parameters: { tll: '720h' } },
      want: 'spec.parameters.tll: unknown field',
    },
    {
      name: 'an engine that cannot run the type',
      spec: { ...backup, type: 'Upgrade' },
      want: 'spec.engine: engine velero cannot run Upgrade',
    },
    {
      name: 'a helm version range',
      spec: { type: 'Upgrade', engine: 'helm', target: { applicationInstance: 'app' }, parameters: { version: '>=6' } },
      want: 'spec.parameters.version: must be a semantic version',
    },
    {
      // A real API server would refuse the Job with 422 only once the Operation runs.
      name: 'a Job environment variable name with a space',
      spec: { type: 'RunCommand', engine: 'job', target: { applicationInstance: 'app' }, parameters: { image: 'busybox:1.36', env: [{ name: 'MY VAR', value: '1' }] } },
      want: 'spec.parameters.env[0].name: must be an environment variable name',
    },
    {
      name: 'an image reference with a space',
      spec: { type: 'RunCommand', engine: 'job', target: { applicationInstance: 'app' }, parameters: { image: 'busybox :1.36' } },
      want: 'spec.parameters.image: must be a container image reference',
    },
  ])('refuses to create an Operation with $name, naming the field', async ({ spec, want }) => {
    const { code, message } = await rejection(createOp(operation(spec, 'bad')));
    expect(code).toBe(400);
    expect(message).toContain(want);
  });

  it('lets a valid Operation in, then keeps its spec immutable except cancel', async () => {
    await createOp(operation(backup, 'fine'));
    const client = KubeClient.fromString(cluster.kubeConfig());
    const patch = (body: unknown) => client.patch(operationKinds.Operation, 'fine', ns, body, { type: 'merge' });
    const apiRejection = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (error) {
        return { code: (error as KubeApiError).code, message: (error as KubeApiError).status?.message ?? '' };
      }
      throw new Error('the API server accepted it');
    };
    // The CRD's CEL rules answer before any webhook is called, as on a real API server (422).
    const changed = await apiRejection(patch({ spec: { timeoutSeconds: 60 } }));
    expect(changed).toEqual({ code: 422, message: expect.stringContaining('spec: Invalid value: "object": spec is immutable, except cancel') });
    await patch({ spec: { cancel: true } });
    const withdrawn = await apiRejection(patch({ spec: { cancel: false } }));
    expect(withdrawn).toEqual({ code: 422, message: expect.stringContaining('cancel cannot be withdrawn') });
    // metadata-only updates always pass, so that finalizers can always be removed
    await patch({ metadata: { labels: { reviewed: 'yes' } } });
    client.close();
  });

  it('keeps the spec immutable by itself too, where the CRD rules are not evaluated', () => {
    const update = (oldSpec: Record<string, unknown>, spec: Record<string, unknown>) =>
      reviewOperation({ uid: 'u', operation: 'UPDATE', name: 'fine', namespace: ns, oldObject: operation(oldSpec, 'fine'), object: operation(spec, 'fine') });
    expect(update(backup, { ...backup, timeoutSeconds: 60 })).toEqual({
      allowed: false,
      code: 403,
      reason: 'Forbidden',
      message: 'spec: Operation spec is immutable, except spec.cancel',
    });
    expect(update({ ...backup, cancel: true }, { ...backup, cancel: false })).toMatchObject({ allowed: false, message: 'spec.cancel: a cancel cannot be withdrawn' });
    expect(update(backup, { ...backup, cancel: true })).toEqual({ allowed: true });
  });

  it('refuses an ApplicationInstance whose repository type and URL disagree, naming the field', async () => {
    const { code, message } = await rejection(
      custom.createNamespacedCustomObject({
        group: 'apps.vworkspace.io',
        version: 'v1alpha1',
        namespace: ns,
        plural: 'applicationinstances',
        body: {
          apiVersion: 'apps.vworkspace.io/v1alpha1',
          kind: 'ApplicationInstance',
          metadata: { name: 'bad-app', namespace: ns },
          // passes the CRD's structural checks; only the webhook knows an oci repository needs oci://
          spec: { app: 'gitea', chart: { name: 'gitea', version: '10.1.0', repository: { url: 'https://dl.gitea.com/charts/', type: 'oci' } } },
        },
      }),
    );
    expect(code).toBe(400);
    expect(message).toContain('spec.chart.repository.url: an oci repository needs an oci:// URL');
  });
});
