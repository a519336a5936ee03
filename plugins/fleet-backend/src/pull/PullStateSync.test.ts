import { mockServices } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { ClusterRegistry } from '../cluster/ClusterRegistry';
import { FleetStore } from '../store/FleetStore';
import { FleetDialect, useFleetDatabase } from '../__testUtils__/fleetDatabase';
import { postgresBinDir } from '../__testUtils__/postgres';
import { Outbox } from './Outbox';
import { PullClusterRepository } from './PullClusterRepository';
import { PullStateRepository } from './PullStateRepository';
import { PullStateSync } from './PullStateSync';

const operation = (name: string) => ({
  apiVersion: 'ops.vworkspace.io/v1alpha1' as const,
  kind: 'Operation' as const,
  metadata: { name, namespace: 'team-a' },
  spec: { type: 'Backup' },
});

/** One replica's view of what another replica, sharing its database, stored about pull clusters. */
function syncSuite(dialect: FleetDialect) {
  const database = useFleetDatabase(dialect);
  let db: Knex;
  let registry: ClusterRegistry;
  let store: FleetStore;
  let outbox: Outbox;
  let sync: PullStateSync;

  beforeEach(async () => {
    db = database();
    const clusters = new PullClusterRepository(db);
    for (const name of ['a', 'b', 'c']) await clusters.register({ name, title: name, labels: {} });
    const logger = mockServices.logger.mock();
    registry = new ClusterRegistry({ logger });
    registry.addSupplier(clusters);
    store = new FleetStore({ logger, registry });
    await store.start();
    await registry.start();
    outbox = new Outbox(db);
    sync = new PullStateSync({ store, state: new PullStateRepository(db), outbox, registry, logger, replica: 'here', heartbeatIntervalMs: 15_000 });
    await sync.load();
  });

  afterEach(() => {
    registry.stop();
    store.stop();
  });

  it('wakes streams here for intent another replica stored, once per news', async () => {
    const replica = new Outbox(db);
    const woken: string[] = [];
    outbox.onEnqueue('a', () => woken.push('a'));
    outbox.onEnqueue('b', () => woken.push('b'));
    await sync.poll();
    expect(woken).toEqual([]);
    await replica.enqueue('a', { type: 'apply', object: operation('one') });
    await sync.poll();
    await sync.poll();
    expect(woken).toEqual(['a']);
    await replica.enqueue('b', { type: 'apply', object: operation('two') });
    await replica.enqueue('c', { type: 'apply', object: operation('three') });
    await sync.poll();
    expect(woken).toEqual(['a', 'b']);
    // and the Operations they carry show as pending delivery here
    expect(store.getOperation({ cluster: 'c', namespace: 'team-a', name: 'three' })?.delivery).toEqual({ state: 'pending' });
  });
}

describe('PullStateSync on SQLite', () => {
  syncSuite('SQLite');
});
// without PostgreSQL installed this half is skipped, visibly; never in CI, which installs it
(postgresBinDir() || process.env.CI ? describe : describe.skip)('PullStateSync on PostgreSQL', () => {
  syncSuite('PostgreSQL');
});
