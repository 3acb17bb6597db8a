import type { Knex } from 'knex';

/**
 * The holiday arrangements an office imports (`yiye calendar import`), whole years at a time:
 * calendar_years says which years are known and where they came from; calendar_days lists each
 * 休息日 and 调休上班日 of those years (every other day follows the weekend rule).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calendar_years', (t) => {
    t.integer('year').primary();
    t.string('source', 500).notNullable();
    t.string('sha256', 64).notNullable();
    t.string('actor', 200).notNullable();
    t.timestamp('imported_at').notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('calendar_days', (t) => {
    t.string('date', 10).primary();
    t.integer('year').notNullable().references('year').inTable('calendar_years').onDelete('CASCADE');
    t.string('kind', 10).notNullable(); // 'off' | 'work'
    t.string('name', 200);
    t.index(['year']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('calendar_days');
  await knex.schema.dropTable('calendar_years');
}
