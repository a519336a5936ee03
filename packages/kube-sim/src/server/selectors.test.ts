import { parseFieldSelector, parseLabelSelector } from './selectors';
import { StatusError } from './StatusError';

const object = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'n', namespace: 'ns', labels } });

describe('selectors', () => {
  it.each<{ selector: string; labels: Record<string, string>; want: boolean }>([
    { selector: 'a=1', labels: { a: '1' }, want: true },
    { selector: 'a!=1', labels: {}, want: true },
    { selector: 'a notin (1,2)', labels: { a: '2' }, want: false },
    { selector: 'a in (1, 2),b', labels: { a: '2', b: '' }, want: true },
    { selector: '!b', labels: { b: 'x' }, want: false },
  ])('$selector on $labels is $want', ({ selector, labels, want }) => {
    expect(parseLabelSelector(selector).matches(object(labels))).toBe(want);
  });

  it('rejects malformed label selectors with 400', () => {
    expect(() => parseLabelSelector('a=(')).toThrow(StatusError);
  });

  it('matches metadata fields and words errors per kind of resource', () => {
    expect(parseFieldSelector('metadata.namespace=ns,metadata.name!=m', 'ConfigMap', true).matches(object({}))).toBe(true);
    expect(() => parseFieldSelector('spec.x=1', 'HelmRelease', false)).toThrow('"spec.x" is not a known field selector: only "metadata.name", "metadata.namespace"');
  });
});
