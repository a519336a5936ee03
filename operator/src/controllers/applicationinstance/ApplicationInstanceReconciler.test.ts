import { KubeClient, KubeObject } from '@vworkspace/kube-runtime';
import { instanceKinds as k } from './kinds';
import { condition, getOrUndefined, instance, startOperator, startSim, waitFor } from './__testUtils__/operatorSim';
import { fluxSourceName } from './fluxObjects';

jest.setTimeout(90_000);

type Sim = Awaited<ReturnType<typeof startSim>>;
let sim: Sim;
let client: KubeClient;
let operator: ReturnType<typeof startOperator>;

beforeAll(async () => {
  sim = await startSim();
  client = sim.client;
  operator = startOperator(sim.cluster);
});

afterAll(async () => {
  await operator?.stop();
  await sim?.stop();
});

const nextcloudChart = (version: string) => ({ name: 'nextcloud', version, repository: { url: 'https://nextcloud.github.io/helm/', type: 'helm' } });

async function readyAt(name: string, version: string, namespace = 'team-a') {
  return waitFor(async () => {
    const obj = await client.get(k.ApplicationInstance, name, namespace);
    const ready = condition(obj, 'Ready');
    const status = obj.status as { chart?: { version?: string } } | undefined;
    return ready?.status === 'True' && ready.observedGeneration === obj.metadata?.generation && status?.chart?.version === version ? obj : undefined;
  }, `${name} Ready at ${version}`);
}

describe('ApplicationInstance controller on kube-sim', () => {
  it('installs a chart through Flux and reports Ready with the deployed chart and app version', async () => {
    await client.create(k.ApplicationInstance, instance('nextcloud', { values: { nextcloud: { host: 'files.example.com' } } }));
    const obj = await readyAt('nextcloud', '6.2.0');
    const status = obj.status as Record<string, any>;
    expect(status.chart).toEqual({ version: '6.2.0', appVersion: '30.0.2' });
    expect(status.release).toEqual({ kind: 'HelmRelease', name: 'nextcloud', namespace: 'team-a' });
    expect(condition(obj, 'Stalled')?.status).toBe('False');
    expect(condition(obj, 'Reconciling')?.status).toBe('False');

    const hr = await client.get(k.HelmRelease, 'nextcloud', 'team-a');
    expect(hr.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'vworkspace-operator', 'apps.vworkspace.io/instance': 'nextcloud' });
    expect(hr.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'ApplicationInstance', name: 'nextcloud', uid: obj.metadata?.uid, controller: true })]);
    expect((hr.spec as any).values).toEqual({ nextcloud: { host: 'files.example.com' } });
    const repoName = fluxSourceName(nextcloudChart('6.2.0') as any);
    const repo = await client.get(k.HelmRepository, repoName, 'team-a');
    expect((repo.spec as any).url).toBe('https://nextcloud.github.io/helm');
  });
});

async function statusesDuring(name: string, namespace: string, action: () => Promise<KubeObject>, until: (obj: KubeObject) => boolean) {
  const seen: KubeObject[] = [];
  const after = await action();
  const abort = new AbortController();
  const watching = (async () => {
    for await (const event of client.watch(k.ApplicationInstance, { namespace, resourceVersion: after.metadata?.resourceVersion, fieldSelector: `metadata.name=${name}`, signal: abort.signal })) {
      seen.push(event.object);
      if (until(event.object)) return;
    }
  })().catch(() => undefined);
  await waitFor(() => seen.some(until), `${name} to reach the expected status`);
  abort.abort();
  await watching;
  return { seen, after };
}

describe('upgrades', () => {
  it('goes through Reconciling to Ready at the new version, and is never Ready on a stale release', async () => {
    await client.create(k.ApplicationInstance, instance('upgrade', {}));
    await readyAt('upgrade', '6.2.0');
    const { seen, after } = await statusesDuring(
      'upgrade',
      'team-a',
      () => client.patch(k.ApplicationInstance, 'upgrade', 'team-a', { spec: { chart: { version: '6.3.0' } } }, { type: 'merge' }),
      obj => condition(obj, 'Ready')?.status === 'True' && (obj.status as any)?.chart?.version === '6.3.0',
    );
    const generation = after.metadata?.generation;
    const current = seen.filter(o => (o.status as any)?.observedGeneration === generation);
    expect(current.some(o => condition(o, 'Reconciling')?.status === 'True')).toBe(true);
    const readyVersions = current.filter(o => condition(o, 'Ready')?.status === 'True').map(o => (o.status as any).chart.version);
    expect(readyVersions.filter(v => v !== '6.3.0')).toEqual([]);
    const hr = await client.get(k.HelmRelease, 'upgrade', 'team-a');
    expect((hr.spec as any).chart.spec.version).toBe('6.3.0');
    expect((hr.spec as any).upgrade.remediation).toMatchObject({ strategy: 'rollback' });
  });

  it('reports a failed upgrade as Stalled with the reason, and keeps the deployed version', async () => {
    await client.create(k.ApplicationInstance, instance('broken', {}));
    await readyAt('broken', '6.2.0');
    await client.patch(k.ApplicationInstance, 'broken', 'team-a', { spec: { chart: { version: '6.4.0' } } }, { type: 'merge' });
    const obj = await waitFor(async () => {
      const o = await client.get(k.ApplicationInstance, 'broken', 'team-a');
      return condition(o, 'Stalled')?.status === 'True' ? o : undefined;
    }, 'broken to stall');
    expect(condition(obj, 'Ready')).toMatchObject({ status: 'False' });
    expect(condition(obj, 'Stalled')?.message).toMatch(/^HelmRelease team-a\/broken: .*(upgrade|Upgrade)/);
    expect(condition(obj, 'Reconciling')?.status).toBe('False');
    // the failed upgrade was rolled back: what runs is still 6.2.0
    expect((obj.status as any).chart.version).toBe('6.2.0');
    expect((obj.status as any).lastAttemptedRevision).toBe('6.4.0');
  });
});

describe('suspend', () => {
  it('passes suspend through and does not upgrade while suspended', async () => {
    await client.create(k.ApplicationInstance, instance('paused', {}));
    await readyAt('paused', '6.2.0');
    await client.patch(k.ApplicationInstance, 'paused', 'team-a', { spec: { suspend: true, chart: { version: '6.3.0' } } }, { type: 'merge' });
    const obj = await waitFor(async () => {
      const o = await client.get(k.ApplicationInstance, 'paused', 'team-a');
      return condition(o, 'Ready')?.reason === 'Suspended' ? o : undefined;
    }, 'paused to report Suspended');
    expect(condition(obj, 'Ready')?.status).toBe('False');
    expect(condition(obj, 'Stalled')?.status).toBe('False');
    expect(condition(obj, 'Reconciling')?.status).toBe('False');
    const hr = await client.get(k.HelmRelease, 'paused', 'team-a');
    expect((hr.spec as any).suspend).toBe(true);
    await client.patch(k.ApplicationInstance, 'paused', 'team-a', { spec: { suspend: false } }, { type: 'merge' });
    await readyAt('paused', '6.3.0');
  });
});

describe('invalid spec', () => {
  it('is Stalled with reason InvalidSpec and the failing field, and creates nothing', async () => {
    await client.create(k.ApplicationInstance, instance('invalid', { chart: { name: 'nextcloud', version: '6.2.0', repository: { url: 'https://nextcloud.github.io/helm/', type: 'oci' } } }));
    const obj = await waitFor(async () => {
      const o = await client.get(k.ApplicationInstance, 'invalid', 'team-a');
      return condition(o, 'Stalled')?.status === 'True' ? o : undefined;
    }, 'invalid to stall');
    expect(condition(obj, 'Stalled')).toMatchObject({ reason: 'InvalidSpec', message: expect.stringContaining('spec.chart.repository.url') });
    expect(condition(obj, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(await getOrUndefined(client, k.HelmRelease, 'invalid', 'team-a')).toBeUndefined();
  });
});

describe('engines and deletion', () => {
  it('switching flux → argocd removes the HelmRelease and deploys through an Argo CD Application; deleting removes it', async () => {
    await client.create(k.ApplicationInstance, instance('switch', {}, 'team-b'));
    await readyAt('switch', '6.2.0', 'team-b');
    await client.patch(k.ApplicationInstance, 'switch', 'team-b', { spec: { engine: 'argocd' } }, { type: 'merge' });
    await waitFor(async () => !(await getOrUndefined(client, k.HelmRelease, 'switch', 'team-b')), 'HelmRelease to go');
    const obj = await waitFor(async () => {
      const o = await client.get(k.ApplicationInstance, 'switch', 'team-b');
      return condition(o, 'Ready')?.status === 'True' && (o.status as any).release?.kind === 'Application' ? o : undefined;
    }, 'switch Ready through Argo CD');
    expect((obj.status as any).release).toEqual({ kind: 'Application', name: 'team-b-switch', namespace: 'argocd' });
    expect(obj.metadata?.finalizers).toContain('apps.vworkspace.io/cleanup');
    const app = await client.get(k.Application, 'team-b-switch', 'argocd');
    expect(app.metadata?.labels).toMatchObject({ 'apps.vworkspace.io/instance': 'switch', 'apps.vworkspace.io/instance-namespace': 'team-b' });
    expect(app.spec).toMatchObject({ source: { chart: 'nextcloud', targetRevision: '6.2.0' }, destination: { namespace: 'team-b' } });

    await client.delete(k.ApplicationInstance, 'switch', 'team-b');
    await waitFor(async () => !(await getOrUndefined(client, k.ApplicationInstance, 'switch', 'team-b')), 'instance to go');
    await waitFor(async () => {
      const a = await getOrUndefined(client, k.Application, 'team-b-switch', 'argocd');
      return !a || !!a.metadata?.deletionTimestamp;
    }, 'Application to be deleted');
  });

  it('deleting an instance removes its children; a shared repository stays while another instance uses it', async () => {
    await client.create(k.ApplicationInstance, instance('share-1', {}, 'team-b'));
    await client.create(k.ApplicationInstance, instance('share-2', {}, 'team-b'));
    const a = await readyAt('share-1', '6.2.0', 'team-b');
    const b = await readyAt('share-2', '6.2.0', 'team-b');
    const repoName = fluxSourceName(nextcloudChart('6.2.0') as any);
    const repo = await client.get(k.HelmRepository, repoName, 'team-b');
    expect(repo.metadata?.ownerReferences?.map(r => r.uid).sort()).toEqual([a.metadata?.uid, b.metadata?.uid].sort());
    expect(repo.metadata?.ownerReferences?.every(r => !r.controller)).toBe(true);

    await client.delete(k.ApplicationInstance, 'share-1', 'team-b');
    await waitFor(async () => !(await getOrUndefined(client, k.HelmRelease, 'share-1', 'team-b')), 'share-1 HelmRelease to go');
    await sim.cluster.idle();
    const survivor = await client.get(k.HelmRepository, repoName, 'team-b');
    expect(survivor.metadata?.ownerReferences?.map(r => r.uid)).toEqual([b.metadata?.uid]);
    expect(await getOrUndefined(client, k.HelmRelease, 'share-2', 'team-b')).toBeDefined();

    await client.delete(k.ApplicationInstance, 'share-2', 'team-b');
    await waitFor(async () => !(await getOrUndefined(client, k.HelmRepository, repoName, 'team-b')), 'repository to go with its last user');
  });
});

describe('lastBackup', () => {
  it('reports the newest successful Backup operation', async () => {
    await client.create(k.ApplicationInstance, instance('backed-up', {}));
    await readyAt('backed-up', '6.2.0');
    const backup = async (name: string, phase: string, completedAt: string) => {
      await client.create(k.Operation, {
        apiVersion: k.Operation.apiVersion,
        kind: 'Operation',
        metadata: { name, namespace: 'team-a' },
        spec: { type: 'Backup', engine: 'velero', target: { applicationInstance: 'backed-up' }, parameters: {} },
      });
      await client.patch(k.Operation, name, 'team-a', { status: { phase, completedAt } }, { type: 'merge', subresource: 'status' });
    };
    await backup('backup-old', 'Succeeded', '2026-01-01T00:00:00Z');
    await backup('backup-new', 'Succeeded', '2026-01-02T00:00:00Z');
    await backup('backup-failed', 'Failed', '2026-01-03T00:00:00Z');
    const obj = await waitFor(async () => {
      const o = await client.get(k.ApplicationInstance, 'backed-up', 'team-a');
      return (o.status as any)?.lastBackup?.operation === 'backup-new' ? o : undefined;
    }, 'lastBackup');
    expect((obj.status as any).lastBackup).toEqual({ operation: 'backup-new', completedAt: '2026-01-02T00:00:00Z' });
  });
});
