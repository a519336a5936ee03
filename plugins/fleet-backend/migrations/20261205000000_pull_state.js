// @ts-check

/**
 * What pull clusters report, shared by every replica: the latest state of each
 * ApplicationInstance and Operation (a row without an object is a deletion, kept for a while so
 * that other replicas learn of it), each cluster's revision (raised by every write about the
 * cluster: reports, new intent, acknowledgements) and the agent streams each replica holds.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('fleet_pull_clusters', table => {
    table.bigInteger('revision').notNullable().defaultTo(0).comment('raised by every write about the cluster');
  });
  await knex.schema.alterTable('fleet_outbox', table => {
    table.bigInteger('revision').nullable().comment('the cluster revision of the last change (enqueue, ack)');
    table.index(['cluster', 'revision']);
  });
  await knex.schema.createTable('fleet_pull_objects', table => {
    table.string('cluster', 63).notNullable();
    table.string('kind', 16).notNullable().comment('instance | operation');
    table.string('namespace', 63).notNullable();
    table.string('name', 253).notNullable();
    table.text('object').nullable().comment('JSON as reported, without managedFields; null once deleted');
    table.bigInteger('revision').notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.primary(['cluster', 'kind', 'namespace', 'name']);
    table.index(['cluster', 'revision']);
  });
  await knex.schema.createTable('fleet_pull_sessions', table => {
    table.string('cluster', 63).notNullable();
    table.string('replica', 64).notNullable();
    table.integer('streams').notNullable();
    table.timestamp('seen_at', { useTz: true }).notNullable();
    table.primary(['cluster', 'replica']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('fleet_pull_sessions');
  await knex.schema.dropTable('fleet_pull_objects');
  await knex.schema.alterTable('fleet_outbox', table => {
    table.dropIndex(['cluster', 'revision']);
    table.dropColumn('revision');
  });
  await knex.schema.alterTable('fleet_pull_clusters', table => {
    table.dropColumn('revision');
  });
};
