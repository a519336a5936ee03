import { SimCluster, startControllers } from '@vworkspace/kube-sim';
import { KubeClient, KubeObject, Manager } from '@vworkspace/kube-runtime';
import { registerApplicationInstanceController } from './applicationInstanceController';
import { instanceKinds as k } from './kinds';
import { condition, crdSources, instance, waitFor } from './__testUtils__/operatorSim';

jest.setTimeout(90_000);

/*
 * What a user meets when something is wrong: every failure shows on the instance with the
 * child's own reason and message as soon as the child knows it, and a wait that goes nowhere
 * ends in Stalled. The cluster runs the simulated Flux controllers but no Argo CD, so it has
 * no `argocd` namespace: the Argo CD adapter has nowhere to put its Application.
 */

const namespaceKind = { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false } as const;
/** A short progress deadline for the instances of this namespace only. */
const shortDeadlineNamespace = 'team-deadline';
const shortDeadlineMs = 1500;

let cluster: SimCluster;
let client: KubeClient;
let controllers: { stop(): void };
const managers: Manager[] = [];
const running: Array<Promise<unknown>> = [];

function startManager(options: { namespace?: string; progressDeadlineMs?: number }) {
  const manager = new Manager({
    client: KubeClient.fromString(cluster.kubeConfig(), { qps: 2000, burst: 2000 }),
    namespace: options.namespace,
    leaderElection: { enabled: false, name: 'fleet-operator-leader' },
    concurrency: 4,
    cache: { watchTimeoutSeconds: { min: 30, max: 60 }, backoff: { initialMs: 50, maxMs: 1000 } },
  });
  registerApplicationInstanceController(manager, { argocd: { namespace: 'argocd' }, progressDeadlineMs: options.progressDeadlineMs });
  managers.push(manager);
  running.push(manager.start().catch(err => err as Error));
}

beforeAll(async () => {
  cluster = await SimCluster.start({ tls: false, crds: crdSources });
  controllers = startControllers(cluster, { flux: true, jobs: true, timeScale: 0 });
  client = KubeClient.fromString(cluster.kubeConfig(), { qps: 2000, burst: 2000 });
  for (const name of ['team-a', shortDeadlineNamespace]) {
    await client.create(namespaceKind, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  startManager({ namespace: 'team-a' });
  startManager({ namespace: shortDeadlineNamespace, progressDeadlineMs: shortDeadlineMs });
});

afterAll(async () => {
  for (const manager of managers) await manager.stop();
  await Promise.all(running);
  controllers?.stop();
  client?.close();
  await cluster?.stop();
});

const gitea = (version: string, url = 'https://dl.gitea.com/charts/') => ({
  app: 'gitea',
  chart: { name: 'gitea', version, repository: { url, type: 'helm' } },
});

/** The instance once its Ready condition, for its current generation, matches `check`. */
async function readyCondition(name: string, namespace: string, check: (c: NonNullable<ReturnType<typeof condition>>, obj: KubeObject) => boolean, what: string) {
  return waitFor(async () => {
    const obj = await client.get(k.ApplicationInstance, name, namespace);
    const ready = condition(obj, 'Ready');
    return ready && ready.observedGeneration === obj.metadata?.generation && check(ready, obj) ? { obj, ready } : undefined;
  }, what);
}

describe('a chart that cannot be fetched', () => {
  it('names a chart version the repository does not have, while helm-controller has not observed the generation', async () => {
    await client.create(k.ApplicationInstance, instance('gitea-bad-version', gitea('99.1.0')));
    const { obj, ready } = await readyCondition(
      'gitea-bad-version',
      'team-a',
      c => c.message.includes("no 'gitea' chart with version matching '99.1.0' found"),
      'the missing chart version on the instance',
    );
    expect(ready).toMatchObject({ status: 'False', reason: 'SourceNotReady' });
    expect(ready.message).toMatch(/^HelmRelease team-a\/gitea-bad-version: HelmChart 'team-a\/team-a-gitea-bad-version' is not ready/);
    expect(condition(obj, 'Reconciling')?.status).toBe('True');
    // the situation the user met: the generation is not observed, yet the error is known
    const hr = await client.get(k.HelmRelease, 'gitea-bad-version', 'team-a');
    expect((hr.status as { observedGeneration?: number } | undefined)?.observedGeneration ?? -1).toBeLessThan(hr.metadata!.generation!);
  });

  it('names a Helm repository whose index cannot be fetched, from the repository itself', async () => {
    await client.create(k.ApplicationInstance, instance('gitea-bad-repo', gitea('10.6.0', 'https://charts.example.invalid/gitea/')));
    const { ready } = await readyCondition('gitea-bad-repo', 'team-a', c => c.message.includes('404 Not Found'), 'the failing repository on the instance');
    expect(ready.status).toBe('False');
    expect(ready.message).toMatch(/^HelmRelease team-a\/gitea-bad-repo: HelmRepository team-a\/\S+: failed to fetch Helm repository index: .*https:\/\/charts\.example\.invalid\/gitea\/index\.yaml : 404 Not Found/);
  });

  it('names an OCI chart tag the registry does not have', async () => {
    await client.create(
      k.ApplicationInstance,
      instance('immich-bad-tag', {
        app: 'immich',
        chart: { name: 'immich', version: '99.0.0', repository: { url: 'oci://ghcr.io/immich-app/immich-charts/immich', type: 'oci' } },
      }),
    );
    const { ready } = await readyCondition('immich-bad-tag', 'team-a', c => c.message.includes('MANIFEST_UNKNOWN'), 'the missing OCI tag on the instance');
    expect(ready).toMatchObject({ status: 'False', reason: 'OCIArtifactPullFailed' });
    expect(ready.message).toMatch(/^HelmRelease team-a\/immich-bad-tag: OCIRepository team-a\/\S+: failed to determine artifact digest/);
  });

  it('recovers when the version is corrected', async () => {
    await client.patch(k.ApplicationInstance, 'gitea-bad-version', 'team-a', { spec: { chart: { version: '10.6.0' } } }, { type: 'merge' });
    const { obj } = await readyCondition('gitea-bad-version', 'team-a', c => c.status === 'True', 'gitea Ready at 10.6.0');
    expect((obj.status as { chart?: { version?: string } }).chart?.version).toBe('10.6.0');
  });
});

describe('a wait that goes nowhere', () => {
  it('ends in Stalled once the progress deadline passes, saying what it waited for', async () => {
    await client.create(k.ApplicationInstance, instance('gitea-stuck', gitea('99.1.0'), shortDeadlineNamespace));
    const { obj, ready } = await readyCondition(
      'gitea-stuck',
      shortDeadlineNamespace,
      c => c.reason === 'ProgressDeadlineExceeded',
      'the instance to give up waiting',
    );
    const stalled = condition(obj, 'Stalled');
    expect(stalled).toMatchObject({ status: 'True', reason: 'ProgressDeadlineExceeded' });
    expect(condition(obj, 'Reconciling')?.status).toBe('False');
    expect(ready.message).toMatch(/^not ready after \d+s \(deadline 2s\); still waiting for HelmRelease team-deadline\/gitea-stuck: .*no 'gitea' chart with version matching '99\.1\.0' found/);
  });

  it('starts a new wait for a new generation, and is Ready once the child is', async () => {
    await client.patch(k.ApplicationInstance, 'gitea-stuck', shortDeadlineNamespace, { spec: { chart: { version: '10.6.0' } } }, { type: 'merge' });
    const { obj } = await readyCondition('gitea-stuck', shortDeadlineNamespace, c => c.status === 'True', 'gitea-stuck Ready');
    expect(condition(obj, 'Stalled')?.status).toBe('False');
  });
});

describe('an Argo CD instance on a cluster without Argo CD', () => {
  it('says that the argocd namespace does not exist', async () => {
    await client.create(k.ApplicationInstance, instance('gitea-argo', { ...gitea('10.6.0'), engine: 'argocd' }));
    const { obj, ready } = await readyCondition('gitea-argo', 'team-a', c => c.reason === 'NamespaceNotFound', 'the missing namespace on the instance');
    expect(ready.status).toBe('False');
    expect(ready.message).toBe(
      'Application argocd/team-a-gitea-argo cannot be created: namespace "argocd" does not exist. ' +
        'Is Argo CD installed? The operator puts Argo CD Applications in that namespace (flag --argocd-namespace)',
    );
    expect(condition(obj, 'Reconciling')?.status).toBe('True');
  });

  it('gets going once the namespace exists', async () => {
    await client.create(namespaceKind, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } });
    await waitFor(() => client.get(k.Application, 'team-a-gitea-argo', 'argocd').catch(() => undefined), 'the Application to be created');
    const { ready } = await readyCondition('gitea-argo', 'team-a', c => c.reason !== 'NamespaceNotFound', 'the instance to move on');
    expect(ready.message).not.toContain('does not exist');
  });
});
