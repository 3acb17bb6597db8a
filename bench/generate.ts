/**
 * Deterministic benchmark data: a "combined" catalog (行业 × 事项 with the matter's details on every
 * row) of exactly N rows, as .xlsx (title rows above the header, like a department's attachment),
 * legacy .xls (BIFF8, written by SheetJS; split into sheets of XLS_SHEET_ROWS data rows, each with
 * the header, since the format holds at most 65 536 rows a sheet), UTF-8 .csv and optionally GBK .csv, plus the 50-industry list it refers to. Files are cached under
 * bench/data/v<version>-<rows>/ and reused while the generator version is unchanged.
 */
import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { loadExcelJS } from '../src/io/exceljs';
import { HEADER } from './layout';
import { prng as rng } from './prng';
import { ACTIONS, CONDITIONS, DEPARTMENTS, INDUSTRIES, LAWS, MATERIALS, OBJECTS, PREFIXES, REFORM_MODES, chineseNumber } from './vocab';

/** Bump when the generated content changes, so stale caches are not reused. */
const GEN_VERSION = 1;
const SEED = 20210107;


export type Cell = string | number;


const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)];

export interface Matter {
  code: string;
  name: string;
  department: string;
  basis: string;
  mode: string;
  legal: Cell;
  committed: Cell;
  onsite: string;
  commitment: string;
  materials: string;
  materialCount: number;
}

/**
 * Matter i, derived from i alone (its own seeded stream), so every row that names the matter
 * carries identical details without keeping matters in memory.
 */
export function matterAt(i: number): Matter {
  const r = rng(SEED ^ Math.imul(i + 1, 0x9e3779b1));
  // mixed radix over object × action × prefix; beyond that a (n) suffix keeps names unique
  const o = i % OBJECTS.length;
  const a = Math.floor(i / OBJECTS.length) % ACTIONS.length;
  const p = Math.floor(i / (OBJECTS.length * ACTIONS.length)) % PREFIXES.length;
  const k = Math.floor(i / (OBJECTS.length * ACTIONS.length * PREFIXES.length));
  const name = `${PREFIXES[p]}${OBJECTS[o]}${ACTIONS[a]}${k > 0 ? `（${k + 1}）` : ''}`;
  const [department, abbr] = pick(r, DEPARTMENTS);
  const mode = pick(r, REFORM_MODES);
  let basis = `${pick(r, LAWS)}第${chineseNumber(1 + Math.floor(r() * 120))}条`;
  if (r() < 0.5) basis += `；${pick(r, LAWS)}`;
  const legalDays = pick(r, [5, 10, 15, 20, 20, 30, 45, 60]);
  const legal: Cell = r() < 0.6 ? legalDays : `${legalDays}个工作日`;
  let committed: Cell;
  if (r() < 0.15) committed = '即办';
  else {
    const d = Math.max(1, Math.round(legalDays * (0.25 + 0.75 * r())));
    committed = r() < 0.6 ? d : `${d}个工作日`;
  }
  const onsite = r() < 0.4 ? '是' : '否';
  const commitment = mode === '实行告知承诺' ? '是' : r() < 0.1 ? '是' : '否';
  const count = 3 + Math.floor(r() * 6);
  const items = [`${OBJECTS[o]}${ACTIONS[a]}申请表`];
  while (items.length < count) {
    const m = pick(r, MATERIALS);
    if (!items.includes(m)) items.push(m);
  }
  return {
    code: `310115-${abbr}-${String(i + 1).padStart(6, '0')}`,
    name,
    department,
    basis,
    mode,
    legal,
    committed,
    onsite,
    commitment,
    materials: items.map((m, n) => `${n + 1}.${m}`).join('\n'),
    materialCount: count,
  };
}

/** Which (industry, matter, condition) each row holds, rows grouped by industry as departments list them. */
export interface Plan {
  rows: number;
  matters: number;
  materials: number;
  industry: Uint8Array;
  matter: Int32Array;
  /** -1 = 必办, else an index into CONDITIONS. */
  condition: Int16Array;
}

export function makePlan(rows: number): Plan {
  const r = rng(SEED);
  const ind = new Uint8Array(rows);
  const mat = new Int32Array(rows);
  const cond = new Int16Array(rows);
  let n = 0;
  let matters = 0;
  let materials = 0;
  while (n < rows) {
    const i = matters++;
    materials += matterAt(i).materialCount;
    const k = 1 + Math.floor(r() * 3);
    const chosen: number[] = [];
    while (chosen.length < k) {
      const x = Math.floor(r() * INDUSTRIES.length);
      if (!chosen.includes(x)) chosen.push(x);
    }
    for (const x of chosen) {
      if (n >= rows) break;
      ind[n] = x;
      mat[n] = i;
      cond[n] = r() < 0.5 ? -1 : Math.floor(r() * CONDITIONS.length);
      n++;
    }
  }
  // stable counting sort by industry
  const start = new Int32Array(INDUSTRIES.length + 1);
  for (let j = 0; j < rows; j++) start[ind[j] + 1]++;
  for (let x = 0; x < INDUSTRIES.length; x++) start[x + 1] += start[x];
  const plan: Plan = { rows, matters, materials, industry: new Uint8Array(rows), matter: new Int32Array(rows), condition: new Int16Array(rows) };
  for (let j = 0; j < rows; j++) {
    const at = start[ind[j]]++;
    plan.industry[at] = ind[j];
    plan.matter[at] = mat[j];
    plan.condition[at] = cond[j];
  }
  return plan;
}

function* titleRows(rows: number): Generator<Cell[]> {
  yield ['附件2'];
  yield [`浦东新区“一业一证”行业综合目录（基准测试数据，共${rows}行）`];
}

/** Data rows in sheet order; a matter's details are built once per run of consecutive rows. */
function* dataRows(plan: Plan): Generator<Cell[]> {
  let last = -1;
  let m: Matter | undefined;
  for (let j = 0; j < plan.rows; j++) {
    const i = plan.matter[j];
    if (i !== last) {
      m = matterAt(i);
      last = i;
    }
    const c = plan.condition[j];
    yield [j + 1, INDUSTRIES[plan.industry[j]][0], m!.code, m!.name, m!.department, m!.basis, m!.mode, m!.legal, m!.committed, m!.onsite, m!.commitment, c < 0 ? '必办' : CONDITIONS[c], m!.materials];
  }
}

function csvLine(cells: Cell[]): string {
  return (
    cells
      .map((v) => {
        const s = String(v);
        return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      })
      .join(',') + '\r\n'
  );
}

async function writeLines(file: string, lines: Iterable<string>, encoding: 'utf-8' | 'gbk'): Promise<void> {
  const tmp = `${file}.partial`;
  const out = fs.createWriteStream(tmp);
  const done = new Promise<void>((resolve, reject) => out.on('finish', resolve).on('error', reject));
  let buf = encoding === 'utf-8' ? '\uFEFF' : '';
  const flush = async () => {
    const ok = out.write(encoding === 'utf-8' ? Buffer.from(buf, 'utf8') : iconv.encode(buf, 'gbk'));
    buf = '';
    if (!ok) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  for (const line of lines) {
    buf += line;
    if (buf.length > 1 << 20) await flush();
  }
  await flush();
  out.end();
  await done;
  fs.renameSync(tmp, file);
}

function* combinedCsv(plan: Plan): Generator<string> {
  for (const r of titleRows(plan.rows)) yield csvLine(r);
  yield csvLine(HEADER);
  for (const r of dataRows(plan)) yield csvLine(r);
}

function* industriesCsv(): Generator<string> {
  yield csvLine(['行业编码', '行业名称', '国民经济行业分类', '事权类型', '牵头部门', '协同部门']);
  for (let x = 0; x < INDUSTRIES.length; x++) {
    const [name, gb] = INDUSTRIES[x];
    const lead = DEPARTMENTS[x % 10][0];
    const co = [DEPARTMENTS[(x + 3) % DEPARTMENTS.length][0], DEPARTMENTS[(x + 7) % DEPARTMENTS.length][0]].join('、');
    yield csvLine([`HY${String(x + 1).padStart(3, '0')}`, name, gb, x < 44 ? '仅涉及地方事权' : '涉及国家事权', lead, co]);
  }
}

async function writeXlsx(file: string, plan: Plan): Promise<void> {
  const ExcelJS = loadExcelJS();
  const tmp = `${file}.partial.xlsx`;
  // shared strings, as Excel and WPS write them: the reader must load the table before any row
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: tmp, useSharedStrings: true, useStyles: false });
  const ws = wb.addWorksheet('行业综合目录');
  const [label, title] = [...titleRows(plan.rows)];
  ws.addRow(label).commit();
  ws.addRow(title);
  // the title spans the table, as in a department's attachment (merged before its row is committed)
  ws.mergeCells(2, 1, 2, HEADER.length);
  ws.getRow(2).commit();
  ws.addRow(HEADER).commit();
  for (const r of dataRows(plan)) ws.addRow(r).commit();
  ws.commit();
  await wb.commit();
  fs.renameSync(tmp, file);
}

/** Data rows per sheet of the .xls: BIFF8 holds 65 536 rows a sheet. */
export const XLS_SHEET_ROWS = 65_000;

/** One BIFF record: type, length, data. */
function biffRecord(type: number, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(type, 0);
  head.writeUInt16LE(data.length, 2);
  return Buffer.concat([head, data]);
}

function biffBof(dt: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(0x0600, 0); // BIFF8
  b.writeUInt16LE(dt, 2); // 0x0005 workbook globals, 0x0010 worksheet
  b.writeUInt16LE(0x0dbb, 4);
  b.writeUInt16LE(0x07cc, 6);
  return biffRecord(0x0809, b);
}

/** A worksheet's records: BOF, DIMENSIONS, a NUMBER or LABEL per cell, MERGECELLS, EOF. */
function biffSheet(rows: Cell[][], merges: Array<[number, number, number, number]>): Buffer {
  const parts: Buffer[] = [biffBof(0x0010)];
  const dim = Buffer.alloc(14);
  dim.writeUInt32LE(0, 0);
  dim.writeUInt32LE(rows.length, 4);
  dim.writeUInt16LE(0, 8);
  dim.writeUInt16LE(Math.max(...rows.map((r) => r.length)), 10);
  parts.push(biffRecord(0x0200, dim));
  rows.forEach((row, r) => {
    row.forEach((v, c) => {
      if (typeof v === 'number') {
        const b = Buffer.alloc(14);
        b.writeUInt16LE(r, 0);
        b.writeUInt16LE(c, 2);
        b.writeDoubleLE(v, 6);
        parts.push(biffRecord(0x0203, b));
      } else {
        const text = Buffer.from(v, 'utf16le');
        const b = Buffer.alloc(9 + text.length);
        b.writeUInt16LE(r, 0);
        b.writeUInt16LE(c, 2);
        b.writeUInt16LE(v.length, 6);
        b[8] = 1; // UTF-16LE characters
        text.copy(b, 9);
        parts.push(biffRecord(0x0204, b));
      }
    });
  });
  if (merges.length > 0) {
    const b = Buffer.alloc(2 + 8 * merges.length);
    b.writeUInt16LE(merges.length, 0);
    merges.forEach(([r1, r2, c1, c2], i) => {
      b.writeUInt16LE(r1, 2 + 8 * i);
      b.writeUInt16LE(r2, 4 + 8 * i);
      b.writeUInt16LE(c1, 6 + 8 * i);
      b.writeUInt16LE(c2, 8 + 8 * i);
    });
    parts.push(biffRecord(0x00e5, b));
  }
  parts.push(biffRecord(0x000a, Buffer.alloc(0)));
  return Buffer.concat(parts);
}

/**
 * The same rows as a legacy .xls (BIFF8): title rows and header on the first sheet, the header on
 * each further one. SheetJS's own BIFF8 writer needs about 90 MB and 1.5 s per 1 000 rows of this
 * data (measured: 10 000 rows, 15 s, 0.9 GB), so the records are written here — NUMBER and LABEL
 * cells, as Excel 97 wrote text before its shared-string table became the norm — and SheetJS's CFB
 * writer wraps them into the compound file.
 */
async function writeXls(file: string, plan: Plan): Promise<void> {
  const X = require('@e965/xlsx') as typeof import('@e965/xlsx');
  const [label, title] = [...titleRows(plan.rows)];
  const sheets: Buffer[] = [];
  let rows: Cell[][] = [label, title, HEADER];
  const flush = () => {
    sheets.push(biffSheet(rows, sheets.length === 0 ? [[1, 1, 0, HEADER.length - 1]] : []));
    rows = [HEADER];
  };
  let n = 0;
  for (const r of dataRows(plan)) {
    rows.push(r);
    if (++n % XLS_SHEET_ROWS === 0) flush();
  }
  if (rows.length > 1 || sheets.length === 0) flush();
  // workbook globals: BOF, CODEPAGE (UTF-16), one BOUNDSHEET per sheet with its stream offset, EOF
  const names = sheets.map((_, i) => Buffer.from(`行业综合目录-${i + 1}`, 'utf16le'));
  const bound = (offset: number, i: number) => {
    const b = Buffer.alloc(8 + names[i].length);
    b.writeUInt32LE(offset, 0);
    b[6] = names[i].length / 2;
    b[7] = 1;
    names[i].copy(b, 8);
    return biffRecord(0x0085, b);
  };
  const codepage = Buffer.alloc(2);
  codepage.writeUInt16LE(1200, 0);
  const fixed = [biffBof(0x0005), biffRecord(0x0042, codepage)];
  const globalsSize = fixed.reduce((a, b) => a + b.length, 0) + names.reduce((a, nm) => a + 4 + 8 + nm.length, 0) + 4;
  let offset = globalsSize;
  const bounds = sheets.map((s, i) => {
    const rec = bound(offset, i);
    offset += s.length;
    return rec;
  });
  const stream = Buffer.concat([...fixed, ...bounds, biffRecord(0x000a, Buffer.alloc(0)), ...sheets]);
  const cfb = X.CFB.utils.cfb_new();
  X.CFB.utils.cfb_add(cfb, 'Workbook', stream);
  const tmp = `${file}.partial.xls`;
  fs.writeFileSync(tmp, X.CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
  fs.renameSync(tmp, file);
}

export interface DataFiles {
  dir: string;
  industries: string;
  xlsx?: string;
  xls?: string;
  csv?: string;
  gbk?: string;
  plan: Plan;
}

export function dataRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`package.json not found above ${__dirname}`);
    dir = up;
  }
  return path.join(dir, 'bench', 'data');
}

/** The files for `rows` rows in the wanted formats, generating only those not cached yet. */
export async function ensureData(rows: number, want: { xlsx: boolean; csv: boolean; gbk: boolean; xls?: boolean }, log: (msg: string) => void): Promise<DataFiles> {
  const dir = path.join(dataRoot(), `v${GEN_VERSION}-${rows}`);
  fs.mkdirSync(dir, { recursive: true });
  const plan = makePlan(rows);
  const files: DataFiles = { dir, industries: path.join(dir, '试点行业清单.csv'), plan };
  const make = async (file: string, what: string, write: () => Promise<void>) => {
    if (fs.existsSync(file)) return;
    const t = process.hrtime.bigint();
    log(`generating ${what} (${rows} rows) …`);
    await write();
    log(`  ${path.relative(process.cwd(), file)}: ${(fs.statSync(file).size / 1e6).toFixed(1)} MB in ${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(1)} s`);
  };
  await make(files.industries, 'industries csv', () => writeLines(files.industries, industriesCsv(), 'utf-8'));
  if (want.csv) {
    files.csv = path.join(dir, `行业综合目录-${rows}.csv`);
    await make(files.csv, 'UTF-8 csv', () => writeLines(files.csv!, combinedCsv(plan), 'utf-8'));
  }
  if (want.gbk) {
    files.gbk = path.join(dir, `行业综合目录-${rows}-GBK.csv`);
    await make(files.gbk, 'GBK csv', () => writeLines(files.gbk!, combinedCsv(plan), 'gbk'));
  }
  if (want.xlsx) {
    files.xlsx = path.join(dir, `行业综合目录-${rows}.xlsx`);
    await make(files.xlsx, 'xlsx', () => writeXlsx(files.xlsx!, plan));
  }
  if (want.xls) {
    files.xls = path.join(dir, `行业综合目录-${rows}.xls`);
    await make(files.xls, 'xls', () => writeXls(files.xls!, plan));
  }
  return files;
}
