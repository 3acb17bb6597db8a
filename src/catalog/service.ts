import path from 'node:path';
import type { Db } from '../db';
import { ConflictError, NotFoundError, UsageError } from '../cli/errors';
import { normalizeText, toHalfWidth } from '../text/normalize';
import { writeTable, type SheetData } from '../io/write';
import { checkOutput } from '../io/output';
import type { CellValue } from '../io/types';
import {
  DepartmentCache,
  coDepartmentsOf,
  industryToDomain,
  materialToDomain,
  materialsOf,
  matterToDomain,
  toBool,
  type IndustryRow,
  type LinkRow,
  type MatterRow,
} from './store';
import { AUTHORITY_LABEL, LEVEL_LABEL, type Industry, type IndustryMatter, type Material, type Matter } from './types';

export { importCatalog, diffCatalog, describeError } from './import';
export type { ImportResult, DiffResult } from './import';

export interface IndustryListRow extends Omit<Industry, 'id'> {
  matterCount: number;
}

export interface MatterListRow extends Omit<Matter, 'id'> {
  /** The approving department (审批部门), the one an applicant deals with. */
  department: string | null;
  materials: string[];
}

async function departments(db: Db): Promise<DepartmentCache> {
  const d = new DepartmentCache(db);
  await d.load();
  return d;
}

const strip = <T extends { id: number }>({ id: _id, ...rest }: T): Omit<T, 'id'> => rest;

/** Every pilot industry with its departments and how many matters it bundles, in catalog order. */
export async function listIndustries(db: Db): Promise<IndustryListRow[]> {
  const depts = await departments(db);
  const rows: IndustryRow[] = await db('industries').orderBy('id');
  const co = await coDepartmentsOf(db, rows.map((r) => r.id), depts);
  const counts = new Map<number, number>(
    ((await db('industry_matters').select('industry_id').count({ n: '*' }).groupBy('industry_id')) as Array<{ industry_id: number; n: number | string }>).map((r) => [r.industry_id, Number(r.n)]),
  );
  return rows.map((r) => ({ ...strip(industryToDomain(r, depts, co.get(r.id) ?? [])), matterCount: counts.get(r.id) ?? 0 }));
}

/** Finds an industry by name or code; a clear error listing near names when there is none. */
export async function findIndustry(db: Db, nameOrCode: string): Promise<IndustryRow> {
  const key = normalizeText(nameOrCode);
  // a code as typed: full-width (ＰＤ－０１) or in lower case (pd-01) is the same code
  const code = toHalfWidth(key).toUpperCase();
  const row = (await db('industries').where({ name: key }).orWhereRaw('UPPER(code) = ?', [code]).first()) as IndustryRow | undefined;
  if (row) return row;
  const near = (await db('industries').where('name', 'like', `%${key.slice(0, 2)}%`).limit(5).pluck('name')) as string[];
  throw new NotFoundError(`试点行业目录中没有“${key}”。`, near.length ? `是否指：${near.join('、')}？` : '运行 `yiye catalog list industries` 查看全部行业。');
}

/** Matters, all or those one industry bundles, with their material names. */
export async function listMatters(db: Db, opts: { industry?: string } = {}): Promise<MatterListRow[]> {
  const depts = await departments(db);
  let rows: MatterRow[];
  if (opts.industry) {
    const ind = await findIndustry(db, opts.industry);
    rows = await db('matters as m').join('industry_matters as l', 'l.matter_id', 'm.id').where('l.industry_id', ind.id).orderBy('l.seq').select('m.*');
  } else {
    rows = await db('matters').orderBy('id');
  }
  const mats = await materialsOf(db, rows.map((r) => r.id));
  return rows.map((r) => {
    const m = strip(matterToDomain(r, depts));
    return { ...m, department: m.approvingDepartment, materials: (mats.get(r.id) ?? []).map((x) => x.name) };
  });
}

export interface IndustryDetail {
  industry: Omit<Industry, 'id'>;
  matters: Array<Omit<IndustryMatter, 'matter'> & { matter: Omit<Matter, 'id'>; materials: Material[] }>;
}

/** One industry with its departments and its matters (order, 必办 or condition) and their materials. */
export async function showIndustry(db: Db, nameOrCode: string): Promise<IndustryDetail> {
  const depts = await departments(db);
  const row = await findIndustry(db, nameOrCode);
  const co = await coDepartmentsOf(db, [row.id], depts);
  const links = (await db('industry_matters as l')
    .join('matters as m', 'm.id', 'l.matter_id')
    .where('l.industry_id', row.id)
    .orderBy('l.seq')
    .select('m.*', 'l.mandatory as link_mandatory', 'l.condition as link_condition', 'l.seq as link_seq')) as Array<MatterRow & { link_mandatory: boolean | number; link_condition: string | null; link_seq: number }>;
  const mats = await materialsOf(db, links.map((l) => l.id));
  return {
    industry: strip(industryToDomain(row, depts, co.get(row.id) ?? [])),
    matters: links.map((l) => ({
      matter: strip(matterToDomain(l, depts)),
      mandatory: Boolean(toBool(l.link_mandatory)),
      condition: l.link_condition,
      seq: l.link_seq,
      materials: (mats.get(l.id) ?? []).map(materialToDomain),
    })),
  };
}

const yesNo = (b: boolean | null): CellValue => (b === null ? null : b ? '是' : '否');
// 0 is 即办 (当场办结), written as the word the import reads back as 0
const limitText = (days: number | null, unit: string | null): CellValue => (days === null ? null : days === 0 ? '即办' : unit === '自然日' ? `${days}个自然日` : days);

/**
 * The whole catalog in the layout `catalog import` reads: sheets for industries, matters, materials
 * and links (an .xlsx), or one csv per sheet beside the given path. Importing it back changes nothing.
 */
export async function exportCatalog(db: Db, file: string, opts: { force?: boolean } = {}): Promise<{ files: string[]; industries: number; matters: number; materials: number; links: number }> {
  const csvFiles = (f: string) => ['试点行业清单', '事项目录', '申请材料', '行业事项对应表'].map((s) => `${f.slice(0, -4)}-${s}.csv`);
  const ext = checkOutput(file, { what: '目录', formats: ['.xlsx', '.csv'], force: opts.force, files: path.extname(file).toLowerCase() === '.csv' ? csvFiles(file) : undefined });
  const depts = await departments(db);
  const industries: IndustryRow[] = await db('industries').orderBy('id');
  const co = await coDepartmentsOf(db, industries.map((r) => r.id), depts);
  const matters: MatterRow[] = await db('matters').orderBy('id');
  const mats = await materialsOf(db, matters.map((m) => m.id));
  const links = (await db('industry_matters as l')
    .join('industries as i', 'i.id', 'l.industry_id')
    .join('matters as m', 'm.id', 'l.matter_id')
    .orderBy([{ column: 'i.id' }, { column: 'l.seq' }])
    .select('i.code as icode', 'i.name as iname', 'm.code as mcode', 'm.name as mname', 'l.mandatory', 'l.condition')) as Array<LinkRow & { icode: string | null; iname: string; mcode: string | null; mname: string }>;

  const sheets: SheetData[] = [
    {
      name: '试点行业清单',
      header: ['序号', '行业编码', '行业名称', '国民经济行业分类', '批次', '事权类型', '牵头部门', '协同部门', '落地时限', '备注'],
      rows: industries.map((r, i) => [
        i + 1,
        r.code,
        r.name,
        r.gb_codes ? r.gb_codes.split(',').join('、') : null,
        r.batch,
        r.authority ? AUTHORITY_LABEL[r.authority as keyof typeof AUTHORITY_LABEL] : null,
        depts.name(r.lead_department_id),
        (co.get(r.id) ?? []).join('、') || null,
        r.target_text ?? r.target_date,
        r.notes,
      ]),
    },
    {
      name: '事项目录',
      header: ['序号', '事项编码', '事项名称', '审批层级', '主管部门', '审批部门', '设定依据', '改革方式', '具体改革举措', '事中事后监管措施', '法定时限', '承诺时限', '现场核查', '告知承诺', '是否收费', '受理条件'],
      rows: matters.map((m, i) => [
        i + 1,
        m.code,
        m.name,
        m.level ? LEVEL_LABEL[m.level as keyof typeof LEVEL_LABEL] : null,
        depts.name(m.competent_department_id),
        depts.name(m.approving_department_id),
        m.legal_basis,
        m.reform_mode,
        m.measures,
        m.supervision,
        limitText(m.legal_limit_days, m.legal_limit_unit),
        limitText(m.committed_limit_days, m.committed_limit_unit),
        yesNo(toBool(m.onsite_inspection)),
        yesNo(toBool(m.commitment)),
        m.fee,
        m.conditions,
      ]),
    },
    {
      name: '申请材料',
      header: ['序号', '事项编码', '事项名称', '材料名称', '材料形式', '份数', '是否必需', '来源渠道', '备注'],
      rows: matters.flatMap((m) =>
        (mats.get(m.id) ?? []).map((x) => [x.seq, m.code, m.name, x.name, x.form, x.copies, yesNo(toBool(x.required)), x.source, x.note] as CellValue[]),
      ),
    },
    {
      name: '行业事项对应表',
      header: ['行业编码', '行业名称', '事项编码', '事项名称', '办理情形'],
      rows: links.map((l) => [l.icode, l.iname, l.mcode, l.mname, toBool(l.mandatory) ? '必办' : l.condition]),
    },
  ];
  let files: string[];
  if (ext === '.csv') {
    const base = file.slice(0, -4);
    files = [];
    for (const s of sheets) {
      const f = `${base}-${s.name}.csv`;
      await writeTable(f, [s]);
      files.push(f);
    }
  } else {
    await writeTable(file, sheets);
    files = [file];
  }
  return { files, industries: industries.length, matters: matters.length, materials: sheets[2].rows.length, links: links.length };
}

export interface SetCodeResult {
  industry: string;
  from: string | null;
  to: string;
  /** The old code had been assigned by the catalog's rule. */
  wasAssigned: boolean;
  changed: boolean;
}

/**
 * Gives an industry the office's own 行业编码 (replacing an assigned one, or a previous one) before
 * its first licence. Refused (exit 4) once licences carry the old code — their numbers print it —
 * or when another industry already has the new code.
 */
export async function setIndustryCode(db: Db, nameOrCode: string, code: string): Promise<SetCodeResult> {
  const next = toHalfWidth(normalizeText(code)).replace(/\s/g, '');
  if (!next || next.length > 64) throw new UsageError(`“${code}”不能作为行业编码。`, '行业编码应为 1–64 个字符，例如 01 或 PD-01。');
  return db.transaction(async (trx) => {
    const row = await findIndustry(trx as unknown as Db, nameOrCode);
    const wasAssigned = Boolean(toBool(row.code_assigned ?? null));
    if (row.code === next) return { industry: row.name, from: row.code, to: next, wasAssigned, changed: false };
    const other = (await trx('industries').whereRaw('UPPER(code) = ?', [next.toUpperCase()]).whereNot({ id: row.id }).first()) as IndustryRow | undefined;
    if (other) throw new ConflictError(`行业编码“${next}”已由行业“${other.name}”使用。`, '请换一个编码。');
    const licensed = (await trx('licenses').where({ industry_id: row.id }).count({ n: '*' }).first()) as { n: number | string } | undefined;
    if (Number(licensed?.n ?? 0) > 0) {
      throw new ConflictError(
        `行业“${row.name}”已有 ${Number(licensed!.n)} 张许可证使用编码“${row.code}”编号，不能再改行业编码。`,
        '行业编码须在发出第一张许可证之前设定。',
      );
    }
    await trx('industries').where({ id: row.id }).update({ code: next, code_assigned: false, updated_at: new Date().toISOString() });
    return { industry: row.name, from: row.code, to: next, wasAssigned, changed: true };
  });
}
