import type { Knex } from 'knex';
import { assignMissingCodes, NEXT_ASSIGNED_CODE } from '../../catalog/codes';

/**
 * Headers an office taught (`yiye catalog headers add`): a header as its departments write it → the
 * catalog field it means, used by every later import. Industries imported without a 行业编码 get one
 * by a stable rule (`code_assigned` marks it; see src/catalog/codes.ts); existing ones get theirs now.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('header_mappings', (t) => {
    t.increments('id');
    t.string('scope', 32).notNullable(); // catalog
    t.string('header_key', 200).notNullable();
    t.string('header', 200).notNullable();
    t.string('field', 64).notNullable();
    t.string('created_at', 32).notNullable();
    t.unique(['scope', 'header_key']);
  });
  await knex.schema.alterTable('industries', (t) => {
    t.boolean('code_assigned').notNullable().defaultTo(false);
  });
  await assignMissingCodes(knex);
}

export async function down(knex: Knex): Promise<void> {
  await knex('industries').where({ code_assigned: true }).update({ code: null });
  await knex.schema.alterTable('industries', (t) => {
    t.dropColumn('code_assigned');
  });
  await knex('settings').where({ key: NEXT_ASSIGNED_CODE }).delete();
  await knex.schema.dropTable('header_mappings');
}
