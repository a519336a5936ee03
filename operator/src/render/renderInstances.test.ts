import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { KubeObject } from '@vworkspace/kube-runtime';
import { instanceKinds as k, kindOf } from '../controllers/applicationinstance';
import { condition, instance, startOperator, startSim, waitFor } from '../controllers/applicationinstance/__testUtils__/operatorSim';
import { render } from '../main';
import { renderInstances, toYamlStream } from './renderInstances';

jest.setTimeout(90_000);

const immich = { name: 'immich', version: '0.9.3', repository: { url: 'oci://ghcr.io/immich-app/immich-charts/immich', type: 'oci' } };
const manifests = [
  instance('files', { values: { nextcloud: { host: 'files.example.com' } } }),
  instance('files-2', {}),
  { ...instance('photos', { app: 'immich', chart: immich }) },
  instance('wiki', { engine: 'argocd', app: 'gitea', chart: { name: 'gitea', version: '10.6.0', repository: { url: 'https://dl.gitea.com/charts/', type: 'helm' } } }),
];

describe('renderInstances', () => {
  it('prints exactly what the controller applies on kube-sim', async () => {
    const sim = await startSim();
    const operator = startOperator(sim.cluster);
    try {
      for (const m of manifests) await sim.client.create(k.ApplicationInstance, m);
      const live = await waitFor(async () => {
        const list = await sim.client.list(k.ApplicationInstance, { namespace: 'team-a' });
        return list.items.length === manifests.length && list.items.every(o => condition(o, 'Ready')?.status === 'True') ? list.items : undefined;
      }, 'all instances Ready');
      // render the instances as the cluster holds them (with their uids, as the controller sees them)
      const rendered = renderInstances(toYamlStream(live));
      expect(rendered.map(o => `${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`).sort()).toEqual(
        ['Application/argocd/team-a-wiki', 'HelmRelease/team-a/files', 'HelmRelease/team-a/files-2', 'HelmRelease/team-a/photos', expect.stringMatching(/^HelmRepository\/team-a\/repo-/), expect.stringMatching(/^OCIRepository\/team-a\/repo-/)].sort(),
      );
      for (const want of rendered) {
        const got = await sim.client.get(kindOf(want.kind!), want.metadata!.name!, want.metadata!.namespace);
        const { status: _status, ...applied } = got;
        expect(applied).toMatchObject(want as Record<string, unknown>);
      }
    } finally {
      await operator.stop();
      await sim.stop();
    }
  });

  it('leaves ownerReferences out for manifests that were never created, and shares sources', () => {
    const objects = renderInstances(manifests.map(m => `---\n${stringify(m)}`).join(''));
    expect(objects.filter(o => o.kind === 'HelmRepository')).toHaveLength(1);
    expect(objects.every(o => !o.metadata?.ownerReferences)).toBe(true);
    expect(objects.find(o => o.kind === 'HelmRelease' && o.metadata?.name === 'files')?.spec).toMatchObject({ values: { nextcloud: { host: 'files.example.com' } } });
  });

  it('names every invalid manifest and field', () => {
    const bad = [instance('ok', {}), instance('bad', { chart: { name: 'nextcloud', version: 'latest', repository: { url: 'https://x/' } } })];
    expect(() => renderInstances(bad.map(m => `---\n${stringify(m)}`).join(''))).toThrow(/ApplicationInstance bad: spec\.chart\.version/);
  });

  it('says what it expected when given another kind', () => {
    const operation = { apiVersion: 'ops.vworkspace.io/v1alpha1', kind: 'Operation', metadata: { name: 'backup-1' }, spec: { type: 'Backup' } };
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } };
    const text = [instance('ok', {}), operation, configMap].map(m => `---\n${stringify(m)}`).join('');
    expect(() => renderInstances(text)).toThrow(
      'render input is invalid: ' +
        'Operation backup-1: render reads apps.vworkspace.io/v1alpha1 ApplicationInstance manifests, not ops.vworkspace.io/v1alpha1 Operation; Operations run in the cluster and are not rendered; ' +
        'ConfigMap settings: render reads apps.vworkspace.io/v1alpha1 ApplicationInstance manifests, not v1 ConfigMap',
    );
  });

  it('is what `fleet-operator render -f` prints', () => {
    const dir = mkdtempSync(join(tmpdir(), 'render-'));
    const file = join(dir, 'instances.yaml');
    writeFileSync(file, manifests.map(m => `---\n${stringify(m)}`).join(''));
    let out = '';
    expect(render(['-f', file, '--argocd-namespace', 'gitops'], {}, text => (out += text))).toBe(0);
    const docs = parseAllDocuments(out).map(d => d.toJS() as KubeObject);
    expect(docs).toEqual(
      renderInstances(manifests.map(m => `---\n${stringify(m)}`).join(''), { argocd: { namespace: 'gitops' } }),
    );
    expect(() => render(['-f', file, '--argocd-namespace', 'Bad_NS'], {}, () => undefined)).toThrow(
      'flag --argocd-namespace: expected a namespace name (got "Bad_NS")',
    );
  });
});
