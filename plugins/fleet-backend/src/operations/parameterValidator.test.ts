import { appOperationTemplateSchema } from '@vworkspace/backstage-plugin-fleet-common';
import { idempotentOperationName } from './operationName';
import { validateParameters } from './parameterValidator';

const migration = appOperationTemplateSchema.parse({
  type: 'Migration',
  engine: 'helmHookJob',
  parameters: {
    type: 'object',
    additionalProperties: false,
    required: ['hook'],
    properties: {
      hook: { type: 'string', default: '${instance.name}-db-migration' },
      args: { type: 'array', items: { type: 'string' }, maxItems: 2 },
    },
  },
});

const instance = { name: 'nextcloud', namespace: 'team-a' };

describe('validateParameters', () => {
  it('fills in defaults, with the instance named where the template says so', () => {
    expect(validateParameters(migration, {}, instance)).toEqual({ parameters: { hook: 'nextcloud-db-migration' } });
  });

  it('keeps what the caller gave, and does not touch the caller\'s object', () => {
    const given = { hook: 'custom' };
    expect(validateParameters(migration, given, instance)).toEqual({ parameters: { hook: 'custom' } });
    expect(given).toEqual({ hook: 'custom' });
  });

  it('names every failing parameter by its path', () => {
    expect(validateParameters(migration, { hook: 3, args: ['a', 'b', 'c'], extra: true }, instance)).toEqual({
      issues: expect.arrayContaining([
        { path: 'parameters.hook', message: 'must be string' },
        { path: 'parameters.args', message: 'must NOT have more than 2 items' },
        { path: 'parameters.extra', message: 'unknown parameter' },
      ]),
    });
    expect(validateParameters(migration, { args: [1] }, instance)).toEqual({
      issues: [{ path: 'parameters.args[0]', message: 'must be string' }],
    });
  });
});

describe('idempotentOperationName', () => {
  const input = {
    cluster: 'eu-1',
    namespace: 'team-a',
    instance: 'nextcloud',
    type: 'Backup' as const,
    requestedBy: 'user:default/jane',
    idempotencyKey: 'nightly-1',
  };

  it('is the same for the same request, and a valid Kubernetes name', () => {
    const name = idempotentOperationName(input);
    expect(idempotentOperationName({ ...input })).toBe(name);
    expect(name).toMatch(/^nextcloud-backup-[0-9a-f]{12}$/);
  });

  it('differs by key, requester, instance and type', () => {
    const name = idempotentOperationName(input);
    for (const change of [
      { idempotencyKey: 'nightly-2' },
      { requestedBy: 'user:default/john' },
      { cluster: 'us-1' },
      { instance: 'files' },
      { type: 'Restore' as const },
    ]) {
      expect(idempotentOperationName({ ...input, ...change })).not.toBe(name);
    }
  });

  it('stays short and valid for a long instance name', () => {
    const name = idempotentOperationName({ ...input, instance: `${'a'.repeat(29)}-${'b'.repeat(23)}` });
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});
