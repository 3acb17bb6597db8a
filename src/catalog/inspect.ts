/**
 * `yiye catalog inspect`: what an import would read, before anything is written — per sheet the
 * header row found, the kind detected, each column → field (or 未识别) with its first values as
 * parsed, and the row count. Reads the files with the same header engine and row parser as import.
 */
import path from 'node:path';
import type { Db } from '../db';
import { InputError } from '../cli/errors';
import { readRows, formatOf } from '../io/read-rows';
import type { SheetRow } from '../io/types';
import { cellText } from '../text/normalize';
import { formatColumnTable, type ColumnReport } from '../text/headers';
import { FIELD_LABEL, KIND_LABEL, type Field } from './headers';
import { engineFor, HEADER_SEARCH_ROWS, sheetContext, type KindOption, type SheetSummary } from './import';
import { parseRow, type ParsedRow, type SheetContext } from './parse';
import { AUTHORITY_LABEL, LEVEL_LABEL } from './types';
import fs from 'node:fs';

const SAMPLES = 3;

/** A sheet as import would read it (its summary), with each column's first values as parsed. */
export interface InspectedSheet extends Omit<SheetSummary, 'columns'> {
  columns: ColumnReport[];
}

export interface InspectResult {
  sheets: InspectedSheet[];
  /** Sheets with no recognisable header (instructions, blank sheets), as file/sheet. */
  skippedSheets: Array<{ file: string; sheet: string }>;
  unmappedColumns: Array<{ file: string; sheet: string; column: string; header: string }>;
}

const yes = (b: boolean | null | undefined) => (b === null || b === undefined ? null : b ? '是' : '否');
const limit = (d: number | null | undefined, u: string | null | undefined) => (d === null || d === undefined ? null : d === 0 ? '即办（0）' : `${d}${u ?? '工作日'}`);

/** A field's value in a parsed row, as it would be stored (null when the row does not carry it). */
function parsedValue(p: ParsedRow, f: Field): string | null {
  const ind = p.kind === 'industries' ? p.industry : p.kind === 'combined' ? p.industry : undefined;
  const m = p.kind === 'matters' || p.kind === 'combined' ? p.matter : undefined;
  const link = p.kind === 'links' || p.kind === 'combined' ? p.link : undefined;
  const mat = p.kind === 'materials' ? p.material : undefined;
  switch (f) {
    case 'industryName': return ind?.name ?? link?.industry.name ?? null;
    case 'industryCode': return ind?.code ?? link?.industry.code ?? null;
    case 'gbCodes': return ind?.gbCodes?.join('、') ?? null;
    case 'batch': return ind?.batch ?? null;
    case 'authority': return ind?.authority ? AUTHORITY_LABEL[ind.authority] : null;
    case 'leadDepartment': return ind?.leadDepartment ?? null;
    case 'coDepartments': return ind?.coDepartments?.join('、') ?? null;
    case 'targetDate': return ind?.targetDate ?? ind?.targetText ?? null;
    case 'notes': return ind?.notes ?? mat?.material.note ?? null;
    case 'matterName': return m?.name ?? link?.matter.name ?? mat?.matter.name ?? null;
    case 'matterCode': return m?.code ?? link?.matter.code ?? mat?.matter.code ?? null;
    case 'level': return m?.level ? LEVEL_LABEL[m.level] : null;
    case 'legalLimit': return limit(m?.legalLimitDays, m?.legalLimitUnit);
    case 'committedLimit': return limit(m?.committedLimitDays, m?.committedLimitUnit);
    case 'onsiteInspection': return yes(m?.onsiteInspection);
    case 'commitment': return yes(m?.commitment);
    case 'materials': return m?.materials ? m.materials.map((x, i) => `${i + 1}.${x.name}`).join(' ') : null;
    case 'condition': return link ? (link.mandatory ? '必办' : link.condition) : null;
    case 'materialName': return mat?.material.name ?? null;
    case 'materialForm': return mat?.material.form ?? null;
    case 'materialCopies': return mat?.material.copies === null || mat?.material.copies === undefined ? null : String(mat.material.copies);
    case 'materialRequired': return yes(mat?.material.required);
    case 'materialSource': return mat?.material.source ?? null;
    case 'seq': return null;
    default: {
      const v = m?.[f as keyof typeof m];
      return typeof v === 'string' ? v : null;
    }
  }
}

function report(ctx: SheetContext, rows: number, samples: Array<{ parsed?: ParsedRow; errors: Map<number, string>; cells: SheetRow['cells'] }>): InspectedSheet {
  const columns: ColumnReport[] = ctx.header.all.map((c) => ({
    column: c.column,
    header: c.header,
    field: c.field,
    label: c.field ? FIELD_LABEL[c.field] : null,
    unit: c.unit,
    samples: samples
      .map((s) => {
        const raw = cellText(s.cells[c.index] ?? null);
        const error = s.errors.get(c.index);
        if (error) return `${raw ?? ''}（无法识别：${error}）`;
        if (!c.field || !s.parsed || c.field === 'seq') return raw;
        return parsedValue(s.parsed, c.field) ?? raw;
      })
      .filter((x): x is string => x !== null && x !== ''),
  }));
  return { file: ctx.file, sheet: ctx.sheet, kind: ctx.kind, kindLabel: KIND_LABEL[ctx.kind], headerRow: ctx.header.rowNumber, rows, columns };
}

/** Inspects catalog files without writing: header, kind, column → field with parsed samples, row count. */
export async function inspectCatalog(db: Db, files: string[], opts: { kind?: KindOption; sheet?: string; map?: string[] } = {}): Promise<InspectResult> {
  const engine = await engineFor(db, opts);
  const result: InspectResult = { sheets: [], skippedSheets: [], unmappedColumns: [] };
  for (const f of files) {
    if (!fs.existsSync(f) || !fs.statSync(f).isFile()) throw new InputError(`找不到文件“${f}”。`, '请检查路径是否正确。', undefined, 'FILE_NOT_FOUND');
    formatOf(f);
    const name = path.basename(f);
    let cur: { sheet: string; pre: SheetRow[]; ctx?: SheetContext; rows: number; samples: Array<{ parsed?: ParsedRow; errors: Map<number, string>; cells: SheetRow['cells'] }> } | undefined;
    const finish = () => {
      if (!cur) return;
      if (!cur.ctx && cur.pre.length) tryHeader(true);
      if (cur.ctx) {
        const r = report(cur.ctx, cur.rows, cur.samples);
        result.sheets.push(r);
        for (const u of cur.ctx.header.unmapped) result.unmappedColumns.push({ file: name, sheet: cur.sheet, column: u.column, header: u.header });
      } else result.skippedSheets.push({ file: name, sheet: cur.sheet });
    };
    const dataRow = (row: SheetRow) => {
      const ctx = cur!.ctx!;
      if (row.rowNumber <= ctx.header.rowNumber) return;
      const res = parseRow(ctx, row.rowNumber, row.cells);
      if (!res) return;
      cur!.rows++;
      if (cur!.samples.length < SAMPLES) {
        const errors = new Map<number, string>();
        for (const e of res.errors) {
          const c = ctx.header.all.find((x) => x.column === e.columnLetter);
          if (c) errors.set(c.index, e.message);
        }
        cur!.samples.push({ parsed: res.row, errors, cells: row.cells });
      }
    };
    const tryHeader = (atEnd: boolean) => {
      const idx = cur!.pre.findIndex((r) => engine.score(r.cells) >= 2);
      if (idx >= 0 && (atEnd || cur!.pre.length > idx + 1)) {
        cur!.ctx = sheetContext(name, cur!.sheet, cur!.pre, idx, engine, opts.kind);
        const buffered = cur!.pre;
        cur!.pre = [];
        if (cur!.ctx) for (const r of buffered) dataRow(r);
      } else if (cur!.pre.length >= HEADER_SEARCH_ROWS) cur!.pre = [];
    };
    for await (const row of readRows(f, { sheet: opts.sheet })) {
      if (!cur || cur.sheet !== row.sheet) {
        finish();
        cur = { sheet: row.sheet, pre: [], rows: 0, samples: [] };
      }
      if (cur.ctx) dataRow(row);
      else {
        cur.pre.push(row);
        tryHeader(false);
      }
    }
    finish();
  }
  return result;
}

export function formatInspect(r: InspectResult): string {
  const lines: string[] = [];
  for (const s of r.sheets) {
    lines.push(`文件“${s.file}” 工作表“${s.sheet}” → ${s.kindLabel}，表头在第 ${s.headerRow} 行，数据 ${s.rows} 行`);
    lines.push(...formatColumnTable(s.columns).map((l) => `  ${l}`));
  }
  for (const s of r.skippedSheets) lines.push(`文件“${s.file}” 工作表“${s.sheet}”：未找到可识别的表头，导入时跳过`);
  if (r.unmappedColumns.length) lines.push(`共 ${r.unmappedColumns.length} 列未识别，导入时不会读取；可用 --map '表头=字段' 或 yiye catalog headers add 指定。`);
  else if (r.sheets.length) lines.push('每一列都已识别。');
  return lines.join('\n');
}
