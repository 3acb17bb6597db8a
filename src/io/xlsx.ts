/**
 * Streaming .xlsx reader: one row at a time, memory flat in the number of rows.
 *
 * The package is opened with yauzl (random access through the zip's central directory), so parts
 * are read in the order we need whatever order the writer stored them in: workbook + rels, then
 * shared strings and styles through exceljs's stream.xlsx.WorkbookReader, then each wanted sheet
 * twice: a cheap text scan for <mergeCell> (it sits after <sheetData>), and the real sax pass.
 *
 * Sheet XML is interpreted here rather than by exceljs's WorksheetReader, which loses what the
 * import needs: it turns formula results of type boolean into 1/0 and error results (#N/A from a
 * failed VLOOKUP) into NaN, never converts formula results to dates, misses the CJK built-in date
 * formats (numFmtId 27-36, 50-58: yyyy"年"m"月"d"日" …), chokes on prefixed tags (<x:c>) and on
 * cells without an r attribute, and emits sheets in zip order rather than workbook order.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as YauzlModule from 'yauzl';
import type * as SaxesModule from 'saxes';
import { Readable } from 'stream';
import { InputError } from '../cli/errors';
import { loadExcelJS } from './exceljs';
import { cellTooLong, limitsOf, tooLarge, tooManyColumns, type ReaderLimits } from './limits';
import type { CellValue, ReadRowsOptions, SheetRow } from './types';

export type XlsxErrorCode = 'BAD_WORKBOOK' | 'SHEET_NOT_FOUND' | 'FILE_NOT_FOUND' | 'FILE_UNREADABLE';

const HINTS: Record<XlsxErrorCode, string> = {
  BAD_WORKBOOK: '请在 Excel 或 WPS 中打开该文件并“另存为” .xlsx 后重试；打不开的，请发送部门重新导出。',
  SHEET_NOT_FOUND: '请用 --sheet 指定上面列出的工作表之一。',
  FILE_NOT_FOUND: '请检查路径是否正确。',
  FILE_UNREADABLE: '请检查文件是否被其他程序占用，以及是否有读取权限。',
};

/**
 * Every failure this module reports; `message` is meant for the end user (Chinese). An InputError
 * (exit 3), so commands print it with its hint and no stack trace. Limit refusals (too large, too
 * many columns, a cell too long) are InputErrors from ./limits with codes of their own.
 */
export class XlsxError extends InputError {
  constructor(
    code: XlsxErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, HINTS[code], undefined, code);
    this.name = 'XlsxError';
    if (options && 'cause' in options) this.cause = options.cause;
  }

  declare readonly code: XlsxErrorCode;
}

// Loaded on first use: a CLI whose commands all import this module should not pay for it at start-up.
let yauzlModule: typeof YauzlModule | undefined;
let saxesModule: typeof SaxesModule | undefined;
function yauzl(): typeof YauzlModule {
  return (yauzlModule ??= require('yauzl') as typeof YauzlModule);
}
/** Plain (non-namespace) parsing without position tracking, which only costs time here. */
type SaxOptions = { xmlns: false; position: false };
function newSaxParser(): SaxesModule.SaxesParser<SaxOptions> {
  const { SaxesParser } = (saxesModule ??= require('saxes') as typeof SaxesModule);
  return new SaxesParser<SaxOptions>({ xmlns: false, position: false });
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Rows of every worksheet in workbook (tab) order, or of `opts.sheet` only. Rows without any value
 * are skipped; cells covered by a merged range carry the range's top-left value.
 */
export async function* readXlsxRows(file: string, opts: ReadRowsOptions = {}): AsyncGenerator<SheetRow> {
  const pkg = await Package.open(file, limitsOf(opts.limits));
  try {
    const book = await readWorkbookInfo(pkg);
    const sheets = pickSheets(book, opts.sheet);
    if (sheets.length === 0) return;
    // a bomb's stated size refuses it before anything is inflated (or exceljs loaded)
    for (const sheet of sheets) pkg.checkSize(sheet.part, pkg.limits.maxSheetXmlBytes, `的工作表“${sheet.name}”`);
    const ctx = await loadCellContext(pkg, book);
    for (const sheet of sheets) {
      const merges = await scanMerges(pkg, sheet);
      yield* readSheet(pkg, sheet, ctx, merges);
    }
  } catch (err) {
    throw asXlsxError(file, err);
  } finally {
    pkg.close();
  }
}

/** Worksheet names in workbook order (chart sheets, which hold no cells, are left out). */
export async function listXlsxSheets(file: string, limits?: Partial<ReaderLimits>): Promise<string[]> {
  const pkg = await Package.open(file, limitsOf(limits));
  try {
    return (await readWorkbookInfo(pkg)).sheets.map((s) => s.name);
  } catch (err) {
    throw asXlsxError(file, err);
  } finally {
    pkg.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

function badWorkbook(file: string, cause?: unknown): XlsxError {
  const name = path.basename(file);
  const reason = isCompoundFile(file)
    ? // OLE2 container: a legacy .xls, or an .xlsx with an open password (Excel encrypts those into OLE2)
      '这是旧版 .xls 格式或设置了打开密码的文件（请在 Excel 中取消密码并另存为 .xlsx）'
    : '文件已损坏或不是 .xlsx 格式（如为 .xls，请在 Excel 中另存为 .xlsx）';
  return new XlsxError('BAD_WORKBOOK', `无法读取 Excel 文件“${name}”：${reason}`, { cause });
}

function isCompoundFile(file: string): boolean {
  const magic = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const head = Buffer.alloc(8);
      return fs.readSync(fd, head, 0, 8, 0) === 8 && head.equals(magic);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** Our own errors pass through; file-system errors keep their meaning; anything else is a broken file. */
function asXlsxError(file: string, err: unknown): InputError {
  if (err instanceof InputError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') {
    return new XlsxError('FILE_NOT_FOUND', `找不到文件“${file}”`, { cause: err });
  }
  if ((err as NodeJS.ErrnoException | null)?.syscall !== undefined) {
    return new XlsxError('FILE_UNREADABLE', `无法打开文件“${file}”（${code ?? '未知错误'}）`, { cause: err });
  }
  // yauzl's own check that an entry inflates to the size its header states: the header lied
  if (/too many bytes in the stream|not enough bytes in the stream/.test((err as Error | null)?.message ?? '')) {
    return new XlsxError('BAD_WORKBOOK', `无法读取 Excel 文件“${path.basename(file)}”：压缩包中记录的大小与实际内容不符，文件已损坏或被篡改`, { cause: err });
  }
  return badWorkbook(file, err);
}

// ---------------------------------------------------------------------------------------------
// Zip package

class Package {
  private constructor(
    readonly file: string,
    readonly limits: ReaderLimits,
    private readonly zip: YauzlModule.ZipFile,
    /** Part names are case-insensitive in OPC. */
    private readonly entries: Map<string, YauzlModule.Entry>,
  ) {}

  static async open(file: string, limits: ReaderLimits): Promise<Package> {
    let zip: YauzlModule.ZipFile;
    try {
      zip = await yauzl().openPromise(file, { lazyEntries: true, autoClose: false });
    } catch (err) {
      throw asXlsxError(file, err);
    }
    try {
      if (zip.entryCount > limits.maxZipEntries) {
        throw new XlsxError('BAD_WORKBOOK', `无法读取 Excel 文件“${path.basename(file)}”：压缩包内有 ${zip.entryCount} 个部件，超出 ${limits.maxZipEntries} 个的上限，不是正常的工作簿`);
      }
      const entries = new Map<string, YauzlModule.Entry>();
      for await (const entry of zip.eachEntry()) entries.set(entry.fileName.toLowerCase(), entry);
      // yauzl only emits 'error' while listing entries; a listener keeps a late one from crashing the process
      zip.on('error', () => undefined);
      return new Package(file, limits, zip, entries);
    } catch (err) {
      zip.close();
      throw err instanceof XlsxError ? err : badWorkbook(file, err);
    }
  }

  has(part: string): boolean {
    return this.entries.has(part.toLowerCase());
  }

  /**
   * The inflated bytes of a part, refused past `limit` (uncompressed): first by the size the central
   * directory states, before inflating anything, then by counting what actually comes out, since a
   * crafted header can understate it. `what` names the part for the message (工作表“S”).
   */
  /** Refuses a part whose size, as the central directory states it, is over `limit`. */
  checkSize(part: string, limit: number, what: string): void {
    const entry = this.entries.get(part.toLowerCase());
    if (entry && entry.uncompressedSize > limit) throw tooLarge(this.file, what, entry.uncompressedSize, limit, true);
  }

  async open(part: string, limit: number, what: string): Promise<Readable> {
    const entry = this.entries.get(part.toLowerCase());
    if (!entry) throw new Error(`missing part ${part}`);
    this.checkSize(part, limit, what);
    const raw = await this.zip.openReadStreamPromise(entry);
    const file = this.file;
    async function* counted(): AsyncGenerator<Buffer> {
      let n = 0;
      try {
        for await (const chunk of raw) {
          n += (chunk as Buffer).length;
          if (n > limit) throw tooLarge(file, what, null, limit, true);
          yield chunk as Buffer;
        }
      } finally {
        raw.destroy();
      }
    }
    return Readable.from(counted(), { objectMode: false });
  }

  async readText(part: string, what = `中的“${part}”`): Promise<string | undefined> {
    if (!this.has(part)) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of await this.open(part, this.limits.maxPartBytes, what)) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  close(): void {
    this.zip.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Workbook structure

interface SheetInfo {
  name: string;
  /** Zip entry name of the sheet's XML. */
  part: string;
}

interface WorkbookInfo {
  sheets: SheetInfo[];
  date1904: boolean;
  sharedStrings?: string;
  styles?: string;
}

interface Relationship {
  id: string;
  type: string;
  target: string;
}

function localName(name: string): string {
  const i = name.indexOf(':');
  return i === -1 ? name : name.slice(i + 1);
}

/** Parse a small, whole XML part, calling back for each start tag (local name, attributes). */
function scanXml(xml: string, onTag: (name: string, attrs: Record<string, string>) => void): void {
  const parser = newSaxParser();
  parser.on('opentag', (tag) => onTag(localName(tag.name), tag.attributes));
  parser.write(xml).close();
}

/** `r:id` under whatever prefix the writer bound the relationships namespace to. */
function relId(attrs: Record<string, string>): string | undefined {
  for (const key of Object.keys(attrs)) if (key.endsWith(':id')) return attrs[key];
  return undefined;
}

function resolveTarget(baseDir: string, target: string): string {
  let t = target;
  try {
    t = decodeURIComponent(t);
  } catch {
    // not percent-encoded after all
  }
  if (t.startsWith('/')) return t.slice(1);
  return path.posix.normalize(path.posix.join(baseDir, t));
}

async function readRels(pkg: Package, ofPart: string): Promise<Relationship[]> {
  const dir = path.posix.dirname(ofPart);
  const relsPart = path.posix.join(dir, '_rels', `${path.posix.basename(ofPart)}.rels`);
  const xml = await pkg.readText(relsPart);
  const rels: Relationship[] = [];
  if (xml === undefined) return rels;
  scanXml(xml, (name, a) => {
    if (name !== 'Relationship' || a.TargetMode === 'External' || !a.Id || !a.Target) return;
    rels.push({ id: a.Id, type: a.Type ?? '', target: resolveTarget(dir === '.' ? '' : dir, a.Target) });
  });
  return rels;
}

async function readWorkbookInfo(pkg: Package): Promise<WorkbookInfo> {
  // The main part is named by the package's root relationships; xl/workbook.xml is only the usual name.
  const rootRels = await readRels(pkg, '');
  const bookPart = rootRels.find((r) => r.type.endsWith('/officeDocument'))?.target ?? 'xl/workbook.xml';
  const xml = await pkg.readText(bookPart);
  if (xml === undefined) throw new Error(`no workbook part (${bookPart})`);

  const declared: { name: string; rid?: string }[] = [];
  let date1904 = false;
  scanXml(xml, (name, a) => {
    if (name === 'sheet' && a.name !== undefined) declared.push({ name: a.name, rid: relId(a) });
    else if (name === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
  });

  const rels = await readRels(pkg, bookPart);
  const byId = new Map(rels.map((r) => [r.id, r]));
  const sheets: SheetInfo[] = [];
  for (const s of declared) {
    const rel = s.rid === undefined ? undefined : byId.get(s.rid);
    if (rel && rel.type.endsWith('/worksheet')) sheets.push({ name: s.name, part: rel.target });
  }
  const partOf = (suffix: string) => {
    const target = rels.find((r) => r.type.endsWith(suffix))?.target;
    return target !== undefined && pkg.has(target) ? target : undefined;
  };
  return { sheets, date1904, sharedStrings: partOf('/sharedStrings'), styles: partOf('/styles') };
}

function pickSheets(book: WorkbookInfo, wanted: string | undefined): SheetInfo[] {
  if (wanted === undefined) return book.sheets;
  // Excel treats sheet names case-insensitively, so a differently cased name still means that sheet
  const hit =
    book.sheets.find((s) => s.name === wanted) ??
    book.sheets.find((s) => s.name.toLowerCase() === wanted.toLowerCase());
  if (hit) return [hit];
  const have = book.sheets.map((s) => s.name).join('、') || '（无）';
  throw new XlsxError('SHEET_NOT_FOUND', `工作簿中没有名为“${wanted}”的工作表；现有工作表：${have}`);
}

// ---------------------------------------------------------------------------------------------
// Shared strings and styles, through exceljs's WorkbookReader

/** The WorkbookReader members we drive; exceljs is pinned (4.4.0) and test/io/xlsx.test.ts covers them. */
interface WorkbookReaderInternals {
  sharedStrings?: (string | { richText: { text?: string | null }[] } | null)[];
  styles: {
    model?: { styles?: ({ numFmtId?: number } | undefined)[] };
    index?: { numFmt?: Record<number, string | undefined> };
  };
  _parseSharedStrings(entry: Readable): AsyncIterable<unknown>;
  _parseStyles(entry: Readable): Promise<void>;
}

interface CellContext {
  strings: string[];
  isDateStyle: (styleIndex: number) => boolean;
  date1904: boolean;
}

async function loadCellContext(pkg: Package, book: WorkbookInfo): Promise<CellContext> {
  const ExcelJS = loadExcelJS();
  // no input: its own unzip pass is never run, the parts come from yauzl
  const reader = new ExcelJS.stream.xlsx.WorkbookReader('', {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
  }) as unknown as WorkbookReaderInternals;

  let strings: string[] = [];
  if (book.sharedStrings !== undefined) {
    const stream = await pkg.open(book.sharedStrings, pkg.limits.maxPartBytes, '的共享字符串表');
    try {
      // in 'cache' mode this yields nothing and fills reader.sharedStrings
      for await (const _ of reader._parseSharedStrings(stream));
    } finally {
      stream.destroy();
    }
    const cached = reader.sharedStrings ?? [];
    reader.sharedStrings = undefined;
    strings = cached as unknown as string[];
    // flatten in place: rich-text runs (and their font objects) are not kept
    for (let i = 0; i < cached.length; i++) strings[i] = plainText(cached[i]);
  }
  if (book.styles !== undefined) {
    const stream = await pkg.open(book.styles, pkg.limits.maxPartBytes, '的样式表');
    try {
      await reader._parseStyles(stream);
    } finally {
      stream.destroy();
    }
  }
  return { strings, isDateStyle: dateStyleLookup(reader.styles), date1904: book.date1904 };
}

function plainText(v: string | { richText: { text?: string | null }[] } | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return unescapeXstring(v);
  return unescapeXstring(v.richText.map((r) => r.text ?? '').join(''));
}

/** OOXML escapes characters XML cannot carry as _xHHHH_ (Excel writes a line's CR as _x000D_). */
function unescapeXstring(s: string): string {
  if (s.indexOf('_x') === -1) return s;
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Built-in number formats that show dates or times: 14-22 and 45-47 everywhere, and 27-36 and
 * 50-58, which zh-CN/zh-TW/ja/ko Excel uses for its local date formats (yyyy"年"m"月"d"日" is 31).
 */
const BUILTIN_DATE_FORMATS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53,
  54, 55, 56, 57, 58,
]);

/** A custom format code shows a date if, outside quoted text, escapes and [..] sections, it has date/time letters. */
export function isDateFormat(code: string): boolean {
  const bare = code.replace(/"[^"]*"|\[[^\]]*\]|\\.|[_*]./g, '').replace(/general/gi, '');
  return /[ymdhs]/i.test(bare);
}

function dateStyleLookup(styles: WorkbookReaderInternals['styles']): (s: number) => boolean {
  const xfs = styles.model?.styles ?? [];
  const custom = styles.index?.numFmt ?? {};
  const known: (boolean | undefined)[] = [];
  return (s) => {
    let isDate = known[s];
    if (isDate === undefined) {
      const id = xfs[s]?.numFmtId ?? 0;
      const code = custom[id];
      isDate = known[s] = code !== undefined ? isDateFormat(code) : BUILTIN_DATE_FORMATS.has(id);
    }
    return isDate;
  };
}

/** Excel's last date serial + 1: 2958465 is 9999-12-31. */
const MAX_SERIAL = 2_958_466;

/**
 * Serial day number → Date whose UTC fields are the spreadsheet's calendar date and clock time.
 * In the 1900 system Excel counts a fictitious 1900-02-29 (serial 60), so earlier dates are off by one.
 */
export function serialToDate(serial: number, date1904: boolean): Date {
  let days = serial + (date1904 ? 1462 : 0);
  if (!date1904 && serial >= 1 && serial < 60) days += 1;
  return new Date(Math.round((days - 25569) * 86_400_000));
}

/** t="d" cells hold ISO 8601 text; without a zone it is a wall-clock date, so read it as UTC. */
function isoToDate(text: string): Date | string {
  const zoned = /(?:Z|[+-]\d\d:?\d\d)$/i.test(text) || !text.includes('T');
  const d = new Date(zoned ? text : `${text}Z`);
  return Number.isNaN(d.getTime()) ? text : d;
}

// ---------------------------------------------------------------------------------------------
// Merged ranges

interface Merge {
  r1: number;
  c1: number;
  r2: number;
  c2: number;
  /** The top-left cell's value, known once row r1 has been read. */
  value: CellValue;
}

/** Column number of a cell reference: "AB12" → 28. */
function columnOf(ref: string): number {
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const ch = ref.charCodeAt(i) | 0x20; // lower-case
    if (ch < 0x61 || ch > 0x7a) break;
    col = col * 26 + (ch - 0x60);
  }
  return col;
}

/** "AB12" → [28, 12]. */
function decodeCellRef(ref: string): [number, number] {
  const digits = ref.search(/\d/);
  return [columnOf(ref), digits === -1 ? NaN : parseInt(ref.slice(digits), 10)];
}

const MERGE_CELL = /<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * First pass over a sheet part: collect merged ranges without parsing XML. The text is read as
 * latin1 (one char per byte): the markup is ASCII, and UTF-8 never has '<' or '>' inside a
 * multibyte character. An unfinished tag at a chunk's end waits for the next chunk.
 */
async function scanMerges(pkg: Package, sheet: SheetInfo): Promise<Merge[]> {
  const merges: Merge[] = [];
  const maxCol = pkg.limits.maxColumns;
  const stream = await pkg.open(sheet.part, pkg.limits.maxSheetXmlBytes, `的工作表“${sheet.name}”`);
  let carry = '';
  const maxCarry = markupRunLimit(pkg.limits);
  try {
    for await (const chunk of stream) {
      const text = carry + (chunk as Buffer).toString('latin1');
      const lt = text.lastIndexOf('<');
      const end = lt !== -1 && text.indexOf('>', lt) === -1 ? lt : text.length;
      carry = text.slice(end);
      // an unfinished tag that never ends would otherwise pile up here
      if (carry.length > maxCarry) throw new XlsxError('BAD_WORKBOOK', `无法读取 Excel 文件“${path.basename(pkg.file)}”：工作表“${sheet.name}”的 XML 中有超长的标记，文件已损坏或被篡改`);
      if (text.indexOf('mergeCell') === -1) continue;
      MERGE_CELL.lastIndex = 0;
      const complete = end === text.length ? text : text.slice(0, end);
      for (let m = MERGE_CELL.exec(complete); m !== null; m = MERGE_CELL.exec(complete)) {
        const [from, to] = (m[1] ?? m[2] ?? '').split(':');
        if (!from || !to) continue;
        const [c1, r1] = decodeCellRef(from);
        const [c2, r2] = decodeCellRef(to);
        if (!(c1 > 0 && c2 > 0 && r1 > 0 && r2 > 0) || (c1 === c2 && r1 === r2)) continue;
        // a range reaching past the column limit is formatting (a title merged out to XFD): only
        // columns that may hold data are filled, so a merge cannot blow a row up to 16 384 cells
        const left = Math.min(c1, c2);
        if (left > maxCol) continue;
        if (merges.length >= pkg.limits.maxMerges) {
          throw new XlsxError('BAD_WORKBOOK', `无法读取 Excel 文件“${path.basename(pkg.file)}”：工作表“${sheet.name}”有超过 ${pkg.limits.maxMerges} 个合并单元格区域，不是正常的表格`);
        }
        merges.push({
          r1: Math.min(r1, r2),
          c1: left,
          r2: Math.max(r1, r2),
          c2: Math.min(Math.max(c1, c2), maxCol),
          value: null,
        });
      }
    }
  } finally {
    stream.destroy();
  }
  return merges.sort((a, b) => a.r1 - b.r1 || a.c1 - b.c1);
}

/**
 * Fills merged ranges as rows stream past. Holds only the ranges that cover the current row, with
 * their top-left values, so memory follows the number of merges, never the number of rows.
 * Rows the XML leaves out are filled in only between rows it has: past the last one they would hold
 * nothing but merged-in copies, and an accidental whole-column merge would make a million of them.
 */
class MergeFiller {
  private next = 0;
  private active: Merge[] = [];
  private last = 0;

  constructor(private readonly merges: Merge[]) {}

  /** Row `n` as parsed (undefined = empty cell). Emits first the absent rows a merge fills, then `n`. */
  row(n: number, cells: CellValue[], emit: (n: number, cells: CellValue[]) => void): void {
    if (this.active.length > 0) {
      let reach = 0;
      for (const m of this.active) if (m.value !== null && m.r2 > reach) reach = m.r2;
      for (let g = this.last + 1; g < n && g <= reach; g++) {
        const gap: CellValue[] = [];
        this.apply(g, gap);
        emit(g, gap);
      }
    }
    this.apply(n, cells);
    this.last = n;
    emit(n, cells);
  }

  private apply(n: number, cells: CellValue[]): void {
    const { merges, active } = this;
    while (this.next < merges.length && merges[this.next].r1 <= n) {
      const m = merges[this.next++];
      // a range whose top row is absent from the XML has an empty top-left cell
      m.value = m.r1 === n ? (cells[m.c1 - 1] ?? null) : null;
      if (m.r2 >= n) active.push(m);
    }
    if (active.length === 0) return;
    let keep = 0;
    for (const m of active) {
      for (let c = m.c1; c <= m.c2; c++) if (n !== m.r1 || c !== m.c1) cells[c - 1] = m.value;
      if (m.r2 > n) active[keep++] = m;
    }
    active.length = keep;
  }
}

// ---------------------------------------------------------------------------------------------
// Sheet data

/** Dense, trimmed row, or undefined when it carries no value at all. */
function finishRow(sheet: string, rowNumber: number, cells: CellValue[]): SheetRow | undefined {
  let last = cells.length - 1;
  while (last >= 0 && (cells[last] === null || cells[last] === undefined)) last--;
  if (last < 0) return undefined;
  cells.length = last + 1;
  for (let i = 0; i <= last; i++) if (cells[i] === undefined) cells[i] = null;
  return { sheet, rowNumber, cells };
}

function textOrNull(s: string | null): string | null {
  return s === null || s === '' ? null : unescapeXstring(s);
}

/** `<c t=…>` with its cached `<v>` (formulas included) or inline `<is>` text → CellValue. */
function cellValue(type: string, style: number, v: string | null, inline: string | null, ctx: CellContext): CellValue {
  switch (type) {
    case 's': {
      if (v === null || v === '') return null;
      return ctx.strings[Number(v)] || null;
    }
    case 'inlineStr':
      return textOrNull(inline ?? v);
    case 'str':
      return textOrNull(v ?? inline);
    case 'b':
      return v === null || v === '' ? null : v !== '0' && v.toLowerCase() !== 'false';
    case 'e':
      return v === null || v === '' ? null : { error: v };
    case 'd':
      return v === null || v === '' ? null : isoToDate(v);
    default: {
      if (v === null || v === '') return null;
      const n = Number(v);
      if (Number.isNaN(n)) return textOrNull(v);
      // a date-formatted number outside Excel's calendar (0 … 9999-12-31) stays a number: as a Date it would be invalid
      return ctx.isDateStyle(style) && n >= 0 && n < MAX_SERIAL ? serialToDate(n, ctx.date1904) : n;
    }
  }
}

/** Sax state for one sheet; rows go to `out` as their </row> closes. */
class SheetParser {
  private inData = false;
  private rowNumber = 0;
  private cells: CellValue[] | null = null;
  private col = 0;
  private inCell = false;
  private type = 'n';
  private style = 0;
  private v: string | null = null;
  private inline: string | null = null;
  /** 1 = collecting <v>, 2 = collecting an inline <t> run. */
  private capture: 0 | 1 | 2 = 0;
  private inPhonetic = false;
  /** Characters collected for the current cell (<v> or inline text), checked against maxCellChars as they come. */
  private chars = 0;
  private readonly filler: MergeFiller;
  readonly out: SheetRow[] = [];
  private readonly emit = (n: number, cells: CellValue[]) => {
    const row = finishRow(this.sheet, n, cells);
    if (row) this.out.push(row);
  };

  constructor(
    private readonly file: string,
    private readonly sheet: string,
    private readonly ctx: CellContext,
    merges: Merge[],
    private readonly limits: ReaderLimits,
  ) {
    this.filler = new MergeFiller(merges);
  }

  open(tag: SaxesModule.SaxesTagPlain): void {
    const a = tag.attributes;
    switch (localName(tag.name)) {
      case 'sheetData':
        this.inData = true;
        break;
      case 'row':
        if (!this.inData) break;
        // r is optional in the format: an unnumbered row follows the previous one
        this.rowNumber = a.r ? parseInt(a.r, 10) : this.rowNumber + 1;
        this.cells = [];
        this.col = 0;
        break;
      case 'c':
        if (!this.cells) break;
        this.inCell = true;
        this.col = a.r ? columnOf(a.r) : this.col + 1;
        this.type = a.t ?? 'n';
        this.style = a.s ? parseInt(a.s, 10) : 0;
        this.v = null;
        this.inline = null;
        this.chars = 0;
        break;
      case 'v':
        if (this.inCell) {
          this.v = '';
          this.capture = 1;
        }
        break;
      case 'is':
        if (this.inCell) this.inline = '';
        break;
      case 'rPh': // phonetic guide runs are not part of the cell's text
        this.inPhonetic = true;
        break;
      case 't':
        if (this.inline !== null && !this.inPhonetic) this.capture = 2;
        break;
    }
  }

  text(t: string): void {
    if (this.capture === 0) return;
    // refuse a huge cell while it streams in, before it is held whole (a 10 MB paste, a bomb in one cell)
    this.chars += t.length;
    if (this.chars > this.limits.maxCellChars) throw this.tooLong(this.chars);
    if (this.capture === 1) this.v += t;
    else this.inline += t;
  }

  private tooLong(length: number) {
    return cellTooLong(this.file, this.sheet, this.rowNumber, this.col - 1, length, this.limits);
  }

  /** Markup-free text far longer than any cell may be, at the cell being read (or the last one). */
  runTooLong(length: number) {
    return this.tooLong(Math.floor(length / 8));
  }

  close(tag: SaxesModule.SaxesTagPlain): void {
    switch (localName(tag.name)) {
      case 'v':
      case 't':
        this.capture = 0;
        break;
      case 'rPh':
        this.inPhonetic = false;
        break;
      case 'c':
        if (this.inCell && this.cells && this.col > 0) {
          const value = cellValue(this.type, this.style, this.v, this.inline, this.ctx);
          if (value !== null) {
            // empty cells far right (formatting out to XFD) are harmless; a value there is not a table
            if (this.col > this.limits.maxColumns) throw tooManyColumns(this.file, this.sheet, this.rowNumber, this.col - 1, this.limits);
            if (typeof value === 'string' && value.length > this.limits.maxCellChars) throw this.tooLong(value.length);
            this.cells[this.col - 1] = value;
          }
        }
        this.inCell = false;
        this.v = null;
        this.inline = null;
        break;
      case 'row':
        if (this.cells) this.filler.row(this.rowNumber, this.cells, this.emit);
        this.cells = null;
        break;
      case 'sheetData':
        this.inData = false;
        break;
    }
  }
}

/**
 * Longest run of XML text without < or > a sheet may have: a cell's characters, each escaped at most
 * as an 8-character entity (&#x1F600;), plus slack for long attribute lists.
 */
function markupRunLimit(limits: ReaderLimits): number {
  return limits.maxCellChars * 8 + 4096;
}

async function* readSheet(pkg: Package, sheet: SheetInfo, ctx: CellContext, merges: Merge[]): AsyncGenerator<SheetRow> {
  const state = new SheetParser(pkg.file, sheet.name, ctx, merges, pkg.limits);
  const parser = newSaxParser();
  parser.on('opentag', (tag) => state.open(tag));
  parser.on('closetag', (tag) => state.close(tag));
  parser.on('text', (t) => state.text(t));
  parser.on('cdata', (t) => state.text(t));
  // one streaming decoder for the whole part: a character split across chunks stays whole
  const decoder = new TextDecoder('utf-8');
  const stream = await pkg.open(sheet.part, pkg.limits.maxSheetXmlBytes, `的工作表“${sheet.name}”`);
  // saxes holds a text node (or a tag) whole before it reports it, so the per-cell check alone would
  // come after a bomb's one gigantic cell was in memory: bound the run between markup characters here
  const maxRun = markupRunLimit(pkg.limits);
  let run = 0;
  try {
    for await (const chunk of stream) {
      const text = decoder.decode(chunk as Buffer, { stream: true });
      const mark = Math.max(text.lastIndexOf('<'), text.lastIndexOf('>'));
      run = mark === -1 ? run + text.length : text.length - mark - 1;
      if (run > maxRun) throw state.runTooLong(run);
      parser.write(text);
      if (state.out.length > 0) yield* state.out.splice(0);
    }
    parser.write(decoder.decode());
    parser.close(); // throws on a truncated part
    yield* state.out.splice(0);
  } finally {
    stream.destroy();
  }
}
