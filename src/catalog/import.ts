import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../db';
import { nowIso, SQLITE_CHUNK } from '../db';
import { describeRowError, InputError, UsageError } from '../cli/errors';
import { readRows, formatOf } from '../io/read-rows';
import type { CellValue, SheetRow } from '../io/types';
import { noteCleaned, type CellRef } from '../io/cleaned';
import { refuseOverwritingInput, writeTable, type SheetData } from '../io/write';
import { cellText } from '../text/normalize';
import { catalogEngine, detectKind, FIELD_HEADERS, KIND_LABEL, mapHeader, titleText, type Field, type HeaderMap, type Kind } from './headers';
import type { HeaderEngine } from '../text/headers';
import { loadTaughtHeaders, parseMapFlags } from './header-store';
import { columnLetter, parseLevel, parseRow, type ParsedRow, type RowError, type RowRef, type SheetContext } from './parse';
import { CatalogWriter, emptyCounts, type CatalogChange, type CatalogCounts } from './writer';
import { withWriteRetry } from '../db/retry';
import { batchTransaction, inScratch, WRITTEN_TABLES } from '../db/scratch';
import { defaultActor } from '../settings/actor';
import { IMPORT_LOG_CHAIN, sealChained } from '../audit/chain';

/** How far down a sheet the header may sit (title rows, attachment labels, notes above the table). */
export const HEADER_SEARCH_ROWS = 30;
/** Rows buffered before they are written: one round of look-ups and one bulk insert each. */
const CHUNK_ROWS = SQLITE_CHUNK;
/** Rejected rows kept in full for the report; past this only the count grows. */
const MAX_KEPT_ERRORS = 50_000;

export type KindOption = 'auto' | Kind;

export interface ImportOptions {
  kind?: KindOption;
  sheet?: string;
  dryRun?: boolean;
  skipInvalid?: boolean;
  actor?: string;
  /** An .xlsx (or .csv) of the rejected rows with a 错误原因 column, to send back to the department. */
  reportPath?: string;
  /** `--map '计划发证时间=targetDate'`: header → field for this run, on top of the stored ones. */
  map?: string[];
  /** An unmapped column rejects the import (exit 3, nothing written). */
  strict?: boolean;
  onRows?: (n: number) => void;
  /** Set by importCatalog: the header engine with the office's taught mappings. */
  engine?: HeaderEngine<Field>;
}

/** A header cell no field of its sheet's kind reads: reported, never dropped silently. */
export interface UnmappedColumn {
  file: string;
  sheet: string;
  column: string;
  header: string;
}

export interface SheetSummary {
  file: string;
  sheet: string;
  kind: Kind;
  kindLabel: string;
  headerRow: number;
  rows: number;
  /** Each column with a header: the field it was read as (null: 未识别) and the unit its header states. */
  columns: Array<{ column: string; header: string; field: Field | null; unit: string | null }>;
}

export interface ImportResult extends CatalogCounts {
  errors: RowError[];
  /** Rejected rows beyond those listed in `errors` (kept short for very bad files). */
  errorsNotListed: number;
  /** Header cells not understood, in every file and sheet (present, possibly empty). */
  unmappedColumns: UnmappedColumn[];
  /** Cells from which control, format or bidi characters were removed on reading (issue 18; present, possibly empty). */
  controlsRemoved: CellRef[];
  files: Array<{ file: string; sha256: string; sheets: SheetSummary[]; skippedSheets: string[] }>;
  dryRun: boolean;
  /** True when the catalog was written (not a dry run, and either no errors or --skip-invalid). */
  committed: boolean;
  /** True when nothing in the catalog changed (a re-import of the same files). */
  noChange: boolean;
  reportPath?: string;
}

export interface DiffResult {
  changes: CatalogChange[];
  summary: CatalogCounts & { removed: { industries: number; matters: number; links: number } };
  errors: RowError[];
  /** Reminds that import itself never deletes. */
  removedNote?: string;
  /** Entries the files list on a rejected row: not under 移除, named with that row's error (src/catalog/diff-rejected.ts). */
  heldBack: HeldBackRemoval[];
}

import { holdBackRejected, type HeldBackRemoval } from './diff-rejected';

class Rollback extends Error {}

async function sha256(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Sheets of a file in reading order, with their header and kind, found as the rows stream past. */
interface PlannedFile {
  path: string;
  name: string;
  sha256: string;
  firstKind: Kind | undefined;
}

const KIND_ORDER: Record<Kind, number> = { industries: 0, matters: 1, materials: 2, combined: 3, links: 4 };

/** Peeks at the start of a file to learn its first sheet's kind, so files import in dependency order. */
async function peekKind(file: string, opts: ImportOptions): Promise<Kind | undefined> {
  if (opts.kind && opts.kind !== 'auto') return opts.kind;
  let seen = 0;
  const engine = opts.engine ?? catalogEngine();
  for await (const row of readRows(file, { sheet: opts.sheet })) {
    if (engine.score(row.cells) >= 2) return detectKind(mapHeader([row.cells], row.rowNumber, engine).columns);
    if (++seen >= HEADER_SEARCH_ROWS) break;
  }
  return undefined;
}

async function planFiles(files: string[], opts: ImportOptions): Promise<PlannedFile[]> {
  if (files.length === 0) throw new UsageError('请至少指定一个要导入的文件。', '例如：yiye catalog import 附件1-试点行业清单.xlsx');
  const planned: PlannedFile[] = [];
  for (const f of files) {
    if (fs.existsSync(f) && fs.statSync(f).isDirectory()) throw new InputError(`“${f}”是文件夹，不是文件。`, `请给出其中的文件，例如 ${path.join(f, '*.xlsx')}。`, undefined, 'FILE_NOT_FOUND');
    if (!fs.existsSync(f) || !fs.statSync(f).isFile()) throw new InputError(`找不到文件“${f}”。`, '请检查路径是否正确。', undefined, 'FILE_NOT_FOUND');
    formatOf(f); // refuses .xls and unknown types before anything is read
    // The kind only orders several files; a single file needs no peek (for xlsx it costs a pass).
    planned.push({ path: f, name: path.basename(f), sha256: await sha256(f), firstKind: files.length > 1 ? await peekKind(f, opts) : undefined });
  }
  // Industries before matters before links, so links can name what the same batch brings.
  return planned
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (KIND_ORDER[a.p.firstKind ?? 'links'] - KIND_ORDER[b.p.firstKind ?? 'links']) || a.i - b.i)
    .map((x) => x.p);
}

interface RejectedSheet {
  labels: string[];
  rows: Array<{ row: number; cells: CellValue[]; reasons: string[] }>;
}

/**
 * Streams every sheet of every file through the parser into `writer`, collecting rejected rows.
 * Each sheet's header is found in its first rows; sheets without one (instructions, blank sheets)
 * are skipped and listed.
 */
async function processFiles(planned: PlannedFile[], opts: ImportOptions, writer: CatalogWriter, rejected: Map<string, RejectedSheet>) {
  const engine = opts.engine ?? catalogEngine();
  const headerScore = (cells: CellValue[]) => engine.score(cells);
  const unmappedColumns: UnmappedColumn[] = [];
  const controlsRemoved: CellRef[] = [];
  const summaries: ImportResult['files'] = [];
  const errors: RowError[] = [];
  let errorsNotListed = 0;
  const reject = (ctxLabels: string[], key: string, row: number, cells: CellValue[], errs: RowError[]) => {
    for (const e of errs) {
      if (errors.length < MAX_KEPT_ERRORS) errors.push(e);
      else errorsNotListed++;
    }
    let sheet = rejected.get(key);
    if (!sheet) rejected.set(key, (sheet = { labels: ctxLabels, rows: [] }));
    const existing = sheet.rows.find((r) => r.row === row);
    const reasons = errs.map((e) => (e.column ? `【${e.column}】${e.message}` : e.message));
    if (existing) existing.reasons.push(...reasons);
    else if (sheet.rows.length < MAX_KEPT_ERRORS) sheet.rows.push({ row, cells, reasons });
  };

  for (const file of planned) {
    const sheets: SheetSummary[] = [];
    const skippedSheets: string[] = [];
    let current: { name: string; pre: SheetRow[]; ctx?: SheetContext; rows: number; chunk: Array<{ parsed: ParsedRow; cells: CellValue[] }> } | undefined;

    // One chunk is written while the next is read and parsed: the database works in its own
    // thread (sqlite3) or process (PostgreSQL), so the two overlap. Writes stay in order.
    let inFlight: Promise<void> = Promise.resolve();
    const flush = async () => {
      await inFlight;
      if (!current?.ctx || current.chunk.length === 0) return;
      const ctx = current.ctx;
      const chunk = current.chunk;
      current.chunk = [];
      const write = writer.write(chunk.map((c) => c.parsed)).then((failed) => {
        for (const [i, errs] of failed) {
          const rowErrors = errs.map((e) => columnError(ctx, chunk[i].parsed.ref, e.field, e.message));
          reject(ctx.header.labels, `${ctx.file}\u0000${ctx.sheet}`, chunk[i].parsed.ref.row, chunk[i].cells, rowErrors);
        }
      });
      write.catch(() => {}); // awaited at the next flush; this only keeps a failure from going unhandled meanwhile
      inFlight = write;
    };
    const finishSheet = async () => {
      if (!current) return;
      await flush();
      await inFlight;
      if (current.ctx) {
        const h = current.ctx.header;
        sheets.push({
          file: file.name,
          sheet: current.name,
          kind: current.ctx.kind,
          kindLabel: KIND_LABEL[current.ctx.kind],
          headerRow: h.rowNumber,
          rows: current.rows,
          columns: h.all.map((c) => ({ column: c.column, header: c.header, field: c.field, unit: c.unit })),
        });
        for (const u of h.unmapped) unmappedColumns.push({ file: file.name, sheet: current.name, column: u.column, header: u.header });
      }
      else skippedSheets.push(current.name);
      if (opts.sheet && !current.ctx) {
        throw new InputError(`在“${file.name}”的工作表“${current.name}”前 ${HEADER_SEARCH_ROWS} 行中找不到表头。`, '表头应包含“行业名称”“事项名称”“改革方式”等列名；请核对文件，或用 --kind 指定目录类型。', undefined, 'NO_HEADER');
      }
    };
    const startContext = (pre: SheetRow[], headerIdx: number, name: string) => sheetContext(file.name, name, pre, headerIdx, engine, opts.kind);
    const handleRow = async (row: SheetRow) => {
      const cur = current!;
      if (cur.ctx) {
        if (row.rowNumber <= cur.ctx.header.rowNumber) return;
        const res = parseRow(cur.ctx, row.rowNumber, row.cells);
        if (!res) return;
        cur.rows++;
        if (res.errors.length) reject(cur.ctx.header.labels, `${cur.ctx.file}\u0000${cur.ctx.sheet}`, row.rowNumber, row.cells, res.errors);
        else if (res.row) {
          cur.chunk.push({ parsed: res.row, cells: row.cells });
          if (cur.chunk.length >= CHUNK_ROWS) await flush();
        }
        if (cur.rows % 1000 === 0) opts.onRows?.(1000);
        return;
      }
      cur.pre.push(row);
      const idx = cur.pre.findIndex((r) => headerScore(r.cells) >= 2);
      if (idx >= 0 && (cur.pre.length > idx + 1 || cur.pre.length >= HEADER_SEARCH_ROWS)) {
        // wait one row past the header to see whether the header has a second row
        cur.ctx = startContext(cur.pre, idx, cur.name);
        const buffered = cur.pre;
        cur.pre = [];
        if (cur.ctx) for (const r of buffered) await handleRow(r);
      } else if (cur.pre.length >= HEADER_SEARCH_ROWS) {
        cur.pre = [];
      }
    };

    for await (const row of readRows(file.path, { sheet: opts.sheet })) {
      noteCleaned(controlsRemoved, file.name, row);
      if (!current || current.name !== row.sheet) {
        await finishSheet();
        current = { name: row.sheet, pre: [], rows: 0, chunk: [] };
      }
      await handleRow(row);
    }
    // a header found on the very last buffered row
    if (current && !current.ctx && current.pre.length) {
      const idx = current.pre.findIndex((r) => headerScore(r.cells) >= 2);
      if (idx >= 0) {
        current.ctx = startContext(current.pre, idx, current.name);
        const buffered = current.pre;
        current.pre = [];
        if (current.ctx) for (const r of buffered) await handleRow(r);
      }
    }
    await finishSheet();
    await inFlight;
    if (sheets.length === 0) {
      throw new InputError(
        `“${file.name}”中没有可识别的目录表：未找到包含“行业名称”“事项名称”等列名的表头。`,
        '请确认表头行的列名（见 README“列名对照”），或用 --kind 指定目录类型。',
        { file: file.name, skippedSheets },
        'NO_HEADER',
      );
    }
    summaries.push({ file: file.name, sha256: file.sha256, sheets, skippedSheets });
  }
  if (opts.strict && unmappedColumns.length) throw new UnmappedRejected(unmappedColumns);
  // Writer errors arrive a chunk late (writing overlaps parsing): list errors in reading order.
  const order = new Map(summaries.flatMap((f) => f.sheets.map((sh) => `${f.file}\u0000${sh.sheet}`)).map((k, i) => [k, i]));
  errors.sort((a, b) => (order.get(`${a.file}\u0000${a.sheet}`) ?? 0) - (order.get(`${b.file}\u0000${b.sheet}`) ?? 0) || a.row - b.row);
  return { summaries, errors, errorsNotListed, unmappedColumns, controlsRemoved };
}

/**
 * A sheet's header and kind, from the rows read so far (`pre`, the header at `headerIdx`): the row
 * below joins the header when it is the lower row of a two-row header. Undefined when the header
 * names no kind of catalog (an instructions sheet).
 */
export function sheetContext(fileName: string, sheetName: string, pre: SheetRow[], headerIdx: number, engine: HeaderEngine<Field>, kindOpt?: KindOption): SheetContext | undefined {
  const headerRows = [pre[headerIdx]];
  const next = pre[headerIdx + 1];
  if (next && (engine.score(next.cells, { exactOnly: true }) >= 2 || engine.isSecondRow(pre[headerIdx].cells, next.cells))) headerRows.push(next);
  const cells = headerRows.map((r) => r.cells);
  const rowNumber = headerRows[headerRows.length - 1].rowNumber;
  const kind = kindOpt && kindOpt !== 'auto' ? kindOpt : detectKind(mapHeader(cells, rowNumber, engine).columns);
  if (!kind) return undefined;
  // mapped again for the kind: a column naming a field this kind does not read is 未识别
  const header: HeaderMap = mapHeader(cells, rowNumber, engine, kind);
  const title = titleText(pre.slice(0, headerIdx));
  return { file: fileName, sheet: sheetName, kind, header, sheetLevel: parseLevel(sheetName, true) ?? parseLevel(title, true) ?? null };
}

/** The header engine of one run: the office's stored mappings, then this run's `--map`, over the built-in vocabulary. */
export async function engineFor(db: Db, opts: Pick<ImportOptions, 'engine' | 'map'>): Promise<HeaderEngine<Field>> {
  return opts.engine ?? catalogEngine([...(await loadTaughtHeaders(db)), ...parseMapFlags(opts.map ?? [])]);
}

/** `--strict` and a column not understood: the import stops before anything is committed. */
class UnmappedRejected extends Error {
  constructor(readonly columns: UnmappedColumn[]) {
    super('unmapped columns');
  }
}

/** One line per column not understood: 文件 工作表 G列“联系人”. */
export function unmappedLines(cols: UnmappedColumn[]): string[] {
  return cols.map((u) => `“${u.file}” 工作表“${u.sheet}” ${u.column}列“${u.header}”`);
}

function unmappedSheet(cols: UnmappedColumn[]): SheetData {
  return { name: '未识别的列', header: ['来源文件', '工作表', '列', '表头', '说明'], rows: cols.map((u) => [u.file, u.sheet, u.column, u.header, '未识别：该列未导入。可用 --map "表头=字段" 或 yiye catalog headers add 指定对应字段']) };
}

function reportSheets(rejected: Map<string, RejectedSheet>): SheetData[] {
  return [...rejected.entries()].map(([key, s]) => {
    const [file, sheet] = key.split('\u0000');
    const width = Math.max(s.labels.length, ...s.rows.map((r) => r.cells.length));
    const header = ['来源文件', '工作表', '行号', ...Array.from({ length: width }, (_, i) => s.labels[i] || `第${i + 1}列`), '错误原因'];
    return {
      name: `${path.basename(file, path.extname(file))}-${sheet}`,
      header,
      rows: s.rows.map((r) => [file, sheet, r.row, ...Array.from({ length: width }, (_, i) => r.cells[i] ?? null), r.reasons.join('；')]),
    };
  });
}

/**
 * Imports catalog files (xlsx or csv) in one transaction. All-or-nothing by default: any rejected
 * row rolls everything back and throws an InputError (exit 3) listing each row's file, sheet, row,
 * column and reason. With `skipInvalid` the good rows are written and the rejected ones reported.
 * Re-importing the same files changes nothing; a changed file updates in place (by code, else name).
 */
export async function importCatalog(db: Db, files: string[], opts: ImportOptions = {}): Promise<ImportResult> {
  refuseOverwritingInput(opts.reportPath, files, '--report');
  opts = { ...opts, engine: await engineFor(db, opts) };
  const planned = await planFiles(files, opts);
  const rejected = new Map<string, RejectedSheet>();
  let result: ImportResult | undefined;
  // A try that lost a race with another process runs again from the start (files re-read).
  const attempt = async () => {
    rejected.clear();
    try {
      await batchTransaction(db, opts.dryRun, WRITTEN_TABLES.catalog, async (trx: Knex.Transaction) => {
        const startedAt = nowIso();
        const logIds: number[] = [];
        for (const f of planned) {
          const [row] = await trx('import_log')
            .insert({ file_name: f.name, sha256: f.sha256, actor: opts.actor ?? defaultActor(), started_at: startedAt, status: '进行中', counts: '{}' })
            .returning('id');
          logIds.push(typeof row === 'object' ? (row as { id: number }).id : (row as number));
        }
        const writer = await CatalogWriter.open(trx, logIds[0], false);
        const { summaries, errors, errorsNotListed, unmappedColumns, controlsRemoved } = await processFiles(planned, opts, writer, rejected);
        const counts = writer.counts;
        const failed = errors.length + errorsNotListed > 0;
        const commit = !opts.dryRun && (!failed || !!opts.skipInvalid);
        result = {
          ...counts,
          errors,
          errorsNotListed,
          unmappedColumns,
          controlsRemoved,
          files: summaries,
          dryRun: !!opts.dryRun,
          committed: commit,
          noChange: isNoChange(counts),
        };
        if (!commit) throw new Rollback();
        const status = failed ? '部分成功' : '成功';
        await trx('import_log')
          .whereIn('id', logIds)
          .update({ finished_at: nowIso(), status, counts: JSON.stringify({ ...counts, rejectedRows: errors.length + errorsNotListed }) });
        await sealChained(trx, IMPORT_LOG_CHAIN.name, logIds); // into the hash-chained audit log, frozen from now on
      });
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
    }
  };
  let strictRefusal: UnmappedRejected | undefined;
  await withWriteRetry(async () => {
    try {
      await attempt();
    } catch (err) {
      if (!(err instanceof UnmappedRejected)) throw err;
      strictRefusal = err;
    }
  });
  if (strictRefusal) {
    const cols = strictRefusal.columns;
    if (opts.reportPath) await writeTable(opts.reportPath, [unmappedSheet(cols)]);
    throw new InputError(
      `导入被拒绝（--strict）：${cols.length} 列表头未能识别，目录未作任何修改：\n${unmappedLines(cols).join('\n')}`,
      '用 --map "表头=字段" 或 yiye catalog headers add <表头> <字段> 指定对应字段（字段见 yiye catalog headers fields）；不需要的列去掉 --strict 即可忽略。',
      { unmappedColumns: cols, reportPath: opts.reportPath ?? null },
      'UNMAPPED_COLUMNS',
    );
  }
  const res = result!;
  if (opts.reportPath && (rejected.size > 0 || res.unmappedColumns.length > 0)) {
    await writeTable(opts.reportPath, [...reportSheets(rejected), ...(res.unmappedColumns.length ? [unmappedSheet(res.unmappedColumns)] : [])]);
    res.reportPath = opts.reportPath;
  }
  if (res.errors.length > 0 && !opts.skipInvalid && !opts.dryRun) {
    const n = res.errors.length + res.errorsNotListed;
    const first = res.errors[0];
    throw new InputError(
      `导入被拒绝：${n} 处错误，目录未作任何修改。首个错误：${describeError(first)}`,
      res.reportPath
        ? `已将被拒绝的行及错误原因写入“${res.reportPath}”，可退回填报部门修改；或加 --skip-invalid 只导入有效行。`
        : '加 --report 错误清单.xlsx 可导出被拒绝的行及错误原因；或加 --skip-invalid 只导入有效行。',
      { errors: res.errors, errorsNotListed: res.errorsNotListed, unmappedColumns: res.unmappedColumns, reportPath: res.reportPath ?? null },
    );
  }
  return res;
}

/**
 * What importing the files would add, change (field by field) and remove, without writing. Removal
 * is reported for what the files cover: industries when they hold an industry list, matters of the
 * levels they list, and the links of the industries they list links for.
 */
export async function diffCatalog(db: Db, files: string[], opts: Omit<ImportOptions, 'dryRun' | 'skipInvalid' | 'reportPath'> = {}): Promise<DiffResult> {
  opts = { ...opts, engine: await engineFor(db, opts) };
  const planned = await planFiles(files, opts);
  let result: DiffResult | undefined;
  try {
    await inScratch(db, WRITTEN_TABLES.catalog, async (trx: Knex.Transaction) => {
      const [row] = await trx('import_log')
        .insert({ file_name: '(diff)', sha256: '', actor: opts.actor ?? defaultActor(), started_at: nowIso(), status: '预览', counts: '{}' })
        .returning('id');
      const batchId = typeof row === 'object' ? (row as { id: number }).id : (row as number);
      const writer = await CatalogWriter.open(trx, batchId, true);
      const rejected = new Map<string, RejectedSheet>();
      const { errors } = await processFiles(planned, opts, writer, rejected);
      // a matter whose row was rejected is listed (wrongly), not removed: an error, not under 移除
      const { removed, heldBack } = await holdBackRejected(trx, await writer.removals(), [...rejected].map(([k, v]) => ({ file: k.split('\u0000')[0], sheet: k.split('\u0000')[1], rows: v.rows })));
      result = {
        changes: [...writer.changes, ...removed],
        summary: {
          ...writer.counts,
          removed: {
            industries: removed.filter((c) => c.kind === 'industries').length,
            matters: removed.filter((c) => c.kind === 'matters').length,
            links: removed.filter((c) => c.kind === 'links').length,
          },
        },
        errors,
        heldBack,
        removedNote: removed.length ? '注：“移除”仅为提示，catalog import 不会删除现有条目。' : undefined,
      };
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return result!;
}

/** An error about a field, named by the sheet's own column header and letter. */
function columnError(ctx: SheetContext, ref: RowRef, field: Field | '', message: string): RowError {
  const c = field === '' ? undefined : ctx.header.columns[field];
  const fallback = field === '' ? '' : FIELD_HEADERS[field][0];
  return { ...ref, column: c === undefined ? fallback : ctx.header.labels[c], columnLetter: c === undefined ? '' : columnLetter(c), message };
}

export const describeError: (e: RowError) => string = describeRowError;

function isNoChange(c: CatalogCounts): boolean {
  return (['industries', 'matters', 'links', 'materials'] as const).every((k) => c[k].inserted === 0 && c[k].updated === 0 && (c[k].removed ?? 0) === 0);
}


export { emptyCounts, cellText };
