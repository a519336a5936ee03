import { SimCluster, SimControllersHandle, startControllers } from '@vworkspace/kube-sim';
import { encodeHelmReleaseSecret } from '@vworkspace/backstage-plugin-fleet-common/node';
import {
  condition,
  createInstance,
  createOperation,
  getOperation,
  gvr,
  ns,
  OperatorHandle,
  setInstanceStatus,
  startCluster,
  startOperator,
  waitFor,
  waitForPhase,
} from './__testUtils__/operatorSim';

jest.setTimeout(60_000);

const upgrade = (instance: string, version: string, extra: Record<string, unknown> = {}) => ({
  type: 'Upgrade',
  engine: 'helm',
  target: { applicationInstance: instance },
  parameters: { version },
  ...extra,
});

const instanceVersion = (cluster: SimCluster, name: string) =>
  (cluster.api.get(gvr.instances, name, { namespace: ns }).spec as { chart: { version: string } }).chart.version;

/*
 * The ApplicationInstance controller is not under test here: the tests report the instance's
 * Ready and Stalled conditions as it would (setInstanceStatus).
 */
describe('helm engine', () => {
  let cluster: SimCluster;
  let operator: OperatorHandle;

  beforeAll(async () => {
    cluster = await startCluster();
    operator = startOperator(cluster);
  });

  afterAll(async () => {
    await operator.stop();
    await cluster.stop();
  });

  const helmApp = (name: string) => createInstance(cluster, name, { annotations: { 'ops.vworkspace.io/upgrade': 'helm' } });

  it('changes the instance version, records fromVersion first, and succeeds once Ready at the new version', async () => {
    await helmApp('up-ok');
    await createOperation(cluster, 'up-ok-1', upgrade('up-ok', '6.3.0', { parameters: { version: '6.3.0', values: { replicas: 2 } } }));
    await waitFor(() => instanceVersion(cluster, 'up-ok') === '6.3.0', 'instance spec changed');
    const running = getOperation(cluster, 'up-ok-1');
    expect(running.status?.result).toMatchObject({ fromVersion: '6.2.0', toVersion: '6.3.0' });
    expect(cluster.api.get(gvr.instances, 'up-ok', { namespace: ns }).spec).toMatchObject({ values: { replicas: 2 } });
    // a stale green (Ready, but for the old version) is not success
    await setInstanceStatus(cluster, 'up-ok', { ready: true, version: '6.2.0' });
    await waitFor(() => getOperation(cluster, 'up-ok-1').status?.engineStatus?.phase === 'Ready=True', 'stale green observed');
    expect(getOperation(cluster, 'up-ok-1').status?.phase).toBe('Running');
    await setInstanceStatus(cluster, 'up-ok', { ready: true });
    const op = await waitForPhase(cluster, 'up-ok-1', 'Succeeded');
    expect(op.status?.result).toMatchObject({ fromVersion: '6.2.0', toVersion: '6.3.0', deployedVersion: '6.3.0' });
    expect(op.status?.engineRef).toMatchObject({ kind: 'ApplicationInstance', name: 'up-ok' });
  });

  it('fails with the reason when the instance stalls', async () => {
    await helmApp('up-bad');
    await createOperation(cluster, 'up-bad-1', upgrade('up-bad', '6.3.1'));
    await waitFor(() => instanceVersion(cluster, 'up-bad') === '6.3.1', 'instance spec changed');
    await setInstanceStatus(cluster, 'up-bad', { ready: false, stalled: { reason: 'UpgradeFailed', message: 'pre-upgrade hook failed' } });
    const op = await waitForPhase(cluster, 'up-bad-1', 'Failed');
    expect(condition(op, 'Complete')).toMatchObject({ status: 'False', reason: 'UpgradeFailed' });
    expect(op.status?.message).toContain('pre-upgrade hook failed');
  });

  it('times out, leaving the instance at the new version and saying how to go back', async () => {
    await helmApp('up-slow');
    await createOperation(cluster, 'up-slow-1', upgrade('up-slow', '6.3.0', { timeoutSeconds: 1 }));
    const op = await waitForPhase(cluster, 'up-slow-1', 'TimedOut');
    expect(op.status?.message).toContain('upgrade back to 6.2.0');
    expect(instanceVersion(cluster, 'up-slow')).toBe('6.3.0');
  });

  it('refuses a cancel once the instance changed, and follows the upgrade to its end', async () => {
    await helmApp('up-cancel');
    await createOperation(cluster, 'up-cancel-1', upgrade('up-cancel', '6.3.0'));
    await waitFor(() => instanceVersion(cluster, 'up-cancel') === '6.3.0', 'instance spec changed');
    await cluster.api.patch(gvr.operations, 'up-cancel-1', { spec: { cancel: true } }, { type: 'merge', namespace: ns });
    await waitFor(() => getOperation(cluster, 'up-cancel-1').status?.message?.startsWith('cancel requested'), 'cancel recorded');
    await setInstanceStatus(cluster, 'up-cancel', { ready: true });
    const op = await waitForPhase(cluster, 'up-cancel-1', 'Succeeded');
    expect(op.status?.message).toContain('cancel refused: an upgrade cannot be cancelled once');
  });

  it('cancels an upgrade that has not started yet', async () => {
    await createInstance(cluster, 'up-waiting', { annotations: { 'ops.vworkspace.io/upgrade': 'helm' }, ready: false });
    await createOperation(cluster, 'up-waiting-1', upgrade('up-waiting', '6.3.0'));
    await waitFor(() => condition(getOperation(cluster, 'up-waiting-1'), 'Accepted')?.reason === 'TargetNotReady', 'waiting');
    await cluster.api.patch(gvr.operations, 'up-waiting-1', { spec: { cancel: true } }, { type: 'merge', namespace: ns });
    await waitForPhase(cluster, 'up-waiting-1', 'Cancelled');
    expect(instanceVersion(cluster, 'up-waiting')).toBe('6.2.0');
  });

  it('runs one upgrade at a time: a second waits, naming the first, until it ends', async () => {
    await helmApp('up-two');
    await createOperation(cluster, 'up-two-a', upgrade('up-two', '6.3.0'));
    await waitForPhase(cluster, 'up-two-a', 'Running');
    await createOperation(cluster, 'up-two-b', upgrade('up-two', '6.4.0'));
    const waiting = await waitFor(() => {
      const op = getOperation(cluster, 'up-two-b');
      return condition(op, 'Accepted')?.reason === 'TargetBusy' ? op : undefined;
    }, 'second upgrade waiting');
    expect(waiting.status?.phase).toBe('Pending');
    expect(condition(waiting, 'Accepted')).toMatchObject({ status: 'Unknown' });
    expect(waiting.status?.message).toContain('Upgrade operation up-two-a (Running)');
    expect(instanceVersion(cluster, 'up-two')).toBe('6.3.0');
    await setInstanceStatus(cluster, 'up-two', { ready: true });
    await waitForPhase(cluster, 'up-two-a', 'Succeeded');
    await waitFor(() => instanceVersion(cluster, 'up-two') === '6.4.0', 'second upgrade applied');
    const second = await waitForPhase(cluster, 'up-two-b', 'Running');
    expect(second.status?.result).toMatchObject({ fromVersion: '6.3.0', toVersion: '6.4.0' });
  });
});

describe('helmHookJob engine', () => {
  let cluster: SimCluster;
  let operator: OperatorHandle;
  let jobs: SimControllersHandle;
  let ttlController: { stop(): void };

  const migration = (extra: Record<string, unknown> = {}) => ({
    type: 'Migration',
    engine: 'helmHookJob',
    target: { applicationInstance: 'cloud' },
    parameters: { hook: 'cloud-db-migration' },
    ...extra,
  });

  beforeAll(async () => {
    cluster = await startCluster();
    await createInstance(cluster, 'cloud', { annotations: { 'ops.vworkspace.io/migration': 'helmHookJob' } });
    await createInstance(cluster, 'argo-app', { annotations: { 'ops.vworkspace.io/migration': 'helmHookJob' }, engine: 'argocd' });
    const hookManifest = (name: string, command: string[], ttlSecondsAfterFinished?: number, env: Array<{ name: string; value: string }> = []) =>
      [
        'apiVersion: batch/v1',
        'kind: Job',
        'metadata:',
        `  name: ${name}`,
        '  labels: { app.kubernetes.io/component: db-migration }',
        '  annotations:',
        '    helm.sh/hook: pre-upgrade',
        '    helm.sh/hook-weight: "-5"',
        '    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded',
        '    team.example/keep: "yes"',
        'spec:',
        '  backoffLimit: 1',
        ...(ttlSecondsAfterFinished === undefined ? [] : [`  ttlSecondsAfterFinished: ${ttlSecondsAfterFinished}`]),
        '  template:',
        '    spec:',
        '      restartPolicy: Never',
        `      containers: [{ name: migrate, image: nextcloud:29, command: ${JSON.stringify(command)}, env: ${JSON.stringify(env)} }]`,
      ].join('\n');
    const hook = (name: string, command: string[], ttl?: number, env?: Array<{ name: string; value: string }>) =>
      ({ name, kind: 'Job', path: `hooks/${name}.yaml`, manifest: hookManifest(name, command, ttl, env), events: ['pre-upgrade'] });
    const release = (version: number, hooks: unknown[]) => ({
      name: 'cloud',
      namespace: ns,
      version,
      info: { status: version === 2 ? 'deployed' : 'superseded' },
      chart: { metadata: { name: 'nextcloud', version: version === 2 ? '6.2.0' : '6.1.0' } },
      hooks,
    });
    // The release Secrets Helm would have written for the instance's chart (kube-sim's Flux writes such
    // Secrets too, but from its own catalog charts: these declare the hooks the tests need).
    // Revision 1 knows no such hook: only the newest revision counts.
    const hooks = [
      hook('cloud-db-migration', ['php', 'occ', 'upgrade']),
      hook('cloud-db-check', ['sh', '-c', 'exit 2']),
      hook('cloud-reindex', ['sh', '-c', 'sleep 3600']),
      // Charts often let finished hook Jobs be removed by the TTL controller, at once.
      hook('cloud-db-cleanup', ['php', 'occ', 'db:clean'], 0),
      // A hook the API server refuses (an environment variable name with a space): Helm never ran it.
      hook('cloud-pre-delete', ['php', 'occ', 'maintenance:mode', '--on'], undefined, [{ name: 'DB HOST', value: 'db' }]),
    ];
    for (const rel of [release(1, []), release(2, hooks)]) {
      await cluster.api.create(gvr.secrets, encodeHelmReleaseSecret(rel as never));
    }
    // Hook Jobs are run by kube-sim's Job controller, at 1/100 of their nominal length.
    jobs = startControllers(cluster, { jobs: true, timeScale: 0.01 });
    ttlController = startTtlAfterFinishedDouble(cluster);
    operator = startOperator(cluster);
  });

  afterAll(async () => {
    ttlController.stop();
    jobs.stop();
    await operator.stop();
    await cluster.stop();
  });

  const job = (name: string) => {
    try {
      return cluster.api.get(gvr.jobs, name, { namespace: ns }) as unknown as {
        metadata: { annotations?: Record<string, string>; labels: Record<string, string>; ownerReferences: unknown[] };
        spec: { backoffLimit: number };
      };
    } catch {
      return undefined;
    }
  };

  it('runs the hook of the newest release as a Job, helm.sh/hook annotations stripped', async () => {
    await createOperation(cluster, 'mig-ok', migration());
    const created = await waitFor(() => job('mig-ok'), 'hook Job');
    expect(created.metadata.annotations).toEqual({ 'team.example/keep': 'yes' });
    expect(created.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'db-migration', 'ops.vworkspace.io/operation': 'mig-ok' });
    expect(created.spec.backoffLimit).toBe(1);
    expect(created.metadata.ownerReferences).toHaveLength(1);
    const op = await waitForPhase(cluster, 'mig-ok', 'Succeeded', 'Failed');
    expect(op.status?.phase).toBe('Succeeded');
    expect(op.status?.result).toMatchObject({ jobName: 'mig-ok' });
  });

  it('drops the hook\'s ttlSecondsAfterFinished, so that a TTL controller cannot take the outcome away', async () => {
    await createOperation(cluster, 'mig-ttl', migration({ parameters: { hook: 'cloud-db-cleanup' } }));
    const created = await waitFor(() => job('mig-ttl'), 'hook Job');
    expect((created.spec as { ttlSecondsAfterFinished?: number }).ttlSecondsAfterFinished).toBeUndefined();
    const op = await waitForPhase(cluster, 'mig-ttl', 'Succeeded', 'Failed');
    expect(op.status?.phase).toBe('Succeeded');
    expect(condition(op, 'Complete')).toMatchObject({ status: 'True' });
  });

  it('runs the hook\'s pod under the restricted Pod Security level where the chart leaves it open', async () => {
    await createOperation(cluster, 'mig-psa', migration());
    const created = (await waitFor(() => job('mig-psa'), 'hook Job')) as unknown as {
      spec: { template: { spec: { securityContext: unknown; containers: Array<{ securityContext: unknown }> } } };
    };
    expect(created.spec.template.spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(created.spec.template.spec.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    await waitForPhase(cluster, 'mig-psa', 'Succeeded');
  });

  it('fails with the API server\'s message and field when it refuses the hook Job, instead of running until the deadline', async () => {
    await createOperation(cluster, 'mig-invalid', migration({ parameters: { hook: 'cloud-pre-delete' }, timeoutSeconds: 30 }));
    const op = await waitForPhase(cluster, 'mig-invalid', 'Failed', 'TimedOut', 'Succeeded');
    expect(op.status?.phase).toBe('Failed');
    expect(condition(op, 'Complete')).toMatchObject({ status: 'False', reason: 'EngineResourceInvalid' });
    expect(op.status?.message).toContain('spec.template.spec.containers[0].env[0].name');
    expect(op.status?.message).toContain('DB HOST');
    expect(job('mig-invalid')).toBeUndefined();
  });

  it('fails with the hook Job', async () => {
    await createOperation(cluster, 'mig-bad', migration({ parameters: { hook: 'cloud-db-check' } }));
    const op = await waitForPhase(cluster, 'mig-bad', 'Failed', 'Succeeded');
    expect(op.status?.phase).toBe('Failed');
    expect(condition(op, 'Complete')?.reason).toBe('BackoffLimitExceeded');
  });

  it('fails naming the hooks there are when the chart declares no such hook', async () => {
    await createOperation(cluster, 'mig-unknown', migration({ parameters: { hook: 'cloud-cron' } }));
    const op = await waitForPhase(cluster, 'mig-unknown', 'Failed');
    expect(condition(op, 'Complete')?.reason).toBe('HookNotFound');
    expect(op.status?.message).toContain('hooks: cloud-db-migration, cloud-db-check, cloud-reindex, cloud-db-cleanup, cloud-pre-delete');
  });

  it('times out and deletes the Job', async () => {
    await createOperation(cluster, 'mig-slow', migration({ parameters: { hook: 'cloud-reindex' }, timeoutSeconds: 1 }));
    await waitFor(() => (job('mig-slow') as { status?: { active?: number } } | undefined)?.status?.active === 1, 'hook Job running');
    const op = await waitForPhase(cluster, 'mig-slow', 'TimedOut');
    expect(op.status?.message).toContain('deadline of 1s passed');
    await waitFor(() => !job('mig-slow'), 'Job deleted');
  });

  it('cancels by deleting the Job', async () => {
    await createOperation(cluster, 'mig-cancel', migration({ parameters: { hook: 'cloud-reindex' } }));
    await waitFor(() => (job('mig-cancel') as { status?: { active?: number } } | undefined)?.status?.active === 1, 'hook Job running');
    await cluster.api.patch(gvr.operations, 'mig-cancel', { spec: { cancel: true } }, { type: 'merge', namespace: ns });
    const op = await waitForPhase(cluster, 'mig-cancel', 'Cancelled');
    expect(op.status?.message).toContain('Job mig-cancel deleted');
    await waitFor(() => !job('mig-cancel'), 'Job deleted');
  });

  it('rejects an instance deployed by Argo CD: there is no release Secret', async () => {
    await createOperation(cluster, 'mig-argo', migration({ target: { applicationInstance: 'argo-app' } }));
    const op = await waitForPhase(cluster, 'mig-argo', 'Failed');
    expect(condition(op, 'Accepted')).toMatchObject({ status: 'False', reason: 'EngineUnsupported' });
    expect(op.status?.message).toContain('Argo CD, which keeps no Helm release Secret');
  });
});

/**
 * Kubernetes' TTL-after-finished controller, as a double: deletes a Job once it finished and its
 * `ttlSecondsAfterFinished` passed (here all of them use 0).
 */
function startTtlAfterFinishedDouble(cluster: SimCluster): { stop(): void } {
  const timer = setInterval(() => {
    for (const job of cluster.api.list(gvr.jobs, { namespace: ns }).items) {
      const spec = job.spec as { ttlSecondsAfterFinished?: number };
      const conditions = (job.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? [];
      const finished = conditions.some(c => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
      if (finished && spec.ttlSecondsAfterFinished === 0) {
        cluster.api.delete(gvr.jobs, job.metadata.name!, { namespace: ns }).catch(() => undefined);
      }
    }
  }, 5);
  return { stop: () => clearInterval(timer) };
}
