/**
 * Input limits of the spreadsheet readers (README / SECURITY.md "Input limits"). A department's file
 * may be broken, enormous or hostile (a zip bomb, a pasted megabyte in one cell, a sheet formatted out
 * to column XFD); past these limits the readers refuse the file with an InputError (exit 3) naming the
 * file, sheet, row and column, before memory or time run out. Every value sits well above what a real
 * catalog, licence batch or task sheet needs.
 */
import path from 'node:path';
import { InputError } from '../cli/errors';

/** Columns that may hold a value. Excel allows 16 384 (XFD); a catalog has about 30. Empty styled cells further right are ignored. */
export const MAX_COLUMNS = 1_000;
/** Characters in one cell: Excel's own limit, so a workbook Excel wrote never exceeds it. */
export const MAX_CELL_CHARS = 32_767;
/**
 * Uncompressed size of one worksheet's XML. Sheets are streamed (memory stays flat), so this bounds
 * time: a 100 000-row catalog is about 60 MB. Checked against the zip's central directory before
 * inflating, and again by counting inflated bytes, because a header can lie.
 */
export const MAX_SHEET_XML_BYTES = 512 * 1024 * 1024;
/** Uncompressed size of a part read whole into memory (workbook, relationships, shared strings, styles). */
export const MAX_PART_BYTES = 128 * 1024 * 1024;
/** Entries in one .xlsx package: a workbook has dozens; a hundred thousand would only cost memory. */
export const MAX_ZIP_ENTRIES = 10_000;
/** Size of a .csv file. */
export const MAX_CSV_BYTES = 512 * 1024 * 1024;
/** Merged ranges in one sheet, all held in memory while it is read: a grouped 100 000-row catalog has tens of thousands. */
export const MAX_MERGES = 200_000;
/**
 * Size of a workbook read whole into memory rather than streamed: a legacy .xls / WPS .et, an .ods,
 * or an HTML or XML "Excel" export. Checked on the file before it is read (for an .ods, on every
 * part's inflated size in the zip's central directory, before inflating). The benchmark's
 * 100 000-row, 13-column catalog as .xls (text in LABEL records, no shared strings) is 47 MB.
 */
export const MAX_WORKBOOK_BYTES = 128 * 1024 * 1024;
/**
 * Rows per sheet of such a workbook: the parser stops there (Excel's own maximum is 1 048 576; an
 * .ods can declare more with a repeat count), and a sheet with more is refused.
 */
export const MAX_WORKBOOK_ROWS = 1_048_576;
/**
 * Cells holding a value, in all sheets of such a workbook. SheetJS builds an object per cell: the
 * benchmark's 1.3 million cells (100 000 rows × 13) peak at about 0.9 GB, so this bounds memory near
 * 1.5 GB. Counted before parsing where the format allows (BIFF record headers, an .ods's repeat
 * counts, HTML/XML cell tags) and again after. A full 65 536-row × 30-column .xls fits.
 */
export const MAX_WORKBOOK_CELLS = 2_000_000;

export interface ReaderLimits {
  maxColumns: number;
  maxCellChars: number;
  maxSheetXmlBytes: number;
  maxPartBytes: number;
  maxZipEntries: number;
  maxCsvBytes: number;
  maxMerges: number;
  maxWorkbookBytes: number;
  maxWorkbookRows: number;
  maxWorkbookCells: number;
}

export const DEFAULT_LIMITS: Readonly<ReaderLimits> = Object.freeze({
  maxColumns: MAX_COLUMNS,
  maxCellChars: MAX_CELL_CHARS,
  maxSheetXmlBytes: MAX_SHEET_XML_BYTES,
  maxPartBytes: MAX_PART_BYTES,
  maxZipEntries: MAX_ZIP_ENTRIES,
  maxCsvBytes: MAX_CSV_BYTES,
  maxMerges: MAX_MERGES,
  maxWorkbookBytes: MAX_WORKBOOK_BYTES,
  maxWorkbookRows: MAX_WORKBOOK_ROWS,
  maxWorkbookCells: MAX_WORKBOOK_CELLS,
});

/** The limits in force: the defaults, or lower ones a test passes in. */
export function limitsOf(overrides?: Partial<ReaderLimits>): ReaderLimits {
  return overrides ? { ...DEFAULT_LIMITS, ...overrides } : DEFAULT_LIMITS;
}

/** 0-based column index → spreadsheet letters (0 → A, 16383 → XFD). */
export function columnName(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** "12 MB", "512 MB", "1.5 GB": sizes as a clerk reads them. */
export function humanBytes(n: number): string {
  if (n >= 1024 ** 3) return `${Number((n / 1024 ** 3).toFixed(1))} GB`;
  if (n >= 1024 ** 2) return `${Number((n / 1024 ** 2).toFixed(1))} MB`;
  if (n >= 1024) return `${Number((n / 1024).toFixed(1))} KB`;
  return `${n} B`;
}

/** Where in a file a problem is: “x.xlsx”工作表“S”第 3 行 B 列. */
export function placeOf(file: string, sheet?: string, row?: number, col?: number): string {
  let s = `“${path.basename(file)}”`;
  if (sheet !== undefined) s += `工作表“${sheet}”`;
  if (row !== undefined) s += `第 ${row} 行`;
  if (col !== undefined) s += ` ${columnName(col)} 列`;
  return s;
}

export function tooManyColumns(file: string, sheet: string, row: number, col: number, limits: ReaderLimits): InputError {
  return new InputError(
    `${placeOf(file, sheet, row, col)}有内容，超出了 ${limits.maxColumns} 列的上限（第 ${col + 1} 列）：文件无法导入。`,
    '目录、申请表和任务表只需几十列；请删除表格右侧多余的列（或误填的内容）后另存再导入。',
    { file: path.basename(file), sheet, row, column: columnName(col), limit: limits.maxColumns },
    'TOO_MANY_COLUMNS',
  );
}

export function cellTooLong(file: string, sheet: string, row: number, col: number, length: number, limits: ReaderLimits): InputError {
  return new InputError(
    `${placeOf(file, sheet, row, col)}的内容超过 ${limits.maxCellChars} 个字符（Excel 单元格上限）${length > limits.maxCellChars ? `，至少有 ${length} 个字符` : ''}：文件无法导入。`,
    '请检查该单元格是否误粘贴了大段内容；过长的文本请删减或拆分后再导入。',
    { file: path.basename(file), sheet, row, column: columnName(col), limit: limits.maxCellChars },
    'CELL_TOO_LONG',
  );
}

/**
 * A file (or a part inside an .xlsx, `unpacked`) larger than the readers accept: a zip bomb, or simply
 * too much. `size` null: the exact size is unknown (counting stopped at the limit).
 */
export function tooLarge(file: string, what: string, size: number | null, limit: number, unpacked: boolean): InputError {
  const actual = size === null ? `超过 ${humanBytes(limit)}` : `为 ${humanBytes(size)}`;
  const why = unpacked ? '（可能是压缩炸弹或损坏的文件）' : '';
  return new InputError(
    `“${path.basename(file)}”${what}${unpacked ? '解压后' : '大小'}${actual}，超出 ${humanBytes(limit)} 的上限：文件无法导入${why}。`,
    '请确认文件来源；正常的目录、申请表或任务表远小于此上限。如确是超大表格，请拆分为多个文件分别导入。',
    { file: path.basename(file), limit },
    'FILE_TOO_LARGE',
  );
}
