import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChartCatalog } from './ChartCatalog';

describe('ChartCatalog', () => {
  const catalog = ChartCatalog.load();

  it('serves the demo charts from their real repository URLs', () => {
    expect(catalog.charts.map(c => c.name).sort()).toEqual(['gitea', 'immich', 'mattermost-team-edition', 'nextcloud', 'vaultwarden']);
    expect(catalog.repository('https://nextcloud.github.io/helm')?.charts.map(c => c.name)).toEqual(['nextcloud']);
    expect(catalog.repository('oci://ghcr.io/immich-app/immich-charts/immich')?.type).toBe('oci');
    expect(catalog.repository('https://charts.example.invalid/')).toBeUndefined();
  });

  it('resolves version constraints to the newest match', () => {
    const nextcloud = catalog.chart('nextcloud')!;
    expect(catalog.resolveVersion(nextcloud, '6.2.0')?.appVersion).toBe('30.0.2');
    expect(catalog.resolveVersion(nextcloud, '6.x')?.version).toBe('6.4.0');
    expect(catalog.resolveVersion(nextcloud, '<6.3.0')?.version).toBe('6.2.0');
    expect(catalog.resolveVersion(nextcloud, '9.9.9')).toBeUndefined();
  });

  it('renders a release: named objects, Helm labels, values substituted, hooks annotated', () => {
    const chart = catalog.chart('nextcloud')!;
    const rendered = catalog.render(chart, catalog.resolveVersion(chart, '6.3.0')!, {
      name: 'files', namespace: 'team-a', values: { persistence: { size: '20Gi' }, nextcloud: { host: 'cloud.example.org' } },
    });
    const cm = rendered.objects.find(o => o.kind === 'ConfigMap')!;
    expect(cm.metadata).toMatchObject({
      name: 'files-config', namespace: 'team-a',
      labels: { 'app.kubernetes.io/instance': 'files', 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': 'nextcloud-6.3.0' },
    });
    expect(cm.data).toMatchObject({ NEXTCLOUD_TRUSTED_DOMAINS: 'cloud.example.org', PHP_MEMORY_LIMIT: '512M' });
    const pvc = rendered.objects.find(o => o.kind === 'PersistentVolumeClaim')!;
    expect(pvc).toMatchObject({ metadata: { name: 'files-nextcloud' }, spec: { resources: { requests: { storage: '20Gi' } } } });
    expect(rendered.manifest).toContain('# Source: nextcloud/templates/configmap.yaml');
    const migration = rendered.hooks.find(h => h.events.includes('pre-upgrade'))!;
    expect(migration.name).toBe('files-db-migration');
    expect(migration.object.metadata.annotations).toEqual({
      'helm.sh/hook': 'pre-upgrade', 'helm.sh/hook-weight': '-5', 'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    expect(JSON.stringify(migration.object)).toContain('nextcloud:30.0.4-apache');
  });

  it('gives a stable index digest per repository', () => {
    const repo = catalog.repository('https://nextcloud.github.io/helm/')!;
    expect(catalog.index(repo).digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(ChartCatalog.load().index(repo).digest).toBe(catalog.index(repo).digest);
  });

  it('names the file and field of an invalid fixture', () => {
    const dir = mkdtempSync(join(tmpdir(), 'charts-'));
    writeFileSync(join(dir, 'broken.yaml'), [
      'name: broken', 'description: d', 'repositories: [{type: helm, url: https://x.example/}]',
      'objects: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}, {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: b}}]',
      'versions: [{version: 1.0, appVersion: "1"}]',
    ].join('\n'));
    expect(() => ChartCatalog.load(dir)).toThrow(/broken\.yaml: versions\[0\]\.version: must be a string/);
    writeFileSync(join(dir, 'broken.yaml'), 'name: broken\ndescription: d\nrepositories: [{type: git, url: https://x/}]\n');
    expect(() => ChartCatalog.load(dir)).toThrow(/repositories\[0\]\.type: must be 'helm' or 'oci'/);
  });
});
