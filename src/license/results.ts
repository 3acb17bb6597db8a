/**
 * The results file of a batch (every row: its original columns plus where it was in the batch and
 * 处理结果, 许可证编号, 错误原因),
 * written without holding the batch in memory: each row goes to a temporary spool file as its chunk is
 * processed, and the results file is written from the spool once the batch has committed or rolled
 * back — only then is it known whether a row that passed was issued.
 * The file itself is written by `writeRows` (src/io/write.ts) from the spool, row by row.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { writeRows } from '../io/write';
import type { CellValue } from '../io/types';
import type { TableSheet } from './table';
import { nameKey } from './store';
import type { BatchRowError } from './types';

/** What happened to a row; `passed` rows are issued only if the batch commits. */
export type RowOutcome = 'passed' | 'existing' | 'rejected';

interface SpoolLine {
  /** index of the sheet in the batch's sheets */
  s: number;
  /** row number in that sheet */
  w: number;
  c: unknown[];
  o: RowOutcome;
  n?: string;
  r?: string;
}

/** Cells as JSON: dates keep their type (a date cell is written back as a date). */
function encodeCell(v: CellValue): unknown {
  return v instanceof Date ? { $date: v.toISOString() } : v;
}

function decodeCell(v: unknown): CellValue {
  if (v !== null && typeof v === 'object' && '$date' in v) return new Date((v as { $date: string }).$date);
  return v as CellValue;
}

/** The columns of the results file: the sheet's own, less any results columns of an earlier run fed back. */
export interface ResultColumns {
  keep: number[];
  header: string[];
}

/**
 * The results file's columns for a sheet: its own, less the results columns of an earlier run fed
 * back (so they are replaced, not doubled), then `ours`, whose first, 原工作表, only when the batch
 * has several sheets.
 */
export function resultColumns(s: TableSheet, ours: readonly string[], severalSheets: boolean): ResultColumns {
  const keep = s.labels.map((l, i) => ({ l, i })).filter((x) => !ours.includes(nameKey(x.l)));
  return { keep: keep.map((x) => x.i), header: [...keep.map((x) => x.l || `第${x.i + 1}列`), ...(severalSheets ? ours : ours.slice(1))] };
}

/** A row's errors for its 错误原因 cell: 【column】message；… */
export function reasonsText(errs: BatchRowError[]): string {
  return errs.map((e) => (e.column ? `【${e.column}】${e.message}` : e.message)).join('；');
}

/** What the spool knows of a row besides its cells: where it was and what happened to it. */
export interface SpooledRow {
  sheet: TableSheet;
  row: number;
  outcome: RowOutcome;
  /** beside the outcome: the licence number issued, or what was done to the licence */
  note?: string;
  reasons?: string;
}

export class ResultsSpool {
  private out: fs.WriteStream;
  private pending: string[] = [];
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly file: string,
  ) {
    this.out = fs.createWriteStream(file, { encoding: 'utf8' });
  }

  static create(): ResultsSpool {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiye-results-'));
    return new ResultsSpool(dir, path.join(dir, 'rows.ndjson'));
  }

  add(sheetIndex: number, row: number, cells: CellValue[], outcome: RowOutcome, note?: string, reasons?: string): void {
    const line: SpoolLine = { s: sheetIndex, w: row, c: cells.map(encodeCell), o: outcome };
    if (note) line.n = note;
    if (reasons) line.r = reasons;
    this.pending.push(JSON.stringify(line));
  }

  /** Writes the rows added since the last flush (one write per chunk, waiting when the disk lags). */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    if (!this.out.write(text)) await once(this.out, 'drain');
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }

  /**
   * Writes the results file: one sheet per batch sheet (a .csv gets the first sheet, as `writeTable`
   * does), each row's kept cells followed by `label(row)`.
   */
  async writeTo(file: string, sheets: TableSheet[], columns: (s: TableSheet) => ResultColumns, label: (l: SpooledRow) => CellValue[]): Promise<void> {
    await this.close();
    const lines = readline.createInterface({ input: fs.createReadStream(this.file, { encoding: 'utf8' }), crlfDelay: Infinity })[Symbol.asyncIterator]();
    let peeked: SpoolLine | undefined;
    const next = async (): Promise<SpoolLine | undefined> => {
      if (peeked) {
        const p = peeked;
        peeked = undefined;
        return p;
      }
      for (;;) {
        const n = await lines.next();
        if (n.done) return undefined;
        if (n.value) return JSON.parse(n.value) as SpoolLine;
      }
    };
    /** The rows of sheet `index` (the spool holds the sheets one after another, in order). */
    const rowsOf = async function* (index: number): AsyncGenerator<CellValue[]> {
      const keep = columns(sheets[index]).keep;
      for (;;) {
        const line = await next();
        if (!line) return;
        if (line.s !== index) {
          peeked = line;
          return;
        }
        yield [...keep.map((i) => decodeCell(line.c[i] ?? null)), ...label({ sheet: sheets[index], row: line.w, outcome: line.o, note: line.n, reasons: line.r })];
      }
    };
    await writeRows(file, sheets.map((s, index) => ({ name: s.sheet, header: columns(s).header, rows: rowsOf(index) })));
  }

  /** Removes the spool (always, whether or not a results file was written). */
  async discard(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await new Promise<void>((resolve) => this.out.end(() => resolve()));
    }
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }
}


