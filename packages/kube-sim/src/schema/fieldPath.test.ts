import { FieldPath, formatFieldPath } from './fieldPath';

describe('FieldPath', () => {
  it('formats fields, indexes and map keys like kube', () => {
    const p = FieldPath.root
      .child('spec')
      .child('containers')
      .index(0)
      .child('env')
      .key('app.kubernetes.io/name');
    expect(p.toString()).toBe('spec.containers[0].env[app.kubernetes.io/name]');
    expect(FieldPath.root.toString()).toBe('');
    expect(FieldPath.root.index(2).child('a').toString()).toBe('[2].a');
  });

  it('joins plain segments with dots', () => {
    expect(formatFieldPath(['spec', 'template'])).toBe('spec.template');
  });
});
