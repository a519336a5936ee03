import { backupOperation } from '../__fixtures__/resources';
import { operationSchema } from './operation';
import { parseResource } from './parseResource';

const parse = (value: unknown) =>
  parseResource(operationSchema, value, 'Operation team-a/op');

function withSpec(patch: Record<string, unknown>) {
  return { ...backupOperation, spec: { ...backupOperation.spec, ...patch } };
}

describe('operationSchema', () => {
  it('parses a finished backup operation, raw engine status kept', () => {
    const parsed = parse(backupOperation);
    expect(parsed.status?.phase).toBe('Succeeded');
    expect(parsed.status?.engineStatus).toEqual({
      phase: 'Completed',
      warnings: 2,
    });
  });

  it('leaves the deadline to the engine and defaults parameters', () => {
    const parsed = parse(
      withSpec({ timeoutSeconds: undefined, parameters: undefined }),
    );
    expect(parsed.spec.timeoutSeconds).toBeUndefined();
    expect(parsed.spec.parameters).toEqual({});
  });

  it('checks defaulted parameters against the engine too', () => {
    expect(() =>
      parse(withSpec({ engine: 'volsync', parameters: undefined })),
    ).toThrow('spec.parameters.mode: ');
  });

  it.each([
    {
      name: 'upgrade through velero',
      spec: { type: 'Upgrade', engine: 'velero' },
      path: 'spec.engine',
      text: 'allowed: helm',
    },
    {
      name: 'unknown type',
      spec: { type: 'Reboot' },
      path: 'spec.type',
      text: '',
    },
    {
      name: 'job without image',
      spec: {
        type: 'RunCommand',
        engine: 'job',
        parameters: { command: ['ls'] },
      },
      path: 'spec.parameters.image',
      text: '',
    },
    {
      name: 'misspelt velero parameter',
      spec: { parameters: { tll: '720h' } },
      path: 'spec.parameters.tll',
      text: 'unknown field',
    },
    {
      name: 'helm version range',
      spec: { type: 'Upgrade', engine: 'helm', parameters: { version: '>=6' } },
      path: 'spec.parameters.version',
      text: 'semantic version',
    },
    {
      name: 'restore naming no backup',
      spec: { type: 'Restore', engine: 'velero', parameters: {} },
      path: 'spec.parameters.backupName',
      text: 'latest',
    },
    {
      name: 'zero timeout',
      spec: { timeoutSeconds: 0 },
      path: 'spec.timeoutSeconds',
      text: '',
    },
    {
      name: 'target not a name',
      spec: { target: { applicationInstance: 'Next Cloud' } },
      path: 'spec.target.applicationInstance',
      text: '',
    },
  ])('rejects $name, naming $path', ({ spec, path, text }) => {
    expect(() => parse(withSpec(spec))).toThrow(
      expect.objectContaining({
        issues: expect.arrayContaining([
          { path, message: expect.stringContaining(text) },
        ]),
      }),
    );
  });

  it('rejects an unknown phase', () => {
    expect(() =>
      parse({ ...backupOperation, status: { phase: 'Done' } }),
    ).toThrow('status.phase: ');
  });
});
