import { KubeObject } from '@vworkspace/kube-runtime';
import { appliedHashAnnotation, withAppliedHash } from './childMeta';
import { needsApply } from './needsApply';

const desired = withAppliedHash<KubeObject>({
  apiVersion: 'v1',
  kind: 'Thing',
  metadata: { name: 'x', namespace: 'n', labels: { a: '1' }, ownerReferences: [{ apiVersion: 'v1', kind: 'Owner', name: 'o', uid: 'u1' }] },
  spec: { values: { a: 1 }, list: [{ k: 'v' }] },
});
const live = (over: (o: any) => void = () => {}): KubeObject => {
  const o = structuredClone(desired) as any;
  o.metadata.resourceVersion = '7';
  o.metadata.labels.extra = 'by-someone-else';
  o.spec.defaulted = true;
  o.status = { ready: true };
  over(o);
  return o;
};

describe('needsApply', () => {
  it.each([
    { name: 'absent', live: undefined, want: true },
    { name: 'equal, with extra fields of others and status', live: live(), want: false },
    { name: 'another applied hash (we removed or added a field)', live: live(o => (o.metadata.annotations[appliedHashAnnotation] = 'old')), want: true },
    { name: 'no applied hash', live: live(o => delete o.metadata.annotations), want: true },
    { name: 'one of our values taken over', live: live(o => (o.spec.values.a = 2)), want: true },
    { name: 'a list of ours changed', live: live(o => o.spec.list.push({ k: 'w' })), want: true },
    { name: 'a label of ours removed', live: live(o => delete o.metadata.labels.a), want: true },
    { name: 'our owner reference missing', live: live(o => (o.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Owner', name: 'p', uid: 'u2' }])), want: true },
    { name: 'other owners besides ours', live: live(o => o.metadata.ownerReferences.push({ apiVersion: 'v1', kind: 'Owner', name: 'p', uid: 'u2' })), want: false },
  ])('$name → $want', ({ live: l, want }) => {
    expect(needsApply(desired, l, 'u1')).toBe(want);
  });
});
