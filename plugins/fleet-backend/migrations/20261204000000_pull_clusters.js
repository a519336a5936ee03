// @ts-check

/**
 * Pull clusters and their join tokens (only the SHA-256 of each token is kept), and the
 * outbox: intent for each pull cluster, numbered per cluster, kept until its agent
 * acknowledges it (acknowledged rows stay, with the outcome, as the delivery record).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('fleet_pull_clusters', table => {
    table.string('name', 63).primary().notNullable();
    table.string('title', 200).notNullable();
    table.text('labels').notNullable().comment('JSON object');
    table.string('token_hash', 64).nullable().unique().comment('hex SHA-256 of the join token; null when revoked');
    table.timestamp('token_issued_at', { useTz: true }).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('fleet_outbox', table => {
    table.bigIncrements('id').primary();
    table.string('cluster', 63).notNullable();
    table.bigInteger('seq').notNullable().comment('per cluster, increasing');
    table.string('type', 16).notNullable().comment('apply | cancel');
    table.string('namespace', 63).notNullable();
    table.string('name', 253).notNullable();
    table.text('intent').notNullable().comment('JSON of the stream message, without seq');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('acked_at', { useTz: true }).nullable();
    table.string('ack_uid', 128).nullable();
    table.string('ack_resource_version', 128).nullable();
    table.text('ack_error').nullable();
    table.unique(['cluster', 'seq']);
    table.index(['cluster', 'acked_at', 'seq']);
    table.index(['cluster', 'namespace', 'name']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('fleet_outbox');
  await knex.schema.dropTable('fleet_pull_clusters');
};
