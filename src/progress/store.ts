import { isoLocal } from '../text/time';
import type { Knex } from 'knex';
import { nowIso } from '../db';
import type { DeadlineKind } from '../text/deadline';
import type { DeadlineEntry, ReportingDate, Task, TaskStatus, TaskUnit, TaskUpdateRecord, UnitRole } from './types';
import { appendChained, TASK_UPDATES_CHAIN } from '../audit/chain';

/** Rows as stored. */
export interface PlanRow {
  id: number;
  code: string;
  name: string;
  source_file: string | null;
  sha256: string | null;
  plan_date: string | null;
}

export interface TaskRow {
  id: number;
  code: string;
  plan_id: number | null;
  ref: string;
  category: string | null;
  title: string;
  content: string | null;
  deadline: string | null;
  deadline_text: string | null;
  deadline_kind: string | null;
  status: string;
  progress: number;
  completed_on: string | null;
  notes: string | null;
  source_file: string | null;
  source_sheet: string | null;
  source_row: number | null;
}

export interface UnitRow {
  task_id: number;
  role: string;
  seq: number;
  name: string;
  unit_key: string;
  department_id: number | null;
}

export interface DeadlineRow {
  task_id: number;
  seq: number;
  date: string | null;
  text: string;
  kind: string;
}

export interface UpdateRow {
  id: number;
  task_id: number;
  at: string;
  actor: string;
  action: string;
  changes: string;
  progress_text: string | null;
  source_file: string | null;
  source_sheet: string | null;
  source_row: number | null;
}

const idOf = (row: unknown): number => (typeof row === 'object' && row !== null ? (row as { id: number }).id : (row as number));

export async function findPlan(db: Knex, name: string): Promise<PlanRow | undefined> {
  return db('plans').where({ name }).first();
}

/** The plan by name, created with the next code (P01, P02 …) on first use. */
export async function ensurePlan(db: Knex, p: { name: string; sourceFile: string | null; sha256: string | null; planDate: string | null }): Promise<{ plan: PlanRow; created: boolean }> {
  const existing = await findPlan(db, p.name);
  if (existing) {
    if (existing.plan_date !== p.planDate && p.planDate) {
      await db('plans').where({ id: existing.id }).update({ plan_date: p.planDate, updated_at: nowIso() });
      existing.plan_date = p.planDate;
    }
    return { plan: existing, created: false };
  }
  const count = Number(((await db('plans').count({ n: '*' }).first()) as { n: number | string }).n);
  let n = count + 1;
  let code = `P${String(n).padStart(2, '0')}`;
  while (await db('plans').where({ code }).first()) code = `P${String(++n).padStart(2, '0')}`;
  const now = nowIso();
  const [row] = await db('plans').insert({ code, name: p.name, source_file: p.sourceFile, sha256: p.sha256, plan_date: p.planDate, created_at: now, updated_at: now }).returning('id');
  return { plan: { id: idOf(row), code, name: p.name, source_file: p.sourceFile, sha256: p.sha256, plan_date: p.planDate }, created: true };
}

export async function replaceReportingDates(db: Knex, planId: number, dates: ReportingDate[]): Promise<boolean> {
  const current: Array<{ due_date: string | null; due_text: string; what: string; recipient: string | null }> = await db('plan_reporting_dates').where({ plan_id: planId }).orderBy('seq');
  const same = current.length === dates.length && current.every((c, i) => c.due_date === dates[i].date && c.due_text === dates[i].text && c.what === dates[i].what && c.recipient === dates[i].recipient);
  if (same) return false;
  await db('plan_reporting_dates').where({ plan_id: planId }).delete();
  for (const [i, d] of dates.entries()) {
    await db('plan_reporting_dates').insert({ plan_id: planId, seq: i + 1, due_date: d.date, due_text: d.text, what: d.what, recipient: d.recipient });
  }
  return true;
}

export interface CalendarEntry extends ReportingDate {
  plan: string;
}

export async function reportingCalendar(db: Knex): Promise<CalendarEntry[]> {
  const rows: Array<{ due_date: string | null; due_text: string; what: string; recipient: string | null; name: string }> = await db('plan_reporting_dates as r')
    .join('plans as p', 'p.id', 'r.plan_id')
    .select('r.due_date', 'r.due_text', 'r.what', 'r.recipient', 'p.name')
    .orderBy([{ column: 'r.due_date' }, { column: 'p.name' }, { column: 'r.seq' }]);
  return rows.map((r) => ({ date: r.due_date, text: r.due_text, what: r.what, recipient: r.recipient, plan: r.name }));
}

/** The next task code of a plan: P01-001, P01-002 … (never reused). */
export async function nextTaskSeq(db: Knex, planCode: string): Promise<number> {
  const codes: string[] = await db('tasks').where('code', 'like', `${planCode}-%`).pluck('code');
  let max = 0;
  for (const c of codes) {
    const n = Number(c.slice(planCode.length + 1));
    if (Number.isInteger(n) && n > max) max = n;
  }
  return max + 1;
}

export async function insertTask(db: Knex, row: Omit<TaskRow, 'id'>): Promise<number> {
  const now = nowIso();
  const [r] = await db('tasks').insert({ ...row, created_at: now, updated_at: now }).returning('id');
  return idOf(r);
}

export async function updateTaskRow(db: Knex, id: number, patch: Partial<Omit<TaskRow, 'id'>>): Promise<void> {
  await db('tasks').where({ id }).update({ ...patch, updated_at: nowIso() });
}

export interface StoredUnit {
  role: UnitRole;
  name: string;
  key: string;
  departmentId: number | null;
}

export async function replaceUnits(db: Knex, taskId: number, units: StoredUnit[]): Promise<void> {
  await db('task_units').where({ task_id: taskId }).delete();
  const seq = { lead: 0, co: 0 };
  for (const u of units) {
    await db('task_units').insert({ task_id: taskId, role: u.role, seq: ++seq[u.role], name: u.name, unit_key: u.key, department_id: u.departmentId });
  }
}

export async function replaceDeadlines(db: Knex, taskId: number, deadlines: DeadlineEntry[]): Promise<void> {
  await db('task_deadlines').where({ task_id: taskId }).delete();
  for (const [i, d] of deadlines.entries()) await db('task_deadlines').insert({ task_id: taskId, seq: i + 1, date: d.date, text: d.text, kind: d.kind });
}

export interface UpdateInput {
  taskId: number;
  actor: string;
  action: TaskUpdateRecord['action'];
  changes: Record<string, [unknown, unknown]>;
  progressText?: string | null;
  file?: string | null;
  sheet?: string | null;
  row?: number | null;
  at?: string;
}

/**
 * Appends history entries to the tasks' hash-chained, append-only log (src/audit/chain.ts), in
 * order. The transaction should have taken `lockChain(trx, 'task_updates')` first.
 */
export async function appendUpdates(trx: Knex.Transaction, updates: UpdateInput[]): Promise<void> {
  if (updates.length === 0) return;
  const at = nowIso();
  await appendChained(
    trx,
    TASK_UPDATES_CHAIN.name,
    updates.map((u) => ({
      task_id: u.taskId,
      at: u.at ?? at,
      actor: u.actor,
      action: u.action,
      changes: JSON.stringify(u.changes),
      progress_text: u.progressText ?? null,
      source_file: u.file ?? null,
      source_sheet: u.sheet ?? null,
      source_row: u.row ?? null,
    })),
  );
}

/** Everything about a set of tasks, loaded in a few queries (not one per task). */
export interface TaskBundle {
  row: TaskRow;
  plan: string | null;
  units: UnitRow[];
  deadlines: DeadlineRow[];
  lastProgress: string | null;
}

export async function loadTasks(db: Knex, where: { planId?: number; codes?: string[] } = {}): Promise<TaskBundle[]> {
  let q = db('tasks as t').leftJoin('plans as p', 'p.id', 't.plan_id').select('t.*', 'p.name as plan_name');
  if (where.planId !== undefined) q = q.where('t.plan_id', where.planId);
  // no codes selects nothing (a NUL sentinel is not valid text on PostgreSQL)
  if (where.codes) q = where.codes.length ? q.whereIn('t.code', where.codes) : q.whereRaw('1 = 0');
  const rows: Array<TaskRow & { plan_name: string | null }> = await q.orderBy('t.id');
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const units: UnitRow[] = [];
  const deadlines: DeadlineRow[] = [];
  const progress = new Map<number, string>();
  // Every task (the report, `tasks list`): three whole-table reads. A subset: chunks of ids, which
  // keep SQLite under its bound-variable limit for large workspaces.
  const all = where.planId === undefined && !where.codes;
  const chunks = all ? [null] : Array.from({ length: Math.ceil(ids.length / 500) }, (_, i) => ids.slice(i * 500, i * 500 + 500));
  for (const chunk of chunks) {
    const of = (table: string) => (chunk ? db(table).whereIn('task_id', chunk) : db(table));
    units.push(...(await of('task_units').orderBy(['task_id', 'role', 'seq'])));
    deadlines.push(...(await of('task_deadlines').orderBy(['task_id', 'seq'])));
    const ups: Array<{ task_id: number; progress_text: string }> = await of('task_updates').whereNotNull('progress_text').orderBy('id').select('task_id', 'progress_text');
    for (const u of ups) progress.set(u.task_id, u.progress_text);
  }
  const unitsBy = groupBy(units, (u) => u.task_id);
  const deadlinesBy = groupBy(deadlines, (d) => d.task_id);
  // the row keeps its plan_name column: copying 10k rows without it (rest spread) costs more than it is worth
  return rows.map((row) => ({ row, plan: row.plan_name, units: unitsBy.get(row.id) ?? [], deadlines: deadlinesBy.get(row.id) ?? [], lastProgress: progress.get(row.id) ?? null }));
}

function groupBy<T>(xs: T[], key: (x: T) => number): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}

export function taskToDomain(b: TaskBundle, deptName: (id: number | null) => string | null): Task & { lastProgress: string | null } {
  const unit = (u: UnitRow): TaskUnit => ({ name: u.name, department: deptName(u.department_id) });
  return {
    code: b.row.code,
    plan: b.plan,
    ref: b.row.ref,
    category: b.row.category,
    title: b.row.title,
    content: b.row.content,
    lead: b.units.filter((u) => u.role === 'lead').map(unit),
    co: b.units.filter((u) => u.role === 'co').map(unit),
    deadline: b.row.deadline,
    deadlineText: b.row.deadline_text,
    deadlineKind: b.row.deadline_kind as DeadlineKind | null,
    deadlines: b.deadlines.map((d) => ({ date: d.date, text: d.text, kind: d.kind as DeadlineKind })),
    status: b.row.status as TaskStatus,
    progress: b.row.progress,
    completedOn: b.row.completed_on,
    notes: b.row.notes,
    lastProgress: b.lastProgress,
  };
}

export async function taskHistory(db: Knex, code: string): Promise<TaskUpdateRecord[]> {
  const rows: UpdateRow[] = await db('task_updates as u').join('tasks as t', 't.id', 'u.task_id').where('t.code', code).select('u.*').orderBy('u.id');
  return rows.map((r) => ({
    at: isoLocal(r.at),
    actor: r.actor,
    action: r.action as TaskUpdateRecord['action'],
    changes: JSON.parse(r.changes) as Record<string, [unknown, unknown]>,
    progressText: r.progress_text,
    source: { file: r.source_file, sheet: r.source_sheet, row: r.source_row },
  }));
}

export async function departmentNames(db: Knex): Promise<(id: number | null) => string | null> {
  const rows: Array<{ id: number; name: string }> = await db('departments').select('id', 'name');
  const m = new Map(rows.map((r) => [r.id, r.name]));
  return (id) => (id === null ? null : (m.get(id) ?? null));
}
