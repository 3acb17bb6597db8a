/**
 * The inputs of a draw that offices keep in spreadsheets: the inspectors (执法人员名录), the holders'
 * credit-risk classes (信用风险分类结果) and the inspections' outcomes (检查结果). Each is read
 * through the licence batches' table reader, checked whole, and written all-or-nothing; re-importing
 * the same file changes nothing.
 */
import type { Knex } from 'knex';
import type { Db } from '../db';
import { nowIso } from '../db';
import { InputError } from '../cli/errors';
import { cellText, splitList } from '../text/normalize';
import { parseDateValue } from '../text/dates';
import { fieldError, readTable, type ReadTableResult, type TableRow } from '../license/table';
import type { UnmappedColumn } from '../catalog/import';
import type { CellRef } from '../io/cleaned';
import type { BatchRowError } from '../license/types';
import { normalizeUscc, validateUscc } from '../license/uscc';
import { appendChained, lockChain, INSPECTION_LOG_CHAIN } from '../audit/chain';
import type { Inspector, RiskClass } from './draw';
import { withWriteRetry } from '../db/retry';
import { UnitResolver } from '../progress/units';

export const ROSTER_HEADERS = {
  name: ['姓名', '执法人员姓名', '检查人员姓名', '执法人员', '检查人员', '人员姓名'],
  badge: ['执法证号', '执法证件号', '执法证件号码', '执法证编号', '执法证号码', '行政执法证号', '证件号码', '证号'],
  department: ['所属部门', '所在部门', '执法部门', '所属单位', '工作单位', '部门', '单位'],
  industries: ['可检查行业', '检查行业', '负责行业', '可检查的行业', '检查范围'],
  avoid: ['回避', '回避对象', '回避企业', '回避单位', '回避企业统一社会信用代码', '需回避的统一社会信用代码'],
  seq: ['序号'],
} as const;
export type RosterField = keyof typeof ROSTER_HEADERS;

export const RISK_HEADERS = {
  uscc: ['统一社会信用代码', '社会信用代码', '信用代码'],
  riskClass: ['信用风险分类', '信用风险分类结果', '风险分类', '风险等级', '信用风险等级', '分类结果', '分类'],
  ratedOn: ['分类日期', '评定日期', '评价日期', '日期'],
  holder: ['企业名称', '经营者名称', '市场主体名称', '名称'],
  seq: ['序号'],
} as const;
export type RiskField = keyof typeof RISK_HEADERS;

export const RESULT_HEADERS = {
  licence: ['许可证编号', '行业综合许可证编号', '证号'],
  drawId: ['抽查批次', '抽查编号', '抽查任务编号', '抽查批次号'],
  date: ['检查日期', '检查时间'],
  result: ['检查结果', '抽查结果', '结果'],
  note: ['处理情况', '备注', '说明', '问题描述'],
  holder: ['经营者名称', '企业名称'],
  seq: ['序号'],
} as const;
export type ResultField = keyof typeof RESULT_HEADERS;

/** The outcomes the results file may give, as offices word them; `problem` marks those that found one. */
export const RESULT_WORDS: ReadonlyArray<{ label: string; words: string[]; problem: boolean }> = [
  { label: '未发现问题', words: ['未发现问题', '未发现', '正常', '合格', '无问题', '未发现违法违规问题'], problem: false },
  { label: '发现问题已责令整改', words: ['发现问题已责令整改', '责令整改', '已责令整改', '限期整改', '发现问题已整改', '已整改'], problem: true },
  { label: '发现问题已立案', words: ['发现问题已立案', '已立案', '立案查处', '立案'], problem: true },
  { label: '发现问题移送处理', words: ['发现问题移送处理', '移送', '已移送'], problem: true },
  { label: '未找到经营场所', words: ['未找到经营场所', '通过登记的住所（经营场所）无法联系', '无法联系', '查无下落', '未找到'], problem: true },
  { label: '已停业或注销', words: ['已停业或注销', '已停业', '已注销', '歇业', '停业'], problem: false },
];

const RISK_WORDS: Record<string, RiskClass> = {
  a: 'A', a类: 'A', 低: 'A', 低风险: 'A', 信用风险低: 'A',
  b: 'B', b类: 'B', 一般: 'B', 较低: 'B', 较低风险: 'B', 信用风险一般: 'B', 一般风险: 'B',
  c: 'C', c类: 'C', 较高: 'C', 较高风险: 'C', 信用风险较高: 'C',
  d: 'D', d类: 'D', 高: 'D', 高风险: 'D', 信用风险高: 'D',
};

/** A/B/C/D or their Chinese wording (低/较低/较高/高风险, 信用风险一般 …). */
export function parseRiskClass(text: string): RiskClass | undefined {
  const k = text.replace(/[\s（）()]/g, '').toLowerCase();
  return RISK_WORDS[k] ?? RISK_WORDS[k.replace(/类$/, '')];
}

export interface ImportCounts {
  file: string;
  /** Columns with a header that no field of this sheet kind holds: not imported (always present). */
  unmappedColumns: UnmappedColumn[];
  /** Cells cleaned of control, format or bidi characters on reading (src/io/cleaned.ts; always present). */
  controlsRemoved: CellRef[];
  sha256: string;
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  dryRun: boolean;
}

/** The counts of an inspect import of `table` before its `rows` rows are written. */
export function startCounts<F extends string>(table: ReadTableResult<F>, unmappedColumns: UnmappedColumn[], rows: number, dryRun?: boolean): ImportCounts {
  return { file: table.file, unmappedColumns, controlsRemoved: table.controlsRemoved, sha256: table.sha256, rows, inserted: 0, updated: 0, unchanged: 0, dryRun: !!dryRun };
}

function reject(file: string, what: string, errors: BatchRowError[]): never {
  throw new InputError(`“${file}”中有 ${errors.length} 处错误，整批未导入${what}。`, '请按错误清单修改后重新导入；整批都未写入，改好后可直接重新运行。', { file, errors });
}

/**
 * The columns of a sheet that were not understood: reported with every result, and with `strict` a
 * rejection (nothing written), never dropped without a word.
 */
export function unmappedOf<F extends string>(table: ReadTableResult<F>, strict?: boolean): UnmappedColumn[] {
  const cols = table.sheets.flatMap((s) => s.columns.filter((c) => !c.field && c.header.trim()).map((c) => ({ file: table.file, sheet: s.sheet, column: c.column, header: c.header })));
  if (strict && cols.length) {
    throw new InputError(`“${table.file}”有 ${cols.length} 列表头未能识别（--strict）：${cols.map((c) => `${c.column}列“${c.header}”`).join('、')}，整批未导入。`, '去掉 --strict 则忽略这些列（结果中列出）；或改用能识别的列名。', { file: table.file, unmappedColumns: cols });
  }
  return cols;
}

const text = <F extends string>(r: TableRow<F>, f: F) => cellText(r.get(f));

/** A code as written in a cell (full width, spaces, lower case cleaned) and whether it is valid. */
function usccOf(raw: string): { code: string; ok: boolean } {
  const code = normalizeUscc(raw);
  return { code, ok: validateUscc(code).ok };
}

async function logEntry(trx: Knex.Transaction, action: string, actor: string, details: object, file?: { name: string; sha256: string }, drawId?: string, reason?: string): Promise<void> {
  await lockChain(trx, INSPECTION_LOG_CHAIN.name);
  await appendChained(trx, INSPECTION_LOG_CHAIN.name, [
    { action, draw_id: drawId ?? null, actor, at: nowIso(), reason: reason ?? null, details: JSON.stringify(details), file_name: file?.name ?? null, file_sha256: file?.sha256 ?? null },
  ]);
}
export { logEntry as appendInspectionLog };

interface InspectorRow {
  badge: string;
  name: string;
  department: string;
  industries: string | null;
  avoid: string | null;
}

export function inspectorFromRow(r: InspectorRow): Inspector {
  return { badge: r.badge, name: r.name, department: r.department, industries: r.industries ? (JSON.parse(r.industries) as string[]) : null, avoid: r.avoid ? (JSON.parse(r.avoid) as string[]) : [] };
}

/**
 * The catalog's departments as an inspector's 所属部门 names them, matched as the task import
 * matches lead units (src/progress/units.ts: level, parenthetical names and the office's alias
 * table), a name without its level being the office's own (市监局 → 区市场监管局). Where two catalog
 * departments are one unit, the one approving matters stands for it: the department a draw asks
 * an inspector of.
 */
async function departmentResolver(db: Knex): Promise<UnitResolver> {
  const approving = (await db('matters').select(db.raw('coalesce(approving_department_id, competent_department_id) as id'))) as Array<{ id: number | null }>;
  return UnitResolver.load(db, { prefer: new Set(approving.flatMap((r) => (r.id === null ? [] : [Number(r.id)]))) });
}

/**
 * `inspect roster import`: 姓名, 执法证号, 所属部门 (a catalog department, however the office spells
 * it: stored as the catalog names it; one the catalog does not have is an error), optional
 * 可检查行业 (names from the catalog, several per cell) and 回避 (统一社会信用代码, several per
 * cell). Keyed by 执法证号: a known inspector is updated, an identical row is unchanged. Inspectors
 * absent from the file are kept.
 */
export async function importRoster(db: Db, file: string, opts: { actor: string; dryRun?: boolean; strict?: boolean }): Promise<ImportCounts> {
  const table = await readTable(file, ROSTER_HEADERS, { minFields: 3, what: '执法人员名录' });
  const unmappedColumns = unmappedOf(table, opts.strict);
  const errors: BatchRowError[] = [];
  const industryNames = new Set(((await db('industries').select('name')) as Array<{ name: string }>).map((r) => r.name));
  const units = await departmentResolver(db);
  const seen = new Map<string, number>();
  const rows: InspectorRow[] = [];
  for (const r of table.rows) {
    const name = text(r, 'name');
    const badge = text(r, 'badge')?.replace(/\s+/g, '') ?? null;
    const written = text(r, 'department');
    const department = written ? (units.ownDepartment(written)?.name ?? null) : null;
    if (!name) errors.push(fieldError(r, 'name', '姓名为空'));
    if (!badge) errors.push(fieldError(r, 'badge', '执法证号为空'));
    else if (seen.has(badge)) errors.push(fieldError(r, 'badge', `执法证号“${badge}”与第 ${seen.get(badge)} 行重复`));
    else seen.set(badge, r.row);
    if (!written) errors.push(fieldError(r, 'department', '所属部门为空'));
    else if (!department) errors.push(fieldError(r, 'department', `部门“${written}”不在目录中（按单位简称对照表也未找到；先导入目录，改为目录中的部门名称，或用 yiye tasks aliases --import 加入这一写法）`));
    const inds = splitList(text(r, 'industries'), { commas: true });
    for (const i of inds) if (!industryNames.has(i)) errors.push(fieldError(r, 'industries', `行业“${i}”不在目录中（先导入试点行业目录，或改为目录中的名称）`));
    const avoid: string[] = [];
    for (const raw of splitList(text(r, 'avoid'), { commas: true })) {
      const u = usccOf(raw);
      if (!u.ok) errors.push(fieldError(r, 'avoid', `“${raw}”不是有效的统一社会信用代码`));
      else avoid.push(u.code);
    }
    if (name && badge && department) rows.push({ badge, name, department, industries: inds.length ? JSON.stringify([...new Set(inds)].sort()) : null, avoid: avoid.length ? JSON.stringify([...new Set(avoid)].sort()) : null });
  }
  if (errors.length) reject(table.file, '执法人员名录', errors);
  if (rows.length === 0) throw new InputError(`“${table.file}”中没有执法人员。`, '名录应每行一人：姓名、执法证号、所属部门。');
  return withWriteRetry(() =>
    db.transaction(async (trx) => {
      const existing = new Map(((await trx('inspectors').select('badge', 'name', 'department', 'industries', 'avoid')) as InspectorRow[]).map((r) => [r.badge, r]));
      const counts = startCounts(table, unmappedColumns, rows.length, opts.dryRun);
      const now = nowIso();
      for (const r of rows) {
        const old = existing.get(r.badge);
        if (!old) {
          counts.inserted++;
          if (!opts.dryRun) await trx('inspectors').insert({ ...r, created_at: now, updated_at: now });
        } else if (old.name !== r.name || old.department !== r.department || (old.industries ?? null) !== r.industries || (old.avoid ?? null) !== r.avoid) {
          counts.updated++;
          if (!opts.dryRun) await trx('inspectors').where({ badge: r.badge }).update({ ...r, updated_at: now });
        } else counts.unchanged++;
      }
      if (!opts.dryRun && (counts.inserted || counts.updated)) await logEntry(trx, 'roster', opts.actor, { inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged }, { name: table.file, sha256: table.sha256 });
      return counts;
    }),
  );
}

export async function listRoster(db: Db, opts: { department?: string } = {}): Promise<Inspector[]> {
  const rows = (await db('inspectors').select('badge', 'name', 'department', 'industries', 'avoid').orderBy(['department', 'badge'])) as InspectorRow[];
  const all = rows.map(inspectorFromRow);
  if (!opts.department) return all;
  // spelled as the import takes it (市监局 for 区市场监管局); a name the catalog lacks as written
  const want = ((await departmentResolver(db)).ownDepartment(opts.department)?.name ?? opts.department).replace(/\s+/g, '');
  return all.filter((i) => i.department.replace(/\s+/g, '') === want);
}

/**
 * `inspect risk import`: 统一社会信用代码 → 信用风险分类, with the date of the rating when the sheet
 * has one. The latest rating of a code wins (a file may list a code twice with different dates).
 */
export async function importRisk(db: Db, file: string, opts: { actor: string; date?: string; dryRun?: boolean; strict?: boolean }): Promise<ImportCounts> {
  const table = await readTable(file, RISK_HEADERS, { minFields: 2, what: '信用风险分类结果' });
  const unmappedColumns = unmappedOf(table, opts.strict);
  const errors: BatchRowError[] = [];
  const latest = new Map<string, { risk_class: RiskClass; rated_on: string | null }>();
  for (const r of table.rows) {
    const raw = text(r, 'uscc');
    const cls = text(r, 'riskClass');
    const dateCell = r.get('ratedOn');
    const ratedOn = dateCell === null || dateCell === '' ? (opts.date ?? null) : parseDateValue(dateCell);
    let ok = true;
    const u = raw ? usccOf(raw) : undefined;
    if (!raw) {
      errors.push(fieldError(r, 'uscc', '统一社会信用代码为空'));
      ok = false;
    } else if (!u!.ok) {
      errors.push(fieldError(r, 'uscc', `“${raw}”不是有效的统一社会信用代码`));
      ok = false;
    }
    const c = cls ? parseRiskClass(cls) : undefined;
    if (!c) {
      errors.push(fieldError(r, 'riskClass', cls ? `“${cls}”不是信用风险分类（应为 A/B/C/D，或 低/一般（较低）/较高/高 风险）` : '信用风险分类为空'));
      ok = false;
    }
    if (dateCell !== null && dateCell !== '' && !ratedOn) {
      errors.push(fieldError(r, 'ratedOn', `“${cellText(dateCell)}”不是日期`));
      ok = false;
    }
    if (!ok) continue;
    const prev = latest.get(u!.code);
    if (!prev || (ratedOn ?? '') >= (prev.rated_on ?? '')) latest.set(u!.code, { risk_class: c!, rated_on: ratedOn });
  }
  if (errors.length) reject(table.file, '信用风险分类', errors);
  return withWriteRetry(() =>
    db.transaction(async (trx) => {
      const existing = new Map(((await trx('risk_classes').select('uscc', 'risk_class', 'rated_on')) as Array<{ uscc: string; risk_class: string; rated_on: string | null }>).map((r) => [r.uscc, r]));
      const counts = startCounts(table, unmappedColumns, latest.size, opts.dryRun);
      const now = nowIso();
      for (const [uscc, v] of [...latest].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const old = existing.get(uscc);
        if (old && (old.rated_on ?? '') > (v.rated_on ?? '')) {
          counts.unchanged++; // a newer rating is already recorded
        } else if (!old) {
          counts.inserted++;
          if (!opts.dryRun) await trx('risk_classes').insert({ uscc, ...v, updated_at: now });
        } else if (old.risk_class !== v.risk_class || (old.rated_on ?? null) !== v.rated_on) {
          counts.updated++;
          if (!opts.dryRun) await trx('risk_classes').where({ uscc }).update({ ...v, updated_at: now });
        } else counts.unchanged++;
      }
      if (!opts.dryRun && (counts.inserted || counts.updated)) await logEntry(trx, 'risk', opts.actor, { inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged }, { name: table.file, sha256: table.sha256 });
      return counts;
    }),
  );
}

