import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SimCluster } from '@vworkspace/kube-sim';
import { selfSignedCertificate } from '../../webhook/webhookCertificate';
import {
  condition,
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
import { profileClusterRole } from './__fixtures__/profileClusterRole';

jest.setTimeout(60_000);

/*
 * What a real API server refuses that kube-sim lets through: here an admission webhook on Jobs
 * answers as the API server's validation, a policy engine or an overloaded server would, and
 * kube-sim returns its answer to the operator as the real API server does.
 */

interface Denial {
  code: number;
  reason: string;
  message: string;
  details?: { causes?: Array<{ reason: string; message: string; field: string }> };
}

interface JobPolicy {
  /** How many Job creations the policy has seen, by Job name. */
  seen: Map<string, number>;
  stop(): Promise<void>;
}

/**
 * Registers an admission webhook on Job creation and deletion answering `decide(jobName,
 * operation, attempt)`, allowing when it returns undefined. `attempt` counts creations.
 */
async function startJobPolicy(cluster: SimCluster, decide: (name: string, operation: string, attempt: number) => Denial | undefined): Promise<JobPolicy> {
  const certificate = selfSignedCertificate(['127.0.0.1']);
  const seen = new Map<string, number>();
  const server = https.createServer({ cert: certificate.cert, key: certificate.key }, (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        request: { uid: string; operation: string; name?: string; object?: { metadata?: { name?: string } } };
      };
      const { operation } = review.request;
      const name = review.request.object?.metadata?.name || review.request.name || '';
      const attempt = (seen.get(name) ?? 0) + (operation === 'CREATE' ? 1 : 0);
      seen.set(name, attempt);
      const denial = decide(name, operation, attempt);
      const response = denial ? { uid: review.request.uid, allowed: false, status: denial } : { uid: review.request.uid, allowed: true };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await cluster.api.create(
    { group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingwebhookconfigurations' },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'job-policy' },
      webhooks: [
        {
          name: 'jobs.policy.example.com',
          clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle: Buffer.from(certificate.ca).toString('base64') },
          rules: [{ operations: ['CREATE', 'DELETE'], apiGroups: ['batch'], apiVersions: ['v1'], resources: ['jobs'] }],
          failurePolicy: 'Fail',
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
        },
      ],
    },
  );
  return {
    seen,
    stop: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const runCommand = (parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'RunCommand',
  engine: 'job',
  target: { applicationInstance: 'app' },
  parameters: { image: 'busybox:1.36', command: ['sh', '-c', 'echo hello'], ...parameters },
  ...extra,
});

const memoryLimitField = 'spec.template.spec.containers[0].resources.limits.memory';

type JobView = {
  metadata: { name: string; uid: string };
  spec: { template: { spec: { securityContext?: Record<string, unknown>; containers: Array<{ securityContext?: Record<string, unknown> }> } } };
};

describe('engine resources the API server refuses', () => {
  let cluster: SimCluster;
  let operator: OperatorHandle;
  let policy: JobPolicy;

  beforeAll(async () => {
    cluster = await startCluster();
    await cluster.api.create(gvr.clusterroles, profileClusterRole('readonly'));
    await cluster.api.create(gvr.clusterroles, profileClusterRole('legacy', { 'ops.vworkspace.io/pod-security': 'baseline' }));
    await createInstance(cluster, 'app', { annotations: { 'ops.vworkspace.io/runcommand': 'job' } });
    policy = await startJobPolicy(cluster, (name, operation, attempt) => {
      if (operation === 'DELETE') {
        return name === 'undeletable' ? { code: 403, reason: 'Forbidden', message: 'jobs.batch "undeletable" is forbidden: deletion is protected by policy' } : undefined;
      }
      if (name === 'invalid') {
        return {
          code: 422,
          reason: 'Invalid',
          message: `Job.batch "invalid" is invalid: ${memoryLimitField}: Required value: a memory limit is required in this namespace`,
          details: { causes: [{ reason: 'FieldValueRequired', message: 'Required value: a memory limit is required in this namespace', field: memoryLimitField }] },
        };
      }
      if (name === 'forbidden') {
        return { code: 403, reason: 'Forbidden', message: 'jobs.batch "forbidden" is forbidden: images from docker.io are not allowed in team-a' };
      }
      if (name === 'quota') return attempt <= 2 ? { code: 403, reason: 'Forbidden', message: 'jobs.batch "quota" is forbidden: exceeded quota: jobs, requested: count/jobs.batch=1, used: count/jobs.batch=5, limited: count/jobs.batch=5' } : undefined;
      if (name === 'overloaded') return { code: 500, reason: 'InternalError', message: 'etcdserver: request timed out' };
      if (name === 'flaky') return attempt <= 2 ? { code: 503, reason: 'ServiceUnavailable', message: 'the server is currently unable to handle the request' } : undefined;
      return undefined;
    });
    // No Job controller: the tests play its part where they need one (FailedCreate events).
    operator = startOperator(cluster);
  });

  afterAll(async () => {
    await operator.stop();
    await policy.stop();
    await cluster.stop();
  });

  const job = (name: string) => engineResources(cluster, gvr.jobs, name)[0] as unknown as JobView | undefined;

  it('ends Failed with the server\'s message and field when the Job is invalid (422), instead of Running forever', async () => {
    await createOperation(cluster, 'invalid', runCommand({}));
    const op = await waitForPhase(cluster, 'invalid', 'Failed', 'TimedOut', 'Succeeded');
    expect(op.status?.phase).toBe('Failed');
    expect(condition(op, 'Complete')).toMatchObject({ status: 'False', reason: 'EngineResourceInvalid' });
    expect(op.status?.message).toContain(memoryLimitField);
    expect(op.status?.message).toContain('a memory limit is required in this namespace');
    expect(op.status?.message).toContain('422');
    await waitFor(() => eventsFor(cluster, 'invalid').some(e => e.reason === 'Failed' && e.type === 'Warning'), 'a Warning event');
    // Refused once, not retried.
    expect(policy.seen.get('invalid')).toBe(1);
  });

  it('ends Failed when an admission policy forbids the Job (403)', async () => {
    await createOperation(cluster, 'forbidden', runCommand({}));
    const op = await waitForPhase(cluster, 'forbidden', 'Failed', 'TimedOut', 'Succeeded');
    expect(op.status?.phase).toBe('Failed');
    expect(condition(op, 'Complete')).toMatchObject({ status: 'False', reason: 'EngineResourceForbidden' });
    expect(op.status?.message).toContain('images from docker.io are not allowed');
  });

  it('retries a 403 for an exceeded quota, which frees up by itself, and then runs', async () => {
    await createOperation(cluster, 'quota', runCommand({}));
    await waitFor(() => job('quota'), 'Job created once the quota allowed it');
    expect(getOperation(cluster, 'quota').status?.phase).toBe('Running');
    expect(policy.seen.get('quota')).toBe(3);
  });

  it('retries server errors, showing them, and ends TimedOut at the deadline when they never stop', async () => {
    await createOperation(cluster, 'overloaded', runCommand({}, { timeoutSeconds: 2 }));
    const retrying = await waitFor(() => {
      const op = getOperation(cluster, 'overloaded');
      return op.status?.message?.startsWith('retrying after an error') ? op : undefined;
    }, 'retry shown');
    expect(retrying.status?.phase).toBe('Running');
    expect(retrying.status?.message).toContain('etcdserver: request timed out');
    const op = await waitForPhase(cluster, 'overloaded', 'TimedOut', 'Failed');
    expect(op.status?.phase).toBe('TimedOut');
    expect(op.status?.message).toContain('deadline of 2s passed');
    expect(op.status?.message).toContain('etcdserver: request timed out');
    await waitFor(() => {
      const reasons = eventsFor(cluster, 'overloaded').map(e => e.reason);
      return reasons.includes('EngineError') && reasons.includes('TimedOut');
    }, 'EngineError and TimedOut events');
  });

  it('carries on once a passing server error stops', async () => {
    await createOperation(cluster, 'flaky', runCommand({}));
    await waitFor(() => job('flaky'), 'Job created after the errors');
    expect(getOperation(cluster, 'flaky').status?.phase).toBe('Running');
  });

  it('ends TimedOut at the deadline even when the Job cannot be stopped, saying so', async () => {
    await createOperation(cluster, 'undeletable', runCommand({}, { timeoutSeconds: 1 }));
    await waitFor(() => job('undeletable'), 'Job created');
    const op = await waitForPhase(cluster, 'undeletable', 'TimedOut', 'Failed');
    expect(op.status?.phase).toBe('TimedOut');
    expect(op.status?.message).toContain('deadline of 1s passed: Job team-a/undeletable could not be stopped');
    expect(op.status?.message).toContain('deletion is protected by policy');
    expect(job('undeletable')).toBeDefined();
  });

  it('rejects a profile whose ClusterRole is not installed at admission, naming the field, creating nothing', async () => {
    await createOperation(cluster, 'no-profile', runCommand({ rbacProfile: 'auditor' }));
    const op = await waitForPhase(cluster, 'no-profile', 'Failed', 'Running', 'TimedOut');
    expect(op.status?.phase).toBe('Failed');
    expect(condition(op, 'Accepted')).toMatchObject({ status: 'False', reason: 'InvalidParameters' });
    expect(op.status?.message).toContain('spec.parameters.rbacProfile');
    expect(op.status?.message).toContain('fleet-operator-profile-auditor');
    expect(op.status?.startedAt).toBeUndefined();
    expect(job('no-profile')).toBeUndefined();
    expect(() => cluster.api.get(gvr.rolebindings, 'vworkspace-ops-auditor', { namespace: ns })).toThrow();
    expect(() => cluster.api.get(gvr.serviceaccounts, 'vworkspace-ops-auditor', { namespace: ns })).toThrow();
  });

  it('runs the Job under the restricted Pod Security level, and says why when its pod is refused', async () => {
    await createOperation(cluster, 'psa', runCommand({}, { timeoutSeconds: 3 }));
    const created = await waitFor(() => job('psa'), 'Job created');
    const pod = created.spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });

    // The Job controller's part: the namespace enforces a level the pod does not meet.
    const refusal =
      'Error creating: pods "psa-x7k2p" is forbidden: violates PodSecurity "restricted:latest": unrestricted capabilities (container "operation" must set securityContext.capabilities.drop=["ALL"])';
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await cluster.api.create(gvr.events, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'psa.17f0a1', namespace: ns },
      involvedObject: { apiVersion: 'batch/v1', kind: 'Job', name: 'psa', namespace: ns, uid: created.metadata.uid },
      type: 'Warning',
      reason: 'FailedCreate',
      message: refusal,
      source: { component: 'job-controller' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
    const explained = await waitFor(() => {
      const op = getOperation(cluster, 'psa');
      return op.status?.message?.includes('cannot create its pod') ? op : undefined;
    }, 'FailedCreate shown');
    expect(explained.status?.message).toContain('violates PodSecurity "restricted:latest"');
    expect(condition(explained, 'Running')).toMatchObject({ status: 'True', reason: 'FailedCreate' });
    const op = await waitForPhase(cluster, 'psa', 'TimedOut');
    expect(op.status?.message).toContain('violates PodSecurity');
  });

  it('leaves the pod settings to the namespace for a profile that asks for another Pod Security level', async () => {
    await createOperation(cluster, 'legacy', runCommand({ rbacProfile: 'legacy' }));
    const created = await waitFor(() => job('legacy'), 'Job created');
    // The API server defaults an empty pod securityContext, as a real one does.
    expect(created.spec.template.spec.securityContext ?? {}).toEqual({});
    expect(created.spec.template.spec.containers[0].securityContext ?? {}).toEqual({});
  });
});
