import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AppOperationTemplate,
  appInstanceAnnotations,
  capabilityAnnotationFor,
  operationParametersSchema,
  operationTemplateDefaults,
} from '@vworkspace/backstage-plugin-fleet-common';
import { ChartCatalog } from '@vworkspace/kube-sim';
import { stringify } from 'yaml';
import { AppCatalog, bundledDemoCatalogPath } from './AppCatalog';

const logger = mockServices.logger.mock();
const target = { name: 'files', namespace: 'team-a' };

function writeCatalog(dir: string, name: string, contents: unknown): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    typeof contents === 'string' ? contents : stringify(contents),
  );
  return file;
}

const minimalApp = (id: string) => ({
  id,
  title: id,
  chart: {
    name: id,
    repository: { url: `https://charts.example.com/${id}` },
    versions: ['1.0.0'],
  },
});

/**
 * What a form would submit untouched: each property's default, else its first enum value or
 * example (a required choice such as the Upgrade version), with `${instance.*}` resolved.
 */
function sampleParameters(template: AppOperationTemplate): {
  parameters: Record<string, unknown>;
  missing: string[];
} {
  const parameters = operationTemplateDefaults(template, target);
  const missing: string[] = [];
  const properties = (template.parameters.properties ?? {}) as Record<
    string,
    { enum?: unknown[]; examples?: unknown[] }
  >;
  for (const [key, property] of Object.entries(properties)) {
    if (key in parameters) continue;
    const sample = property.enum?.[0] ?? property.examples?.[0];
    if (sample === undefined) missing.push(key);
    else if (!(template.type === 'Restore' && key === 'backupName')) {
      // A named backup and "latest" exclude each other: the form offers one or the other.
      parameters[key] = sample;
    }
  }
  return { parameters, missing };
}

describe('AppCatalog', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'app-catalog-'));
  });

  describe('the demo catalog', () => {
    let catalog: AppCatalog;
    const charts = ChartCatalog.load();

    beforeAll(async () => {
      catalog = await AppCatalog.fromFiles([bundledDemoCatalogPath()]);
    });

    it('offers the five demo apps', () => {
      expect(catalog.list().map(app => app.id)).toEqual([
        'nextcloud',
        'gitea',
        'mattermost',
        'vaultwarden',
        'immich',
      ]);
      expect(catalog.get('gitea')?.title).toBe('Gitea');
      expect(catalog.get('wordpress')).toBeUndefined();
    });

    it.each(['nextcloud', 'gitea', 'mattermost', 'vaultwarden', 'immich'])(
      '%s has the chart name, repository and versions kube-sim serves',
      id => {
        const app = catalog.get(id)!;
        const chart = charts.charts.find(c => c.name === app.chart.name);
        expect(chart).toBeDefined();
        expect(chart!.repositories).toContainEqual({
          type: app.chart.repository.type,
          url: app.chart.repository.url,
        });
        expect([...app.chart.versions].sort()).toEqual(
          chart!.versions.map(v => v.version).sort(),
        );
      },
    );

    it('offers the versions kube-sim makes fail, so the demo can show failures', () => {
      const failing = charts.charts.flatMap(chart =>
        chart.versions
          .filter(v => v.fail)
          .map(v => `${chart.name}@${v.version}`),
      );
      const offered = catalog
        .list()
        .flatMap(app => app.chart.versions.map(v => `${app.chart.name}@${v}`));
      expect(failing.length).toBeGreaterThanOrEqual(3);
      for (const version of failing) expect(offered).toContain(version);
    });

    it('runs migrations only through hooks the chart declares', () => {
      const migrations = catalog
        .list()
        .flatMap(app =>
          app.operations
            .filter(op => op.engine === 'helmHookJob')
            .map(op => ({ app, op })),
        );
      expect(migrations.map(m => m.app.id)).toEqual(['nextcloud']);
      for (const { app, op } of migrations) {
        const chart = charts.charts.find(c => c.name === app.chart.name)!;
        const hooks = chart.versions.flatMap(v =>
          v.hooks.map(h => h.name.replace('${release.name}', target.name)),
        );
        // The Helm release is named after the instance, and so are its hooks.
        expect(hooks).toContain(operationTemplateDefaults(op, target).hook);
      }
    });

    it('offers upgrades to exactly the chart versions', () => {
      for (const app of catalog.list()) {
        const upgrade = app.operations.find(op => op.type === 'Upgrade')!;
        const version = (
          upgrade.parameters.properties as Record<string, { enum: string[] }>
        ).version;
        expect(version.enum).toEqual(app.chart.versions);
      }
    });

    it('gives every app a backup policy and backup, restore, upgrade and run-command operations', () => {
      for (const app of catalog.list()) {
        expect(app.backupPolicy?.maxAge).toMatch(/h$/);
        expect(app.operations.map(op => op.type)).toEqual(
          expect.arrayContaining([
            'Backup',
            'Restore',
            'Upgrade',
            'RunCommand',
          ]),
        );
      }
    });

    // The operator refuses an Operation whose parameters its engine's schema rejects, and one
    // whose engine differs from the instance's capability annotation for its type.
    it.each(['nextcloud', 'gitea', 'mattermost', 'vaultwarden', 'immich'])(
      '%s: what each operation form submits is what the operator accepts',
      id => {
        const app = catalog.get(id)!;
        const annotations = appInstanceAnnotations(app);
        for (const template of app.operations) {
          const what = `${id} ${template.type}`;
          const { parameters, missing } = sampleParameters(template);
          expect({ what, missing }).toEqual({ what, missing: [] });
          const parsed = operationParametersSchema(
            template.type,
            template.engine,
          ).safeParse(parameters);
          expect({ what, issues: parsed.error?.issues ?? [] }).toEqual({
            what,
            issues: [],
          });
          expect({
            what,
            engine: annotations[capabilityAnnotationFor(template.type)],
          }).toEqual({ what, engine: template.engine });
        }
      },
    );

    it('puts the capability and backup policy annotations on instances', () => {
      expect(appInstanceAnnotations(catalog.get('nextcloud')!)).toEqual({
        'ops.vworkspace.io/backup': 'velero',
        'ops.vworkspace.io/restore': 'velero',
        'ops.vworkspace.io/upgrade': 'helm',
        'ops.vworkspace.io/migration': 'helmHookJob',
        'ops.vworkspace.io/runcommand': 'job',
        'ops.vworkspace.io/backup-max-age': '24h',
      });
    });
  });

  describe('fromConfig', () => {
    it('reads the configured files, relative to the working directory', async () => {
      const file = writeCatalog(dir, 'apps.yaml', {
        apps: [minimalApp('wiki')],
      });
      const catalog = await AppCatalog.fromConfig(
        new ConfigReader({
          fleet: { appCatalog: { files: [file] }, demo: { enabled: true } },
        }),
        { logger },
      );
      expect(catalog.list().map(app => app.id)).toEqual(['wiki']);
    });

    it('uses the bundled demo catalog when the demo is on and no file is configured', async () => {
      const catalog = await AppCatalog.fromConfig(
        new ConfigReader({ fleet: { demo: { enabled: true } } }),
        { logger },
      );
      expect(catalog.get('nextcloud')).toBeDefined();
    });

    it('is empty without files and without the demo', async () => {
      const catalog = await AppCatalog.fromConfig(new ConfigReader({}), {
        logger,
      });
      expect(catalog.list()).toEqual([]);
    });
  });

  describe('invalid catalogs', () => {
    it('names the file, the entry and the field of an invalid app', async () => {
      const file = writeCatalog(dir, 'apps.yaml', {
        apps: [
          minimalApp('wiki'),
          {
            ...minimalApp('chat'),
            chart: { ...minimalApp('chat').chart, versions: ['1.0'] },
          },
        ],
      });
      await expect(AppCatalog.fromFiles([file])).rejects.toThrow(
        `App catalog file ${file} is invalid: apps[1] (id "chat"): chart.versions[0]: must be a semantic version such as 6.2.0`,
      );
    });

    it('names a misspelt field', async () => {
      const file = writeCatalog(dir, 'apps.yaml', {
        apps: [{ ...minimalApp('wiki'), capabilites: {} }],
      });
      await expect(AppCatalog.fromFiles([file])).rejects.toThrow(
        'apps[0] (id "wiki"): capabilites: unknown field',
      );
    });

    it('refuses an operation whose engine is not the declared capability', async () => {
      const file = writeCatalog(dir, 'apps.yaml', {
        apps: [
          {
            ...minimalApp('wiki'),
            capabilities: { backup: 'volsync' },
            operations: [{ type: 'Backup', engine: 'velero' }],
          },
        ],
      });
      await expect(AppCatalog.fromFiles([file])).rejects.toThrow(
        'apps[0] (id "wiki"): operations[0].engine: Backup runs with volsync (capabilities.backup), not velero',
      );
    });

    it('refuses an operation without its capability, and an engine that cannot run the type', async () => {
      const file = writeCatalog(dir, 'apps.yaml', {
        apps: [
          {
            ...minimalApp('wiki'),
            capabilities: { upgrade: 'job' },
            operations: [
              { type: 'Backup', engine: 'velero' },
              { type: 'Upgrade', engine: 'job' },
            ],
          },
        ],
      });
      const error = await AppCatalog.fromFiles([file]).catch(e => e);
      expect(error.message).toContain(
        'operations[0].engine: Backup needs capabilities.backup: velero, or the operator refuses it',
      );
      expect(error.message).toContain(
        'operations[1].engine: engine job cannot run Upgrade; allowed: helm',
      );
    });

    it('refuses an unknown capability', async () => {
      const file = writeCatalog(dir, 'apps.yaml', {
        apps: [
          { ...minimalApp('wiki'), capabilities: { snapshot: 'volsync' } },
        ],
      });
      await expect(AppCatalog.fromFiles([file])).rejects.toThrow(
        'apps[0] (id "wiki"): capabilities.snapshot: unknown capability',
      );
    });

    it('refuses an id defined twice, naming both places', async () => {
      const first = writeCatalog(dir, 'a.yaml', {
        apps: [minimalApp('wiki')],
      });
      const second = writeCatalog(dir, 'b.yaml', {
        apps: [minimalApp('chat'), minimalApp('wiki')],
      });
      await expect(AppCatalog.fromFiles([first, second])).rejects.toThrow(
        `App catalog file ${second}: apps[1] (id "wiki"): id: "wiki" is already defined by ${first} apps[0] (id "wiki")`,
      );
    });

    it('names a file that is not YAML, has no apps list, or is missing', async () => {
      const broken = writeCatalog(dir, 'broken.yaml', 'apps: [\n  - id: x\n');
      await expect(AppCatalog.fromFiles([broken])).rejects.toThrow(
        `App catalog file ${broken} is not valid YAML`,
      );
      const listless = writeCatalog(dir, 'listless.yaml', { app: [] });
      await expect(AppCatalog.fromFiles([listless])).rejects.toThrow(
        `App catalog file ${listless} is invalid: `,
      );
      const missing = join(dir, 'missing.yaml');
      await expect(AppCatalog.fromFiles([missing])).rejects.toThrow(
        `App catalog file ${missing} cannot be read`,
      );
    });

    it('stops fromConfig with the same message', async () => {
      const file = writeCatalog(dir, 'apps.yaml', {
        apps: [{ ...minimalApp('wiki'), id: 'Wiki' }],
      });
      await expect(
        AppCatalog.fromConfig(
          new ConfigReader({ fleet: { appCatalog: { files: [file] } } }),
          { logger },
        ),
      ).rejects.toThrow(
        'apps[0] (id "Wiki"): id: must be a lowercase DNS-1123 label',
      );
    });
  });
});
