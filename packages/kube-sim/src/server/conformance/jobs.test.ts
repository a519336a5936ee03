// Wire responses are checked as untyped JSON, hence `any` in assertions.
import { BatchV1Api, PatchStrategy, V1Job, setHeaderOptions } from '@kubernetes/client-node';
import { failure, useTestCluster } from './__testUtils__/testCluster';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const job = (name: string, podSpec: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): V1Job => ({
  metadata: { name },
  spec: {
    ...spec,
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', command: ['true'] }], ...podSpec } as any },
  },
});

// pkg/apis/batch/v1/defaults.go, pkg/registry/batch/job/strategy.go and
// pkg/apis/batch/validation/validation.go (kube 1.31).
describe('batch/v1 Job defaults and validation', () => {
  const sim = useTestCluster();
  let batch: BatchV1Api;
  beforeAll(() => {
    batch = sim.kc.makeApiClient(BatchV1Api);
  });

  const create = (body: V1Job) => batch.createNamespacedJob({ namespace: 'default', body });

  it('defaults the spec (SetDefaults_Job), generates the selector and its labels (generateSelector), and defaults the pod template', async () => {
    const created = await create(job('migrate', { containers: [{ name: 'main', image: 'busybox' }, { name: 'pinned', image: 'busybox:1.36' }] }));
    const uid = created.metadata!.uid!;
    expect(created.spec).toMatchObject({
      completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatedOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
    });
    const generated = {
      'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'migrate', 'controller-uid': uid, 'job-name': 'migrate',
    };
    expect(created.spec!.template.metadata!.labels).toEqual(generated);
    // A Job without labels shows its template's.
    expect(created.metadata!.labels).toEqual(generated);
    const pod = created.spec!.template.spec!;
    expect(pod).toMatchObject({ dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30, securityContext: {} });
    expect(pod.containers.map(c => c.imagePullPolicy)).toEqual(['Always', 'IfNotPresent']);
    expect(pod.containers[0]).toMatchObject({ terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} });
  });

  it('keeps a Job\'s own labels, and sets parallelism alone when completions are given', async () => {
    const created = await create({ ...job('labelled', {}, { completions: 3 }), metadata: { name: 'labelled', labels: { app: 'gitea' } } });
    expect(created.metadata!.labels).toEqual({ app: 'gitea' });
    expect(created.spec).toMatchObject({ completions: 3, parallelism: 1 });
  });

  it('refuses the default restartPolicy Always, with the supported values', async () => {
    const { code, body } = await failure(create(job('always', { restartPolicy: undefined })));
    expect(code).toBe(422);
    expect(body.message).toBe('Job.batch "always" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
    expect(body.details).toMatchObject({ name: 'always', group: 'batch', kind: 'Job' });
  });

  it('refuses a pod template without containers, with a bad env var name or a mount of no volume', async () => {
    const empty = await failure(create(job('empty', { containers: [] })));
    expect(empty.body.details.causes).toEqual([{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers' }]);

    const env = await failure(create(job('env', { containers: [{ name: 'main', image: 'busybox', env: [{ name: '1PASSWORD', value: 'x' }, { name: '' }], volumeMounts: [{ name: 'data', mountPath: '/data' }] }] })));
    expect(env.body.details.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.template.spec.containers[0].env[0].name',
        message: "Invalid value: \"1PASSWORD\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
      },
      { reason: 'FieldValueRequired', field: 'spec.template.spec.containers[0].env[1].name', message: 'Required value' },
      { reason: 'FieldValueNotFound', field: 'spec.template.spec.containers[0].volumeMounts[0].name', message: 'Not found: "data"' },
    ]);
  });

  it('refuses a name whose job-name label would be longer than 63 characters (ValidatePodTemplateSpec labels)', async () => {
    const name = `backup-${'x'.repeat(57)}`;
    const { body } = await failure(create(job(name)));
    expect(body.details.causes).toEqual(expect.arrayContaining([
      { reason: 'FieldValueInvalid', field: 'spec.template.labels', message: `Invalid value: "${name}": must be no more than 63 characters` },
    ]));
  });

  it('refuses a selector the server did not generate unless manualSelector, and one that misses the template', async () => {
    const custom = await failure(create(job('custom', {}, { selector: { matchLabels: { app: 'x' } } })));
    expect(custom.body.details.causes).toEqual(expect.arrayContaining([
      expect.objectContaining({ reason: 'FieldValueInvalid', field: 'spec.selector', message: expect.stringMatching(/: `selector` not auto-generated$/) }),
    ]));

    const manual = await create({
      metadata: { name: 'manual' },
      spec: { manualSelector: true, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'main', image: 'busybox' }] } } },
    });
    expect(manual.spec!.template.metadata!.labels).toEqual({ app: 'x' });

    const mismatch = await failure(create({
      metadata: { name: 'mismatch' },
      spec: { manualSelector: true, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'y' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } },
    }));
    expect(mismatch.body.details.causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.template.metadata.labels', message: 'Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`' },
    ]);
  });

  it('keeps the template, selector and completions immutable; suspend and parallelism may change', async () => {
    await create(job('frozen'));
    const template = await failure(batch.patchNamespacedJob({ namespace: 'default', name: 'frozen', body: { spec: { template: { spec: { containers: [{ name: 'main', image: 'alpine' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)));
    expect(template.code).toBe(422);
    expect(template.body.details.causes).toEqual([expect.objectContaining({ reason: 'FieldValueInvalid', field: 'spec.template', message: expect.stringMatching(/: field is immutable$/) })]);

    const completions = await failure(batch.patchNamespacedJob({ namespace: 'default', name: 'frozen', body: { spec: { completions: 2 } } }, merge));
    expect(completions.body.details.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.completions', message: 'Invalid value: 2: field is immutable' }]);

    const selector = await failure(batch.patchNamespacedJob({ namespace: 'default', name: 'frozen', body: { spec: { selector: { matchLabels: { app: 'x' } } } } }, merge));
    expect(selector.body.details.causes).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'spec.selector', message: expect.stringMatching(/: field is immutable$/) })]));

    const suspended = await batch.patchNamespacedJob({ namespace: 'default', name: 'frozen', body: { spec: { suspend: true, parallelism: 2 } } }, merge);
    expect(suspended.spec).toMatchObject({ suspend: true, parallelism: 2 });
  });

  it('refuses negative counts', async () => {
    const { body } = await failure(create(job('negative', {}, { backoffLimit: -1, ttlSecondsAfterFinished: -5 })));
    expect(body.details.causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.backoffLimit', message: 'Invalid value: -1: must be greater than or equal to 0' },
      { reason: 'FieldValueInvalid', field: 'spec.ttlSecondsAfterFinished', message: 'Invalid value: -5: must be greater than or equal to 0' },
    ]);
  });
});
