import path from 'node:path';
import type { ReadRowsOptions, SheetRow } from './types';
import { readCsvRows } from './csv';
import { InputError } from '../cli/errors';
import { stripControlCells } from '../text/controls';

export type FileFormat = 'xlsx' | 'csv';

function badFile(message: string): InputError {
  return new InputError(message, '在 Excel 或 WPS 中打开文件并“另存为” .xlsx（或 CSV UTF-8）后再导入。', undefined, 'BAD_FILE');
}

/** Which reader a file needs, by its extension; .xls and others are refused with the fix. */
export function formatOf(file: string): FileFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.xlsx' || ext === '.xlsm') return 'xlsx';
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv';
  if (ext === '.xls' || ext === '.et') {
    throw badFile(`不支持旧版 Excel 格式“${path.basename(file)}”：请在 Excel 或 WPS 中“另存为” .xlsx 后再导入。`);
  }
  throw badFile(`不支持的文件类型“${path.basename(file)}”：只能读取 .xlsx 或 .csv 文件。`);
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

/**
 * The one entry point every importer reads through: rows of an xlsx (every sheet, or `opts.sheet`)
 * or of a csv in any of the encodings departments use. Streaming: memory does not grow with rows.
 * Text cells carrying our own formula guard come back without it (`unguardCells`).
 */
export async function* readRows(file: string, opts: ReadRowsOptions = {}): AsyncGenerator<SheetRow> {
  // Loaded only for workbooks: exceljs is slow to load and commands on csv never need it.
  const rows = formatOf(file) === 'csv' ? readCsvRows(file, opts) : (await import('./xlsx')).readXlsxRows(file, opts);
  for await (const r of rows) {
    unguardCells(r.cells);
    const cleaned = stripControlCells(r.cells); // control, bidi and format characters never belong in a cell (src/text/controls.ts)
    if (cleaned.length) r.controlsRemoved = cleaned;
    yield r;
  }
}
