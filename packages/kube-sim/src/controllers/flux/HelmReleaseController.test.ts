import { BatchV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { join } from 'node:path';
import { SimCluster } from '../../cluster/SimCluster';
import type { KubeObject } from '../../types';
import { ChartCatalog } from '../charts';
import { JobController } from '../jobs';
import { eventually } from '../runtime/eventually';
import type { Condition } from '../runtime';
import { HelmChartController } from './HelmChartController';
import { HelmReleaseController } from './HelmReleaseController';
import { HelmRepositoryController } from './HelmRepositoryController';
import { OCIRepositoryController } from './OCIRepositoryController';
import { decodeReleaseSecret } from './helmReleaseStorage';


jest.setTimeout(30_000);
const CRDS = ['helmreleases', 'helmrepositories', 'helmcharts', 'ocirepositories'].map(r =>
  join(__dirname, '../../../crds/upstream', `${r === 'helmreleases' ? 'helm.toolkit.fluxcd.io' : 'source.toolkit.fluxcd.io'}_${r}.yaml`));

const HR = { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases' };
const REPO = { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'helmrepositories' };
const OCI = { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'ocirepositories' };
const CHART = { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'helmcharts' };

let cluster: SimCluster;
let custom: CustomObjectsApi;
let core: CoreV1Api;
let batch: BatchV1Api;
let controllers: Array<{ stop(): void }>;

beforeAll(async () => {
  cluster = await SimCluster.start({ tls: false, crds: CRDS });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeConfig());
  custom = kc.makeApiClient(CustomObjectsApi);
  core = kc.makeApiClient(CoreV1Api);
  batch = kc.makeApiClient(BatchV1Api);
  const catalog = ChartCatalog.load();
  const options = { api: cluster.api, timings: { timeScale: 0 } };
  controllers = [
    new HelmRepositoryController({ ...options, catalog }).start(),
    new OCIRepositoryController({ ...options, catalog }).start(),
    new HelmChartController({ ...options, catalog }).start(),
    new HelmReleaseController({ ...options, catalog, jobsSimulated: true }).start(),
    new JobController(options).start(),
  ];
  for (const name of ['team-a', 'flux-system']) await core.createNamespace({ body: { metadata: { name } } });
  await custom.createNamespacedCustomObject({
    ...REPO, namespace: 'flux-system',
    body: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'nextcloud' }, spec: { url: 'https://nextcloud.github.io/helm/', interval: '10m' } },
  });
  await custom.createNamespacedCustomObject({
    ...REPO, namespace: 'flux-system',
    body: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'gitea' }, spec: { url: 'https://dl.gitea.com/charts/', interval: '10m' } },
  });
  await custom.createNamespacedCustomObject({
    ...REPO, namespace: 'flux-system',
    body: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'mattermost' }, spec: { url: 'https://helm.mattermost.com', interval: '10m' } },
  });
}, 30_000);

afterAll(async () => {
  for (const c of controllers) c.stop();
  await cluster.stop();
});

const get = (gvr: typeof HR, name: string, namespace = 'team-a') =>
  custom.getNamespacedCustomObject({ ...gvr, namespace, name }) as Promise<KubeObject>;
const conditionsOf = (o: KubeObject) => ((o.status as { conditions?: Condition[] } | undefined)?.conditions ?? []);
const condition = (o: KubeObject, type: string) => conditionsOf(o).find(c => c.type === type);
const statusOf = (o: KubeObject) => (o.status ?? {}) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- status fields read ad hoc in assertions

function helmRelease(name: string, version: string, repo: string, chart: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name, namespace: 'team-a' },
    spec: {
      interval: '10m',
      chart: { spec: { chart, version, sourceRef: { kind: 'HelmRepository', name: repo, namespace: 'flux-system' } } },
      values: { nextcloud: { host: 'cloud.team-a.example' } },
      ...extra,
    },
  };
}

async function waitFor(name: string, probe: (hr: KubeObject) => boolean, what: string): Promise<KubeObject> {
  return eventually(async () => {
    const hr = await get(HR, name);
    return probe(hr) ? hr : undefined;
  }, { timeoutMs: 15_000, what });
}

const readyFor = (reason: string) => (hr: KubeObject) =>
  condition(hr, 'Ready')?.reason === reason && statusOf(hr).observedGeneration === hr.metadata.generation;

/** `kubectl patch --type json`: no resourceVersion, so controllers writing status do not conflict. */
async function patchSpec(name: string, spec: Record<string, unknown>) {
  await custom.patchNamespacedCustomObject({ ...HR, namespace: 'team-a', name,
    body: Object.entries(spec).map(([key, value]) => ({ op: 'add', path: `/spec/${key}`, value })) });
}

describe('HelmRepository', () => {
  it('becomes Ready with the index artifact', async () => {
    const repo = await eventually(async () => {
      const r = await get(REPO, 'nextcloud', 'flux-system');
      return condition(r, 'Ready')?.status === 'True' ? r : undefined;
    }, { what: 'repository ready' });
    const status = statusOf(repo);
    expect(status.artifact.revision).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(status.artifact.digest).toBe(status.artifact.revision);
    expect(status.artifact.url).toContain('/helmrepository/flux-system/nextcloud/index-');
    expect(status.observedGeneration).toBe(1);
    expect(condition(repo, 'Ready')).toMatchObject({ reason: 'Succeeded', message: `stored artifact: revision '${status.artifact.revision}'` });
    expect(condition(repo, 'ArtifactInStorage')?.status).toBe('True');
    expect(repo.metadata.finalizers).toContain('finalizers.fluxcd.io');
  });

  it('fails on a repository that serves no index', async () => {
    await custom.createNamespacedCustomObject({
      ...REPO, namespace: 'flux-system',
      body: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'nowhere' }, spec: { url: 'https://charts.nowhere.example/', interval: '10m' } },
    });
    const repo = await eventually(async () => {
      const r = await get(REPO, 'nowhere', 'flux-system');
      return condition(r, 'Ready')?.status === 'False' ? r : undefined;
    }, { what: 'repository failed' });
    expect(condition(repo, 'Ready')?.reason).toBe('Failed');
    expect(condition(repo, 'FetchFailed')).toMatchObject({ status: 'True', reason: 'Failed' });
    expect(condition(repo, 'Ready')?.message).toContain('failed to fetch Helm repository index');
    expect(statusOf(repo).artifact).toBeUndefined();
  });

  it('echoes reconcile.fluxcd.io/requestedAt', async () => {
    await custom.patchNamespacedCustomObject({ ...REPO, namespace: 'flux-system', name: 'nextcloud',
      body: [{ op: 'add', path: '/metadata/annotations', value: { 'reconcile.fluxcd.io/requestedAt': '2025-03-01T10:00:00Z' } }] });
    const repo = await eventually(async () => {
      const r = await get(REPO, 'nextcloud', 'flux-system');
      return statusOf(r).lastHandledReconcileAt === '2025-03-01T10:00:00Z' ? r : undefined;
    }, { what: 'requestedAt echo' });
    expect(condition(repo, 'Ready')?.status).toBe('True');
  });
});

describe('HelmRelease', () => {
  it('installs: HelmChart, conditions, history, objects and the release Secret', async () => {
    await custom.createNamespacedCustomObject({ ...HR, namespace: 'team-a', body: helmRelease('nextcloud', '6.2.0', 'nextcloud', 'nextcloud') });
    const hr = await waitFor('nextcloud', readyFor('InstallSucceeded'), 'install');
    const status = statusOf(hr);
    expect(condition(hr, 'Ready')).toMatchObject({ status: 'True', message: 'Helm install succeeded for release team-a/nextcloud.v1 with chart nextcloud@6.2.0' });
    expect(condition(hr, 'Released')).toMatchObject({ status: 'True', reason: 'InstallSucceeded' });
    expect(condition(hr, 'Reconciling')).toBeUndefined();
    expect(status).toMatchObject({
      helmChart: 'flux-system/team-a-nextcloud', storageNamespace: 'team-a', lastAttemptedRevision: '6.2.0',
      lastAttemptedReleaseAction: 'install', lastAttemptedGeneration: 1, observedGeneration: 1,
    });
    expect(status.lastAttemptedConfigDigest).toMatch(/^sha256:/);
    expect(status.history).toHaveLength(1);
    expect(status.history[0]).toMatchObject({ name: 'nextcloud', namespace: 'team-a', version: 1, status: 'deployed', chartName: 'nextcloud', chartVersion: '6.2.0', appVersion: '30.0.2' });

    const chart = await get(CHART, 'team-a-nextcloud', 'flux-system');
    expect(condition(chart, 'Ready')).toMatchObject({ status: 'True', reason: 'ChartPullSucceeded', message: "pulled 'nextcloud' chart with version '6.2.0'" });

    const cm = await core.readNamespacedConfigMap({ name: 'nextcloud-config', namespace: 'team-a' });
    expect(cm.data?.NEXTCLOUD_TRUSTED_DOMAINS).toBe('cloud.team-a.example');
    expect(cm.metadata?.annotations).toMatchObject({ 'meta.helm.sh/release-name': 'nextcloud', 'meta.helm.sh/release-namespace': 'team-a' });
    expect(cm.metadata?.labels).toMatchObject({ 'app.kubernetes.io/instance': 'nextcloud', 'app.kubernetes.io/managed-by': 'Helm' });
    await core.readNamespacedPersistentVolumeClaim({ name: 'nextcloud-nextcloud', namespace: 'team-a' });

    const secret = await core.readNamespacedSecret({ name: 'sh.helm.release.v1.nextcloud.v1', namespace: 'team-a' });
    expect(secret.type).toBe('helm.sh/release.v1');
    expect(secret.metadata?.labels).toMatchObject({ name: 'nextcloud', owner: 'helm', status: 'deployed', version: '1' });
    const release = decodeReleaseSecret(secret as KubeObject);
    expect(release).toMatchObject({ name: 'nextcloud', namespace: 'team-a', version: 1, info: { status: 'deployed', description: 'Install complete' } });
    expect(release.chart.metadata).toMatchObject({ name: 'nextcloud', version: '6.2.0', appVersion: '30.0.2', apiVersion: 'v2' });
    expect(release.config).toEqual({ nextcloud: { host: 'cloud.team-a.example' } });
    expect(release.manifest).toContain('# Source: nextcloud/templates/configmap.yaml');
    const migration = release.hooks!.find(h => h.events.includes('pre-upgrade'))!;
    expect(migration).toMatchObject({ name: 'nextcloud-db-migration', kind: 'Job', weight: -5, delete_policies: ['before-hook-creation', 'hook-succeeded'] });
    expect(migration.manifest).toContain('helm.sh/hook: pre-upgrade');

    const events = await core.listNamespacedEvent({ namespace: 'team-a', fieldSelector: 'involvedObject.name=nextcloud' });
    expect(events.items.map(e => e.reason)).toContain('InstallSucceeded');
  });

  it('upgrades, running the pre-upgrade migration hook Job', async () => {
    const seenJobs: string[] = [];
    const watch = cluster.api.watch({ group: 'batch', version: 'v1', resource: 'jobs' }, (type, o) => {
      if (type === 'ADDED') seenJobs.push((o as KubeObject).metadata.name!);
    }, { namespace: 'team-a' });
    await patchSpec('nextcloud', { chart: { spec: { chart: 'nextcloud', version: '6.3.0', sourceRef: { kind: 'HelmRepository', name: 'nextcloud', namespace: 'flux-system' } } } });
    const hr = await waitFor('nextcloud', readyFor('UpgradeSucceeded'), 'upgrade');
    watch.stop();
    expect(seenJobs).toContain('nextcloud-db-migration');
    expect(condition(hr, 'Ready')?.message).toBe('Helm upgrade succeeded for release team-a/nextcloud.v2 with chart nextcloud@6.3.0');
    expect(statusOf(hr).history.map((s: { version: number; status: string }) => [s.version, s.status])).toEqual([[2, 'deployed'], [1, 'superseded']]);
    expect(statusOf(hr).observedGeneration).toBe(2);
    // hook-succeeded: the migration Job is gone once it completed.
    await expect(batch.readNamespacedJob({ name: 'nextcloud-db-migration', namespace: 'team-a' })).rejects.toThrow();
    const v2 = decodeReleaseSecret(await core.readNamespacedSecret({ name: 'sh.helm.release.v1.nextcloud.v2', namespace: 'team-a' }) as KubeObject);
    expect(v2.hooks!.find(h => h.name === 'nextcloud-db-migration')!.last_run.phase).toBe('Succeeded');
    const v1 = await core.readNamespacedSecret({ name: 'sh.helm.release.v1.nextcloud.v1', namespace: 'team-a' });
    expect(v1.metadata?.labels?.status).toBe('superseded');
  });

  it('remediates a failing upgrade with rollbacks, then stalls with RetriesExceeded', async () => {
    await patchSpec('nextcloud', {
      chart: { spec: { chart: 'nextcloud', version: '6.4.0', sourceRef: { kind: 'HelmRepository', name: 'nextcloud', namespace: 'flux-system' } } },
      upgrade: { remediation: { retries: 1, strategy: 'rollback' } },
    });
    const hr = await waitFor('nextcloud', h => condition(h, 'Stalled')?.status === 'True' && statusOf(h).observedGeneration === 3, 'stalled');
    expect(condition(hr, 'Stalled')).toMatchObject({ reason: 'RetriesExceeded', message: 'Failed to upgrade after 2 attempt(s)' });
    expect(condition(hr, 'Ready')).toMatchObject({ status: 'False', reason: 'RollbackSucceeded' });
    expect(condition(hr, 'Remediated')).toMatchObject({ status: 'True', reason: 'RollbackSucceeded', });
    expect(condition(hr, 'Remediated')?.message).toMatch(/^Helm rollback to previous release team-a\/nextcloud\.v\d+ with chart nextcloud@6\.3\.0 succeeded$/);
    expect(condition(hr, 'Released')).toMatchObject({ status: 'False', reason: 'UpgradeFailed' });
    expect(condition(hr, 'Released')?.message).toMatch(/^Helm upgrade failed for release team-a\/nextcloud with chart nextcloud@6.4.0: pre-upgrade hooks failed/);
    expect(statusOf(hr)).toMatchObject({ upgradeFailures: 2, failures: 2, lastAttemptedRevision: '6.4.0' });
    expect(statusOf(hr).history[0]).toMatchObject({ status: 'deployed', chartVersion: '6.3.0' });
    const cm = await core.readNamespacedConfigMap({ name: 'nextcloud-config', namespace: 'team-a' });
    expect(cm.metadata?.labels?.['helm.sh/chart']).toBe('nextcloud-6.3.0');
    // The failing migration Job stays for inspection (no hook-failed policy).
    const job = await batch.readNamespacedJob({ name: 'nextcloud-db-migration', namespace: 'team-a' });
    expect(job.status?.conditions?.some(c => c.type === 'Failed' && c.status === 'True')).toBe(true);
  });

  it('fixes itself when the spec goes back to a good version', async () => {
    await patchSpec('nextcloud', { chart: { spec: { chart: 'nextcloud', version: '6.3.0', sourceRef: { kind: 'HelmRepository', name: 'nextcloud', namespace: 'flux-system' } } } });
    const hr = await waitFor('nextcloud', h => statusOf(h).observedGeneration === 4 && condition(h, 'Ready')?.status === 'True', 'in sync again');
    expect(condition(hr, 'Stalled')).toBeUndefined();
    expect(condition(hr, 'Ready')?.reason).toBe('UpgradeSucceeded');
  });

  it('does not advance observedGeneration while the chart is not ready', async () => {
    await patchSpec('nextcloud', { chart: { spec: { chart: 'nextcloud', version: '9.9.9', sourceRef: { kind: 'HelmRepository', name: 'nextcloud', namespace: 'flux-system' } } } });
    // The HelmChart is first not ready because it has not seen its new generation yet, then because it failed.
    const hr = await waitFor('nextcloud', h => condition(h, 'Ready')?.reason === 'SourceNotReady' && condition(h, 'Ready')!.message.includes('9.9.9'), 'source not ready');
    expect(statusOf(hr).observedGeneration).toBe(4);
    expect(hr.metadata.generation).toBe(5);
    expect(condition(hr, 'Ready')?.message).toContain("no 'nextcloud' chart with version matching '9.9.9' found");
    const chart = await get(CHART, 'team-a-nextcloud', 'flux-system');
    expect(condition(chart, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidChartReference' });
  });

  it('honours suspend and echoes requestedAt', async () => {
    await patchSpec('nextcloud', { suspend: true });
    await custom.patchNamespacedCustomObject({ ...HR, namespace: 'team-a', name: 'nextcloud',
      body: [{ op: 'add', path: '/metadata/annotations', value: { 'reconcile.fluxcd.io/requestedAt': 'now-1' } }] });
    const suspended = await waitFor('nextcloud', h => statusOf(h).lastHandledReconcileAt === 'now-1', 'requestedAt echo');
    expect(condition(suspended, 'Ready')?.reason).toBe('SourceNotReady');
    expect(statusOf(suspended).history[0].chartVersion).toBe('6.3.0');
  });

  it('uninstalls on delete: objects, release Secrets, HelmChart', async () => {
    // A suspended HelmRelease is deleted without uninstalling, as Flux does: resume it first.
    await patchSpec('nextcloud', { suspend: false });
    await custom.deleteNamespacedCustomObject({ ...HR, namespace: 'team-a', name: 'nextcloud' });
    await eventually(async () => {
      try {
        await get(HR, 'nextcloud');
        return false;
      } catch {
        return true;
      }
    }, { what: 'HelmRelease gone' });
    const secrets = await core.listNamespacedSecret({ namespace: 'team-a', labelSelector: 'owner=helm,name=nextcloud' });
    expect(secrets.items).toHaveLength(0);
    await expect(core.readNamespacedConfigMap({ name: 'nextcloud-config', namespace: 'team-a' })).rejects.toThrow();
    await expect(get(CHART, 'team-a-nextcloud', 'flux-system')).rejects.toThrow();
  });

  it('fails an install the chart marks as failing, and stalls without retries', async () => {
    await custom.createNamespacedCustomObject({ ...HR, namespace: 'team-a', body: helmRelease('chat', '6.6.64', 'mattermost', 'mattermost-team-edition') });
    const hr = await waitFor('chat', h => condition(h, 'Stalled')?.status === 'True', 'install stalled');
    expect(condition(hr, 'Ready')).toMatchObject({ status: 'False', reason: 'InstallFailed' });
    expect(condition(hr, 'Ready')?.message).toMatch(/^Helm install failed for release team-a\/chat with chart mattermost-team-edition@6.6.64: resource Deployment\/team-a\/chat not ready/);
    expect(condition(hr, 'Stalled')).toMatchObject({ reason: 'RetriesExceeded', message: 'Failed to install after 1 attempt(s)' });
    expect(statusOf(hr)).toMatchObject({ installFailures: 1, failures: 1, observedGeneration: 1 });
    expect(statusOf(hr).history[0].status).toBe('failed');
  });

  it('reports an upgrade failure without remediation as UpgradeFailed', async () => {
    await custom.createNamespacedCustomObject({ ...HR, namespace: 'team-a', body: helmRelease('git', '10.6.0', 'gitea', 'gitea') });
    await waitFor('git', readyFor('InstallSucceeded'), 'gitea install');
    await patchSpec('git', { chart: { spec: { chart: 'gitea', version: '11.0.0', sourceRef: { kind: 'HelmRepository', name: 'gitea', namespace: 'flux-system' } } } });
    const hr = await waitFor('git', h => condition(h, 'Stalled')?.status === 'True', 'upgrade stalled');
    expect(condition(hr, 'Ready')).toMatchObject({ status: 'False', reason: 'UpgradeFailed' });
    expect(condition(hr, 'Ready')?.message).toContain('cannot patch "git-postgresql" with kind StatefulSet');
    expect(statusOf(hr).history.map((s: { status: string }) => s.status)).toEqual(['failed', 'superseded']);
  });

  it('installs from an OCIRepository chartRef, and tests the release when asked', async () => {
    await custom.createNamespacedCustomObject({
      ...OCI, namespace: 'team-a',
      body: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository', metadata: { name: 'immich' },
        spec: { url: 'oci://ghcr.io/immich-app/immich-charts/immich', ref: { tag: '0.9.3' }, interval: '10m',
          layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' } } },
    });
    await custom.createNamespacedCustomObject({
      ...HR, namespace: 'team-a',
      body: { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'photos' },
        spec: { interval: '10m', chartRef: { kind: 'OCIRepository', name: 'immich' }, test: { enable: true } } },
    });
    const hr = await waitFor('photos', h => condition(h, 'Ready')?.status === 'True', 'oci install');
    const oci = await get(OCI, 'immich');
    expect(statusOf(oci).artifact.revision).toMatch(/^0\.9\.3@sha256:[0-9a-f]{64}$/);
    expect(condition(oci, 'Ready')?.message).toBe(`stored artifact for digest '${statusOf(oci).artifact.revision}'`);
    expect(condition(hr, 'Ready')?.reason).toBe('TestSucceeded');
    expect(condition(hr, 'TestSuccess')?.message).toBe('Helm test succeeded for release team-a/photos.v1 with chart immich@0.9.3: no test hooks');
    expect(statusOf(hr).lastAttemptedRevisionDigest).toMatch(/^sha256:/);
  });

  it('reports an unknown OCI tag as Flux does', async () => {
    await custom.createNamespacedCustomObject({
      ...OCI, namespace: 'team-a',
      body: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository', metadata: { name: 'immich-bad' },
        spec: { url: 'oci://ghcr.io/immich-app/immich-charts/immich', ref: { tag: '9.9.9' }, interval: '10m' } },
    });
    const oci = await eventually(async () => {
      const o = await get(OCI, 'immich-bad');
      return condition(o, 'Ready')?.status === 'False' ? o : undefined;
    }, { what: 'oci failure' });
    expect(condition(oci, 'Ready')?.reason).toBe('OCIArtifactPullFailed');
    expect(condition(oci, 'Ready')?.message).toContain('MANIFEST_UNKNOWN');
  });
});
