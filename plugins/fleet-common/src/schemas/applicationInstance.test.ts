import { nextcloudInstance } from '../__fixtures__/resources';
import { applicationInstanceSchema } from './applicationInstance';
import { parseResource } from './parseResource';

const parse = (value: unknown) =>
  parseResource(
    applicationInstanceSchema,
    value,
    'ApplicationInstance team-a/nextcloud',
  );

function withSpec(patch: Record<string, unknown>) {
  return {
    ...nextcloudInstance,
    spec: { ...nextcloudInstance.spec, ...patch },
  };
}

function withChart(patch: Record<string, unknown>) {
  return withSpec({ chart: { ...nextcloudInstance.spec.chart, ...patch } });
}

describe('applicationInstanceSchema', () => {
  it('parses a real instance and keeps metadata it does not model', () => {
    const value = {
      ...nextcloudInstance,
      metadata: {
        ...nextcloudInstance.metadata,
        managedFields: [{ manager: 'kubectl' }],
      },
    };
    const parsed = parse(value);
    expect(parsed.spec.chart.repository.type).toBe('helm');
    expect(parsed.metadata.managedFields).toEqual([{ manager: 'kubectl' }]);
  });

  it('fills the defaults of a minimal spec', () => {
    const parsed = parse({
      apiVersion: 'apps.vworkspace.io/v1alpha1',
      kind: 'ApplicationInstance',
      metadata: { name: 'gitea', namespace: 'team-b' },
      spec: {
        app: 'gitea',
        chart: {
          name: 'gitea',
          version: '12.1.0',
          repository: { url: 'oci://docker.gitea.com/charts', type: 'oci' },
        },
      },
    });
    expect(parsed.spec).toMatchObject({
      engine: 'flux',
      interval: '10m',
      suspend: false,
    });
  });

  it.each([
    {
      name: 'git repository type',
      value: withChart({ repository: { url: 'https://x', type: 'git' } }),
      path: 'spec.chart.repository.type',
    },
    {
      name: 'oci type with an https URL',
      value: withChart({ repository: { url: 'https://x', type: 'oci' } }),
      path: 'spec.chart.repository.url',
    },
    {
      name: 'version range',
      value: withChart({ version: '^6.2' }),
      path: 'spec.chart.version',
    },
    {
      name: 'unknown engine',
      value: withSpec({ engine: 'kustomize' }),
      path: 'spec.engine',
    },
    {
      name: 'interval in days',
      value: withSpec({ interval: '1d' }),
      path: 'spec.interval',
    },
    {
      name: 'misspelt field',
      value: withSpec({ vaules: {} }),
      path: 'spec.vaules',
    },
    {
      name: 'valuesFrom kind',
      value: withSpec({ valuesFrom: [{ kind: 'Pod', name: 'x' }] }),
      path: 'spec.valuesFrom[0].kind',
    },
    {
      name: 'uppercase name',
      value: { ...nextcloudInstance, metadata: { name: 'NextCloud' } },
      path: 'metadata.name',
    },
    {
      name: 'name longer than a release name',
      value: { ...nextcloudInstance, metadata: { name: 'a'.repeat(54) } },
      path: 'metadata.name',
    },
    {
      name: 'condition reason not CamelCase',
      value: {
        ...nextcloudInstance,
        status: {
          conditions: [
            {
              ...nextcloudInstance.status.conditions[0],
              reason: 'install succeeded',
            },
          ],
        },
      },
      path: 'status.conditions[0].reason',
    },
    {
      name: 'condition status lowercase',
      value: {
        ...nextcloudInstance,
        status: {
          conditions: [
            { ...nextcloudInstance.status.conditions[0], status: 'true' },
          ],
        },
      },
      path: 'status.conditions[0].status',
    },
  ])('rejects $name, naming $path', ({ value, path }) => {
    expect(() => parse(value)).toThrow(`${path}: `);
  });
});
