import { mockServices } from '@backstage/backend-test-utils';
import { InstanceQuery, instanceEntityName } from '@vworkspace/backstage-plugin-fleet-common';
import type { KubeObject } from '@vworkspace/kube-runtime';
import { ClusterRegistry } from '../cluster/ClusterRegistry';
import { FleetStore } from './FleetStore';

/** What the test knows of an instance, to work out the expected answers by brute force. */
interface Known {
  cluster: string;
  namespace: string;
  name: string;
  app: string;
  owner?: string;
  ready: boolean;
}

function rawInstance(k: Known): KubeObject {
  return {
    apiVersion: 'apps.vworkspace.io/v1alpha1',
    kind: 'ApplicationInstance',
    metadata: {
      namespace: k.namespace,
      name: k.name,
      uid: `uid-${k.cluster}-${k.namespace}-${k.name}`,
      annotations: k.owner ? { 'backstage.io/owner': k.owner } : {},
    },
    spec: { app: k.app, chart: { name: k.app, version: '1.0.0' } },
    status: k.ready ? { conditions: [{ type: 'Ready', status: 'True', reason: 'Installed' }] } : {},
  };
}

const keyOf = (k: Pick<Known, 'cluster' | 'namespace' | 'name'>) => `${k.cluster}/${k.namespace}/${k.name}`;

describe('FleetStore', () => {
  let store: FleetStore;
  const known = new Map<string, Known>();

  function put(k: Known) {
    known.set(keyOf(k), k);
    store.upsertInstance(k.cluster, rawInstance(k));
  }

  function remove(k: Known) {
    known.delete(keyOf(k));
    store.deleteInstance(k.cluster, rawInstance(k));
  }

  /** The instances a query should answer, in key order. */
  function expected(q: InstanceQuery): string[] {
    return [...known.values()]
      .filter(
        k =>
          (q.cluster === undefined || k.cluster === q.cluster) &&
          (q.app === undefined || k.app === q.app) &&
          (q.owner === undefined || k.owner === q.owner) &&
          (q.namespace === undefined || k.namespace === q.namespace) &&
          (q.status === undefined || (k.ready ? 'Ready' : 'Unknown') === q.status) &&
          (!q.q ||
            [k.name, k.namespace, k.cluster, k.app, k.owner ?? '']
              .join('\n')
              .toLowerCase()
              .includes(q.q.toLowerCase())),
      )
      .map(keyOf)
      .sort();
  }

  /** Every page of a query, followed by its cursors, with the total each page reported. */
  async function allPages(q: InstanceQuery, limit: number) {
    const keys: string[] = [];
    const totals = new Set<number>();
    let oversized = false;
    let cursor: string | undefined;
    do {
      const page = await store.listInstances({ ...q, limit, cursor });
      totals.add(page.totalCount);
      oversized ||= page.items.length > limit;
      keys.push(...page.items.map(keyOf));
      cursor = page.nextCursor;
    } while (cursor);
    return { keys, totals: [...totals], oversized };
  }

  const queries: InstanceQuery[] = [
    {},
    { cluster: 'eu-1' },
    { cluster: 'eu-1', app: 'nextcloud' },
    { app: 'gitea' },
    { status: 'Ready' },
    { status: 'Unknown', cluster: 'us-1' },
    { owner: 'group:default/team-a' },
    { namespace: 'team-b', app: 'nextcloud' },
    { cluster: 'nowhere' },
    { cluster: 'eu-1', app: 'nowhere' },
    { q: 'APP-1' },
    { q: 'team-b', app: 'gitea' },
    { q: 'eu-1', status: 'Ready', namespace: 'team-a' },
    { q: 'nothing like it' },
  ];

  /** The queries whose pages (4 at a time) differ from the brute-force answer. */
  async function wrongAnswers() {
    const wrong = [];
    for (const q of queries) {
      const want = expected(q);
      const got = await allPages(q, 4);
      const right = { keys: want, totals: [want.length], oversized: false };
      if (JSON.stringify(got) !== JSON.stringify(right)) wrong.push({ q, got, want: right });
    }
    return wrong;
  }

  beforeEach(() => {
    known.clear();
    const logger = mockServices.logger.mock();
    store = new FleetStore({ logger, registry: new ClusterRegistry({ logger }) });
    // out of key order on purpose
    for (let i = 29; i >= 0; i--) {
      put({
        cluster: i % 3 ? 'eu-1' : 'us-1',
        namespace: i % 2 ? 'team-b' : 'team-a',
        name: `app-${(i * 7) % 30}`,
        app: i % 4 ? 'nextcloud' : 'gitea',
        owner: i % 5 ? 'group:default/team-a' : undefined,
        ready: i % 3 === 1,
      });
    }
  });

  it('pages through filtered lists in key order', async () => {
    expect(await wrongAnswers()).toEqual([]);
  });

  it('answers filters and pages right after instances are added, changed and removed', async () => {
    expect(await wrongAnswers()).toEqual([]);
    const all = [...known.values()];
    // changes that move instances between index groups
    put({ ...all[0], app: 'gitea' });
    put({ ...all[1], app: 'nextcloud', ready: !all[1].ready });
    put({ ...all[2], owner: 'group:default/team-z' });
    put({ ...all[3], owner: undefined, ready: true });
    // changes that keep every index value
    put({ ...all[4] });
    put({ ...all[5] });
    remove(all[6]);
    remove(all[7]);
    put({ cluster: 'eu-1', namespace: 'team-a', name: 'aaa-first', app: 'nextcloud', ready: true });
    put({ cluster: 'us-1', namespace: 'team-b', name: 'zzz-last', app: 'gitea', owner: 'group:default/team-a', ready: false });
    expect(await wrongAnswers()).toEqual([]);
    queries.push({ owner: 'group:default/team-z' });
    expect(await wrongAnswers()).toEqual([]);
    queries.pop();
  });

  it('continues a cursor from where it was after the list changed', async () => {
    const q = { cluster: 'eu-1', app: 'nextcloud' };
    const first = await store.listInstances({ ...q, limit: 3 });
    const last = keyOf(first.items[first.items.length - 1]);
    // one instance sorting before the cursor and one after it join the group
    put({ cluster: 'eu-1', namespace: 'team-a', name: 'aaa-before', app: 'nextcloud', ready: false });
    put({ cluster: 'eu-1', namespace: 'team-b', name: 'zzz-after', app: 'nextcloud', ready: false });
    const rest: string[] = [];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await store.listInstances({ ...q, limit: 3, cursor });
      rest.push(...page.items.map(keyOf));
      cursor = page.nextCursor;
    }
    expect(rest).toEqual(expected(q).filter(key => key > last));
    expect(rest).toContain('eu-1/team-b/zzz-after');
    expect(rest).not.toContain('eu-1/team-a/aaa-before');
  });

  it('finds an instance by entity name until it is deleted', async () => {
    const k = [...known.values()][0];
    const entityName = instanceEntityName(k);
    expect((await store.getInstanceByEntityName(entityName))?.summary.app).toBe(k.app);
    put({ ...k, app: k.app === 'gitea' ? 'nextcloud' : 'gitea' });
    expect((await store.getInstanceByEntityName(entityName))?.summary.app).toBe(k.app === 'gitea' ? 'nextcloud' : 'gitea');
    remove(k);
    expect(await store.getInstanceByEntityName(entityName)).toBeUndefined();
  });

  it('moves the revision of the fleet and of the cluster whose instances changed, and of no other', async () => {
    const k = [...known.values()].find(i => i.cluster === 'eu-1')!;
    const before = { fleet: store.instancesRevision(), eu: store.instancesRevision('eu-1'), us: store.instancesRevision('us-1') };
    put({ ...k });
    expect(store.instancesRevision()).toBe(before.fleet); // same object again: nothing changed
    put({ ...k, ready: !k.ready });
    const afterChange = store.instancesRevision('eu-1');
    expect(afterChange).toBeGreaterThan(before.eu);
    expect(store.instancesRevision()).toBe(afterChange);
    expect(store.instancesRevision('us-1')).toBe(before.us);
    store.upsertOperation('eu-1', {
      apiVersion: 'ops.vworkspace.io/v1alpha1',
      kind: 'Operation',
      metadata: { namespace: k.namespace, name: 'backup-1', uid: 'op-1' },
      spec: { instance: k.name, type: 'Backup' },
    });
    expect(store.instancesRevision('eu-1')).toBe(afterChange); // operations are not in instance pages
    remove(k);
    expect(store.instancesRevision('eu-1')).toBeGreaterThan(afterChange);
    expect(store.instancesRevision('us-1')).toBe(before.us);
    expect(store.instancesRevision('nowhere')).toBe(0);
  });
});
