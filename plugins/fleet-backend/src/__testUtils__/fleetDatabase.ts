import knexFactory, { Knex } from 'knex';
import { migrateFleetDatabase } from '../pull/PullClusterRepository';
import { startPostgres, TestPostgres } from './postgres';

/** The databases the backend runs on: SQLite (the embedded default) and PostgreSQL (production). */
export type FleetDialect = 'SQLite' | 'PostgreSQL';

/**
 * Gives every test of the calling suite a fresh, migrated fleet database on `dialect`: SQLite in
 * memory, or an empty schema of a throwaway PostgreSQL server started for the suite. Returns
 * what reads the current test's database.
 */
export function useFleetDatabase(dialect: FleetDialect): () => Knex {
  let server: TestPostgres | undefined;
  let db: Knex | undefined;

  beforeAll(async () => {
    if (dialect === 'PostgreSQL') server = await startPostgres();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  beforeEach(async () => {
    if (server) {
      db = knexFactory({ client: 'pg', connection: server.connection });
      await db.raw('drop schema public cascade; create schema public');
    } else {
      db = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    }
    await migrateFleetDatabase({ getClient: async () => db! });
  });

  afterEach(async () => {
    await db?.destroy();
  });

  return () => db!;
}
