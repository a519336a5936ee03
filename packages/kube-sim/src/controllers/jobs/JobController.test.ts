import { BatchV1Api, CoreV1Api, KubeConfig, V1Job } from '@kubernetes/client-node';
import { SimCluster } from '../../cluster/SimCluster';
import { eventually } from '../runtime/eventually';
import { JobController } from './JobController';

const NS = 'default';

describe('JobController', () => {
  let cluster: SimCluster;
  let controller: JobController;
  let batch: BatchV1Api;
  let core: CoreV1Api;

  beforeAll(async () => {
    cluster = await SimCluster.start({ tls: false });
    controller = new JobController({ api: cluster.api, timings: { timeScale: 0 } }).start();
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeConfig());
    batch = kc.makeApiClient(BatchV1Api);
    core = kc.makeApiClient(CoreV1Api);
  });

  afterAll(async () => {
    controller.stop();
    await cluster.stop();
  });

  const job = (name: string, extra: { annotations?: Record<string, string>; command?: string[]; backoffLimit?: number; activeDeadlineSeconds?: number; suspend?: boolean } = {}): V1Job => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NS },
    spec: {
      backoffLimit: extra.backoffLimit,
      activeDeadlineSeconds: extra.activeDeadlineSeconds,
      suspend: extra.suspend,
      template: {
        metadata: { annotations: extra.annotations },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: extra.command }] },
      },
    },
  });

  const finished = (name: string) =>
    eventually(async () => {
      const live = await batch.readNamespacedJobStatus({ name, namespace: NS });
      return live.status?.conditions?.some(c => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') && live;
    }, { what: `job ${name} to finish` });

  const types = (j: V1Job) => j.status?.conditions?.map(c => `${c.type}=${c.status}`);

  it('completes a job that exits 0, with the conditions and counters kube writes', async () => {
    await batch.createNamespacedJob({ namespace: NS, body: job('ok', { command: ['sh', '-c', 'sleep 3'] }) });
    const live = await finished('ok');
    expect(types(live)).toEqual(['SuccessCriteriaMet=True', 'Complete=True']);
    const complete = live.status!.conditions!.find(c => c.type === 'Complete')!;
    expect(complete).toMatchObject({ reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' });
    expect(live.status).toMatchObject({ succeeded: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
    expect(live.status?.active).toBeUndefined();
    expect(live.status?.startTime).toBeInstanceOf(Date);
    expect(live.status?.completionTime).toBeInstanceOf(Date);
    expect(live.status?.failed).toBeUndefined();
  });

  it('retries a failing pod until backoffLimit is exceeded', async () => {
    await batch.createNamespacedJob({ namespace: NS, body: job('fails', { annotations: { 'sim.vworkspace.io/exit-code': '2' }, backoffLimit: 2 }) });
    const live = await finished('fails');
    expect(types(live)).toEqual(['FailureTarget=True', 'Failed=True']);
    expect(live.status!.conditions!.find(c => c.type === 'Failed')).toMatchObject({
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    });
    expect(live.status?.failed).toBe(3);
    expect(live.status?.succeeded).toBeUndefined();
    expect(live.status?.completionTime).toBeUndefined();
    const events = await core.listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=fails' });
    expect(events.items.map(e => `${e.type} ${e.reason}`)).toEqual(expect.arrayContaining(['Normal SuccessfulCreate', 'Warning BackoffLimitExceeded']));
    expect(events.items.find(e => e.reason === 'BackoffLimitExceeded')?.source?.component).toBe('job-controller');
  });

  it('uses the default backoffLimit of 6 and reads `exit N` from the command', async () => {
    await batch.createNamespacedJob({ namespace: NS, body: job('exit-cmd', { command: ['sh', '-c', 'echo no; exit 1'] }) });
    const live = await finished('exit-cmd');
    expect(live.status?.failed).toBe(7);
  });

  it('fails a job that outlives activeDeadlineSeconds', async () => {
    await batch.createNamespacedJob({ namespace: NS, body: job('slow', { annotations: { 'sim.vworkspace.io/duration-seconds': '120' }, activeDeadlineSeconds: 30 }) });
    const live = await finished('slow');
    expect(live.status!.conditions!.find(c => c.type === 'Failed')).toMatchObject({
      reason: 'DeadlineExceeded',
      message: 'Job was active longer than specified deadline',
    });
    expect(live.status?.succeeded).toBeUndefined();
  });

  it('holds a suspended job and runs it once resumed', async () => {
    await batch.createNamespacedJob({ namespace: NS, body: job('held', { suspend: true }) });
    const suspended = await eventually(async () => {
      const live = await batch.readNamespacedJobStatus({ name: 'held', namespace: NS });
      return live.status?.conditions?.some(c => c.type === 'Suspended' && c.status === 'True') && live;
    });
    expect(suspended.status?.startTime).toBeUndefined();
    expect(suspended.status!.conditions!.find(c => c.type === 'Suspended')).toMatchObject({ reason: 'JobSuspended', message: 'Job suspended' });
    await controller.whenIdle();
    expect((await batch.readNamespacedJobStatus({ name: 'held', namespace: NS })).status?.succeeded).toBeUndefined();

    await batch.patchNamespacedJob({ name: 'held', namespace: NS, body: [{ op: 'replace', path: '/spec/suspend', value: false }] });
    const live = await finished('held');
    expect(live.status!.conditions!.find(c => c.type === 'Suspended')).toMatchObject({ status: 'False', reason: 'JobResumed' });
    expect(live.status?.succeeded).toBe(1);
  });
  // pkg/controller/ttlafterfinished: the Job goes once its TTL after finishing has passed.
  it('deletes a finished Job after ttlSecondsAfterFinished, and keeps one without it', async () => {
    const expiring = job('expiring', { command: ['true'] });
    expiring.spec!.ttlSecondsAfterFinished = 30;
    await batch.createNamespacedJob({ namespace: NS, body: expiring });
    await batch.createNamespacedJob({ namespace: NS, body: job('kept', { command: ['true'] }) });
    await eventually(async () => {
      try {
        await batch.readNamespacedJob({ name: 'expiring', namespace: NS });
        return false;
      } catch (error) {
        return (error as { code?: number }).code === 404;
      }
    }, { what: 'the expired Job to be deleted' });
    const kept = await finished('kept');
    expect(kept.metadata!.deletionTimestamp).toBeUndefined();
  });
  // k8s.io/pod-security-admission: a Job is admitted, its pods are refused at the namespace's level.
  it('runs no pod of a Job whose template the namespace\'s Pod Security level refuses: FailedCreate events, then the deadline', async () => {
    await core.createNamespace({ body: { metadata: { name: 'locked', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } } });
    const refused = job('refused', { command: ['true'], activeDeadlineSeconds: 60 });
    refused.metadata!.namespace = 'locked';
    await batch.createNamespacedJob({ namespace: 'locked', body: refused });
    const failed = await eventually(async () => {
      const live = await batch.readNamespacedJobStatus({ name: 'refused', namespace: 'locked' });
      return live.status?.conditions?.some(c => c.type === 'Failed' && c.status === 'True') && live;
    }, { what: 'the refused Job to fail' });
    expect(failed.status?.conditions?.find(c => c.type === 'Failed')).toMatchObject({ reason: 'DeadlineExceeded' });
    expect(failed.status?.succeeded).toBeUndefined();
    const events = await core.listNamespacedEvent({ namespace: 'locked', fieldSelector: 'reason=FailedCreate' });
    expect(events.items).toHaveLength(1);
    expect(events.items[0]).toMatchObject({ type: 'Warning', involvedObject: { kind: 'Job', name: 'refused' } });
    expect(events.items[0].message).toMatch(/^Error creating: pods "refused-[a-z0-9]{5}" is forbidden: violates PodSecurity "restricted:latest": /);
    expect(events.items[0].message).toContain('allowPrivilegeEscalation != false (container "main" must set securityContext.allowPrivilegeEscalation=false)');
    expect(events.items[0].message).toContain('seccompProfile (pod or container "main" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")');

    const compliant = job('compliant', { command: ['true'] });
    compliant.metadata!.namespace = 'locked';
    compliant.spec!.template.spec!.securityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
    compliant.spec!.template.spec!.containers[0].securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
    await batch.createNamespacedJob({ namespace: 'locked', body: compliant });
    const done = await eventually(async () => {
      const live = await batch.readNamespacedJobStatus({ name: 'compliant', namespace: 'locked' });
      return live.status?.conditions?.some(c => c.type === 'Complete' && c.status === 'True') && live;
    }, { what: 'the compliant Job to complete' });
    expect(done.status?.succeeded).toBe(1);
  });
});
