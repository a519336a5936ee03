import { controllerOwnerIndex, Store } from './Store';
import { KubeObject } from '../client/types';

function cm(name: string, rv: string, extra: Partial<KubeObject['metadata']> = {}, ns = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, resourceVersion: rv, uid: `uid-${name}`, ...extra } };
}

function recording(store: Store) {
  const events: string[] = [];
  store.subscribe({
    onAdd: o => events.push(`add ${o.metadata?.name}`),
    onUpdate: (a, b) => events.push(`update ${b.metadata?.name} ${a.metadata?.resourceVersion}->${b.metadata?.resourceVersion}`),
    onDelete: o => events.push(`delete ${o.metadata?.name}`),
  });
  return events;
}

describe('Store', () => {
  it('keys objects by namespace/name and reports add, update and delete', () => {
    const store = new Store();
    const events = recording(store);
    store.upsert(cm('a', '1'));
    store.upsert(cm('a', '2'));
    store.upsert(cm('b', '3', {}, 'other'));
    expect(store.get('default/a')?.metadata?.resourceVersion).toBe('2');
    expect(store.getByName('b', 'other')).toBeDefined();
    store.remove('default/a');
    store.remove('default/missing');
    expect(events).toEqual(['add a', 'update a 1->2', 'add b', 'delete a']);
    expect(store.keys()).toEqual(['other/b']);
  });

  it('hands out frozen objects, so a mutating reader fails instead of corrupting the cache', () => {
    const store = new Store();
    store.upsert(cm('a', '1', { labels: { x: 'y' } }));
    const obj = store.get('default/a')!;
    expect(() => {
      obj.metadata!.labels!.x = 'z';
    }).toThrow(TypeError);
    expect(store.get('default/a')).toBe(obj);
  });

  it('replace() synthesises deletes for vanished objects and stays silent for unchanged ones', () => {
    const store = new Store();
    store.upsert(cm('keep', '1'));
    store.upsert(cm('change', '2'));
    store.upsert(cm('gone', '3'));
    const events = recording(store);
    const counts = store.replace([cm('keep', '1'), cm('change', '5'), cm('new', '6')]);
    expect(counts).toEqual({ added: 1, updated: 1, deleted: 1 });
    expect(events).toEqual(['update change 2->5', 'add new', 'delete gone']);
  });

  it('treats a recreated object with the same resourceVersion but a new uid as changed', () => {
    const store = new Store();
    store.upsert(cm('a', '1'));
    const events = recording(store);
    store.replace([cm('a', '1', { uid: 'other' })]);
    expect(events).toEqual(['update a 1->1']);
  });

  it('maintains named indexes through updates and deletes', () => {
    const store = new Store();
    store.upsert(cm('a', '1', { labels: { app: 'x' } }));
    store.addIndex('app', o => (o.metadata?.labels?.app ? [o.metadata.labels.app] : []));
    store.upsert(cm('b', '2', { labels: { app: 'x' } }));
    expect(store.byIndex('app', 'x').map(o => o.metadata?.name).sort()).toEqual(['a', 'b']);
    store.upsert(cm('a', '3', { labels: { app: 'y' } }));
    expect(store.byIndex('app', 'x').map(o => o.metadata?.name)).toEqual(['b']);
    expect(store.byIndex('app', 'y').map(o => o.metadata?.name)).toEqual(['a']);
    store.remove('default/b');
    expect(store.byIndex('app', 'x')).toEqual([]);
    expect(() => store.addIndex('app', () => [])).toThrow(/already exists/);
    expect([store.hasIndex('app'), store.hasIndex('missing')]).toEqual([true, false]);
    expect(() => store.byIndex('nope', 'x')).toThrow(/no index/);
  });

  it('indexes children by their controlling owner', () => {
    const store = new Store();
    store.addIndex('owner', controllerOwnerIndex);
    store.upsert(
      cm('child', '1', {
        ownerReferences: [
          { apiVersion: 'apps.example.io/v1', kind: 'Widget', name: 'w', uid: 'u', controller: true },
        ],
      }),
    );
    store.upsert(cm('orphan', '2', { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u' }] }));
    expect(store.byIndex('owner', 'apps.example.io/Widget/default/w').map(o => o.metadata?.name)).toEqual(['child']);
    expect(store.indexKeys('owner', '/Pod/default/p')).toEqual([]);
  });
});
