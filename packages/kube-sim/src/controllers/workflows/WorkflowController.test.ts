import path from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { SimCluster } from '../../cluster/SimCluster';
import type { KubeObject } from '../../types';
import { eventually } from '../runtime/eventually';
import { WorkflowController } from './WorkflowController';

const UPSTREAM = path.resolve(__dirname, '../../../crds/upstream');
const CRDS = ['argoproj.io_workflows.yaml', 'argoproj.io_workflowtemplates.yaml'].map(f => path.join(UPSTREAM, f));
const NS = 'default';
const group = 'argoproj.io';
const version = 'v1alpha1';

type Obj = { metadata: { name: string; labels?: Record<string, string> }; spec?: any; status?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads arbitrary fields

jest.setTimeout(30_000);

describe('WorkflowController', () => {
  let cluster: SimCluster;
  let controller: WorkflowController;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  const errors: unknown[] = [];
  const phases = new Map<string, string[]>();

  beforeAll(async () => {
    cluster = await SimCluster.start({ tls: false, crds: CRDS });
    controller = new WorkflowController({ api: cluster.api, timings: { timeScale: 0 }, onError: (_c, _k, e) => errors.push(e) }).start();
    cluster.api.watch({ group, version, resource: 'workflows' }, (type, object) => {
      if (type !== 'ADDED' && type !== 'MODIFIED') return;
      const wf = object as KubeObject;
      const seen = phases.get(wf.metadata.name!) ?? [];
      const phase = (wf.status as { phase?: string } | undefined)?.phase;
      if (phase && seen[seen.length - 1] !== phase) seen.push(phase);
      phases.set(wf.metadata.name!, seen);
    });
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeConfig());
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    await custom.createNamespacedCustomObject({
      group, version, namespace: NS, plural: 'workflowtemplates',
      body: {
        apiVersion: `${group}/${version}`,
        kind: 'WorkflowTemplate',
        metadata: { name: 'backup' },
        spec: {
          entrypoint: 'main',
          arguments: { parameters: [{ name: 'target' }, { name: 'exit', value: '0' }] },
          templates: [
            { name: 'main', steps: [[{ name: 'dump', template: 'run' }], [{ name: 'upload', template: 'run' }, { name: 'verify', template: 'run' }]] },
            {
              name: 'run',
              metadata: { annotations: { 'sim.vworkspace.io/exit-code': '{{workflow.parameters.exit}}', 'sim.vworkspace.io/duration-seconds': '20' } },
              container: { image: 'alpine', command: ['sh', '-c', 'echo {{workflow.parameters.target}}'] },
            },
          ],
        },
      },
    });
  });

  afterAll(async () => {
    controller.stop();
    await cluster.stop();
  });

  const submit = (name: string, spec: Record<string, unknown>) =>
    custom.createNamespacedCustomObject({ group, version, namespace: NS, plural: 'workflows', body: { apiVersion: `${group}/${version}`, kind: 'Workflow', metadata: { name }, spec } });
  const fromTemplate = (name: string, parameters: Array<{ name: string; value: string }>, extra: Record<string, unknown> = {}) =>
    submit(name, { workflowTemplateRef: { name: 'backup' }, arguments: { parameters }, ...extra });
  const finished = (name: string) =>
    eventually(async () => {
      const wf = (await custom.getNamespacedCustomObject({ group, version, namespace: NS, plural: 'workflows', name })) as Obj;
      return ['Succeeded', 'Failed', 'Error'].includes(wf.status?.phase) && wf;
    }, { what: `workflow ${name} to finish` });
  const nodesOf = (wf: Obj) => Object.values(wf.status.nodes as Record<string, { type: string; displayName: string; phase: string; message?: string }>);

  it('runs a WorkflowTemplate through Pending and Running to Succeeded, with Argo\'s status', async () => {
    await fromTemplate('nightly', [{ name: 'target', value: 'db' }]);
    const wf = await finished('nightly');
    expect(phases.get('nightly')).toEqual(['Pending', 'Running', 'Succeeded']);
    expect(wf.status).toMatchObject({
      phase: 'Succeeded',
      progress: '3/3',
      estimatedDuration: 40,
      conditions: [{ type: 'PodRunning', status: 'False' }, { type: 'Completed', status: 'True' }],
    });
    expect(wf.status.message).toBeUndefined();
    expect(Date.parse(wf.status.finishedAt)).toBeGreaterThanOrEqual(Date.parse(wf.status.startedAt));
    expect(wf.metadata.labels).toMatchObject({ 'workflows.argoproj.io/phase': 'Succeeded', 'workflows.argoproj.io/completed': 'true' });
    const nodes = nodesOf(wf);
    expect(nodes.map(n => `${n.type}:${n.displayName}:${n.phase}`).sort()).toEqual([
      'Pod:dump:Succeeded', 'Pod:upload:Succeeded', 'Pod:verify:Succeeded',
      'StepGroup:[0]:Succeeded', 'StepGroup:[1]:Succeeded', 'Steps:nightly:Succeeded',
    ]);
    expect(wf.status.nodes.nightly).toMatchObject({ id: 'nightly', type: 'Steps', templateName: 'main' });
    expect(wf.status.storedWorkflowTemplateSpec).toMatchObject({ entrypoint: 'main', workflowTemplateRef: { name: 'backup' } });
    expect(wf.status.storedWorkflowTemplateSpec.arguments.parameters).toEqual([{ name: 'target', value: 'db' }, { name: 'exit', value: '0' }]);
    expect(Object.keys(wf.status.storedTemplates)).toEqual(['namespaced/backup/main', 'namespaced/backup/run']);
    const events = await core.listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=nightly' });
    expect(events.items.map(e => e.reason)).toEqual(expect.arrayContaining(['WorkflowRunning', 'WorkflowNodeSucceeded', 'WorkflowSucceeded']));
  });

  it('fails when a step exits non-zero, stopping later step groups', async () => {
    await fromTemplate('broken', [{ name: 'target', value: 'db' }, { name: 'exit', value: '3' }]);
    const wf = await finished('broken');
    expect(wf.status.phase).toBe('Failed');
    const nodes = nodesOf(wf);
    const dump = nodes.find(n => n.displayName === 'dump')!;
    expect(dump).toMatchObject({ phase: 'Failed', message: 'Error (exit code 3)' });
    expect(nodes.some(n => n.displayName === 'upload')).toBe(false);
    expect(wf.status.message).toMatch(/^child 'broken-\d+' failed$/);
    expect(wf.status.progress).toBe('1/1');
  });

  it('ends in Error when the WorkflowTemplate does not exist', async () => {
    await submit('orphan', { workflowTemplateRef: { name: 'nope' } });
    const wf = await finished('orphan');
    expect(wf.status).toMatchObject({ phase: 'Error', message: 'workflowtemplates.argoproj.io "nope" not found' });
    expect(wf.status.finishedAt).toEqual(expect.any(String));
  });

  it('fails when a required parameter is missing', async () => {
    await fromTemplate('no-target', []);
    const wf = await finished('no-target');
    expect(wf.status).toMatchObject({ phase: 'Failed', message: 'invalid spec: spec.arguments.target.value is required' });
  });

  it('fails with the shutdown strategy when asked to terminate', async () => {
    await fromTemplate('stopped', [{ name: 'target', value: 'db' }], { shutdown: 'Terminate' });
    const wf = await finished('stopped');
    expect(wf.status).toMatchObject({ phase: 'Failed', message: "Stopped with strategy 'Terminate'" });
  });

  it('fails a run that outlives activeDeadlineSeconds', async () => {
    await fromTemplate('late', [{ name: 'target', value: 'db' }], { activeDeadlineSeconds: 30 });
    const wf = await finished('late');
    expect(wf.status).toMatchObject({ phase: 'Failed', message: 'Step exceeded its deadline' });
    const nodes = nodesOf(wf);
    expect(nodes.find(n => n.displayName === 'dump')?.phase).toBe('Succeeded');
    expect(nodes.find(n => n.displayName === 'upload')).toMatchObject({ phase: 'Failed', message: 'Step exceeded its deadline' });
  });

  it('runs an inline DAG in dependency order', async () => {
    await submit('dag', {
      entrypoint: 'flow',
      templates: [
        { name: 'flow', dag: { tasks: [{ name: 'a', template: 'job' }, { name: 'b', template: 'job', dependencies: ['a'] }, { name: 'c', template: 'job', depends: 'a && b' }] } },
        { name: 'job', container: { image: 'alpine', command: ['sh', '-c', 'sleep 5'] } },
      ],
    });
    const wf = await finished('dag');
    expect(wf.status).toMatchObject({ phase: 'Succeeded', progress: '3/3', estimatedDuration: 15 });
    const byName = Object.fromEntries(nodesOf(wf).map(n => [n.displayName, n as unknown as { type: string; startedAt: string }]));
    expect(byName.dag.type).toBe('DAG');
    expect(byName.c.type).toBe('Pod');
  });

  it('met no unexpected reconcile errors on the way', () => {
    expect(errors).toEqual([]);
  });
});
