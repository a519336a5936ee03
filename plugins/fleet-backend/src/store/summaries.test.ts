import type { KubeObject } from '@vworkspace/kube-runtime';
import { dropUndefined, leanForCache, toInstanceRecord, toOperationSummary } from './summaries';

const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';

function instance(): KubeObject {
  return {
    apiVersion: 'apps.vworkspace.io/v1alpha1',
    kind: 'ApplicationInstance',
    metadata: {
      namespace: 'team-a',
      name: 'files',
      uid: 'u-1',
      labels: { tier: 'gold' },
      annotations: { 'backstage.io/owner': 'group:default/team-a', [lastApplied]: '{"a":"whole copy"}' },
      managedFields: [{ manager: 'kubectl' }],
    },
    spec: { app: 'nextcloud', chart: { name: 'nextcloud', version: '6.3.0' } },
  };
}

describe('summaries', () => {
  it('leaves no undefined fields in records and summaries, and does not touch its input', () => {
    const raw = instance();
    const before = JSON.stringify(raw);
    const record = toInstanceRecord('eu-1', raw);
    const operation = toOperationSummary('eu-1', { apiVersion: 'ops.vworkspace.io/v1alpha1', kind: 'Operation', metadata: { namespace: 'team-a', name: 'op-1' }, spec: { type: 'Backup' } });
    for (const value of [record.summary, operation]) {
      expect(Object.entries(value).filter(([, v]) => v === undefined)).toEqual([]);
    }
    expect(record.summary).toMatchObject({ cluster: 'eu-1', namespace: 'team-a', name: 'files', owner: 'group:default/team-a' });
    expect(record.summary).not.toHaveProperty('reason');
    expect(record.annotations).toEqual({ 'backstage.io/owner': 'group:default/team-a' });
    expect(JSON.stringify(raw)).toBe(before);
  });

  it('keeps everything but managed fields and the last-applied copy in the informer caches', () => {
    const cached = leanForCache(instance());
    expect(cached.metadata?.managedFields).toBeUndefined();
    expect(cached.metadata?.annotations).toEqual({ 'backstage.io/owner': 'group:default/team-a' });
    expect(cached.metadata?.labels).toEqual({ tier: 'gold' });
    expect(cached.spec).toEqual(instance().spec);
    // the record built from the lean object is the record built from the full one
    expect(toInstanceRecord('eu-1', leanForCache(instance()))).toEqual(toInstanceRecord('eu-1', instance()));
  });

  it('dropUndefined copies only the defined fields', () => {
    expect(dropUndefined({ a: 1, b: undefined, c: null, d: '' })).toStrictEqual({ a: 1, c: null, d: '' });
  });
});
