import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { CellValue } from './types';
import { isCellError } from './types';
import { loadExcelJS } from './exceljs';
import { UsageError } from '../cli/errors';

/**
 * A value safe to put in a spreadsheet a person will open: text that Excel or WPS would run as a
 * formula (= + - @, and tab/CR that some apps strip first) gets a leading apostrophe-free guard: a
 * single quote character, the OWASP CSV-injection recommendation.
 */
export function neutralizeFormula(v: CellValue): CellValue {
  // full-width ＝＋－＠ too: Excel with a Chinese or Japanese IME turns them into a formula as well
  if (typeof v === 'string' && /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(v)) return `'${v}`;
  if (isCellError(v)) return v.error;
  return v;
}

export interface SheetData {
  name: string;
  header: string[];
  rows: CellValue[][];
  /** Optional presentation for .xlsx (ignored for .csv); without it the sheet is written as before. */
  style?: SheetStyle;
}

/** How an .xlsx sheet is presented to the person who opens it. */
export interface SheetStyle {
  /** An autofilter over the header and every data row. */
  autoFilter?: boolean;
  /** Column widths from the longest text in each column (header included), CJK characters counting 2. */
  fitColumns?: boolean;
  /** Widest a fitted column gets, in character units (default 60). */
  maxWidth?: number;
  /** A background fill for a data row, as ARGB ('FFFDE0DC'), or null for none. */
  rowFill?: (row: CellValue[], index: number) => string | null;
  /** Number format of Date cells (default 'yyyy-mm-dd' when a style is given). */
  dateFormat?: string;
}

/** Display width of text as spreadsheet apps draw it: CJK and full-width characters take two columns. */
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{20000}-\u{3fffd}]/u;
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += ch.charCodeAt(0) < 0x1100 ? 1 : WIDE.test(ch) ? 2 : 1;
  return w;
}

function cellDisplay(v: CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return '0000-00-00';
  if (typeof v === 'object') return v.error;
  return String(v);
}

/** Column widths fitting the widest line of each column (a cell's longest line, not its total). */
function fittedWidths(s: SheetData, max: number): number[] {
  const widths = s.header.map((h) => displayWidth(h));
  for (const r of s.rows) {
    for (let i = 0; i < widths.length; i++) {
      const v = r[i];
      if (v === null || v === undefined || v === '') continue;
      const text = cellDisplay(v);
      const w = text.includes('\n') ? Math.max(...text.split('\n').map(displayWidth)) : displayWidth(text);
      if (w > widths[i]) widths[i] = w;
    }
  }
  // a little room for the autofilter button and padding; never narrower than 6
  return widths.map((w) => Math.min(max, Math.max(6, w + 3)));
}

/** Excel's sheet-name rules: at most 31 characters, none of []:*?/\ , unique in the workbook. */
export function sheetName(name: string, used: Set<string>): string {
  const base = name.replace(/[[\]:*?/\\]/g, '_').slice(0, 31) || 'Sheet';
  let candidate = base;
  for (let i = 2; used.has(candidate); i++) candidate = `${base.slice(0, 28)}(${i})`;
  used.add(candidate);
  return candidate;
}

type XlsxWriter = InstanceType<ReturnType<typeof loadExcelJS>['stream']['xlsx']['WorkbookWriter']>;

const defaultWidths = (header: string[]) => header.map((h) => Math.min(60, Math.max(10, h.length * 2 + 4)));

/** A sheet as every .xlsx of yiye starts: a bold header row, frozen. */
function addSheet(wb: XlsxWriter, name: string, header: string[], widths: number[], used: Set<string>) {
  const ws = wb.addWorksheet(sheetName(name, used), { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = header.map((h, i) => ({ header: h, width: widths[i] }));
  ws.getRow(1).font = { bold: true };
  return ws;
}

/** Sheets whose rows arrive one by one (an export, a batch's results), too many to hold at once. */
export interface RowSheet {
  name: string;
  header: string[];
  rows: Iterable<CellValue[]> | AsyncIterable<CellValue[]>;
}

/**
 * Writes rows as they arrive, to an .xlsx (plain sheets, inline strings: a shared-string table would
 * hold every distinct text in memory) or, for a .csv path, the first sheet as `writeCsv` does.
 * Sheets are read in order, each to its end.
 */
export async function writeRows(file: string, sheets: RowSheet[]): Promise<void> {
  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  if (path.extname(file).toLowerCase() === '.csv') {
    await writeCsv(file, sheets[0]?.header ?? [], sheets[0]?.rows ?? []);
    return;
  }
  const wb = new (loadExcelJS().stream.xlsx.WorkbookWriter)({ filename: file, useStyles: true, useSharedStrings: false });
  const used = new Set<string>();
  for (const s of sheets) {
    const ws = addSheet(wb, s.name, s.header, defaultWidths(s.header), used);
    for await (const r of s.rows) ws.addRow(r.map((v) => neutralizeFormula(v) as never)).commit();
    ws.commit();
  }
  await wb.commit();
}

/** Writes sheets to an .xlsx (streaming writer) or, for a .csv path, the first sheet as UTF-8 with BOM. */
export async function writeTable(file: string, sheets: SheetData[]): Promise<void> {
  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  if (path.extname(file).toLowerCase() === '.csv') {
    await writeCsv(file, sheets[0]?.header ?? [], sheets[0]?.rows ?? []);
    return;
  }
  const ExcelJS = loadExcelJS();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: true });
  const used = new Set<string>();
  for (const s of sheets) {
    const st = s.style;
    const ws = addSheet(wb, s.name, s.header, st?.fitColumns ? fittedWidths(s, st.maxWidth ?? 60) : defaultWidths(s.header), used);
    if (st?.autoFilter && s.header.length) ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: s.rows.length + 1, column: s.header.length } };
    if (!st) {
      for (const r of s.rows) ws.addRow(r.map((v) => neutralizeFormula(v) as never)).commit();
    } else {
      const dateFormat = st.dateFormat ?? 'yyyy-mm-dd';
      // One style object per (fill, date) pair, shared by every cell that has it: exceljs recognises
      // a style object it has seen and skips rebuilding its XML for every cell.
      const styles = new Map<string, Record<string, unknown>>();
      const styleOf = (fill: string | null, date: boolean) => {
        const key = `${fill ?? ''}|${date ? 1 : 0}`;
        let style = styles.get(key);
        if (!style) {
          style = {};
          if (date) style.numFmt = dateFormat;
          if (fill) style.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fill } };
          styles.set(key, style);
        }
        return style;
      };
      s.rows.forEach((r, idx) => {
        const row = ws.addRow(r.map((v) => neutralizeFormula(v) as never));
        const fill = st.rowFill?.(r, idx) ?? null;
        for (let c = 1; c <= Math.max(s.header.length, r.length); c++) (row.getCell(c) as unknown as { style: unknown }).style = styleOf(fill, r[c - 1] instanceof Date);
        row.commit();
      });
    }
    ws.commit();
  }
  await wb.commit();
}

function csvField(v: CellValue): string {
  const n = neutralizeFormula(v);
  const s = n === null || n === undefined ? '' : n instanceof Date ? n.toISOString().slice(0, 10) : typeof n === 'boolean' ? (n ? '是' : '否') : String(n);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * UTF-8 with BOM and CRLF, which Excel and WPS open correctly on Chinese Windows. Rows may arrive
 * one by one (an async iterable), so a large results file never has to be held in memory.
 */
export async function writeCsv(file: string, header: string[], rows: Iterable<CellValue[]> | AsyncIterable<CellValue[]>): Promise<void> {
  const out = textOut(file);
  await out.write('\uFEFF' + header.map((h) => csvField(h)).join(',') + '\r\n');
  for await (const r of rows) await out.write(r.map(csvField).join(',') + '\r\n');
  await out.end();
}

/**
 * A text file written piece by piece, waiting whenever the disk lags behind; a write error surfaces
 * at the next `write` or at `end` (one error listener for the whole file — one per drain would pile
 * up on large files).
 */
export function textOut(file: string): { write(text: string): Promise<void>; end(text?: string): Promise<void> } {
  const out = fs.createWriteStream(file);
  let failure: Error | undefined;
  out.on('error', (err) => (failure = err));
  return {
    async write(text) {
      if (failure) throw failure;
      if (!out.write(text)) await once(out, 'drain');
    },
    end: (text = '') => new Promise<void>((resolve, reject) => out.end(text, (err?: Error | null) => (err ?? failure ? reject(err ?? failure) : resolve()))),
  };
}

/**
 * Refuses an output file (--report, --results) that is one of the inputs: writing the error list over
 * the department's own spreadsheet would destroy the rows that were fine and its layout.
 */
export function refuseOverwritingInput(out: string | undefined, inputs: string[], flag: string): void {
  if (!out) return;
  const target = path.resolve(out);
  const same = inputs.find((f) => path.resolve(f) === target || (fs.existsSync(f) && fs.existsSync(target) && fs.realpathSync(f) === fs.realpathSync(target)));
  if (same) throw new UsageError(`${flag} 的文件“${out}”就是要导入的文件，写入结果会覆盖原表。`, `请给 ${flag} 另起一个文件名，例如 ${flag} 错误清单.xlsx。`);
}
