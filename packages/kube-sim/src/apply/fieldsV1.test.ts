import { FieldSet } from './FieldSet';
import {
  fieldSetToFieldsV1,
  fieldsV1ToFieldSet,
  pathToString,
} from './fieldsV1';

describe('FieldsV1', () => {
  it('round-trips a realistic managedFields tree', () => {
    const wire = {
      'f:metadata': {
        'f:annotations': { '.': {}, 'f:deployment.kubernetes.io/revision': {} },
      },
      'f:status': {
        'f:conditions': {
          '.': {},
          'k:{"type":"Available"}': {
            '.': {},
            'f:lastTransitionTime': {},
            'f:status': {},
            'f:type': {},
          },
        },
        'f:replicas': {},
      },
    };
    const set = fieldsV1ToFieldSet(wire);
    expect(set.paths().map(pathToString).sort()).toEqual([
      '.metadata.annotations',
      '.metadata.annotations.deployment.kubernetes.io/revision',
      '.status.conditions',
      '.status.conditions[type="Available"]',
      '.status.conditions[type="Available"].lastTransitionTime',
      '.status.conditions[type="Available"].status',
      '.status.conditions[type="Available"].type',
      '.status.replicas',
    ]);
    const rebuilt = FieldSet.fromPaths(set.paths());
    expect(JSON.stringify(fieldSetToFieldsV1(rebuilt))).toBe(
      JSON.stringify(wire),
    );
  });

  it('orders "." first, then fields, keys, values and indexes', () => {
    const set = FieldSet.fromPaths([
      ['i:2'],
      ['v:"b"'],
      ['k:{"a":1}'],
      ['f:z'],
      ['f:a'],
      ['i:10'],
      [],
    ]);
    expect(Object.keys(fieldSetToFieldsV1(set))).toEqual([
      '.',
      'f:a',
      'f:z',
      'k:{"a":1}',
      'v:"b"',
      'i:2',
      'i:10',
    ]);
  });

  it.each([
    { path: ['f:spec', 'f:replicas'], want: '.spec.replicas' },
    {
      path: ['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}', 'f:name'],
      want: '.spec.ports[port=80,protocol="TCP"].name',
    },
    {
      path: ['f:metadata', 'f:finalizers', 'v:"x/y"'],
      want: '.metadata.finalizers[="x/y"]',
    },
    { path: ['f:list', 'i:3'], want: '.list[3]' },
  ])('prints $want', ({ path, want }) => {
    expect(pathToString(path)).toBe(want);
  });
});
