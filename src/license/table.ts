/**
 * Reads an office's batch spreadsheet (applications to issue, or lifecycle operations) through the
 * shared `readRows`: finds the header row in the first rows of each sheet by the column names it
 * knows, skips blank, note (注：…) and total rows, and hands out each data row with the cells of the
 * fields it found. Column names are matched as the catalog's are (`headerKey`: no spaces, brackets
 * or width differences). `openTable` streams the rows (issuance: memory flat however long the file);
 * `readTable` collects them (small batches checked as a whole first).
 */
import fs from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import { InputError } from '../cli/errors';
import { columnLetter } from '../catalog/parse';
import { formatOf, readRows } from '../io/read-rows';
import type { CellValue } from '../io/types';
import { noteCleaned, type CellRef } from '../io/cleaned';
import { cellText } from '../text/normalize';
import { columnIndex, HeaderEngine, type ColumnReport } from '../text/headers';
import type { BatchRowError } from './types';
import { isNoteOrTotal } from '../catalog/parse';

const HEADER_SEARCH_ROWS = 30;

export interface TableRow<F extends string> {
  file: string;
  sheet: string;
  row: number;
  cells: CellValue[];
  get(field: F): CellValue;
  /** The field's column as the sheet names it, for error messages. */
  column(field: F): { column: string; columnLetter: string };
}

export interface TableSheet {
  sheet: string;
  headerRow: number;
  labels: string[];
  /** Each column with a header → the field it is read as (null: 未识别), with the first values (dry runs). */
  columns: ColumnReport[];
}

export interface ReadTableResult<F extends string> {
  file: string;
  sha256: string;
  sheets: TableSheet[];
  rows: Array<TableRow<F>>;
  /** Cells cleaned of control, format or bidi characters on reading (src/io/cleaned.ts). */
  controlsRemoved: CellRef[];
}

/**
 * A copy of `s` that shares no memory with it. Text read from a workbook is often a view into the
 * XML chunk it was parsed from (V8 keeps substrings and concatenations as references), so a string
 * kept for the whole batch — a key of a batch-wide map, a result entry, an error message — would
 * keep that chunk, and so eventually the whole file, in memory.
 */
export function detach(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

/** An error about one field of a row (kept until the batch ends: detached from the row's cells). */
export function fieldError<F extends string>(r: TableRow<F>, field: F | '', message: string): BatchRowError {
  const col = field ? r.column(field) : { column: '', columnLetter: '' };
  return { file: r.file, sheet: r.sheet, row: r.row, ...col, message: detach(message) };
}

function isSkippable(cells: CellValue[]): boolean {
  // Fast path for the common case (a data row has several cells, none a total label): no text
  // normalisation for 100k rows that are plainly data.
  // (a merged note row repeats one value in every cell, so it needs two different values).
  let filled = 0;
  let first: CellValue = null;
  let distinct = false;
  for (const c of cells) {
    if (c === null || c === '') continue;
    if (typeof c === 'string' && /^[\s\u3000]*(合计|小计|总计)[\s\u3000]*$/.test(c)) return true;
    if (filled++ === 0) first = c;
    else if (c !== first) distinct = true;
  }
  if (filled >= 3 && distinct) return false;
  // the catalog importer's rule for blank, note and total rows
  return isNoteOrTotal(cells.map((c) => cellText(c)));
}


export async function fileSha256(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface TableStream<F extends string> {
  file: string;
  sha256: string;
  /** Sheets whose header has been found so far: complete once `rows()` is exhausted. */
  sheets: TableSheet[];
  /** Cells cleaned of control, format or bidi characters so far (src/io/cleaned.ts): complete once `rows()` is exhausted. */
  controlsRemoved: CellRef[];
  /**
   * The data rows, read from the file as they are asked for (memory stays flat). Each call reads
   * the file again from the start (a retried transaction) and refills `sheets`. Throws NO_HEADER at
   * the end when no sheet had a recognisable header.
   */
  rows(): AsyncGenerator<TableRow<F>>;
}

/**
 * Opens a batch spreadsheet for streaming: checks that the file exists and has a readable format,
 * and takes its SHA-256 (recorded with the batch) before any row is read.
 */
export async function openTable<F extends string>(file: string, vocabulary: Record<F, readonly string[]>, opts: { minFields?: number; what: string }): Promise<TableStream<F>> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new InputError(`找不到文件“${file}”。`, '请检查路径是否正确。', undefined, 'FILE_NOT_FOUND');
  formatOf(file);
  const name = path.basename(file);
  // the shared header engine: headers normalised (brackets, numbering, width) and matched by synonym
  const engine = new HeaderEngine<F>({ synonyms: vocabulary });
  const minFields = opts.minFields ?? 3;
  const stream: TableStream<F> = {
    file: name,
    sha256: await fileSha256(file),
    sheets: [],
    controlsRemoved: [],
    async *rows() {
      const sheets: TableSheet[] = (stream.sheets = []);
      const cleaned: CellRef[] = (stream.controlsRemoved = []);
      let current: { sheet: string; seen: number; columns?: Map<F, number>; labels?: string[]; report?: ColumnReport[]; samples: number } | undefined;
      for await (const r of readRows(file)) {
        noteCleaned(cleaned, name, r);
        if (!current || current.sheet !== r.sheet) current = { sheet: r.sheet, seen: 0, samples: 0 };
        const cur = current;
        if (!cur.columns) {
          if (++cur.seen > HEADER_SEARCH_ROWS) continue;
          const labels = r.cells.map((c) => cellText(c) ?? '');
          const mapping = engine.map([r.cells.map((c, i) => (labels[i].length <= 30 ? c : null))]);
          const columns = new Map<F, number>(Object.entries(mapping.columns) as Array<[F, number]>);
          if (columns.size >= minFields) {
            cur.columns = columns;
            cur.labels = labels;
            cur.report = mapping.all.map((c) => ({ column: c.column, header: labels[c.index], field: c.field, label: c.field ? vocabulary[c.field][0] : null, unit: c.unit, samples: [] }));
            sheets.push({ sheet: r.sheet, headerRow: r.rowNumber, labels, columns: cur.report });
          }
          continue;
        }
        if (isSkippable(r.cells)) continue;
        if (cur.samples < 3) {
          // the first values of each column, for the dry run's column table
          cur.samples++;
          for (const c of cur.report!) {
            const t = cellText(r.cells[columnIndex(c.column)] ?? null);
            if (t) c.samples.push(detach(t));
          }
        }
        const columns = cur.columns;
        const labels = cur.labels!;
        const cells = r.cells;
        yield {
          file: name,
          sheet: r.sheet,
          row: r.rowNumber,
          cells,
          get: (f) => {
            const i = columns.get(f);
            return i === undefined ? null : (cells[i] ?? null);
          },
          column: (f) => {
            const i = columns.get(f);
            return i === undefined ? { column: vocabulary[f][0], columnLetter: '' } : { column: labels[i], columnLetter: columnLetter(i) };
          },
        };
      }
      if (sheets.length === 0) {
        throw new InputError(
          `“${name}”中找不到${opts.what}的表头。`,
          `表头应包含这些列名中的至少 ${minFields} 个：${(Object.values(vocabulary) as string[][]).map((v) => v[0]).join('、')}。`,
          { file: name },
          'NO_HEADER',
        );
      }
    },
  };
  return stream;
}

/**
 * All data rows of `file` at once, for batches that are checked as a whole before anything is
 * written (`license apply`: a few hundred lifecycle operations). Issuance streams instead (`openTable`).
 */
export async function readTable<F extends string>(file: string, vocabulary: Record<F, readonly string[]>, opts: { minFields?: number; what: string; onRows?: (n: number) => void }): Promise<ReadTableResult<F>> {
  const table = await openTable(file, vocabulary, opts);
  const rows: Array<TableRow<F>> = [];
  for await (const r of table.rows()) {
    rows.push(r);
    if (rows.length % 1000 === 0) opts.onRows?.(1000);
  }
  return { file: table.file, sha256: table.sha256, sheets: table.sheets, rows, controlsRemoved: table.controlsRemoved };
}

/**
 * `source` in arrays of `size`, read ahead by up to `ahead` arrays while the caller awaits other
 * work: parsing the next rows of a workbook (main thread) overlaps the database statements of the
 * current ones (libuv's thread pool). Stopping early closes the source.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, size: number, ahead = 2): AsyncGenerator<T[]> {
  const it = source[Symbol.asyncIterator]();
  const ready: T[][] = [];
  let exhausted = false;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  const wake = (w: (() => void) | undefined) => w?.();
  const producer = (async () => {
    let chunk: T[] = [];
    try {
      for (;;) {
        while (ready.length >= ahead && !stopped) await new Promise<void>((r) => (wakeProducer = r));
        if (stopped) return;
        const next = await it.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        chunk.push(next.value);
        if (chunk.length >= size) {
          ready.push(chunk);
          chunk = [];
          wake(wakeConsumer);
        }
      }
      if (chunk.length) ready.push(chunk);
    } catch (error) {
      exhausted = true;
      failure = { error };
    } finally {
      wake(wakeConsumer);
    }
  })();
  try {
    for (;;) {
      if (ready.length) {
        const chunk = ready.shift()!;
        wake(wakeProducer);
        yield chunk;
        continue;
      }
      if (failure) throw failure.error;
      if (exhausted) return;
      await new Promise<void>((r) => (wakeConsumer = r));
    }
  } finally {
    stopped = true;
    wake(wakeProducer);
    await producer;
    if (!exhausted) await it.return?.(undefined);
  }
}
