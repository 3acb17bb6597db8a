import path from 'node:path';
import type { ReadRowsOptions, SheetRow } from './types';
import { readCsvRows } from './csv';
import { sniffFormat } from './sniff';
import { InputError } from '../cli/errors';
import { stripControlCells } from '../text/controls';

export type FileFormat = 'xlsx' | 'xls' | 'ods' | 'html' | 'csv';

/** Extensions of the spreadsheet files yiye reads. What a file really is comes from its bytes (./sniff). */
const EXTENSIONS: Record<string, FileFormat> = {
  '.xlsx': 'xlsx',
  '.xlsm': 'xlsx',
  '.xls': 'xls',
  '.et': 'xls',
  '.ods': 'ods',
  '.htm': 'html',
  '.html': 'html',
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
};

/**
 * What a file's name says it is; other types (.pdf, .docx …) are refused before anything is read.
 * The reader is then chosen by the file's bytes, so an .xls that is really an .xlsx, an HTML table
 * or a csv is still read.
 */
export function formatOf(file: string): FileFormat {
  const format = EXTENSIONS[path.extname(file).toLowerCase()];
  if (format !== undefined) return format;
  throw new InputError(
    `不支持的文件类型“${path.basename(file)}”：只能读取 .xlsx、.xls、.et、.ods 或 .csv 文件。`,
    '在 Excel、WPS 或 LibreOffice 中打开文件并“另存为” .xlsx（或 CSV UTF-8）后再导入。',
    undefined,
    'BAD_FILE',
  );
}

/**
 * Undoes our writers' formula guard (`neutralizeFormula` in ./write): a text cell that is an
 * apostrophe followed by = + - @, tab or CR was written by yiye (a results file, an export) and reads
 * as the text after the apostrophe, so a file fed back does not put the guard into the data. Only
 * that exact shape: a leading apostrophe before anything else is the department's own text. One
 * character check per text cell, done in place (each row's cells are its own array).
 */
export function unguardCells(cells: SheetRow['cells']): void {
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (typeof c !== 'string' || c.charCodeAt(0) !== 0x27 || c.length < 2) continue;
    const next = c.charCodeAt(1);
    // = + - @ \t \r and full-width ＝＋－＠: exactly the characters neutralizeFormula guards
    if (next === 0x3d || next === 0x2b || next === 0x2d || next === 0x40 || next === 0x09 || next === 0x0d || next === 0xff1d || next === 0xff0b || next === 0xff0d || next === 0xff20) cells[i] = c.slice(1);
  }
}

/** The reader for what the file's bytes are; each is loaded only when needed (exceljs, SheetJS are slow to load). */
async function rowsOf(file: string, opts: ReadRowsOptions): Promise<AsyncGenerator<SheetRow>> {
  const format = sniffFormat(file);
  if (format === 'csv') return readCsvRows(file, opts);
  if (format === 'xlsx') return (await import('./xlsx')).readXlsxRows(file, opts);
  return (await import('./legacy')).readLegacyRows(file, format, opts);
}

/**
 * The one entry point every importer reads through: rows of an .xlsx (streamed), an .xls / .et /
 * .ods or an HTML or XML "Excel" export (read whole, within the limits of ./limits) — every sheet,
 * or `opts.sheet` — or of a csv in any of the encodings departments use. The format comes from the
 * file's bytes, not its name. Text cells carrying our own formula guard come back without it
 * (`unguardCells`): this loop is the one place every row's cells pass through.
 */
export async function* readRows(file: string, opts: ReadRowsOptions = {}): AsyncGenerator<SheetRow> {
  const rows = await rowsOf(file, opts);
  for await (const r of rows) {
    unguardCells(r.cells);
    const cleaned = stripControlCells(r.cells); // control, bidi and format characters never belong in a cell (src/text/controls.ts)
    if (cleaned.length) r.controlsRemoved = cleaned;
    yield r;
  }
}
