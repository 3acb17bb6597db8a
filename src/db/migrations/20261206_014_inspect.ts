import type { Knex } from 'knex';
import { addChainColumns, backfillChain, dropAppendOnly, makeAppendOnly, INSPECTION_LOG_CHAIN } from '../../audit/chain';

/**
 * 双随机、一公开: the inspectors an office may send (by 执法证号), the holders' credit-risk classes,
 * the draws (one row per draw id: its parameters, the hashes of its inputs and of its result, and the
 * result itself), the inspections' outcomes, and an append-only, hash-chained log of every draw,
 * redraw and import (`yiye audit verify` walks it with the other chains).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('inspectors', (t) => {
    t.increments('id');
    t.string('badge', 64).notNullable().unique(); // 执法证号
    t.string('name', 100).notNullable();
    t.string('department', 200).notNullable();
    t.text('industries'); // JSON array of industry names, null = any
    t.text('avoid'); // JSON array of 统一社会信用代码
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });
  await knex.schema.createTable('risk_classes', (t) => {
    t.string('uscc', 18).primary();
    t.string('risk_class', 1).notNullable(); // A | B | C | D
    t.string('rated_on', 10);
    t.string('updated_at', 32).notNullable();
  });
  await knex.schema.createTable('inspection_draws', (t) => {
    t.string('id', 64).primary();
    t.string('draw_date', 10).notNullable();
    t.string('seed', 200).notNullable();
    t.text('params').notNullable(); // JSON
    t.string('inputs_sha256', 64).notNullable();
    t.string('result_sha256', 64).notNullable();
    t.text('result').notNullable(); // JSON: the draw as `inspect draw --json` prints it
    t.integer('population').notNullable();
    t.integer('drawn').notNullable();
    t.string('actor', 100).notNullable();
    t.string('created_at', 32).notNullable();
    t.integer('replaced_count').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('inspection_results', (t) => {
    t.string('draw_id', 64).notNullable().references('inspection_draws.id');
    t.string('license_number', 64).notNullable();
    t.string('inspected_on', 10).notNullable();
    t.string('result', 40).notNullable();
    t.boolean('problem').notNullable();
    t.text('note');
    t.string('updated_at', 32).notNullable();
    t.primary(['draw_id', 'license_number']);
  });
  await knex.schema.createTable('inspection_log', (t) => {
    t.increments('id');
    t.string('action', 16).notNullable(); // roster | risk | draw | redraw | results
    t.string('draw_id', 64);
    t.string('actor', 100).notNullable();
    t.string('at', 32).notNullable();
    t.text('reason');
    t.text('details').notNullable(); // JSON
    t.text('file_name');
    t.string('file_sha256', 64);
  });
  await addChainColumns(knex, 'inspection_log');
  await backfillChain(knex, INSPECTION_LOG_CHAIN); // the chain's head (empty), as every other chain has one from its migration
  await makeAppendOnly(knex, 'inspection_log');
}

export async function down(knex: Knex): Promise<void> {
  await dropAppendOnly(knex, 'inspection_log');
  for (const table of ['inspection_log', 'inspection_results', 'inspection_draws', 'risk_classes', 'inspectors']) await knex.schema.dropTableIfExists(table);
  await knex('audit_heads').where({ chain: INSPECTION_LOG_CHAIN.name }).delete();
}
