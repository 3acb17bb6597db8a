import path from 'node:path';
import type { Db } from '../../src/db';
import { importCatalog } from '../../src/catalog/service';
import { extractTasks, importTasks, updateTasks } from '../../src/progress/service';
import { PUDONG_BASE } from '../helpers/workspace';

export const TASKS = path.resolve(__dirname, '../../fixtures/tasks');
export const task = (rel: string) => path.join(TASKS, rel);
export const SEED_000 = task('seeds/000_503ccea2e975993f.txt');

/**
 * A licence row with the columns the report reads (industry_id, issue_date, status, number). The
 * licence register (migration 002) has more NOT NULL columns; they get placeholder values here, so
 * this helper does not depend on that schema's details. Without the table, a minimal one is created.
 */
export async function insertLicense(db: Db, l: { industry: string; issueDate: string; status?: string; number: string }): Promise<void> {
  if (!(await db.schema.hasTable('licenses'))) {
    await db.schema.createTable('licenses', (t) => {
      t.increments('id');
      t.integer('industry_id').notNullable();
      t.string('issue_date', 10).notNullable();
      t.string('status', 16).notNullable();
      t.string('number', 64).notNullable();
    });
  }
  const industry = await db('industries').where({ name: l.industry }).first('id');
  const row: Record<string, unknown> = { industry_id: industry.id, issue_date: l.issueDate, status: l.status ?? 'valid', number: l.number };
  const info = (await db('licenses').columnInfo()) as unknown as Record<string, { type: string; nullable: boolean; defaultValue: unknown; maxLength: number | string | null }>;
  for (const [col, c] of Object.entries(info)) {
    if (col in row || col === 'id' || c.nullable || c.defaultValue !== null) continue;
    const max = Number(c.maxLength) || 64;
    row[col] = /int|numeric|real|double/i.test(c.type) ? 1 : /bool/i.test(c.type) ? false : `${l.number}-${col}`.slice(0, max);
  }
  await db('licenses').insert(row);
}

/**
 * The report scenario: the pudong catalog, seed 000's tasks, the 2021 ledger and plan, seed 003's
 * table, the May 2021 progress return, and licences for three industries (one on time, one late,
 * one outside the period).
 */
export async function buildScenario(db: Db): Promise<void> {
  await importCatalog(db, PUDONG_BASE, { actor: 'test' });
  await extractTasks(db, SEED_000, { plan: '浦东新区“一业一证”改革试点实施方案', actor: 'test' });
  await importTasks(db, task('2021年工作台账.xlsx'), { actor: 'test' });
  await importTasks(db, task('普陀区任务分工表.xlsx'), { plan: '普陀区审批服务便民化实施方案', actor: 'test' });
  await extractTasks(db, task('2021年工作要点.txt'), { actor: 'test' });
  await updateTasks(db, task('updates/进展反馈-2021-05.xlsx'), { actor: 'test' });
  await insertLicense(db, { industry: '便利店', issueDate: '2021-03-25', number: 'L1' });
  await insertLicense(db, { industry: '便利店', issueDate: '2021-05-10', number: 'L2' });
  await insertLicense(db, { industry: '饭店', issueDate: '2021-04-08', number: 'L3' });
  await insertLicense(db, { industry: '超市', issueDate: '2021-06-05', number: 'L4' });
}
