import type { Knex } from 'knex';

/**
 * Reform tasks (issue 5): the plans they come from, each task with its units and every deadline the
 * item names, the reporting dates a plan sets (报送), an append-only history of updates, and the
 * office's unit-alias mapping. Dates are 'YYYY-MM-DD' text and times ISO-8601 text, as elsewhere.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('plans', (t) => {
    t.increments('id');
    t.string('code', 16).notNullable().unique(); // P01, P02 …: prefix of its tasks' codes
    t.string('name', 300).notNullable().unique();
    t.text('source_file');
    t.string('sha256', 64);
    t.string('plan_date', 10); // the plan's date line
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });

  await knex.schema.createTable('plan_reporting_dates', (t) => {
    t.integer('plan_id').notNullable().references('plans.id').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.string('due_date', 10);
    t.string('due_text', 100).notNullable();
    t.text('what').notNullable(); // 工作推进落实情况, 全年工作总结 …
    t.string('recipient', 200);
    t.primary(['plan_id', 'seq']);
  });

  await knex.schema.createTable('tasks', (t) => {
    t.increments('id');
    t.string('code', 64).notNullable().unique();
    t.integer('plan_id').references('plans.id');
    t.string('ref', 64).notNullable(); // numbering as in the plan: 二.（一）.2 / 附件.18
    t.text('category'); // the heading or 主要任务 the item sits under
    t.text('title').notNullable();
    t.text('content');
    t.string('deadline', 10);
    t.text('deadline_text');
    t.string('deadline_kind', 16); // date | start | fuzzy | recurring | none
    t.string('status', 8).notNullable(); // 未启动 | 推进中 | 已完成 | 受阻
    t.integer('progress').notNullable();
    t.string('completed_on', 10);
    t.text('notes');
    t.text('source_file');
    t.string('source_sheet', 100);
    t.integer('source_row');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
    t.unique(['plan_id', 'ref']);
  });

  await knex.schema.createTable('task_deadlines', (t) => {
    t.integer('task_id').notNullable().references('tasks.id').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.string('date', 10);
    t.text('text').notNullable();
    t.string('kind', 16).notNullable();
    t.primary(['task_id', 'seq']);
  });

  await knex.schema.createTable('task_units', (t) => {
    t.integer('task_id').notNullable().references('tasks.id').onDelete('CASCADE');
    t.string('role', 8).notNullable(); // lead | co
    t.integer('seq').notNullable();
    t.string('name', 200).notNullable(); // as written
    t.string('unit_key', 200).notNullable(); // normalised (prefix + aliases): what "the same unit" means
    t.integer('department_id').references('departments.id');
    t.primary(['task_id', 'role', 'seq']);
    t.index(['unit_key']);
  });

  await knex.schema.createTable('task_updates', (t) => {
    t.increments('id');
    t.integer('task_id').notNullable().references('tasks.id').onDelete('CASCADE');
    t.string('at', 32).notNullable();
    t.string('actor', 200).notNullable(); // 填报单位, else the operator
    t.string('action', 16).notNullable(); // created | changed | progress
    t.text('changes').notNullable(); // JSON {field: [old, new]}
    t.text('progress_text'); // 进展情况 as reported
    t.text('source_file');
    t.string('source_sheet', 100);
    t.integer('source_row');
    t.index(['task_id']);
  });

  await knex.schema.createTable('unit_aliases', (t) => {
    t.increments('id');
    t.string('alias', 200).notNullable().unique();
    t.string('canonical', 200).notNullable();
    t.string('updated_at', 32).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['unit_aliases', 'task_updates', 'task_units', 'task_deadlines', 'tasks', 'plan_reporting_dates', 'plans']) {
    await knex.schema.dropTableIfExists(table);
  }
}
