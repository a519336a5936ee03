import {
  AppTemplate,
  appInstanceAnnotations,
  appTemplateSchema,
  operationTemplateDefaults,
} from './appCatalog';
import { issuesOf } from '../schemas/parseResource';

const app = (extra: Record<string, unknown> = {}) => ({
  id: 'wiki',
  title: 'Wiki',
  chart: {
    name: 'wiki',
    repository: { url: 'https://charts.example.com/' },
    versions: ['2.0.0', '1.0.0'],
  },
  ...extra,
});

const issues = (value: unknown) => {
  const parsed = appTemplateSchema.safeParse(value);
  return parsed.success ? [] : issuesOf(parsed.error);
};

describe('appTemplateSchema', () => {
  it('accepts an app whose operations run with the engines it declares', () => {
    expect(
      issues(
        app({
          capabilities: { backup: 'velero', upgrade: 'helm' },
          operations: [
            { type: 'Backup', engine: 'velero' },
            { type: 'Upgrade', engine: 'helm' },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it.each([
    {
      name: 'an engine that cannot run the type',
      input: app({
        capabilities: { upgrade: 'job' },
        operations: [{ type: 'Upgrade', engine: 'job' }],
      }),
      want: [
        {
          path: 'operations[0].engine',
          message: 'engine job cannot run Upgrade; allowed: helm',
        },
      ],
    },
    {
      name: 'an operation without its capability',
      input: app({ operations: [{ type: 'Backup', engine: 'velero' }] }),
      want: [
        {
          path: 'operations[0].engine',
          message:
            'Backup needs capabilities.backup: velero, or the operator refuses it',
        },
      ],
    },
    {
      name: 'an operation on another engine than its capability',
      input: app({
        capabilities: { restore: 'job' },
        operations: [{ type: 'Restore', engine: 'velero' }],
      }),
      want: [
        {
          path: 'operations[0].engine',
          message: 'Restore runs with job (capabilities.restore), not velero',
        },
      ],
    },
    {
      name: 'an unknown capability',
      input: app({ capabilities: { snapshot: 'volsync' } }),
      want: [
        {
          path: 'capabilities.snapshot',
          message: expect.stringContaining(
            'unknown capability; expected one of backup, restore',
          ),
        },
      ],
    },
    {
      name: 'a version listed twice',
      input: app({
        chart: {
          name: 'wiki',
          repository: { url: 'https://charts.example.com/' },
          versions: ['1.0.0', '1.0.0'],
        },
      }),
      want: [{ path: 'chart.versions', message: 'lists a version twice' }],
    },
  ])('refuses $name', ({ input, want }) => {
    expect(issues(input)).toEqual(want);
  });
});

describe('appInstanceAnnotations', () => {
  it('names each capability and the backup policy', () => {
    const parsed: AppTemplate = appTemplateSchema.parse(
      app({
        capabilities: { backup: 'velero', runcommand: 'job' },
        backupPolicy: { maxAge: '6h' },
      }),
    );
    expect(appInstanceAnnotations(parsed)).toEqual({
      'ops.vworkspace.io/backup': 'velero',
      'ops.vworkspace.io/runcommand': 'job',
      'ops.vworkspace.io/backup-max-age': '6h',
    });
  });
});

describe('operationTemplateDefaults', () => {
  it('takes each property default and names the target instance', () => {
    const parsed = appTemplateSchema.parse(
      app({
        capabilities: { migration: 'helmHookJob' },
        operations: [
          {
            type: 'Migration',
            engine: 'helmHookJob',
            parameters: {
              type: 'object',
              properties: {
                hook: {
                  type: 'string',
                  default: '${instance.name}-db-migration',
                },
                note: { type: 'array', default: ['in ${instance.namespace}'] },
                optional: { type: 'string' },
              },
            },
          },
        ],
      }),
    );
    expect(
      operationTemplateDefaults(parsed.operations[0], {
        name: 'wiki-1',
        namespace: 'team-a',
      }),
    ).toEqual({
      hook: 'wiki-1-db-migration',
      note: ['in team-a'],
    });
  });
});
