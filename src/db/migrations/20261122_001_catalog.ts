import type { Knex } from 'knex';

/**
 * The workspace settings and the catalog: departments, pilot industries, matters with their materials,
 * and which matters each industry bundles. Dates are ISO text (YYYY-MM-DD) and times ISO-8601 text so
 * that SQLite and PostgreSQL return the same values.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('settings', (t) => {
    t.string('key', 64).primary();
    t.text('value').notNullable();
  });

  await knex.schema.createTable('departments', (t) => {
    t.increments('id');
    t.string('name', 200).notNullable().unique();
    t.string('created_at', 32).notNullable();
  });

  await knex.schema.createTable('import_log', (t) => {
    t.increments('id');
    t.text('file_name').notNullable();
    t.string('sha256', 64).notNullable();
    t.string('actor', 100).notNullable();
    t.string('started_at', 32).notNullable();
    t.string('finished_at', 32);
    t.string('status', 20).notNullable(); // 成功 | 部分成功 (--skip-invalid)
    t.text('counts').notNullable(); // JSON: per kind inserted/updated/unchanged, rejected rows
  });

  await knex.schema.createTable('industries', (t) => {
    t.increments('id');
    t.string('code', 64).unique();
    t.string('name', 200).notNullable().unique();
    t.text('gb_codes'); // GB/T 4754 codes joined by ','
    t.string('batch', 100);
    t.string('authority', 16); // local | national
    t.integer('lead_department_id').references('departments.id');
    t.string('target_date', 10);
    t.string('target_text', 200);
    t.text('notes');
    t.integer('last_import_id');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });

  await knex.schema.createTable('industry_co_departments', (t) => {
    t.integer('industry_id').notNullable().references('industries.id').onDelete('CASCADE');
    t.integer('department_id').notNullable().references('departments.id');
    t.integer('seq').notNullable();
    t.primary(['industry_id', 'department_id']);
  });

  await knex.schema.createTable('matters', (t) => {
    t.increments('id');
    t.string('code', 64).unique();
    t.string('name', 300).notNullable().unique();
    t.string('level', 16); // national | provincial | municipal | district
    t.integer('competent_department_id').references('departments.id');
    t.integer('approving_department_id').references('departments.id');
    t.text('legal_basis');
    t.string('reform_mode', 16);
    t.text('measures');
    t.text('supervision');
    t.integer('legal_limit_days');
    t.string('legal_limit_unit', 8); // 工作日 | 自然日
    t.integer('committed_limit_days');
    t.string('committed_limit_unit', 8);
    t.boolean('onsite_inspection');
    t.boolean('commitment');
    t.text('fee');
    t.text('conditions');
    t.integer('last_import_id');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });

  await knex.schema.createTable('materials', (t) => {
    t.increments('id');
    t.integer('matter_id').notNullable().references('matters.id').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.text('name').notNullable();
    t.string('form', 50);
    t.integer('copies');
    t.boolean('required');
    t.string('source', 100);
    t.text('note');
    t.unique(['matter_id', 'seq']);
  });

  await knex.schema.createTable('industry_matters', (t) => {
    t.integer('industry_id').notNullable().references('industries.id').onDelete('CASCADE');
    t.integer('matter_id').notNullable().references('matters.id').onDelete('CASCADE');
    t.boolean('mandatory').notNullable();
    t.text('condition');
    t.integer('seq').notNullable();
    t.integer('last_import_id');
    t.primary(['industry_id', 'matter_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['industry_matters', 'materials', 'matters', 'industry_co_departments', 'industries', 'import_log', 'departments', 'settings']) {
    await knex.schema.dropTableIfExists(table);
  }
}
