import type { Knex } from 'knex';
import { FleetDialect, useFleetDatabase } from '../__testUtils__/fleetDatabase';
import { postgresBinDir } from '../__testUtils__/postgres';
import { Outbox } from './Outbox';
import { PullClusterRepository } from './PullClusterRepository';

const operation = (name: string) => ({
  apiVersion: 'ops.vworkspace.io/v1alpha1' as const,
  kind: 'Operation' as const,
  metadata: { name, namespace: 'team-a' },
  spec: { type: 'Backup' },
});

/**
 * The same checks on both databases the backend runs on: SQLite (the embedded default) and
 * PostgreSQL (production), a real server started here.
 */
function outboxSuite(dialect: FleetDialect) {
  const database = useFleetDatabase(dialect);
  let db: Knex;
  let outbox: Outbox;

  beforeEach(() => {
    db = database();
    outbox = new Outbox(db);
  });

  it('keeps registrations with hashed tokens that can be rotated and revoked', async () => {
    const repository = new PullClusterRepository(db);
    const token = await repository.register({ name: 'edge-1', title: 'Edge 1', labels: { env: 'prod' } });
    expect(token).toBeDefined();
    expect(await repository.register({ name: 'edge-1', title: 'again', labels: {} })).toBeUndefined();
    expect(await repository.clusterOfToken(token!)).toBe('edge-1');
    expect(await repository.getClusters()).toEqual([{ name: 'edge-1', title: 'Edge 1', labels: { env: 'prod' }, mode: 'pull' }]);

    const rotated = await repository.rotateToken('edge-1');
    expect(await repository.clusterOfToken(token!)).toBeUndefined();
    expect(await repository.clusterOfToken(rotated!)).toBe('edge-1');
    expect(await repository.revokeToken('edge-1')).toBe(true);
    expect(await repository.clusterOfToken(rotated!)).toBeUndefined();
    expect(await repository.get('edge-1')).toMatchObject({ hasToken: false });
    expect(await repository.rotateToken('nope')).toBeUndefined();
    expect(JSON.stringify(await db('fleet_pull_clusters').select())).not.toContain(rotated!);
  });

  it('reuses a recent token check only when asked, and never after its own rotation or revocation', async () => {
    const repository = new PullClusterRepository(db);
    const token = (await repository.register({ name: 'edge-1', title: 'Edge 1', labels: {} }))!;
    expect(await repository.clusterOfToken(token, { maxAgeMs: 60_000 })).toBe('edge-1');
    // revoked through another replica: a fresh check sees it, a recent answer may be reused
    await db('fleet_pull_clusters').where({ name: 'edge-1' }).update({ token_hash: null });
    expect(await repository.clusterOfToken(token, { maxAgeMs: 60_000 })).toBe('edge-1');
    expect(await repository.clusterOfToken(token)).toBeUndefined();
    expect(await repository.clusterOfToken(token, { maxAgeMs: 60_000 })).toBeUndefined();

    const rotated = (await repository.rotateToken('edge-1'))!;
    expect(await repository.clusterOfToken(rotated, { maxAgeMs: 60_000 })).toBe('edge-1');
    await repository.revokeToken('edge-1');
    expect(await repository.clusterOfToken(rotated, { maxAgeMs: 60_000 })).toBeUndefined();
  });

  it('gives concurrent writers distinct, increasing numbers', async () => {
    const seqs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => outbox.enqueue('a', { type: 'apply', object: operation(`op-${i}`) })),
    );
    expect([...seqs].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('numbers intent per cluster and hands out what is not acknowledged, after a cursor', async () => {
    expect(await outbox.enqueue('a', { type: 'apply', object: operation('one') })).toBe(1);
    expect(await outbox.enqueue('b', { type: 'apply', object: operation('other') })).toBe(1);
    expect(await outbox.enqueue('a', { type: 'cancel', operation: { namespace: 'team-a', name: 'one' } })).toBe(2);
    expect(await outbox.enqueue('a', { type: 'apply', object: operation('two') })).toBe(3);

    expect((await outbox.pending('a')).map(e => e.seq)).toEqual([1, 2, 3]);
    expect((await outbox.pending('a', 1)).map(e => e.intent)).toEqual([
      { type: 'cancel', seq: 2, operation: { namespace: 'team-a', name: 'one' } },
      { type: 'apply', seq: 3, object: operation('two') },
    ]);

    await outbox.ack('a', 1, { uid: 'u1', resourceVersion: '7' });
    await outbox.ack('a', 3, { error: 'namespaces "team-a" not found' });
    expect((await outbox.pending('a')).map(e => e.seq)).toEqual([2]);
    expect((await outbox.pending('b')).map(e => e.seq)).toEqual([1]);
    expect(await outbox.ack('b', 9, { error: 'x' })).toBeUndefined();

    // what the store must show after a restart: the undelivered and the refused
    expect((await outbox.undelivered()).map(e => `${e.cluster}/${e.seq}:${e.acked ? 'failed' : 'pending'}`)).toEqual([
      'b/1:pending',
      'a/3:failed',
    ]);
    expect((await outbox.findApply('a', 'team-a', 'one'))?.acked).toEqual({ uid: 'u1', resourceVersion: '7' });
  });

  it('wakes the streams of this process on new intent', async () => {
    const woken: string[] = [];
    const stop = outbox.onEnqueue('a', () => woken.push('a'));
    await outbox.enqueue('a', { type: 'apply', object: operation('one') });
    await outbox.enqueue('b', { type: 'apply', object: operation('two') });
    stop();
    await outbox.enqueue('a', { type: 'apply', object: operation('three') });
    expect(woken).toEqual(['a']);
  });
}

describe('Outbox and pull clusters on SQLite', () => {
  outboxSuite('SQLite');
});
// without PostgreSQL installed this half is skipped, visibly; never in CI, which installs it
(postgresBinDir() || process.env.CI ? describe : describe.skip)('Outbox and pull clusters on PostgreSQL', () => {
  outboxSuite('PostgreSQL');
});
