import path from 'node:path';
import type { ReadRowsOptions, SheetRow } from './types';
import { readCsvRows } from './csv';
import { InputError } from '../cli/errors';

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
 * The one entry point every importer reads through: rows of an xlsx (every sheet, or `opts.sheet`)
 * or of a csv in any of the encodings departments use. Streaming: memory does not grow with rows.
 */
export async function* readRows(file: string, opts: ReadRowsOptions = {}): AsyncGenerator<SheetRow> {
  if (formatOf(file) === 'csv') {
    yield* readCsvRows(file, opts);
    return;
  }
  // Loaded only for workbooks: exceljs is slow to load and commands on csv never need it.
  const { readXlsxRows } = await import('./xlsx');
  yield* readXlsxRows(file, opts);
}
