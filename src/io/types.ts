import type { ReaderLimits } from './limits';

/**
 * What every reader (xlsx, csv, and the legacy reader for .xls/.et/.ods/HTML/XML workbooks) yields:
 * one spreadsheet row at a time. The xlsx and csv readers stream, so memory stays flat however long
 * the file is; the legacy reader parses the workbook whole, within the limits of ./limits.
 */

/** A cell that Excel itself marked as an error (#N/A, #REF! …). Kept distinct so validation can name it. */
export interface CellError {
  error: string;
}

/**
 * One cell. Dates are calendar dates: a `Date` whose UTC year/month/day are the spreadsheet's date
 * (no time zone is applied). Formulas arrive as their cached result.
 */
export type CellValue = string | number | boolean | Date | CellError | null;

export interface SheetRow {
  /** Worksheet name as the workbook shows it; for csv the file's base name without extension. */
  sheet: string;
  /** 1-based row number as the spreadsheet application numbers it (csv: physical line of the record's start). */
  rowNumber: number;
  /** cells[0] is column A. Cells covered by a merged range carry the value of the range's top-left cell. */
  cells: CellValue[];
  /** 0-based columns whose text lost control, bidi or format characters on reading (src/text/controls.ts). */
  controlsRemoved?: number[];
}

export interface ReadRowsOptions {
  /** Only this worksheet (workbooks; a csv has one). */
  sheet?: string;
  /** Lower input limits than the defaults of ./limits (tests); callers normally leave this out. */
  limits?: Partial<ReaderLimits>;
}

export function isCellError(v: CellValue): v is CellError {
  return typeof v === 'object' && v !== null && !(v instanceof Date) && 'error' in v;
}
