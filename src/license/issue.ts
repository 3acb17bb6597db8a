/**
 * `yiye license issue`: a day's approved applications (xlsx or csv) become 行业综合许可证 in one
 * transaction — validated row by row, numbered without gaps per year and industry, signed, stored
 * with their items, and logged. The file is streamed through the transaction 500 rows at a time, so
 * reading, signing and writing overlap and memory does not grow with the batch.
 */
import type { Knex } from 'knex';
import type { Db } from '../db';
import { nowIso, SQLITE_CHUNK } from '../db';
import { InputError, ConflictError, ExitCode } from '../cli/errors';
import type { CellValue } from '../io/types';
import type { CellRef } from '../io/cleaned';
import { isCellError } from '../io/types';
import { cellText, normalizeText, splitList } from '../text/normalize';
import { parseDateValue } from '../text/dates';
import { readSettings } from '../settings/service';
import { refuseOverwritingInput } from '../io/write';
import { normalizeUscc, validateUscc } from './uscc';
import { bulkInsert, businessKey, CatalogIndex, createBatch, dropBatchIfEmpty, finishBatch, issuedByApplication, lockIssuing, NumberSequences, premisesKey, validLicensesOf, type CatalogIndustry, type CatalogMatter, type IssuedApplication } from './store';
import { formatNumber, maxSeq, parsePattern, sequenceKey } from './numbering';
import { assignMissingCodes } from '../catalog/codes';
import { openSigner } from './signer';
import { detach, fieldError, openTable, readAhead, type TableRow, type TableSheet, type TableStream } from './table';
import { reasonsText, resultColumns, ResultsSpool, type SpooledRow } from './results';
import type { BatchRowError } from './types';
import { cellTextQuick, refuseFutureDate, validityEnd, withWriteRetry } from './util';
import { defaultActor } from '../settings/actor';
import { ChainCursor, LICENSE_EVENTS_CHAIN } from '../audit/chain';
import { readOnly } from '../db/retry';

/** Column names of an application batch (any of, first preferred). */
export const ISSUE_FIELDS = {
  applicationNo: ['申请编号', '申请号', '受理编号', '办件编号', '业务编号', '申请流水号'],
  holderName: ['经营者名称', '市场主体名称', '企业名称', '单位名称', '申请人名称', '申请人'],
  uscc: ['统一社会信用代码', '社会信用代码', '信用代码'],
  legalRep: ['法定代表人（负责人）', '法定代表人/负责人', '法定代表人', '负责人', '法人代表', '经营者姓名'],
  industry: ['行业类别', '行业', '行业名称', '试点行业', '申请行业', '所属行业'],
  premises: ['经营场所', '经营地址', '营业场所', '经营场所地址'],
  items: ['许可项目', '许可事项', '申请事项', '涉及许可事项'],
  permitNos: ['单项许可证号', '单项许可证编号', '单项许可证'],
  itemExpiry: ['有效期至', '单项有效期至', '有效期', '到期日期', '有效截止日期'],
} as const;
export type IssueField = keyof typeof ISSUE_FIELDS;

/**
 * Columns the results file adds (原工作表 only for a workbook of several sheets); a results file fed
 * back has them replaced, not doubled. 原行号 is the row in the file issued from: the results file
 * leaves out title, note and 合计 rows, so its own row numbers differ.
 */
const RESULT_COLUMNS = ['原工作表', '原行号', '处理结果', '许可证编号', '错误原因'];

export interface IssueOptions {
  /** 制证日期 (YYYY-MM-DD) */
  date: string;
  actor?: string;
  dryRun?: boolean;
  skipInvalid?: boolean;
  /** .xlsx or .csv: every row with 原行号 (and 原工作表), 处理结果, 许可证编号 and 错误原因 */
  resultsPath?: string;
  /** The private key file (resolved by the command). */
  keyFile: string;
  /** Called as rows are processed, with how many more (for a progress display). */
  onRows?: (n: number) => void;
}

export interface IssuedRow {
  row: number;
  sheet: string;
  applicationNo: string;
  number: string;
}

export interface HolderWarning {
  row: number;
  sheet: string;
  applicationNo: string;
  uscc: string;
  holderName: string;
  otherHolderName: string;
  /** the valid licence held under the other name; null when the other name came earlier in this batch */
  otherNumber: string | null;
  message: string;
}

/** A row a dry run found issuable: numbers are allocated only when the batch is really issued. */
export interface WouldIssueRow {
  row: number;
  sheet: string;
  applicationNo: string;
}

export interface IssueResult {
  file: string;
  date: string;
  issued: IssuedRow[];
  /** --dry-run: the rows that passed every check and would be issued (empty otherwise). */
  wouldIssue: WouldIssueRow[];
  /** Applications issued earlier (re-run of a batch): nothing new was issued for them. */
  existing: IssuedRow[];
  rejected: BatchRowError[];
  /** Issued (or issuable) rows whose 统一社会信用代码 already holds a licence under another holder name: warned, not refused. */
  warnings: HolderWarning[];
  dryRun: boolean;
  committed: boolean;
  batchId: number | null;
  resultsPath?: string;
  /** --dry-run that found rows the real run would reject (without --skip-invalid): the real run's exit code (3); the command exits with it too. */
  wouldExit?: number;
  /** --dry-run: each sheet's columns → fields with their first values (the import engine's column table). */
  sheets?: Array<{ sheet: string; headerRow: number; columns: TableSheet['columns'] }>;
  /** Cells cleaned of control, format or bidi characters on reading (src/io/cleaned.ts; present, possibly empty). */
  controlsRemoved: CellRef[];
}

/** One application after its own checks, before the database is consulted. */
interface Application {
  r: TableRow<IssueField>;
  applicationNo: string;
  holderName: string;
  uscc: string;
  legalRep: string;
  industry: CatalogIndustry;
  premises: string;
  premisesKey: string;
  items: Array<{ matter: CatalogMatter; permitNo: string | null; validUntil: string | null }>;
  validUntil: string;
}

/** Items listed in one cell: split on ；, line breaks, commas and 、 — but a 、 inside a known matter name (“投入使用、营业前…”) stays. */
function splitItems(text: string, catalog: CatalogIndex): string[] {
  const out: string[] = [];
  // 、 is held back from the generic list splitter (except in "1、" numbering) and decided here
  const HELD = '\u0001';
  for (const part of splitList(text.replace(/(?<!\d)、/g, HELD)).flatMap((p) => p.split(/[，,]/))) {
    const tokens = part.split(HELD).map((t) => t.trim()).filter(Boolean);
    for (let i = 0; i < tokens.length; ) {
      // the longest run of tokens that names a known matter, else the token alone
      let taken = 1;
      for (let j = tokens.length; j > i + 1; j--) {
        if (catalog.matter(tokens.slice(i, j).join('、'))) {
          taken = j - i;
          break;
        }
      }
      out.push(tokens.slice(i, i + taken).join('、'));
      i += taken;
    }
  }
  return out;
}

/** Distinct item cells remembered per batch: a day's applications repeat a few hundred combinations. */
const ITEM_MEMO_LIMIT = 10_000;

function splitPlain(v: CellValue): string[] {
  const t = cellTextQuick(v);
  return t ? t.split(/[\n；;，,、]+/).map((x) => x.trim()).filter(Boolean) : [];
}

/**
 * A row that failed its own checks, as far as it can still be recognised: a re-run on a later day
 * may fail checks it passed when it was issued (an item's expiry now before the 制证日期), and is
 * still the same application when its 申请编号, holder code and industry match the licence's.
 */
interface FailedRow {
  failed: true;
  applicationNo: string;
  uscc: string;
  /** null when the row names no industry of the catalog */
  industryId: number | null;
}

/** The row's own checks (required fields, code, industry, items, dates); a FailedRow with errors pushed when it fails. */
function checkRow(r: TableRow<IssueField>, ctx: CheckContext, exceptions: Set<string>, errors: BatchRowError[]): Application | FailedRow {
  const { catalog, date } = ctx;
  const before = errors.length;
  const text = (f: IssueField): string | null => {
    const v = r.get(f);
    if (isCellError(v)) {
      errors.push(fieldError(r, f, `单元格是 Excel 错误值 ${v.error}。`));
      return null;
    }
    return cellTextQuick(v);
  };
  const required = (f: IssueField, label: string): string => {
    const t = text(f);
    if (!t) errors.push(fieldError(r, f, `${label}不能为空。`));
    return t ?? '';
  };
  // kept for the whole batch (duplicate check, results): detached from the workbook's text
  const applicationNo = detach(required('applicationNo', '申请编号'));
  const holderName = required('holderName', '经营者名称');
  // spaces inside and lowercase letters are typing, not a different code: checked and stored normalised
  const usccText = normalizeUscc(required('uscc', '统一社会信用代码'));
  const legalRep = required('legalRep', '法定代表人（负责人）');
  const industryText = required('industry', '行业类别');
  const premises = required('premises', '经营场所');
  const itemsText = required('items', '许可项目');

  let uscc = usccText;
  if (usccText) {
    const res = validateUscc(usccText, exceptions);
    if (!res.ok) errors.push(fieldError(r, 'uscc', `“${usccText}”：${res.message}`));
    else uscc = res.code;
  }

  const industry = industryText ? catalog.industry(industryText) : undefined;
  if (industryText && !industry) errors.push(fieldError(r, 'industry', `试点行业目录中没有“${industryText}”。`));

  const items: Application['items'] = [];
  if (itemsText && industry) {
    let names = ctx.items.get(itemsText);
    if (!names) {
      if (ctx.items.size >= ITEM_MEMO_LIMIT) ctx.items.clear();
      names = splitItems(itemsText, catalog);
      ctx.items.set(itemsText, names);
    }
    const permitNos = splitPlain(r.get('permitNos'));
    // a date cell or serial number is one date; text may list one date per item
    const expiryCell = r.get('itemExpiry');
    const expiryValues: CellValue[] = typeof expiryCell === 'string' || expiryCell === null ? splitPlain(expiryCell) : [expiryCell];
    if (permitNos.length > 0 && permitNos.length !== names.length) {
      errors.push(fieldError(r, 'permitNos', `单项许可证号有 ${permitNos.length} 个，许可项目有 ${names.length} 个，应一一对应（用“；”分隔，与许可项目顺序相同）。`));
    }
    if (expiryValues.length > 0 && expiryValues.length !== names.length) {
      errors.push(fieldError(r, 'itemExpiry', `有效期至有 ${expiryValues.length} 个，许可项目有 ${names.length} 个，应一一对应（用“；”分隔，与许可项目顺序相同）。`));
    }
    const seen = new Set<number>();
    names.forEach((name, i) => {
      const matter = catalog.matter(name);
      if (!matter) {
        errors.push(fieldError(r, 'items', `许可事项目录中没有“${name}”。`));
        return;
      }
      if (!industry.links.has(matter.id)) {
        errors.push(fieldError(r, 'items', `“${matter.name}”不属于行业“${industry.name}”的许可事项。`));
        return;
      }
      if (seen.has(matter.id)) {
        errors.push(fieldError(r, 'items', `许可项目“${matter.name}”重复。`));
        return;
      }
      seen.add(matter.id);
      let validUntil: string | null = null;
      if (expiryValues.length === names.length) {
        validUntil = parseDateValue(expiryValues[i]);
        if (!validUntil) errors.push(fieldError(r, 'itemExpiry', `“${cellText(expiryValues[i])}”不是有效日期（如 2026-12-31）。`));
        else if (validUntil < date) errors.push(fieldError(r, 'itemExpiry', `“${matter.name}”的有效期至 ${validUntil} 早于制证日期 ${date}，该许可已过期。`));
      }
      items.push({ matter, permitNo: permitNos.length === names.length ? permitNos[i] : null, validUntil });
    });
    const missing = catalog.mandatory(industry).filter((m) => !seen.has(m.id));
    if (missing.length) errors.push(fieldError(r, 'items', `缺少行业“${industry.name}”的必办事项：${missing.map((m) => m.name).join('、')}。`));
  }

  if (errors.length > before || !industry) return { failed: true, applicationNo, uscc, industryId: industry?.id ?? null };
  const itemEnds = items.map((i) => i.validUntil).filter((x): x is string => !!x).sort();
  return {
    r,
    applicationNo,
    holderName,
    uscc,
    legalRep,
    industry,
    premises,
    premisesKey: premisesKey(premises),
    items,
    validUntil: itemEnds[0] ?? ctx.defaultValidUntil,
  };
}

class Rollback extends Error {}

/** Rows validated, looked up, numbered, signed and written together (SQLite's statement size). */
const CHUNK = SQLITE_CHUNK;

/** Where a row is, compactly: sheet index and row number in one number (a batch-wide map holds 100k of them). */
const rowRef = (sheetIndex: number, row: number) => sheetIndex * 1e9 + row;

/**
 * Issues the licences of an application batch. All-or-nothing by default: a rejected row rolls the
 * batch back and throws an InputError (exit 3) whose details list each row's file, sheet, row,
 * column and reason. `skipInvalid` issues the good rows and reports the rest. Re-running a batch
 * issues nothing new: rows whose 申请编号 was issued before to the same holder code and industry are
 * returned under `existing` with their numbers, even if they would now fail a check (a re-run on a
 * later day); a 申请编号 issued before to another holder or industry rejects the row. A dry run lists
 * the rows that would be issued under `wouldIssue`. A 制证日期 after today, or a results path that is
 * the input file, is a usage error (exit 2). Safe to run in two processes at once on the same
 * database (numbers neither repeat nor skip).
 *
 * The file is streamed: rows are read, validated, looked up, numbered, signed and inserted 500 at a
 * time inside the one transaction, so memory does not grow with the batch beyond the result lists
 * and the 申请编号 and business keys seen (for duplicates within the batch). When a row is rejected
 * without --skip-invalid, the rest of the file is still checked (every error is reported) but no
 * longer written, and the transaction rolls back.
 */
export async function issueLicenses(db: Db, file: string, opts: IssueOptions): Promise<IssueResult> {
  refuseFutureDate(opts.date, '制证日期');
  refuseOverwritingInput(opts.resultsPath, [file], '--results');
  await assignMissingCodes(db); // every industry has a 行业编码 to number by (src/catalog/codes.ts)
  const catalog = await CatalogIndex.load(db);
  if (catalog.industries.length === 0) {
    throw new ConflictError('试点行业目录为空，无法发证。', '请先用 `yiye catalog import` 导入试点行业、事项目录和行业事项对应表。');
  }
  const table = await openTable(file, ISSUE_FIELDS, { what: '发证申请', minFields: 4 });
  const settings = await readSettings(db);
  const pattern = parsePattern(settings.licenseNumberPattern);
  const signer = opts.dryRun ? null : await openSigner(db, opts.keyFile);
  const actor = opts.actor ?? defaultActor();
  const year = Number(opts.date.slice(0, 4));

  let result!: IssueResult;
  let spool: ResultsSpool | null = null;
  // A retried transaction reads the file again: the progress shown only moves past rows not yet counted.
  let rowsReported = 0;

  const attempt = async () => {
    await spool?.discard();
    spool = opts.resultsPath ? ResultsSpool.create() : null;
    const results = spool;
    let rowsSeen = 0;
    try {
      // A dry run only reads, in a read-only transaction (a checking role can run it; SQLite takes no
      // write lock): no issuing lock, no batch row, no audit chain.
      await (opts.dryRun ? readOnly : (d: Db, f: (t: Knex.Transaction) => Promise<void>) => d.transaction(f))(db, async (trx) => {
        if (!opts.dryRun) await lockIssuing(trx);
        // First statement a write: on SQLite it takes the database's write lock now (waiting out the
        // busy timeout), so everything read below is what this batch will write against.
        const batchId = opts.dryRun ? 0 : await createBatch(trx, 'issue', actor, { name: table.file, sha256: table.sha256 });
        // The audit chain's head, locked and read once: the batch links its events in memory.
        const chain = opts.dryRun ? (null as unknown as ChainCursor) : await ChainCursor.open(trx, LICENSE_EVENTS_CHAIN.name);
        const batch: BatchState = {
          trx,
          exceptions: new Set<string>((await trx('uscc_exceptions').pluck('code')) as string[]),
          firstApp: new Map(),
          firstBusiness: new Map(),
          holderOf: new Map(),
          rejectedRows: 0,
          sequences: new NumberSequences(),
          results,
        };
        const issued: IssuedRow[] = [];
        result = { file: table.file, date: opts.date, issued, wouldIssue: [], existing: [], rejected: [], warnings: [], dryRun: !!opts.dryRun, committed: false, batchId: null, controlsRemoved: [] };
        const ctx: WriteContext = { pattern, region: settings.regionCode, year, date: opts.date, signer: signer!, actor, batchId, file: table.file, sha256: table.sha256, now: nowIso(), chain };
        const check: CheckContext = { catalog, date: opts.date, defaultValidUntil: validityEnd(opts.date, settings.defaultValidityYears), items: new Map() };

        // A pipeline of chunks: while the main thread reads and checks chunk k+1, chunk k is signed
        // (the signing thread) and chunk k-1 inserted (the driver's thread). The connection serves
        // one statement at a time, in the order look-ups of k, inserts of k-1, look-ups of k+1 …:
        // look-ups never need the previous chunk's rows (duplicates within the batch are caught
        // in memory), and inserts wait for their chunk's signatures.
        let writing: Promise<void> = Promise.resolve();
        let queued: { apps: Application[]; numbers: Map<TableRow<IssueField>, string>; signing: Promise<Signed[]> } | null = null;
        const insertQueued = () => {
          const q = queued;
          queued = null;
          if (!q) return Promise.resolve();
          const p = q.signing.then((signed) => insertChunk(trx, q.apps, q.numbers, signed, ctx));
          p.catch(() => undefined); // awaited before the next statement; not "unhandled" meanwhile
          return p;
        };
        try {
          for await (const chunk of readAhead(table.rows(), CHUNK)) {
            const checked = checkChunk(batch, table, chunk, check);
            await writing;
            const good = await lookUpChunk(batch, checked, result, catalog);
            if (opts.dryRun) for (const a of good) result.wouldIssue.push({ row: a.r.row, sheet: a.r.sheet, applicationNo: a.applicationNo });
            // Writing stops at the first rejected row unless --skip-invalid: the batch will roll back.
            const write = !opts.dryRun && (result.rejected.length === 0 || !!opts.skipInvalid);
            const numbers = write ? await numberChunk(batch.trx, batch.sequences, good, ctx, result.issued) : null;
            const previous = insertQueued();
            if (numbers && good.length) {
              const signing = signChunk(good, numbers, ctx);
              signing.catch(() => undefined);
              queued = { apps: good, numbers, signing };
            }
            writing = previous;
            await spoolChunk(batch, table, checked, numbers);
            rowsSeen += chunk.length;
            if (rowsSeen > rowsReported) {
              opts.onRows?.(rowsSeen - rowsReported);
              rowsReported = rowsSeen;
            }
          }
          await writing;
          await insertQueued();
        } catch (err) {
          // never end the transaction while a chunk's statements are still running on its connection
          await writing.catch(() => undefined);
          throw err;
        }

        const commit = !opts.dryRun && (result.rejected.length === 0 || !!opts.skipInvalid);
        if (!commit) {
          result.issued = [];
          throw new Rollback();
        }
        await batch.sequences.save(trx);
        await chain.save(trx, signer);
        result.committed = true;
        if (!(await dropBatchIfEmpty(trx, batchId, issued.length))) {
          await finishBatch(trx, batchId, { issued: issued.length, existing: result.existing.length, rejectedRows: batch.rejectedRows });
          result.batchId = batchId;
        }
      });
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
    }
  };

  try {
    await withWriteRetry(attempt);
    result.controlsRemoved = table.controlsRemoved; // complete now that the rows have been read
    if (opts.dryRun) result.sheets = table.sheets.map((s) => ({ sheet: s.sheet, headerRow: s.headerRow, columns: s.columns }));
    if (opts.resultsPath) {
      const passed = result.committed ? '已发证' : opts.dryRun ? '可发证（试运行）' : '未发证（整批未提交）';
      const severalSheets = table.sheets.length > 1;
      const outcomeCells = ({ outcome, note: number, reasons }: SpooledRow): CellValue[] =>
        outcome === 'passed' ? [passed, result.committed ? (number ?? '') : '', ''] : outcome === 'existing' ? ['此前已发证', number ?? '', ''] : ['被拒绝', '', reasons ?? ''];
      await spool!.writeTo(opts.resultsPath, table.sheets, (s) => resultColumns(s, RESULT_COLUMNS, severalSheets), (l) =>
        severalSheets ? [l.sheet.sheet, l.row, ...outcomeCells(l)] : [l.row, ...outcomeCells(l)],
      );
      result.resultsPath = opts.resultsPath;
    }
  } finally {
    await (spool as ResultsSpool | null)?.discard();
    await signer?.close();
  }

  if (result.rejected.length > 0 && !opts.skipInvalid && opts.dryRun) result.wouldExit = ExitCode.inputRejected;
  if (result.rejected.length > 0 && !opts.skipInvalid && !opts.dryRun) {
    const first = result.rejected[0];
    const rows = new Set(result.rejected.map((e) => `${e.sheet}\u0000${e.row}`)).size;
    throw new InputError(
      `发证被拒绝：${rows} 行有错误，本批未发任何许可证。首个错误：文件“${first.file}”工作表“${first.sheet}”第 ${first.row} 行${first.column ? `，${first.columnLetter ? `${first.columnLetter}列` : ''}“${first.column}”` : ''}：${first.message}`,
      result.resultsPath
        ? `已将各行处理结果及错误原因写入“${result.resultsPath}”，改正后可用同一文件重新发证；或加 --skip-invalid 只为有效行发证。`
        : '加 --results 结果.xlsx 可导出各行的错误原因，改正后用同一文件重新发证；或加 --skip-invalid 只为有效行发证。',
      { issued: [], existing: result.existing, rejected: result.rejected, resultsPath: result.resultsPath ?? null },
    );
  }
  return result;
}

/**
 * A 统一社会信用代码 already holding a valid licence under another holder name (or given another name
 * earlier in this batch): issued, but warned about — a typo in the code, or a renamed holder whose
 * other licences need a change. Names are compared after normalising width and blanks.
 */
function warnOtherHolder(batch: BatchState, a: Application, held: { holder: string; number: string } | undefined, result: IssueResult): void {
  const name = normalizeText(a.holderName);
  const earlier = held ? { holder: held.holder, number: held.number as string | null } : batch.holderOf.has(a.uscc) ? { holder: batch.holderOf.get(a.uscc)!, number: null } : null;
  if (!batch.holderOf.has(a.uscc)) batch.holderOf.set(a.uscc, a.holderName);
  if (!earlier || normalizeText(earlier.holder) === name) return;
  const where = earlier.number ? `已以“${earlier.holder}”的名义持有有效许可证 ${earlier.number}` : `在本批中已以“${earlier.holder}”的名义申请`;
  result.warnings.push({
    row: a.r.row,
    sheet: a.r.sheet,
    applicationNo: a.applicationNo,
    uscc: a.uscc,
    holderName: a.holderName,
    otherHolderName: earlier.holder,
    otherNumber: earlier.number,
    message: `统一社会信用代码 ${a.uscc} ${where}，与本行经营者名称“${a.holderName}”不同：请核对代码是否填错；如经营者已更名，其原有许可证应办理变更。`,
  });
}

/** What one issuing transaction carries from chunk to chunk. */
interface BatchState {
  /** 统一社会信用代码 → the holder name first given for it in this batch (warnOtherHolder) */
  holderOf: Map<string, string>;
  trx: Knex.Transaction;
  exceptions: Set<string>;
  /** 申请编号 → where it first appeared (rowRef) */
  firstApp: Map<string, number>;
  /** code + industry + premises → where it first appeared (rowRef) */
  firstBusiness: Map<string, number>;
  rejectedRows: number;
  sequences: NumberSequences;
  results: ResultsSpool | null;
}

interface CheckContext {
  catalog: CatalogIndex;
  date: string;
  /** validity when no item states an earlier expiry */
  defaultValidUntil: string;
  /** item cell text → item names (splitItems) */
  items: Map<string, string[]>;
}

/** A chunk after the checks that need no database: each row's own, and duplicate 申请编号 in the batch. */
interface CheckedChunk {
  rows: Array<TableRow<IssueField>>;
  errorsByRow: Map<TableRow<IssueField>, BatchRowError[]>;
  /** rows that passed, first of their 申请编号 */
  candidates: Application[];
  /** rows that failed their own checks and have a 申请编号 (a re-run may have issued them) */
  failed: Map<TableRow<IssueField>, FailedRow>;
  /** rows issued before (a re-run) → their 申请编号 and number */
  existing: Map<TableRow<IssueField>, { applicationNo: string; number: string }>;
  label: (ref: number) => string;
  refOf: (r: TableRow<IssueField>) => number;
  sheetIndex: Map<string, number>;
}

function checkChunk(batch: BatchState, table: TableStream<IssueField>, rows: Array<TableRow<IssueField>>, check: CheckContext): CheckedChunk {
  const sheetIndex = new Map(table.sheets.map((s, i) => [s.sheet, i]));
  const firstSheet = table.sheets[0].sheet;
  const label = (ref: number) => {
    const sheet = table.sheets[Math.floor(ref / 1e9)].sheet;
    const row = ref % 1e9;
    return sheet === firstSheet ? `第 ${row} 行` : `工作表“${sheet}”第 ${row} 行`;
  };
  const refOf = (r: TableRow<IssueField>) => rowRef(sheetIndex.get(r.sheet)!, r.row);

  const errorsByRow = new Map<TableRow<IssueField>, BatchRowError[]>();
  const candidates: Application[] = [];
  const failed = new Map<TableRow<IssueField>, FailedRow>();
  for (const r of rows) {
    const rowErrors: BatchRowError[] = [];
    const a = checkRow(r, check, batch.exceptions, rowErrors);
    if ('failed' in a) {
      errorsByRow.set(r, rowErrors);
      if (a.applicationNo) failed.set(r, a);
      continue;
    }
    // The first row of a 申请编号 counts; a later one is a duplicate, wherever in the batch it is.
    const dupOf = batch.firstApp.get(a.applicationNo);
    if (dupOf !== undefined) {
      errorsByRow.set(a.r, [fieldError(a.r, 'applicationNo', `申请编号“${a.applicationNo}”与${label(dupOf)}重复。`)]);
      continue;
    }
    batch.firstApp.set(a.applicationNo, refOf(a.r));
    candidates.push(a);
  }
  return { rows, errorsByRow, candidates, failed, existing: new Map(), label, refOf, sheetIndex };
}

/**
 * The error of a row whose 申请编号 was issued before for another holder or industry: the number is
 * not this row's, and reporting it as already issued would hand out another company's licence.
 */
function reusedApplication(r: TableRow<IssueField>, applicationNo: string, prior: IssuedApplication, uscc: string, industryId: number | null, catalog: CatalogIndex): BatchRowError {
  const differs: string[] = [];
  if (uscc && prior.uscc !== uscc) differs.push('统一社会信用代码');
  if (industryId !== null && prior.industryId !== industryId) differs.push(`行业类别（该证为“${catalog.industryById(prior.industryId).name}”）`);
  return fieldError(
    r,
    'applicationNo',
    `申请编号“${applicationNo}”此前已发证，许可证编号 ${prior.number}，但该证的${differs.join('和')}与本行不同：一个申请编号只能对应一份申请，请核对申请编号。`,
  );
}

/**
 * What the database already holds for a checked chunk (two IN queries for the whole chunk): rows
 * issued before — same 申请编号, holder code and industry, whether or not they pass today's checks —
 * are reported under `existing`; a 申请编号 issued to another holder or industry, a business licensed
 * already, or one twice in the batch, is rejected. Appends the chunk's existing rows and errors to
 * `result` in row order; returns the rows to issue.
 */
async function lookUpChunk(batch: BatchState, c: CheckedChunk, result: IssueResult, catalog: CatalogIndex): Promise<Application[]> {
  const { trx } = batch;
  // Issued before (a re-run): reported with their numbers, not issued again. (Licences this batch
  // wrote in earlier chunks cannot match: their 申请编号 were seen in checkChunk.) Rows that failed
  // their checks are looked up too: a re-run on a later day may fail a date check it once passed.
  const applicationNos = c.candidates.map((a) => a.applicationNo);
  for (const f of c.failed.values()) applicationNos.push(f.applicationNo);
  const known = await issuedByApplication(trx, applicationNos);
  for (const [r, f] of c.failed) {
    const prior = known.get(f.applicationNo);
    if (!prior) continue;
    if (prior.uscc === f.uscc && prior.industryId === f.industryId) {
      c.errorsByRow.delete(r);
      c.existing.set(r, { applicationNo: f.applicationNo, number: prior.number });
    } else if ((f.uscc && prior.uscc !== f.uscc) || (f.industryId !== null && prior.industryId !== f.industryId)) {
      // (an empty code or an industry not in the catalog is already the row's own error)
      c.errorsByRow.get(r)!.push(reusedApplication(r, f.applicationNo, prior, f.uscc, f.industryId, catalog));
    }
  }
  const fresh: Application[] = [];
  for (const a of c.candidates) {
    const prior = known.get(a.applicationNo);
    if (prior) {
      if (prior.uscc === a.uscc && prior.industryId === a.industry.id) c.existing.set(a.r, { applicationNo: a.applicationNo, number: prior.number });
      else c.errorsByRow.set(a.r, [reusedApplication(a.r, a.applicationNo, prior, a.uscc, a.industry.id, catalog)]);
      continue;
    }
    const business = businessKey(a.uscc, a.industry.id, a.premisesKey);
    const same = batch.firstBusiness.get(business);
    if (same !== undefined) {
      c.errorsByRow.set(a.r, [fieldError(a.r, '', `与${c.label(same)}是同一经营者在同一经营场所申请同一行业，重复申请。`)]);
      continue;
    }
    batch.firstBusiness.set(business, c.refOf(a.r));
    fresh.push(a);
  }

  // Already holding a valid licence for this industry here: that is a change, not a new licence.
  const holders = new Map<string, { holder: string; number: string }>();
  const held = await validLicensesOf(trx, fresh.map((a) => a.uscc), holders);
  const good: Application[] = [];
  for (const a of fresh) {
    const number = held.get(businessKey(a.uscc, a.industry.id, a.premisesKey));
    if (number) {
      c.errorsByRow.set(a.r, [fieldError(a.r, '', `该经营者在此经营场所已持有有效的“${a.industry.name}”行业综合许可证 ${number}；应办理变更（yiye license change），而非新发。`)]);
    } else {
      good.push(a);
      warnOtherHolder(batch, a, holders.get(a.uscc), result);
    }
  }
  for (const r of c.rows) {
    const existing = c.existing.get(r);
    if (existing) result.existing.push({ row: r.row, sheet: r.sheet, ...existing });
    const errs = c.errorsByRow.get(r);
    if (!errs) continue;
    result.rejected.push(...errs);
    batch.rejectedRows++;
  }
  return good;
}

/** Every row of the chunk into the results spool (when a results file was asked for), in row order. */
async function spoolChunk(batch: BatchState, table: TableStream<IssueField>, c: CheckedChunk, numbers: Map<TableRow<IssueField>, string> | null): Promise<void> {
  if (!batch.results) return;
  for (const r of c.rows) {
    const sheet = c.sheetIndex.get(r.sheet)!;
    const errs = c.errorsByRow.get(r);
    const existing = c.existing.get(r);
    if (errs) batch.results.add(sheet, r.row, r.cells, 'rejected', undefined, reasonsText(errs));
    else if (existing) batch.results.add(sheet, r.row, r.cells, 'existing', existing.number);
    else batch.results.add(sheet, r.row, r.cells, 'passed', numbers?.get(r));
  }
  await batch.results.flush();
}


interface WriteContext {
  pattern: ReturnType<typeof parsePattern>;
  region: string;
  year: number;
  date: string;
  signer: NonNullable<Awaited<ReturnType<typeof openSigner>>>;
  actor: string;
  batchId: number;
  file: string;
  sha256: string;
  /** created_at of everything the batch writes */
  now: string;
  /** the audit chain the batch's events are linked into, in insertion order */
  chain: ChainCursor;
}

/**
 * Numbers one chunk's good applications (in row order) from the gapless sequences and appends them
 * to `issued` in the same order; returns each row's number.
 */
async function numberChunk(trx: Knex.Transaction, sequences: NumberSequences, apps: Application[], ctx: WriteContext, issued: IssuedRow[]): Promise<Map<TableRow<IssueField>, string>> {
  const numbers = new Map<TableRow<IssueField>, string>();
  // One block of numbers per sequence, in a fixed order.
  const groups = new Map<string, { key: [number, number]; apps: Application[] }>();
  for (const a of apps) {
    const key = sequenceKey(ctx.pattern, ctx.year, a.industry.id);
    const k = key.join(':');
    if (!groups.has(k)) groups.set(k, { key, apps: [] });
    groups.get(k)!.apps.push(a);
  }
  const ordered = [...groups.values()].sort((x, y) => x.key[0] - y.key[0] || x.key[1] - y.key[1]);
  for (const g of ordered) {
    const first = await sequences.take(trx, g.key[0], g.key[1], g.apps.length);
    const last = first + g.apps.length - 1;
    if (last > maxSeq(ctx.pattern)) {
      throw new ConflictError(`${ctx.year} 年“${g.apps[0].industry.name}”的许可证流水号已用尽（编号规则最多 ${maxSeq(ctx.pattern)} 个）。`, '请加长编号规则中的流水号位数（yiye init --number-pattern … --force）。');
    }
    g.apps.forEach((a, i) => numbers.set(a.r, formatNumber(ctx.pattern, { region: ctx.region, year: ctx.year, industryCode: a.industry.code ?? '', seq: first + i })));
  }
  for (const a of apps) issued.push({ row: a.r.row, sheet: a.r.sheet, applicationNo: a.applicationNo, number: numbers.get(a.r)! });
  return numbers;
}

type Signed = { text: string; signature: string };

/** The signed QR payloads of one chunk's numbered applications, in order. */
function signChunk(apps: Application[], numbers: Map<TableRow<IssueField>, string>, ctx: WriteContext): Promise<Signed[]> {
  return ctx.signer.signMany(
    apps.map((a) => ({ n: numbers.get(a.r)!, v: 1, h: a.holderName, c: a.uscc, i: a.industry.name, m: a.items.map((x) => x.matter.code ?? x.matter.name), d: ctx.date, u: a.validUntil })),
  );
}

/** Stores one chunk's numbered and signed applications: licences, their first versions, items and audit events. */
async function insertChunk(trx: Knex.Transaction, apps: Application[], numbers: Map<TableRow<IssueField>, string>, signed: Signed[], ctx: WriteContext): Promise<void> {
  const numberOf = (a: Application) => numbers.get(a.r)!;
  const ids = new Map(
    (
      await bulkInsert<{ id: number; number: string }>(
        trx,
        'licenses',
        {
          columns: ['number', 'industry_id', 'application_no', 'uscc', 'holder_name', 'premises', 'premises_key', 'valid_until'],
          rows: apps.map((a) => [numberOf(a), a.industry.id, a.applicationNo, a.uscc, a.holderName, a.premises, a.premisesKey, a.validUntil]),
          constants: { issue_date: ctx.date, status: 'valid', status_date: null, status_reason: null, current_version: 1, batch_id: ctx.batchId, created_at: ctx.now, updated_at: ctx.now },
        },
        ['id', 'number'],
      )
    ).map((r) => [r.number, r.id]),
  );
  const licenseId = (a: Application) => ids.get(numberOf(a))!;

  const versionIds = new Map(
    (
      await bulkInsert<{ id: number; license_id: number }>(
        trx,
        'license_versions',
        {
          columns: ['license_id', 'holder_name', 'uscc', 'legal_rep', 'industry_id', 'premises', 'valid_until', 'payload', 'signature'],
          rows: apps.map((a, i) => [licenseId(a), a.holderName, a.uscc, a.legalRep, a.industry.id, a.premises, a.validUntil, signed[i].text, signed[i].signature]),
          constants: { version: 1, authority_name: ctx.signer.authorityName, issue_date: ctx.date, superseded_at: null, key_id: ctx.signer.keyId, batch_id: ctx.batchId, created_at: ctx.now },
          sameAsLicense: ['holder_name', 'uscc', 'industry_id', 'premises', 'valid_until'],
        },
        ['id', 'license_id'],
      )
    ).map((r) => [r.license_id, r.id]),
  );

  const itemRows: unknown[][] = [];
  for (const a of apps) {
    const versionId = versionIds.get(licenseId(a))!;
    a.items.forEach((it, seq) => itemRows.push([versionId, it.matter.id, seq, it.permitNo, it.validUntil]));
  }
  await bulkInsert(trx, 'license_items', { columns: ['version_id', 'matter_id', 'seq', 'permit_no', 'valid_until'], rows: itemRows });
  const constants = { version: 1, event: 'issue', event_date: ctx.date, actor: ctx.actor, at: ctx.now, reason: null, batch_id: ctx.batchId, file_name: ctx.file, file_sha256: ctx.sha256 };
  const link = ctx.chain.linker(constants);
  const eventRows = apps.map((a) => {
    const e = { license_id: licenseId(a), details: JSON.stringify({ applicationNo: a.applicationNo }), sheet: a.r.sheet, row_number: a.r.row };
    const l = link(e);
    return [e.license_id, e.details, e.sheet, e.row_number, l.seq, l.prev_hash, l.hash];
  });
  await bulkInsert(trx, 'license_events', { columns: ['license_id', 'details', 'sheet', 'row_number', 'seq', 'prev_hash', 'hash'], rows: eventRows, constants });
}
