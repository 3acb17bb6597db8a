/**
 * The cells of an imported file that readRows cleaned of control, format and bidi characters
 * (SheetRow.controlsRemoved; src/text/controls.ts), reported the same way by every batch import —
 * catalog import, license issue and apply, tasks import and update, the inspect imports:
 * `controlsRemoved` in --json (present, possibly empty), each cell as the user finds it in Excel,
 * and one line of text naming the first of them.
 */
import { columnName } from './limits';
import type { SheetRow } from './types';

/** One cell of a department's file, as the user finds it in Excel. */
export interface CellRef {
  file: string;
  sheet: string;
  /** 1-based row number. */
  row: number;
  /** Column letters (A, B, … AA). */
  column: string;
}

/** At most this many cells are listed (text pasted from a PDF may have one in every cell): SECURITY.md "Control characters". */
export const MAX_CLEANED_CELLS = 1000;

/** Adds the cells of `row` that were cleaned to `list` (`file`: the file's name as the user knows it). */
export function noteCleaned(list: CellRef[], file: string, row: SheetRow): void {
  for (const c of row.controlsRemoved ?? []) if (list.length < MAX_CLEANED_CELLS) list.push({ file, sheet: row.sheet, row: row.rowNumber, column: columnName(c) });
}

/** The text output's line about the cleaned cells (the first ten named), or none. */
export function cleanedLines(cells: CellRef[]): string[] {
  if (!cells.length) return [];
  const named = cells.slice(0, 10).map((c) => `“${c.file}” 工作表“${c.sheet}” ${c.column}${c.row}`);
  return [`有 ${cells.length}${cells.length >= MAX_CLEANED_CELLS ? ' 个以上' : ' 个'}单元格含控制字符或不可见的排版/方向控制符（多见于从 PDF 复制的文字），读取时已删除：${named.join('、')}${cells.length > 10 ? ' 等' : ''}`];
}
