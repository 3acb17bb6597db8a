import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../db';
import { SQLITE_CHUNK } from '../db';
import { InputError, UsageError } from '../cli/errors';
import { columnLetter, type RowError } from '../catalog/parse';
import { describeError } from '../catalog/import';
import { readRows, formatOf } from '../io/read-rows';
import type { CellValue } from '../io/types';
import type { CellRef } from '../io/cleaned';
import { refuseOverwritingInput, writeTable, type SheetData } from '../io/write';
import { parseDateValue } from '../text/dates';
import { cellText, headerKey } from '../text/normalize';
import { columnIndex, type ColumnReport } from '../text/headers';
import { extractPlan } from './extract';
import { normalizePlanText, readPlanFile } from './plan-text';
import { parseProgressSheet, parseTaskSheet, readTaskSheets, type ProgressRow, type ReadSheet } from './sheet';
import { taskState, windowEnd, workdayCounter, type StateOf } from './status';
import {
  appendUpdates,
  type UpdateInput,
  departmentNames,
  ensurePlan,
  findPlan,
  insertTask,
  loadTasks,
  nextTaskSeq,
  replaceDeadlines,
  replaceReportingDates,
  replaceUnits,
  taskHistory,
  taskToDomain,
  updateTaskRow,
  type PlanRow,
  type StoredUnit,
  type TaskBundle,
} from './store';
import type { ExtractedTaskJson, ReportingDate, Task, TaskDraft, TaskUpdateRecord } from './types';
import { DEFAULT_ALIASES, UnitResolver } from './units';
import { defaultActor } from '../settings/actor';
import { withWriteRetry } from '../db/retry';
import { batchTransaction, WRITTEN_TABLES } from '../db/scratch';
import { lockChain, TASK_UPDATES_CHAIN } from '../audit/chain';

class Rollback extends Error {}

/**
 * Runs `fn` in one transaction; a dry run does everything on a scratch copy (src/db/scratch.ts) and
 * discards it, so a read-only role can check a file. A try that lost a
 * race with another writer runs again (`fn` must set, not accumulate, what it reports).
 */
async function inTransaction(db: Db, dryRun: boolean | undefined, fn: (trx: Knex.Transaction) => Promise<void>): Promise<void> {
  await withWriteRetry(async () => {
    try {
      await batchTransaction(db, dryRun, WRITTEN_TABLES.tasks, async (trx) => {
        await lockChain(trx, TASK_UPDATES_CHAIN.name); // first, so task writers queue in one order
        await fn(trx);
        if (dryRun) throw new Rollback();
      });
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
    }
  });
}

export interface StoreCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}


async function sha256(file: string): Promise<string> {
  return crypto.createHash('sha256').update(await fs.promises.readFile(file)).digest('hex');
}

/** The stored form of a draft's deadlines: the first dated one is the task's; all phrases as written. */
function deadlineColumns(d: TaskDraft): { deadline: string | null; deadline_text: string | null; deadline_kind: string } {
  const dated = d.deadlines.find((x) => x.date);
  return {
    deadline: dated?.date ?? null,
    deadline_text: d.deadlines.length ? d.deadlines.map((x) => x.text).join('；') : null,
    deadline_kind: dated?.kind ?? d.deadlines[0]?.kind ?? 'none',
  };
}

function unitsOf(d: TaskDraft, resolver: UnitResolver): StoredUnit[] {
  const mk = (role: 'lead' | 'co') => (name: string): StoredUnit => ({ role, name, key: resolver.key(name), departmentId: resolver.department(name)?.id ?? null });
  return [...d.lead.map(mk('lead')), ...d.co.map(mk('co'))];
}

/** Field-by-field differences between a stored task and a draft of it: {field: [old, new]}. */
function diffTask(b: TaskBundle, d: TaskDraft): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = {};
  const dc = deadlineColumns(d);
  const pairs: Array<[string, unknown, unknown]> = [
    ['category', b.row.category, d.category],
    ['title', b.row.title, d.title],
    ['content', b.row.content, d.content],
    ['deadline', b.row.deadline, dc.deadline],
    ['deadlineText', b.row.deadline_text, dc.deadline_text],
    ['lead', b.units.filter((u) => u.role === 'lead').map((u) => u.name), d.lead],
    ['co', b.units.filter((u) => u.role === 'co').map((u) => u.name), d.co],
    ['deadlines', b.deadlines.map((x) => `${x.date ?? ''}|${x.text}`), d.deadlines.map((x) => `${x.date ?? ''}|${x.text}`)],
  ];
  for (const [k, a, c] of pairs) if (JSON.stringify(a ?? null) !== JSON.stringify(c ?? null)) changes[k] = [a ?? null, c ?? null];
  return changes;
}

/**
 * Writes drafts under a plan: matched by 任务编号 when the draft has one, else by the plan's numbering
 * (ref). New tasks get the plan's next code (P01-001 …) and status 未启动; changed ones are updated
 * and the change appended to their history; identical ones are left alone. Never deletes.
 */
async function storeDrafts(trx: Knex.Transaction, plan: PlanRow, drafts: TaskDraft[], actor: string, sourceFile: string): Promise<{ counts: StoreCounts; codes: Map<string, string>; missing: string[] }> {
  const resolver = await UnitResolver.load(trx);
  const existing = await loadTasks(trx, { planId: plan.id });
  const byRef = new Map(existing.map((b) => [b.row.ref, b]));
  const byCode = new Map(existing.map((b) => [b.row.code, b]));
  const counts: StoreCounts = { inserted: 0, updated: 0, unchanged: 0 };
  const codes = new Map<string, string>();
  let seq = await nextTaskSeq(trx, plan.code);
  const history: UpdateInput[] = [];
  for (const d of drafts) {
    const found = (d.code ? byCode.get(d.code) : undefined) ?? byRef.get(d.ref);
    const dc = deadlineColumns(d);
    if (!found) {
      const code = d.code ?? `${plan.code}-${String(seq++).padStart(3, '0')}`;
      const id = await insertTask(trx, {
        code,
        plan_id: plan.id,
        ref: d.ref,
        category: d.category,
        title: d.title,
        content: d.content,
        ...dc,
        status: '未启动',
        progress: 0,
        completed_on: null,
        notes: null,
        source_file: d.source?.file ?? sourceFile,
        source_sheet: d.source?.sheet ?? null,
        source_row: d.source?.row ?? null,
      });
      await replaceUnits(trx, id, unitsOf(d, resolver));
      await replaceDeadlines(trx, id, d.deadlines);
      history.push({ taskId: id, actor, action: 'created', changes: {}, file: d.source?.file ?? sourceFile, sheet: d.source?.sheet, row: d.source?.row });
      codes.set(d.ref, code);
      counts.inserted++;
      continue;
    }
    codes.set(d.ref, found.row.code);
    const changes = diffTask(found, d);
    if (Object.keys(changes).length === 0) {
      counts.unchanged++;
      continue;
    }
    await updateTaskRow(trx, found.row.id, { ref: d.ref, category: d.category, title: d.title, content: d.content, ...dc });
    await replaceUnits(trx, found.row.id, unitsOf(d, resolver));
    await replaceDeadlines(trx, found.row.id, d.deadlines);
    history.push({ taskId: found.row.id, actor, action: 'changed', changes, file: d.source?.file ?? sourceFile, sheet: d.source?.sheet, row: d.source?.row });
    counts.updated++;
  }
  await appendUpdates(trx, history);
  const seen = new Set(drafts.map((d) => d.ref));
  const missing = existing.filter((b) => !seen.has(b.row.ref)).map((b) => b.row.code);
  return { counts, codes, missing };
}

// ---------------------------------------------------------------- extract

export interface ExtractOptions {
  plan?: string;
  dryRun?: boolean;
  actor?: string;
}

export interface ExtractResult {
  plan: { name: string; code: string | null; planDate: string | null; title: string | null };
  tasks: Array<ExtractedTaskJson & { code: string | null }>;
  reportingDates: ReportingDate[];
  warnings: string[];
  /** The plan's lines each task was read from, in the order of `tasks` (shown by --dry-run, not in --json). */
  sources?: string[][];
  counts: StoreCounts;
  /** Codes of stored tasks of this plan that the text no longer has (never deleted). */
  missing: string[];
  dryRun: boolean;
  noChange: boolean;
}

/**
 * `tasks extract`: reads a plan (.txt/.md/.docx), normalises it (Traditional → Simplified, pinyin
 * glosses) and extracts its tasks and reporting dates; unless `dryRun`, stores them under the plan's
 * name (--plan, else its title, else the file name) in one transaction. Extracting the same plan
 * again changes nothing. No task found is an input error (exit 3).
 */
export async function extractTasks(db: Db, file: string, opts: ExtractOptions = {}): Promise<ExtractResult> {
  const raw = await readPlanFile(file);
  const { text, converted } = normalizePlanText(raw);
  const plan = extractPlan(text);
  if (plan.tasks.length === 0) {
    throw new InputError(
      `未能从“${path.basename(file)}”中识别出任务。`,
      '任务应为编号条目（一、（一）1.），带“（牵头单位：…）”或“牵头部门：…”；任务分工表请用 `yiye tasks import`。',
      undefined,
      'NO_TASKS',
    );
  }
  const name = opts.plan?.trim() || plan.title || path.basename(file, path.extname(file));
  const warnings = [...(converted ? ['原文为繁体（或带拼音注音），已转换为简体后提取。'] : []), ...plan.warnings];
  const result: ExtractResult = {
    plan: { name, code: null, planDate: plan.planDate, title: plan.title },
    tasks: plan.tasks.map((t) => {
      const dated = t.deadlines.find((d) => d.date);
      return {
        ref: t.ref,
        code: null,
        title: t.title,
        lead: t.lead,
        co: t.co,
        deadline: dated?.date ?? null,
        deadlineText: t.deadlines.length ? t.deadlines.map((d) => d.text).join('；') : null,
        deadlines: t.deadlines,
      };
    }),
    reportingDates: plan.reportingDates,
    warnings,
    sources: plan.tasks.map((t) => t.sourceLines ?? []),
    counts: { inserted: 0, updated: 0, unchanged: 0 },
    missing: [],
    dryRun: !!opts.dryRun,
    noChange: false,
  };
  if (opts.dryRun) {
    const existing = await findPlan(db, name);
    result.plan.code = existing?.code ?? null;
    if (existing) {
      const codes = new Map((await loadTasks(db, { planId: existing.id })).map((b) => [b.row.ref, b.row.code]));
      for (const t of result.tasks) t.code = codes.get(t.ref) ?? null;
    }
    return result;
  }
  const digest = await sha256(file);
  await db.transaction(async (trx) => {
    await lockChain(trx, TASK_UPDATES_CHAIN.name);
    const { plan: stored, created } = await ensurePlan(trx, { name, sourceFile: path.basename(file), sha256: digest, planDate: plan.planDate });
    const { counts, codes, missing } = await storeDrafts(trx, stored, plan.tasks, opts.actor ?? defaultActor(), path.basename(file));
    const datesChanged = await replaceReportingDates(trx, stored.id, plan.reportingDates);
    result.plan.code = stored.code;
    result.counts = counts;
    result.missing = missing;
    for (const t of result.tasks) t.code = codes.get(t.ref) ?? null;
    result.noChange = !created && !datesChanged && counts.inserted === 0 && counts.updated === 0;
  });
  return result;
}

// ---------------------------------------------------------------- import

export interface ImportTasksOptions {
  plan?: string;
  /** Plan year for year-less deadlines (完成时限 “6月底前”). */
  year?: number;
  dryRun?: boolean;
  /** Write the valid rows and report the rejected ones (exit 0) instead of rejecting the sheet. */
  skipInvalid?: boolean;
  reportPath?: string;
  actor?: string;
}

export interface ImportTasksResult {
  plan: { name: string; code: string | null };
  counts: StoreCounts;
  errors: RowError[];
  /** rows: task rows read (each stored or rejected); skippedRows: rows under the header that hold no task (a repeated header, blank rows). */
  sheets: Array<{ sheet: string; headerRow: number; rows: number; skippedRows: number; columns?: ColumnReport[] }>;
  skippedSheets: string[];
  /** Cells cleaned of control, format or bidi characters on reading (src/io/cleaned.ts; present, possibly empty). */
  controlsRemoved: CellRef[];
  dryRun: boolean;
  committed: boolean;
  noChange: boolean;
  reportPath?: string;
}

/** A sheet's column table for a dry run: each column → field with its first three values. */
function columnTable(s: ReadSheet): ColumnReport[] {
  const data = s.rows.filter((r) => r.cells.some((c) => cellText(c ?? null))).slice(0, 3);
  return s.header.report.map((c) => ({ ...c, samples: data.map((r) => cellText(r.cells[columnIndex(c.column)] ?? null)).filter((x): x is string => !!x) }));
}


function rejectedSheets(file: string, sheets: ReadSheet[], errors: RowError[]): SheetData[] {
  const out: SheetData[] = [];
  for (const s of sheets) {
    const mine = errors.filter((e) => e.sheet === s.sheet);
    if (!mine.length) continue;
    const reasons = new Map<number, string[]>();
    for (const e of mine) reasons.set(e.row, [...(reasons.get(e.row) ?? []), e.column ? `【${e.column}】${e.message}` : e.message]);
    const width = Math.max(s.header.labels.length, ...s.rows.map((r) => r.cells.length));
    out.push({
      name: s.sheet,
      header: ['来源文件', '工作表', '行号', ...Array.from({ length: width }, (_, i) => s.header.labels[i] || `第${i + 1}列`), '错误原因'],
      rows: [...reasons.entries()].map(([row, rs]) => {
        const cells = s.rows.find((r) => r.rowNumber === row)?.cells ?? [];
        return [path.basename(file), s.sheet, row, ...Array.from({ length: width }, (_, i) => cells[i] ?? null), rs.join('；')];
      }),
    });
  }
  return out;
}

function rejectBatch(kind: string, errors: RowError[], reportPath: string | undefined): never {
  throw new InputError(
    `${kind}被拒绝：${errors.length} 处错误，未作任何修改。首个错误：${describeError(errors[0])}`,
    reportPath
      ? `已将被拒绝的行及错误原因写入“${reportPath}”，可退回填报单位修改后重新提交；或加 --skip-invalid 只写入有效行。`
      : '加 --report 错误清单.xlsx 可导出被拒绝的行及错误原因；或加 --skip-invalid 只写入有效行。',
    { errors, reportPath: reportPath ?? null },
  );
}

/** Rejected rows to `reportPath` (when given); the path written, for the result. */
async function reportRejected(file: string, sheets: ReadSheet[], errors: RowError[], reportPath: string | undefined): Promise<string | undefined> {
  if (!errors.length || !reportPath) return undefined;
  await writeTable(reportPath, rejectedSheets(file, sheets, errors));
  return reportPath;
}

/**
 * `tasks import`: a task sheet (see parseTaskSheet for the layouts) into the plan `opts.plan` (default:
 * the file's name). All or nothing: any rejected row → nothing written, exit 3, rejected rows in
 * `reportPath`; with `skipInvalid` the valid rows are written and the rejected ones only reported.
 * Re-importing the same sheet changes nothing.
 */
export async function importTasks(db: Db, file: string, opts: ImportTasksOptions = {}): Promise<ImportTasksResult> {
  refuseOverwritingInput(opts.reportPath, [file], '--report');
  if (!fs.existsSync(file)) throw new InputError(`找不到文件“${file}”。`, '请检查路径是否正确。', undefined, 'FILE_NOT_FOUND');
  formatOf(file);
  const { sheets, skipped, controlsRemoved } = await readTaskSheets(file, ['content', 'category', 'lead', 'responsible', 'co', 'deadline', 'seq']);
  if (sheets.length === 0) {
    throw new InputError(`“${path.basename(file)}”中没有可识别的任务表：未找到含“主要任务”“重点内容”“牵头单位”等列名的表头。`, '表头应包含 任务/主要任务、重点内容/具体内容、牵头单位、配合单位/责任单位、完成时限 等列。', { skippedSheets: skipped }, 'NO_HEADER');
  }
  const errors: RowError[] = [];
  // per sheet: the task rows (stored or rejected) and the rows skipped (a header repeated mid-sheet, blank rows)
  const perSheet = sheets.map((s) => {
    const before = errors.length;
    const tasks = parseTaskSheet(s, opts.year ?? null, errors);
    const taskRows = tasks.length + new Set(errors.slice(before).map((e) => e.row)).size;
    return { s, tasks, taskRows };
  });
  const drafts = perSheet.flatMap((p) => p.tasks);
  const name = opts.plan?.trim() || path.basename(file, path.extname(file));
  const result: ImportTasksResult = {
    plan: { name, code: null },
    counts: { inserted: 0, updated: 0, unchanged: 0 },
    errors,
    sheets: perSheet.map(({ s, taskRows }) => ({ sheet: s.sheet, headerRow: s.header.rowNumber, rows: taskRows, skippedRows: s.rows.length - taskRows, ...(opts.dryRun ? { columns: columnTable(s) } : {}) })),
    skippedSheets: skipped,
    controlsRemoved,
    dryRun: !!opts.dryRun,
    committed: false,
    noChange: false,
  };
  result.reportPath = await reportRejected(file, sheets, errors, opts.reportPath);
  if (errors.length && !opts.dryRun && !opts.skipInvalid) rejectBatch('任务表导入', errors, result.reportPath);
  const digest = await sha256(file);
  await inTransaction(db, opts.dryRun, async (trx) => {
    const { plan, created } = await ensurePlan(trx, { name, sourceFile: path.basename(file), sha256: digest, planDate: null });
    const { counts } = await storeDrafts(trx, plan, drafts, opts.actor ?? defaultActor(), path.basename(file));
    result.plan.code = plan.code;
    result.counts = counts;
    result.noChange = !created && counts.inserted === 0 && counts.updated === 0;
    result.committed = !opts.dryRun;
  });
  return result;
}

// ---------------------------------------------------------------- update

export interface UpdateTasksOptions {
  dryRun?: boolean;
  /** Apply the valid rows and report the rejected ones (exit 0) instead of rejecting the return. */
  skipInvalid?: boolean;
  reportPath?: string;
  actor?: string;
}

export interface UpdateTasksResult {
  updated: number;
  unchanged: number;
  errors: RowError[];
  changes: Array<{ code: string; changes: Record<string, [unknown, unknown]>; reporter: string | null }>;
  /** Cells cleaned of control, format or bidi characters on reading (src/io/cleaned.ts; present, possibly empty). */
  controlsRemoved: CellRef[];
  dryRun: boolean;
  committed: boolean;
  noChange: boolean;
  reportPath?: string;
}

/**
 * `tasks update`: a progress return (任务编号, 进展情况, 状态, 完成时间, 填报单位[, 完成进度]) applied in
 * one transaction. Rows are validated first (unknown code, unknown status, 已完成 without a date …);
 * any error → nothing written, exit 3 (with `skipInvalid`: the valid rows are applied, the rejected
 * ones reported, exit 0). Each changed task gets a history entry naming the reporter
 * and the file row; re-applying the same return changes nothing.
 */
/**
 * A code a reporting unit typed in other letter case (pd-07) is the task's code (PD-07) when exactly one
 * task has it in any case; rows are rewritten to the stored spelling.
 */
async function matchCodeCase(db: Db, rows: ProgressRow[]): Promise<void> {
  const typed = [...new Set(rows.map((r) => r.code).filter(Boolean))];
  if (!typed.length) return;
  const exact = new Set<string>();
  for (let i = 0; i < typed.length; i += SQLITE_CHUNK) {
    for (const code of (await db('tasks').whereIn('code', typed.slice(i, i + SQLITE_CHUNK)).pluck('code')) as string[]) exact.add(code);
  }
  const other = typed.filter((c) => !exact.has(c)).map((c) => c.toUpperCase());
  const byUpper = new Map<string, string[]>();
  for (let i = 0; i < other.length; i += SQLITE_CHUNK) {
    const part = other.slice(i, i + SQLITE_CHUNK);
    for (const code of (await db('tasks').whereRaw(`upper(code) IN (${part.map(() => '?').join(',')})`, part).pluck('code')) as string[]) {
      byUpper.set(code.toUpperCase(), [...(byUpper.get(code.toUpperCase()) ?? []), code]);
    }
  }
  for (const r of rows) {
    const found = !exact.has(r.code) ? byUpper.get(r.code.toUpperCase()) : undefined;
    if (found?.length === 1) r.code = found[0];
  }
}

export async function updateTasks(db: Db, file: string, opts: UpdateTasksOptions = {}): Promise<UpdateTasksResult> {
  refuseOverwritingInput(opts.reportPath, [file], '--report');
  if (!fs.existsSync(file)) throw new InputError(`找不到文件“${file}”。`, '请检查路径是否正确。', undefined, 'FILE_NOT_FOUND');
  formatOf(file);
  const { sheets, skipped, controlsRemoved } = await readTaskSheets(file, ['code', 'progressText', 'status', 'completedOn', 'reporter', 'percent']);
  if (sheets.length === 0) {
    throw new InputError(`“${path.basename(file)}”中没有可识别的进展反馈表：未找到含“任务编号”“进展情况”“状态”等列名的表头。`, '表头应包含 任务编号、进展情况、状态、完成时间、填报单位。', { skippedSheets: skipped }, 'NO_HEADER');
  }
  const errors: RowError[] = [];
  const rows: ProgressRow[] = sheets.flatMap((s) => parseProgressSheet(s, errors));
  await matchCodeCase(db, rows);
  const known = new Map((await loadTasks(db, { codes: [...new Set(rows.map((r) => r.code))] })).map((b) => [b.row.code, b]));
  const seen = new Map<string, number>();
  const valid: ProgressRow[] = [];
  for (const r of rows) {
    const sheet = sheets.find((s) => s.sheet === r.source.sheet)!;
    const c = sheet.header.columns.code!;
    const at = { file: r.source.file, sheet: r.source.sheet, row: r.source.row, column: sheet.header.labels[c], columnLetter: columnLetter(c) };
    if (!known.has(r.code)) errors.push({ ...at, message: `任务编号“${r.code}”不存在` });
    else if (seen.has(r.code)) errors.push({ ...at, message: `任务编号“${r.code}”在第 ${seen.get(r.code)} 行已填报过` });
    else valid.push(r);
    if (!seen.has(r.code)) seen.set(r.code, r.source.row);
  }
  errors.sort((a, b) => a.sheet.localeCompare(b.sheet) || a.row - b.row);
  const result: UpdateTasksResult = { updated: 0, unchanged: 0, errors, changes: [], controlsRemoved, dryRun: !!opts.dryRun, committed: false, noChange: false };
  result.reportPath = await reportRejected(file, sheets, errors, opts.reportPath);
  if (errors.length && !opts.skipInvalid) {
    if (opts.dryRun) return result;
    rejectBatch('进展更新', errors, result.reportPath);
  }
  await inTransaction(db, opts.dryRun, async (trx) => {
    result.updated = 0;
    result.unchanged = 0;
    result.changes = [];
    const history: UpdateInput[] = [];
    for (const r of valid) {
      const b = known.get(r.code)!;
      const changes: Record<string, [unknown, unknown]> = {};
      const patch: Record<string, unknown> = {};
      const set = (field: string, column: string, old: unknown, value: unknown) => {
        if (value === null || value === undefined || old === value) return;
        changes[field] = [old, value];
        patch[column] = value;
      };
      set('status', 'status', b.row.status, r.status);
      set('completedOn', 'completed_on', b.row.completed_on, r.completedOn);
      const percent = r.status === '已完成' ? 100 : r.percent;
      set('progress', 'progress', b.row.progress, percent);
      set('notes', 'notes', b.row.notes, r.notes);
      if (r.status && r.status !== '已完成' && b.row.completed_on) {
        changes.completedOn = [b.row.completed_on, null];
        patch.completed_on = null;
      }
      const newText = r.progressText && r.progressText !== b.lastProgress ? r.progressText : null;
      if (Object.keys(changes).length === 0 && !newText) {
        result.unchanged++;
        continue;
      }
      if (Object.keys(patch).length) await updateTaskRow(trx, b.row.id, patch);
      history.push({
        taskId: b.row.id,
        actor: r.reporter ?? opts.actor ?? defaultActor(),
        action: 'progress',
        changes,
        progressText: newText,
        file: r.source.file,
        sheet: r.source.sheet,
        row: r.source.row,
      });
      result.changes.push({ code: r.code, changes, reporter: r.reporter });
      result.updated++;
    }
    await appendUpdates(trx, history);
    result.noChange = result.updated === 0;
    result.committed = !opts.dryRun;
  });
  return result;
}

// ---------------------------------------------------------------- list

export interface ListOptions {
  asOf: string;
  overdue?: boolean;
  dueWithin?: number;
  /** Count --due-within in working days (工作日, Chinese holiday calendar) instead of calendar days. */
  workdays?: boolean;
  unit?: string;
  plan?: string;
}

/** A task with its state; `workdaysLeft`: working days in (asOf, deadline] for open tasks due ahead. */
export type TaskListItem = Task & StateOf & { lastProgress: string | null; workdaysLeft: number | null };

/** Checks a --as-of style date flag. */
export function parseAsOf(value: string | undefined, flag = '--as-of'): string {
  if (!value) return new Date().toISOString().slice(0, 10);
  const d = parseDateValue(value);
  if (!d) throw new UsageError(`${flag} “${value}”不是日期。`, `例如 ${flag} 2021-03-31。`);
  return d;
}

/** Tasks with their state as of `asOf`, filtered; a unit matches as lead or co-operating unit by its alias key. */
export async function listTasks(db: Db, opts: ListOptions): Promise<TaskListItem[]> {
  const resolver = await UnitResolver.load(db);
  const dept = await departmentNames(db);
  let plan: PlanRow | undefined;
  if (opts.plan) {
    plan = await findPlan(db, opts.plan);
    if (!plan) throw new InputError(`没有名为“${opts.plan}”的计划。`, '运行 `yiye tasks list` 查看全部任务及其所属计划。', undefined, 'NOT_FOUND');
  }
  // through the alias table; a unit typed without its level (市场监督管理局) is that unit at either
  // level (区市场监管局, 市市场监管局) — its own key would read the 市 of 市场 as the level
  const unitKeys = opts.unit ? new Set([opts.unit, `区${opts.unit}`, `市${opts.unit}`].map((u) => resolver.key(u))) : null;
  const until = opts.dueWithin !== undefined ? windowEnd(opts.asOf, opts.dueWithin, !!opts.workdays).date : null;
  const workdaysTo = workdayCounter(opts.asOf);
  const out: TaskListItem[] = [];
  for (const b of await loadTasks(db, plan ? { planId: plan.id } : {})) {
    const t = taskToDomain(b, dept);
    const st = taskState(t, opts.asOf);
    if (opts.overdue && st.state !== 'overdue') continue;
    if (until && !(t.deadline && t.deadline >= opts.asOf && t.deadline <= until && (st.state === 'dueSoon' || st.state === 'inProgress'))) continue;
    if (unitKeys && !b.units.some((u) => unitKeys.has(resolver.key(u.name)))) continue;
    out.push({ ...t, ...st, workdaysLeft: st.daysLeft !== null ? (workdaysTo(t.deadline!)?.days ?? null) : null });
  }
  // The chasing order: longest overdue first; due soon, nearest deadline first; otherwise by code.
  if (opts.overdue) out.sort((a, b) => b.daysOverdue - a.daysOverdue || a.code.localeCompare(b.code));
  else if (until) out.sort((a, b) => a.deadline!.localeCompare(b.deadline!) || a.code.localeCompare(b.code));
  return out;
}

export async function showTaskHistory(db: Db, code: string): Promise<TaskUpdateRecord[]> {
  return taskHistory(db, code);
}

// ---------------------------------------------------------------- aliases

export interface AliasesResult {
  source: 'default' | 'workspace';
  aliases: Array<{ alias: string; canonical: string }>;
  /** After an import: how many task units now match a catalog department. */
  matchedUnits?: number;
  /** After an import (not --replace): 写法 the file added to the mapping (the others changed or confirmed existing ones). */
  added?: number;
  exported?: string;
}

const ALIAS_HEADER = ['写法', '统一为'];

/** The unit-alias mapping in force: the office's (after `--import`) or the defaults shipped with yiye. */
export async function listAliases(db: Db): Promise<AliasesResult> {
  const rows: Array<{ alias: string; canonical: string }> = await db('unit_aliases').select('alias', 'canonical').orderBy('id');
  return rows.length ? { source: 'workspace', aliases: rows } : { source: 'default', aliases: DEFAULT_ALIASES.map(([alias, canonical]) => ({ alias, canonical })) };
}

/** Writes the mapping in force as .csv/.xlsx (写法, 统一为) for the office to edit and import back. */
export async function exportAliases(db: Db, file: string): Promise<AliasesResult> {
  const res = await listAliases(db);
  await writeTable(file, [{ name: '单位简称对照', header: ALIAS_HEADER, rows: res.aliases.map((a) => [a.alias, a.canonical] as CellValue[]) }]);
  return { ...res, exported: file };
}

/**
 * Adds a file's pairs (写法, 统一为 columns) to the workspace's mapping — the built-in one until the
 * office changes it — a 写法 already mapped taking the file's 统一为; with `replace` the file becomes
 * the whole mapping; `file` null (`--reset`) goes back to the defaults. Every task unit is re-matched
 * to the catalog's departments in the same transaction.
 */
export async function importAliases(db: Db, file: string | null, opts: { replace?: boolean } = {}): Promise<AliasesResult> {
  const pairs: Array<{ alias: string; canonical: string }> = [];
  if (file) {
    if (!fs.existsSync(file)) throw new InputError(`找不到文件“${file}”。`, '请检查路径是否正确。', undefined, 'FILE_NOT_FOUND');
    let cols: { alias: number; canonical: number } | null = null;
    const errors: string[] = [];
    for await (const row of readRows(file)) {
      const cells = row.cells.map((c) => cellText(c) ?? '');
      if (!cols) {
        const a = cells.findIndex((c) => ['写法', '简称', '别名'].includes(headerKey(c)));
        const c = cells.findIndex((x) => ['统一为', '规范名称', '标准写法', '全称'].includes(headerKey(x)));
        if (a >= 0 && c >= 0) cols = { alias: a, canonical: c };
        continue;
      }
      const alias = cells[cols.alias]?.replace(/\s+/g, '') ?? '';
      const canonical = cells[cols.canonical]?.replace(/\s+/g, '') ?? '';
      if (!alias && !canonical) continue;
      if (!alias) errors.push(`第 ${row.rowNumber} 行：“写法”为空`);
      else if (pairs.some((p) => p.alias === alias)) errors.push(`第 ${row.rowNumber} 行：写法“${alias}”重复`);
      else pairs.push({ alias, canonical });
    }
    if (!cols) throw new InputError(`“${path.basename(file)}”中找不到“写法”“统一为”两列。`, '可先用 `yiye tasks aliases --export 单位简称对照.csv` 导出现行对照表，修改后再导入。', undefined, 'NO_HEADER');
    if (errors.length) throw new InputError(`单位简称对照表有 ${errors.length} 处错误，未作修改：${errors.slice(0, 5).join('；')}`, '请修改后重新导入。', { errors });
  }
  let matched = 0;
  let added = 0;
  if (file && !opts.replace) {
    // the current mapping first, in its order; the file's pairs override or follow it
    const current = (await listAliases(db)).aliases.map((a) => ({ alias: a.alias, canonical: a.canonical }));
    const fromFile = new Map(pairs.map((p) => [p.alias, p.canonical]));
    added = pairs.filter((p) => !current.some((c) => c.alias === p.alias)).length;
    const merged = [...current.map((c) => ({ alias: c.alias, canonical: fromFile.get(c.alias) ?? c.canonical })), ...pairs.filter((p) => !current.some((c) => c.alias === p.alias))];
    pairs.splice(0, pairs.length, ...merged);
  }
  await db.transaction(async (trx) => {
    await trx('unit_aliases').delete();
    const now = new Date().toISOString();
    for (const p of pairs) await trx('unit_aliases').insert({ alias: p.alias, canonical: p.canonical, updated_at: now });
    const resolver = await UnitResolver.load(trx);
    const units: Array<{ task_id: number; role: string; seq: number; name: string }> = await trx('task_units').select('task_id', 'role', 'seq', 'name');
    for (const u of units) {
      const dep = resolver.department(u.name);
      if (dep) matched++;
      await trx('task_units').where({ task_id: u.task_id, role: u.role, seq: u.seq }).update({ unit_key: resolver.key(u.name), department_id: dep?.id ?? null });
    }
  });
  return { ...(await listAliases(db)), matchedUnits: matched, ...(file ? { added } : {}) };
}
