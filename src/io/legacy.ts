/**
 * Workbooks that are not .xlsx: legacy Excel 97–2003 .xls (BIFF8, also as written by WPS), WPS .et
 * (the same compound-file BIFF8 format), OpenDocument .ods, and the HTML-table and Excel 2003 XML
 * files that systems export under an .xls name. Parsed by SheetJS (@e965/xlsx, Apache-2.0, pinned),
 * which reads a workbook whole, so the limits are checked before it runs: the file's size (for an
 * .ods, every part's inflated size), rows per sheet (SheetJS stops there), then the number of cells
 * before any row is converted.
 *
 * Rows come out exactly as the .xlsx reader (./xlsx) yields them: workbook order, 1-based row
 * numbers, rows without a value skipped, trailing empty cells trimmed, merged ranges filled with
 * their top-left value, dates as calendar dates (`serialToDate`, no time zone), error cells as
 * `{ error: '#N/A' }`, formulas as their cached value. A number in a cell formatted as text ('@')
 * comes back as text, as Excel shows it: a code like 310115 stays a code.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as SheetJS from '@e965/xlsx';
import { InputError } from '../cli/errors';
import { cellTooLong, limitsOf, tooLarge, tooManyColumns, type ReaderLimits } from './limits';
import type { SniffedFormat } from './sniff';
import type { CellValue, ReadRowsOptions, SheetRow } from './types';
import { isDateFormat, serialToDate } from './xlsx';

export type LegacyFormat = Exclude<SniffedFormat, 'xlsx' | 'csv'>;

/** What the clerk is told each kind of file is. */
const KIND: Record<LegacyFormat, string> = {
  cfb: '旧版 Excel（.xls）/ WPS（.et）工作簿',
  ods: 'OpenDocument（.ods）工作簿',
  html: '网页（HTML）表格',
  xml: 'Excel 2003 XML 工作簿',
};

function badWorkbook(file: string, reason: string, cause?: unknown): InputError {
  const err = new InputError(
    `无法读取 Excel 文件“${path.basename(file)}”：${reason}`,
    '请在 Excel、WPS 或 LibreOffice 中打开该文件检查后重新保存；打不开的，请发送部门重新导出。',
    undefined,
    'BAD_WORKBOOK',
  );
  if (cause !== undefined) err.cause = cause;
  return err;
}

function encrypted(file: string): InputError {
  return new InputError(
    `无法读取“${path.basename(file)}”：文件设置了打开密码（已加密），无法导入。`,
    '请在 Excel 或 WPS 中输入密码打开，取消“打开密码”（文件 → 信息 → 保护工作簿 / 文档加密）后另存，再导入。',
    { file: path.basename(file) },
    'ENCRYPTED',
  );
}

// ---------------------------------------------------------------------------------------------
// SheetJS, loaded on first use

/**
 * Built-in number formats that zh-CN/zh-TW/ja/ko Excel uses for its local dates (27-36, 50-58,
 * e.g. 31 is yyyy"年"m"月"d"日"). SheetJS's table leaves them out, so a date cell using one would
 * read as a plain number; any date pattern marks them as dates for `isDateFormat`.
 */
const CJK_DATE_FORMATS = [27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58];

let sheetjs: typeof SheetJS | undefined;
function loadSheetJS(): typeof SheetJS {
  if (sheetjs) return sheetjs;
  const X = require('@e965/xlsx') as typeof SheetJS;
  const table = X.SSF.get_table() as Record<number, string | undefined>;
  for (const id of CJK_DATE_FORMATS) if (table[id] === undefined) X.SSF.load('yyyy"年"m"月"d"日"', id);
  // legacy BIFF5 (Excel 95) text is in the file's code page (GBK for Chinese Windows)
  X.set_cptable(require('@e965/xlsx/dist/cpexcel.js'));
  return (sheetjs = X);
}

/** SheetJS reports some oddities on the console (ODS number styles it approximates); they are not the user's concern. */
function quietly<T>(fn: () => T): T {
  const { error, warn } = console;
  console.error = console.warn = () => undefined;
  try {
    return fn();
  } finally {
    console.error = error;
    console.warn = warn;
  }
}

// ---------------------------------------------------------------------------------------------
// Before parsing: size, container, encryption

/**
 * Compound-file streams that say what an OLE2 file really is; returns the workbook stream (BIFF8
 * "Workbook", or BIFF5 "Book").
 */
function inspectCompoundFile(X: typeof SheetJS, file: string, buf: Buffer): Uint8Array | undefined {
  let cfb: ReturnType<typeof X.CFB.read>;
  try {
    cfb = X.CFB.read(buf, { type: 'buffer' });
  } catch (err) {
    throw badWorkbook(file, '文件已损坏，不是完整的 .xls / .et 工作簿', err);
  }
  const names = cfb.FullPaths.map((p: string) => p.replace(/\/$/, '').split('/').pop()!.toLowerCase());
  // Excel and WPS encrypt an .xlsx with an open password into a compound file with these streams
  if (names.includes('encryptioninfo') || names.includes('encryptedpackage')) throw encrypted(file);
  const i = names.findIndex((n: string) => n === 'workbook' || n === 'book');
  if (i !== -1) return cfb.FileIndex[i].content as Uint8Array | undefined;
  if (names.includes('worddocument')) throw badWorkbook(file, '这是 Word 文档（.doc），不是表格');
  if (names.includes('powerpoint document')) throw badWorkbook(file, '这是 PowerPoint 演示文稿（.ppt），不是表格');
  throw badWorkbook(file, '这是 OLE 复合文件，但其中没有工作簿');
}

/** BIFF record types that hold one cell each; MULRK holds several. */
const BIFF_CELL_RECORDS = new Set([0x00fd, 0x0203, 0x027e, 0x0006, 0x0205, 0x0204, 0x00d6]);
const BIFF_MULRK = 0x00bd;

/**
 * Cells a BIFF workbook stream holds, counted from the record headers alone (a few bytes a record),
 * so a hostile .xls is refused before SheetJS builds an object per cell.
 */
export function biffCells(stream: Uint8Array): number {
  const view = Buffer.from(stream.buffer, stream.byteOffset, stream.byteLength);
  let cells = 0;
  for (let at = 0; at + 4 <= view.length; ) {
    const type = view.readUInt16LE(at);
    const len = view.readUInt16LE(at + 2);
    if (BIFF_CELL_RECORDS.has(type)) cells++;
    else if (type === BIFF_MULRK && len >= 6) cells += Math.floor((len - 6) / 6);
    at += 4 + len;
  }
  return cells;
}

/**
 * An .ods is a zip: refuse a bomb by the central directory's sizes before anything is inflated, then
 * inflate content.xml ourselves (counting bytes, since a header can lie) and count the cells it
 * declares. ODF compresses repeated rows and cells into a repeat count, so a 1 KB file can declare a
 * billion cells that SheetJS would build one by one: `cellsDeclared` refuses that first.
 */
async function checkOdsPackage(file: string, limits: ReaderLimits): Promise<void> {
  const yauzl = require('yauzl') as typeof import('yauzl');
  let zip: import('yauzl').ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  } catch (err) {
    throw badWorkbook(file, '文件已损坏或不是完整的 .ods 工作簿', err);
  }
  zip.on('error', () => undefined);
  try {
    if (zip.entryCount > limits.maxZipEntries) {
      throw badWorkbook(file, `压缩包内有 ${zip.entryCount} 个部件，超出 ${limits.maxZipEntries} 个的上限，不是正常的工作簿`);
    }
    let total = 0;
    let content: import('yauzl').Entry | undefined;
    for await (const entry of zip.eachEntry()) {
      total += entry.uncompressedSize;
      if (total > limits.maxWorkbookBytes) throw tooLarge(file, '', total, limits.maxWorkbookBytes, true);
      if (entry.fileName === 'content.xml') content = entry;
    }
    if (!content) throw badWorkbook(file, '压缩包中没有 content.xml，不是 .ods 工作簿');
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const chunk of await zip.openReadStreamPromise(content)) {
      n += (chunk as Buffer).length;
      if (n > limits.maxWorkbookBytes) throw tooLarge(file, '', null, limits.maxWorkbookBytes, true);
      chunks.push(chunk as Buffer);
    }
    const declared = cellsDeclared(Buffer.concat(chunks).toString('latin1'));
    if (declared.cells > limits.maxWorkbookCells) throw tooManyCells(file, limits);
    if (declared.rows > limits.maxWorkbookRows) throw tooManyRows(file, undefined, limits);
  } catch (err) {
    throw err instanceof InputError ? err : badWorkbook(file, '文件已损坏或不是完整的 .ods 工作簿', err);
  } finally {
    zip.close();
  }
}

const ODS_TAG = /<(?:[\w-]+:)?(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(\/?)>/g;

/**
 * Cells with content an ODF content.xml declares, repeat counts multiplied out (a self-closing cell
 * without a value type is empty and costs nothing), and the most rows with content in one table.
 * Markup is ASCII, so the text may be read as latin1.
 */
export function cellsDeclared(xml: string): { cells: number; rows: number } {
  let cells = 0;
  let rows = 0;
  let tableRows = 0;
  let rowRepeat = 0;
  let rowCells = 0;
  const endRow = () => {
    if (rowCells > 0) {
      cells += rowRepeat * rowCells;
      tableRows += rowRepeat;
      if (tableRows > rows) rows = tableRows;
    }
    rowCells = 0;
  };
  const repeat = (attrs: string, name: string) => {
    const m = new RegExp(`${name}\\s*=\\s*["'](\\d+)`).exec(attrs);
    return m ? Number(m[1]) : 1;
  };
  ODS_TAG.lastIndex = 0;
  for (let m = ODS_TAG.exec(xml); m !== null; m = ODS_TAG.exec(xml)) {
    const [, tag, attrs, selfClosing] = m;
    if (tag === 'table') {
      endRow();
      tableRows = 0;
    } else if (tag === 'table-row') {
      endRow();
      rowRepeat = repeat(attrs, 'number-rows-repeated');
    } else if (selfClosing === '' || attrs.includes('value-type')) {
      rowCells += repeat(attrs, 'number-columns-repeated');
    }
  }
  endRow();
  return { cells, rows };
}

function tooManyCells(file: string, limits: ReaderLimits): InputError {
  return new InputError(
    `“${path.basename(file)}”中有内容的单元格超过 ${limits.maxWorkbookCells} 个，超出上限：文件无法导入。`,
    '请确认文件来源；如确是超大表格，请拆分为多个文件分别导入，或另存为 .xlsx（逐行读取，不受此限）。',
    { file: path.basename(file), limit: limits.maxWorkbookCells },
    'TOO_MANY_CELLS',
  );
}

function tooManyRows(file: string, sheet: string | undefined, limits: ReaderLimits): InputError {
  return new InputError(
    `“${path.basename(file)}”${sheet === undefined ? '中的工作表' : `工作表“${sheet}”`}超过 ${limits.maxWorkbookRows} 行，超出上限：文件无法导入。`,
    '请确认文件来源；如确是超大表格，请拆分为多个文件分别导入。',
    { file: path.basename(file), ...(sheet === undefined ? {} : { sheet }), limit: limits.maxWorkbookRows },
    'TOO_MANY_ROWS',
  );
}

/** HTML exports from Chinese systems are often GBK: the page's declared charset, else what the bytes look like. */
function decodeHtml(buf: Buffer, file: string): string {
  const declared = /<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)/i.exec(buf.subarray(0, 4096).toString('latin1'))?.[1]?.toLowerCase();
  const iconv = require('iconv-lite') as typeof import('iconv-lite');
  if (declared && declared !== 'utf-8' && declared !== 'utf8' && iconv.encodingExists(declared)) {
    return iconv.decode(buf, declared === 'gb2312' || declared === 'gbk' ? 'gb18030' : declared);
  }
  const { detectEncoding } = require('./csv') as typeof import('./csv');
  const encoding = declared ? 'utf-8' : detectEncoding(buf.subarray(0, 64 * 1024), buf.length > 64 * 1024, file);
  return iconv.decode(buf, encoding, { stripBOM: true });
}

/** The file's bytes, refused past the size limit before they are read. */
async function readBytes(file: string, limits: ReaderLimits): Promise<Buffer> {
  let size: number;
  try {
    size = (await fs.promises.stat(file)).size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`找不到文件“${file}”`, '请检查路径是否正确。', undefined, 'FILE_NOT_FOUND');
    throw new InputError(`无法打开文件“${file}”（${code ?? '未知错误'}）`, '请检查文件是否被其他程序占用，以及是否有读取权限。', undefined, 'FILE_UNREADABLE');
  }
  if (size > limits.maxWorkbookBytes) throw tooLarge(file, '', size, limits.maxWorkbookBytes, false);
  return fs.promises.readFile(file);
}

async function readWorkbook(file: string, format: LegacyFormat, limits: ReaderLimits): Promise<SheetJS.WorkBook> {
  const buf = await readBytes(file, limits);
  if (format === 'ods') await checkOdsPackage(file, limits);
  const X = loadSheetJS();
  if (format === 'cfb') {
    const stream = inspectCompoundFile(X, file, buf);
    if (stream && biffCells(stream) > limits.maxWorkbookCells) throw tooManyCells(file, limits);
  } else if (format !== 'ods') {
    // an HTML table or an XML workbook: one <td>/<th> or <Cell> per cell at most
    const tags = buf.toString('latin1').match(format === 'html' ? /<t[dh][\s>]/gi : /<(?:\w+:)?Cell[\s>]/g)?.length ?? 0;
    if (tags > limits.maxWorkbookCells) throw tooManyCells(file, limits);
  }
  const options: SheetJS.ParsingOptions = {
    dense: true,
    cellDates: false,
    cellNF: true,
    cellText: false,
    cellStyles: false,
    cellHTML: false,
    bookVBA: false,
    // one more than allowed, to tell a sheet at the limit from one past it
    sheetRows: limits.maxWorkbookRows + 1,
  };
  let book: SheetJS.WorkBook;
  try {
    // an HTML page is decoded first: its charset is often GBK, which SheetJS would not apply
    // and its cells are text, as in a csv: SheetJS would otherwise turn a code like 0012345 into 12345
    book = quietly(() => (format === 'html' ? X.read(decodeHtml(buf, file), { ...options, type: 'string', raw: true }) : X.read(buf, { ...options, type: 'buffer' })));
  } catch (err) {
    const msg = (err as Error | null)?.message ?? '';
    if (/password|encrypt/i.test(msg)) throw encrypted(file);
    if (format === 'html') throw badWorkbook(file, '这是网页（HTML）文件，但其中没有可读取的表格', err);
    throw badWorkbook(file, `${KIND[format]}已损坏或格式无法识别`, err);
  }
  if (format === 'html') {
    if (book.SheetNames.every((n) => dataOf(book.Sheets[n]).length === 0)) throw badWorkbook(file, '这是网页（HTML）文件，但其中没有可读取的表格');
    // a page has no sheet names (SheetJS says Sheet1): name its table after the file, as a csv's
    const base = path.basename(file, path.extname(file));
    book.SheetNames.forEach((n, i) => {
      const named = book.SheetNames.length === 1 ? base : `${base}-${i + 1}`;
      book.Sheets[named] = book.Sheets[n];
      book.SheetNames[i] = named;
    });
  }
  return book;
}

// ---------------------------------------------------------------------------------------------
// Public API

/** Rows of every sheet in workbook order, or of `opts.sheet` only; see the module comment. */
export async function* readLegacyRows(file: string, format: LegacyFormat, opts: ReadRowsOptions = {}): AsyncGenerator<SheetRow> {
  const limits = limitsOf(opts.limits);
  const book = await readWorkbook(file, format, limits);
  const names = pickSheets(book.SheetNames, opts.sheet);
  const date1904 = Boolean(book.Workbook?.WBProps?.date1904);
  let cells = 0;
  for (const name of names) {
    const data = dataOf(book.Sheets[name]);
    if (data.length > limits.maxWorkbookRows) throw tooManyRows(file, name, limits);
    for (const row of data) if (row) for (const c of row) if (c && c.t !== 'z') cells++;
    if (cells > limits.maxWorkbookCells) throw tooManyCells(file, limits);
  }
  for (const name of names) {
    const sheet = book.Sheets[name];
    yield* sheetRows(file, name, sheet, date1904, limits);
    // converted: its cells need not stay in memory while the next sheet's rows are consumed
    delete book.Sheets[name];
  }
}

function pickSheets(names: string[], wanted: string | undefined): string[] {
  if (wanted === undefined) return names;
  // as in ./xlsx: Excel treats sheet names case-insensitively
  const hit = names.find((n) => n === wanted) ?? names.find((n) => n.toLowerCase() === wanted.toLowerCase());
  if (hit !== undefined) return [hit];
  throw new InputError(`工作簿中没有名为“${wanted}”的工作表；现有工作表：${names.join('、') || '（无）'}`, '请用 --sheet 指定上面列出的工作表之一。', undefined, 'SHEET_NOT_FOUND');
}

type DenseCells = (SheetJS.CellObject | undefined)[];

function dataOf(sheet: SheetJS.WorkSheet | undefined): (DenseCells | undefined)[] {
  return ((sheet as SheetJS.DenseWorkSheet | undefined)?.['!data'] ?? []) as (DenseCells | undefined)[];
}

// ---------------------------------------------------------------------------------------------
// Cells

/** Excel's last date serial + 1 (9999-12-31), as in ./xlsx. */
const MAX_SERIAL = 2_958_466;

/** BIFF error codes → the text Excel shows (and ./xlsx reads from an .xlsx). */
const ERRORS: Record<number, string> = { 0x00: '#NULL!', 0x07: '#DIV/0!', 0x0f: '#VALUE!', 0x17: '#REF!', 0x1d: '#NAME?', 0x24: '#NUM!', 0x2a: '#N/A', 0x2b: '#GETTING_DATA' };

/** A Date whose local fields are the calendar date (SheetJS's own) → the same date in UTC fields. */
function calendarDate(d: Date): Date {
  return new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()));
}

export function legacyCellValue(c: SheetJS.CellObject | undefined, date1904: boolean): CellValue {
  if (!c) return null;
  switch (c.t) {
    case 's': {
      const s = c.v as string | undefined;
      return s === undefined || s === '' ? null : String(s);
    }
    case 'n': {
      const n = c.v as number;
      if (typeof n !== 'number' || Number.isNaN(n)) return null;
      const z = typeof c.z === 'string' ? c.z : undefined;
      if (z === '@') return String(n);
      // a date-formatted number outside Excel's calendar (0 … 9999-12-31) stays a number
      if (z !== undefined && z !== 'General' && isDateFormat(z) && n >= 0 && n < MAX_SERIAL) return serialToDate(n, date1904);
      return n;
    }
    case 'b':
      return Boolean(c.v);
    case 'e':
      return { error: typeof c.w === 'string' && c.w.startsWith('#') ? c.w : (ERRORS[c.v as number] ?? '#VALUE!') };
    case 'd':
      return c.v instanceof Date && !Number.isNaN(c.v.getTime()) ? calendarDate(c.v) : null;
    default:
      return null;
  }
}

interface Range {
  r1: number;
  c1: number;
  r2: number;
  c2: number;
}

/** Merged ranges, 0-based, clipped to the columns that may hold data (as ./xlsx does), by top row. */
function mergesOf(file: string, name: string, sheet: SheetJS.WorkSheet, limits: ReaderLimits): Range[] {
  const out: Range[] = [];
  for (const m of sheet['!merges'] ?? []) {
    const r1 = Math.min(m.s.r, m.e.r);
    const r2 = Math.max(m.s.r, m.e.r);
    const c1 = Math.min(m.s.c, m.e.c);
    const c2 = Math.min(Math.max(m.s.c, m.e.c), limits.maxColumns - 1);
    if (c1 >= limits.maxColumns || (r1 === r2 && c1 === c2)) continue;
    if (out.length >= limits.maxMerges) {
      throw badWorkbook(file, `工作表“${name}”有超过 ${limits.maxMerges} 个合并单元格区域，不是正常的表格`);
    }
    out.push({ r1, c1, r2, c2 });
  }
  return out.sort((a, b) => a.r1 - b.r1 || a.c1 - b.c1);
}

/**
 * One sheet's rows. Merged ranges are filled down to the sheet's last row that has a value of its
 * own (./xlsx fills to the last row the XML has), never beyond, so a whole-column merge adds no rows.
 */
function* sheetRows(file: string, name: string, sheet: SheetJS.WorkSheet, date1904: boolean, limits: ReaderLimits): Generator<SheetRow> {
  const data = dataOf(sheet);
  const merges = mergesOf(file, name, sheet, limits);
  let lastRow = -1;
  for (let r = data.length - 1; r >= 0 && lastRow === -1; r--) {
    const row = data[r];
    if (row && row.some((c) => c !== undefined && c !== null && legacyCellValue(c, date1904) !== null)) lastRow = r;
  }
  let next = 0;
  let active: { m: Range; value: CellValue }[] = [];
  for (let r = 0; r <= lastRow; r++) {
    const raw = data[r];
    const cells: CellValue[] = [];
    if (raw) {
      for (let c = 0; c < raw.length; c++) {
        const v = legacyCellValue(raw[c], date1904);
        if (v === null) continue;
        if (c >= limits.maxColumns) throw tooManyColumns(file, name, r + 1, c, limits);
        if (typeof v === 'string' && v.length > limits.maxCellChars) throw cellTooLong(file, name, r + 1, c, v.length, limits);
        cells[c] = v;
      }
    }
    while (next < merges.length && merges[next].r1 <= r) {
      const m = merges[next++];
      if (m.r2 >= r) active.push({ m, value: m.r1 === r ? (cells[m.c1] ?? null) : null });
    }
    if (active.length > 0) {
      for (const { m, value } of active) for (let c = m.c1; c <= m.c2; c++) if (r !== m.r1 || c !== m.c1) cells[c] = value;
      active = active.filter((a) => a.m.r2 > r);
    }
    let last = cells.length - 1;
    while (last >= 0 && (cells[last] === null || cells[last] === undefined)) last--;
    if (last < 0) continue;
    cells.length = last + 1;
    for (let i = 0; i <= last; i++) if (cells[i] === undefined) cells[i] = null;
    yield { sheet: name, rowNumber: r + 1, cells };
  }
}
