import path from 'node:path';
import type { RowError } from '../catalog/parse';
import { columnLetter } from '../catalog/parse';
import { readRows } from '../io/read-rows';
import type { CellValue, SheetRow } from '../io/types';
import { isCellError } from '../io/types';
import { noteCleaned, type CellRef } from '../io/cleaned';
import { deadlineUnreadable, parseDeadlineCell } from '../text/deadline';
import { parseDateValue, today } from '../text/dates';
import { cellText, headerKey, toHalfWidth } from '../text/normalize';
import { HeaderEngine, type ColumnReport } from '../text/headers';
import { findDeadlines } from './extract';
import { TASK_STATUSES, type DeadlineEntry, type TaskDraft, type TaskStatus } from './types';
import { splitUnits } from './units';

/**
 * Header vocabulary of task sheets (台账, 任务分工表) and progress returns (进展反馈表). Matching ignores
 * spaces, brackets and width, as the catalog's headers do.
 */
export const TASK_HEADERS = {
  seq: ['序号'],
  code: ['任务编号', '编号', '任务代码'],
  category: ['主要任务', '任务类别', '工作任务', '任务'],
  content: ['重点内容', '具体内容', '任务内容', '工作内容', '具体任务', '重点任务', '改革举措', '主要内容'],
  lead: ['牵头单位', '牵头部门'],
  co: ['配合单位', '配合部门', '协同部门', '协同单位', '参与单位'],
  responsible: ['责任单位', '责任部门'],
  deadline: ['完成时限', '时间节点', '完成时间节点', '时限要求', '完成时间要求', '截止时间'],
  // progress returns
  progressText: ['进展情况', '工作进展', '推进情况', '进展', '完成情况'],
  status: ['状态', '任务状态', '推进状态'],
  completedOn: ['完成时间', '实际完成时间', '完成日期'],
  reporter: ['填报单位', '报送单位', '填报部门'],
  percent: ['完成进度', '进度', '完成比例'],
  notes: ['备注', '说明'],
} as const;

export type TaskField = keyof typeof TASK_HEADERS;

/** The shared header engine (src/text/headers.ts) with the task vocabulary: synonyms only. */
const ENGINE = new HeaderEngine<TaskField>({ synonyms: TASK_HEADERS });

export interface SheetHeader {
  columns: Partial<Record<TaskField, number>>;
  labels: string[];
  rowNumber: number;
  /** Each column → the field it is read as (null: 未识别), for the dry run's column table. */
  report: ColumnReport[];
}

function mapHeader(row: SheetRow): SheetHeader {
  const m = ENGINE.map([row.cells]);
  const labels = row.cells.map((v) => cellText(v) ?? '');
  const columns: ColumnReport[] = m.all.map((c) => ({ column: c.column, header: labels[c.index], field: c.field, label: c.field ? TASK_HEADERS[c.field][0] : null, unit: c.unit, samples: [] }));
  return { columns: m.columns, labels, rowNumber: row.rowNumber, report: columns };
}

/** A sheet's rows with its header, found in the first rows (title and 附件 label rows above it). */
export interface ReadSheet {
  file: string;
  sheet: string;
  header: SheetHeader;
  rows: SheetRow[];
}

const HEADER_SEARCH_ROWS = 30;

/**
 * Every sheet of a file that has a header naming at least two of `need`'s fields. Task sheets are a
 * few hundred rows: they are read whole, which lets merged 主要任务 cells and their rows be seen together.
 */
export async function readTaskSheets(file: string, need: TaskField[]): Promise<{ sheets: ReadSheet[]; skipped: string[]; controlsRemoved: CellRef[] }> {
  const bySheet = new Map<string, SheetRow[]>();
  const controlsRemoved: CellRef[] = [];
  for await (const row of readRows(file)) {
    noteCleaned(controlsRemoved, path.basename(file), row);
    let list = bySheet.get(row.sheet);
    if (!list) bySheet.set(row.sheet, (list = []));
    list.push(row);
  }
  const sheets: ReadSheet[] = [];
  const skipped: string[] = [];
  for (const [name, rows] of bySheet) {
    const idx = rows.slice(0, HEADER_SEARCH_ROWS).findIndex((r) => {
      const h = mapHeader(r);
      return need.filter((f) => h.columns[f] !== undefined).length >= 2;
    });
    if (idx < 0) {
      skipped.push(name);
      continue;
    }
    const header = mapHeader(rows[idx]);
    sheets.push({ file: path.basename(file), sheet: name, header, rows: rows.slice(idx + 1) });
  }
  return { sheets, skipped, controlsRemoved };
}

/** Reads one field of a row as text, with the error helpers bound to the row. */
function rowReader(s: ReadSheet, row: SheetRow, errors: RowError[]) {
  const ref = { file: s.file, sheet: s.sheet, row: row.rowNumber };
  const col = (f: TaskField) => s.header.columns[f];
  const err = (f: TaskField | null, message: string) => {
    const c = f === null ? undefined : col(f);
    errors.push({ ...ref, column: c === undefined ? '' : s.header.labels[c], columnLetter: c === undefined ? '' : columnLetter(c), message });
  };
  const raw = (f: TaskField): CellValue => {
    const c = col(f);
    return c === undefined ? null : (row.cells[c] ?? null);
  };
  const text = (f: TaskField): string | null => {
    const v = raw(f);
    if (isCellError(v)) {
      err(f, `单元格是 Excel 错误值 ${v.error}，请改为实际内容`);
      return null;
    }
    return cellText(v);
  };
  return { ref, col, err, raw, text };
}

const isBlank = (row: SheetRow) => row.cells.every((v) => cellText(v) === null);
const isNote = (row: SheetRow) => {
  const first = row.cells.map((v) => cellText(v)).find((t) => t !== null) ?? '';
  return /^(注[:：]|填表说明|说明[:：]|合计|总计)/.test(first);
};

/**
 * A row that repeats the header (a sheet pasted together from several departments' parts, a header
 * repeated for printing): every recognised column holds its own header text again.
 */
const repeatsHeader = (row: SheetRow, h: SheetHeader) => {
  const cols = Object.values(h.columns) as number[];
  return cols.length >= 2 && cols.every((c) => headerKey(cellText(row.cells[c]) ?? '') === headerKey(h.labels[c] ?? ''));
};

/**
 * Task drafts of a task sheet. Layouts: seed 003's 序号/主要任务/重点内容/责任单位 (主要任务 merged over
 * its rows, the items numbered "1." inside 重点内容); or 任务/牵头单位/配合单位/完成时限 columns. With
 * only a 责任单位 column the first unit leads (the convention of such tables) and the rest co-operate.
 * A year-less deadline takes `planYear`; without one it is an error, not a guess.
 */
export function parseTaskSheet(s: ReadSheet, planYear: number | null, errors: RowError[]): TaskDraft[] {
  const drafts: TaskDraft[] = [];
  const seenRefs = new Set<string>();
  let lastNum = 0;
  for (const row of s.rows) {
    if (isBlank(row) || isNote(row) || repeatsHeader(row, s.header)) continue;
    const r = rowReader(s, row, errors);
    const before = errors.length;
    const category = r.text('category');
    const contentRaw = r.text('content');
    const code = taskCode(r.text('code'));
    const seq = r.text('seq');
    if (!contentRaw && !category) {
      r.err(s.header.columns.content !== undefined ? 'content' : 'category', '任务内容为空');
      continue;
    }
    // "1.公布实施…": the item number inside the content is the task's number in the plan
    // "24.70%以上…": a digit may follow the dot when the number is the next one expected
    let numbered = contentRaw ? /^(\d{1,3})\s*[.．、](?!\d)\s*([^]*)$/.exec(contentRaw) : null;
    if (!numbered && contentRaw) {
      const m = /^(\d{1,3})\s*[.．、]\s*([^]*)$/.exec(contentRaw);
      if (m && Number(m[1]) === lastNum + 1) numbered = m;
    }
    if (numbered) lastNum = Number(numbered[1]);
    const content = numbered ? numbered[2].trim() : contentRaw;
    const body = content ?? category!;
    const stop = body.indexOf('。');
    const first = stop < 0 ? body : body.slice(0, stop);
    const title = first.length <= 40 ? first : (first.split(/[，,；;]/)[0] || first).slice(0, 60);

    let lead = splitUnits(r.text('lead'));
    let co = splitUnits(r.text('co'));
    const responsible = splitUnits(r.text('responsible'));
    if (s.header.columns.lead === undefined) {
      lead = responsible.slice(0, 1);
      co = [...co, ...responsible.slice(1)];
    } else co = [...co, ...responsible];
    if (lead.length === 0) {
      if (s.header.columns.lead !== undefined) r.err('lead', '缺少牵头单位');
      else r.err('responsible', '缺少责任单位（第一个责任单位视为牵头单位）');
    }

    const deadlines: DeadlineEntry[] = [];
    const dRaw = r.raw('deadline');
    const dText = r.text('deadline');
    if (dText) {
      const exact = parseDateValue(dRaw);
      // a date cell or an Excel serial number is recorded as its date, not as "44742"
      // (a serial typed into a csv arrives as text: digits only)
      if (exact) deadlines.push({ date: exact, text: typeof dRaw === 'string' && !/^\d+(\.\d+)?$/.test(dText) ? dText : exact, kind: 'date' });
      else {
        const d = parseDeadlineCell(dText, planYear);
        if ((d.kind === 'date' || d.kind === 'fuzzy') && d.date) deadlines.push({ date: d.date, text: d.text, kind: d.kind });
        else if (d.kind === 'date' || d.kind === 'fuzzy') r.err('deadline', `完成时限“${dText}”没有写明年份，请写明年份（如 2021年6月底前）或用 --year 指定计划年份`);
        else if (d.kind === 'start') r.err('deadline', `“${dText}”是开始时间，不是完成时限`);
        else if (deadlineUnreadable(d)) r.err('deadline', `完成时限“${dText}”无法识别：请写日期（如 2021-06-30、2021年6月底前、2021年二季度），没有时限的写“长期坚持”或留空`);
        else deadlines.push({ date: null, text: d.text, kind: d.kind });
      }
    } else deadlines.push(...findDeadlines(body, planYear, null));

    const ref = numbered ? numbered[1] : code ?? (seq && !seenRefs.has(seq) ? seq : `第${row.rowNumber}行`);
    if (seenRefs.has(ref)) r.err(numbered ? 'content' : code ? 'code' : 'seq', `编号“${ref}”在本表中重复`);
    seenRefs.add(ref);
    if (errors.length > before) continue;
    drafts.push({
      ref,
      code,
      category: content ? category : null,
      title,
      content: content ?? null,
      lead,
      co: co.filter((u) => !lead.includes(u)),
      deadlines,
      source: { file: s.file, sheet: s.sheet, row: row.rowNumber },
    });
  }
  return drafts;
}

/** One row of a progress return, validated. */
export interface ProgressRow {
  code: string;
  progressText: string | null;
  status: TaskStatus | null;
  completedOn: string | null;
  percent: number | null;
  reporter: string | null;
  notes: string | null;
  source: { file: string; sheet: string; row: number };
  cells: CellValue[];
}

const STATUS_WORDS: Record<string, TaskStatus> = {
  未启动: '未启动',
  未开始: '未启动',
  尚未启动: '未启动',
  推进中: '推进中',
  进行中: '推进中',
  正在推进: '推进中',
  已完成: '已完成',
  完成: '已完成',
  已办结: '已完成',
  受阻: '受阻',
  推进受阻: '受阻',
};

/** 状态 as departments write it; undefined when it is none of the four (or their usual synonyms). */
export function parseStatus(text: string): TaskStatus | undefined {
  return STATUS_WORDS[text.replace(/\s+/g, '')];
}

/** Rows of a progress return (任务编号, 进展情况, 状态, 完成时间, 填报单位), each checked on its own. */
export function parseProgressSheet(s: ReadSheet, errors: RowError[]): ProgressRow[] {
  const out: ProgressRow[] = [];
  const now = today();
  if (s.header.columns.code === undefined) {
    errors.push({ file: s.file, sheet: s.sheet, row: s.header.rowNumber, column: '', columnLetter: '', message: '缺少“任务编号”列' });
    return out;
  }
  for (const row of s.rows) {
    if (isBlank(row) || isNote(row) || repeatsHeader(row, s.header)) continue;
    const r = rowReader(s, row, errors);
    const before = errors.length;
    const code = taskCode(r.text('code'));
    if (!code) r.err('code', '任务编号为空');
    const statusText = r.text('status');
    const status = statusText ? parseStatus(statusText) : null;
    if (statusText && status === undefined) r.err('status', `状态“${statusText}”无法识别，应为：${TASK_STATUSES.join('、')}`);
    const doneText = r.text('completedOn');
    const completedOn = doneText ? parseDateValue(r.raw('completedOn')) : null;
    if (doneText && !completedOn) r.err('completedOn', `完成时间“${doneText}”不是日期（如 2021-03-31 或 2021年3月31日）`);
    else if (completedOn && completedOn > now) r.err('completedOn', `完成时间 ${completedOn} 晚于今天（${now}），尚未发生的完成不能登记`);
    if (status === '已完成' && !doneText) r.err('completedOn', '状态为“已完成”时须填写完成时间');
    if (completedOn && status && status !== '已完成') r.err('status', `填写了完成时间，状态却是“${status}”`);
    const pctText = r.text('percent');
    let percent: number | null = null;
    if (pctText) {
      const m = /^(\d{1,3}(?:\.\d+)?)\s*%?$/.exec(toHalfWidth(pctText));
      const v = m ? Number(m[1]) * (typeof r.raw('percent') === 'number' && Number(m[1]) <= 1 && !pctText.includes('%') ? 100 : 1) : NaN;
      if (!(v >= 0 && v <= 100)) r.err('percent', `完成进度“${pctText}”应为 0–100 的百分数`);
      else percent = Math.round(v);
    }
    if (errors.length > before) continue;
    out.push({
      code: code!,
      progressText: r.text('progressText'),
      status: status ?? null,
      completedOn,
      percent,
      reporter: r.text('reporter'),
      notes: r.text('notes'),
      source: { file: s.file, sheet: s.sheet, row: row.rowNumber },
      cells: row.cells,
    });
  }
  return out;
}

/** A task code as typed anywhere: full-width forms (ＰＤ－０８) and spaces inside do not make another code. */
export function taskCode(text: string | null): string | null {
  return text ? toHalfWidth(text).replace(/\s+/g, '') || null : null;
}
