import { templateDefaults } from './templateDefaults';

describe('templateDefaults', () => {
  it('collects the defaults of the parameter schema, as the form starts with them', () => {
    expect(
      templateDefaults({
        type: 'Backup',
        engine: 'velero',
        preconditions: [],
        parameters: {
          type: 'object',
          properties: {
            ttl: { type: 'string', default: '720h' },
            snapshotVolumes: { type: 'boolean', default: true },
            storageLocation: { type: 'string' },
          },
        },
      }),
    ).toEqual({
      ttl: '720h',
      snapshotVolumes: true,
    });
  });

  it('is empty for a schema without defaults', () => {
    expect(
      templateDefaults({
        type: 'Backup',
        engine: 'velero',
        preconditions: [],
        parameters: { type: 'object', properties: {} },
      }),
    ).toEqual({});
  });
});
