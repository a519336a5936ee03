import { CoreV1Api } from '@kubernetes/client-node';
import { startTestCluster, failure } from './__testUtils__/testCluster';
import type { SimCluster } from '../../cluster/SimCluster';

describe('list', () => {
  let cluster: SimCluster;
  let core: CoreV1Api;
  beforeAll(async () => {
    const started = await startTestCluster({ historySize: 10 });
    cluster = started.cluster;
    core = started.kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'other' } } });
    const labels: Array<[string, Record<string, string>]> = [
      ['a', { tier: 'web', env: 'prod' }],
      ['b', { tier: 'db', env: 'prod' }],
      ['c', { tier: 'web', env: 'dev' }],
      ['d', {}],
    ];
    for (const [name, l] of labels) await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name, labels: l } } });
    await core.createNamespacedSecret({ namespace: 'other', body: { metadata: { name: 'e', labels: { tier: 'web' } } } });
  });
  afterAll(() => cluster.stop());

  const names = async (labelSelector?: string, fieldSelector?: string) =>
    (await core.listNamespacedSecret({ namespace: 'default', labelSelector, fieldSelector })).items.map(i => i.metadata!.name);

  it.each([
    ['tier=web', ['a', 'c']],
    ['tier==web', ['a', 'c']],
    ['tier!=web', ['b', 'd']],
    ['env in (prod,dev),tier notin (db)', ['a', 'c']],
    ['tier', ['a', 'b', 'c']],
    ['!tier', ['d']],
  ])('selects by label %s', async (selector, expected) => {
    expect(await names(selector)).toEqual(expected);
  });

  it('selects by metadata.name and rejects unknown fields with 400', async () => {
    expect(await names(undefined, 'metadata.name=b')).toEqual(['b']);
    const { code, body } = await failure(core.listNamespacedSecret({ namespace: 'default', fieldSelector: 'spec.foo=bar' }));
    expect(code).toBe(400);
    expect(body.reason).toBe('BadRequest');
    expect(body.message).toBe('field label not supported: spec.foo');
  });

  it('lists across namespaces with the list resourceVersion', async () => {
    const all = await core.listSecretForAllNamespaces({ labelSelector: 'tier=web' });
    expect(all.items.map(i => `${i.metadata!.namespace}/${i.metadata!.name}`)).toEqual(['default/a', 'default/c', 'other/e']);
    expect(all.metadata!.resourceVersion).toBe(cluster.resourceVersion);
  });

  it('pages with limit and continue at one resourceVersion', async () => {
    const first = await core.listNamespacedSecret({ namespace: 'default', limit: 3 });
    expect(first.items.map(i => i.metadata!.name)).toEqual(['a', 'b', 'c']);
    expect(first.metadata!.remainingItemCount).toBe(1);
    await core.deleteNamespacedSecret({ namespace: 'default', name: 'd' });
    const second = await core.listNamespacedSecret({ namespace: 'default', limit: 3, _continue: first.metadata!._continue });
    // The page is consistent with the first: 'd' still shows although deleted since.
    expect(second.items.map(i => i.metadata!.name)).toEqual(['d']);
    expect(second.metadata!._continue).toBeUndefined();
    expect(second.metadata!.resourceVersion).toBe(first.metadata!.resourceVersion);
  });

  it('answers a continue token whose resourceVersion left the window with 410 Expired', async () => {
    const first = await core.listNamespacedSecret({ namespace: 'default', limit: 1 });
    for (let i = 0; i < 12; i++) await core.createNamespacedSecret({ namespace: 'other', body: { metadata: { name: `churn-${i}` } } });
    const { code, body } = await failure(core.listNamespacedSecret({ namespace: 'default', limit: 1, _continue: first.metadata!._continue }));
    expect(code).toBe(410);
    expect(body.reason).toBe('Expired');
    expect(body.message).toMatch(/^The provided continue parameter is too old/);
  });

  it('creates with generateName and refuses objects in a missing namespace', async () => {
    const created = await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { generateName: 'gen-' }, stringData: { k: 'v' } } });
    expect(created.metadata!.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect(created.data).toEqual({ k: Buffer.from('v').toString('base64') });
    const { code, body } = await failure(core.createNamespacedSecret({ namespace: 'missing', body: { metadata: { name: 'x' } } }));
    expect(code).toBe(404);
    expect(body.message).toBe('namespaces "missing" not found');
  });

  it('does not persist dryRun=All creates', async () => {
    const dry = await core.createNamespacedConfigMap({ namespace: 'default', dryRun: 'All', body: { metadata: { name: 'dry' } } });
    expect(dry.metadata!.name).toBe('dry');
    expect((await failure(core.readNamespacedConfigMap({ namespace: 'default', name: 'dry' }))).code).toBe(404);
  });
});
