import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { CellValue } from './types';
import { isCellError } from './types';
import { loadExcelJS } from './exceljs';

/**
 * A value safe to put in a spreadsheet a person will open: text that Excel or WPS would run as a
 * formula (= + - @, and tab/CR that some apps strip first) gets a leading apostrophe-free guard: a
 * single quote character, the OWASP CSV-injection recommendation.
 */
export function neutralizeFormula(v: CellValue): CellValue {
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(v)) return `'${v}`;
  if (isCellError(v)) return v.error;
  return v;
}

export interface SheetData {
  name: string;
  header: string[];
  rows: CellValue[][];
}

/** Excel's sheet-name rules: at most 31 characters, none of []:*?/\ , unique in the workbook. */
export function sheetName(name: string, used: Set<string>): string {
  const base = name.replace(/[[\]:*?/\\]/g, '_').slice(0, 31) || 'Sheet';
  let candidate = base;
  for (let i = 2; used.has(candidate); i++) candidate = `${base.slice(0, 28)}(${i})`;
  used.add(candidate);
  return candidate;
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
    const ws = wb.addWorksheet(sheetName(s.name, used), { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = s.header.map((h) => ({ header: h, width: Math.min(60, Math.max(10, h.length * 2 + 4)) }));
    ws.getRow(1).font = { bold: true };
    for (const r of s.rows) ws.addRow(r.map((v) => neutralizeFormula(v) as never)).commit();
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
  const out = fs.createWriteStream(file);
  // one error listener for the whole file (one per drain would pile up on large files)
  let failure: Error | undefined;
  out.on('error', (err) => (failure = err));
  const write = async (line: string) => {
    if (failure) throw failure;
    if (!out.write(line)) await once(out, 'drain');
  };
  await write('\uFEFF' + header.map((h) => csvField(h)).join(',') + '\r\n');
  for await (const r of rows) await write(r.map(csvField).join(',') + '\r\n');
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
