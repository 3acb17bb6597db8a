import type { CellValue, SheetRow } from '../io/types';
import { cellText, headerKey } from '../text/normalize';

/**
 * Header vocabulary of department spreadsheets (DOMAIN.md "Header names vary"). Each field lists the
 * header texts that mean it, most specific first; matching ignores spaces, brackets and width. When
 * several columns could serve one field, the earliest synonym in this list wins.
 */
export const FIELD_HEADERS = {
  // industries
  industryCode: ['行业编码', '行业编号', '行业代码', '试点行业编码'],
  industryName: ['行业名称', '试点行业名称', '试点行业', '行业', '所属行业', '行业类别'],
  gbCodes: ['国民经济行业分类', '国民经济行业代码', '国民经济行业分类代码', '行业分类代码', 'GB/T4754', '国标行业代码'],
  batch: ['批次', '试点批次'],
  authority: ['事权类型', '事权', '涉及事权', '事权类别'],
  leadDepartment: ['牵头部门', '牵头单位', '行业主管部门', '行业牵头部门'],
  coDepartments: ['协同部门', '配合部门', '配合单位', '协同单位', '协办部门'],
  targetDate: ['落地时限', '完成时限', '落地发证时限', '首证时限', '计划落地时间', '落地时间', '时间节点'],
  notes: ['备注', '说明'],
  // matters
  matterCode: ['事项编码', '事项代码', '事项编号', '实施编码', '基本编码', '许可事项编码'],
  matterName: ['事项名称', '许可事项名称', '许可事项', '审批事项名称', '事项', '涉及许可事项'],
  level: ['审批层级', '行使层级', '事项层级', '层级', '审批层级和部门'],
  competentDepartment: ['主管部门', '业务主管部门', '事项主管部门'],
  approvingDepartment: ['审批部门', '实施部门', '实施机关', '实施主体', '审批机关', '发证部门', '实施单位'],
  legalBasis: ['设定依据', '实施依据', '法律依据', '设定和实施依据', '设定依据和实施依据', '政策依据'],
  reformMode: ['改革方式', '改革举措类型', '改革类型'],
  measures: ['具体改革举措', '改革举措', '具体举措'],
  supervision: ['加强事中事后监管措施', '事中事后监管措施', '监管措施', '事中事后监管'],
  legalLimit: ['法定时限', '法定办结时限', '法定期限', '法定办理时限', '法定工作日'],
  committedLimit: ['承诺时限', '承诺办结时限', '承诺期限', '承诺办理时限', '承诺工作日', '办理时限'],
  onsiteInspection: ['现场核查', '是否现场核查', '是否现场勘验', '现场勘验', '是否需要现场勘验', '是否需现场核查'],
  commitment: ['告知承诺', '是否适用告知承诺', '是否实行告知承诺', '可告知承诺', '适用告知承诺'],
  fee: ['是否收费', '收费', '收费标准', '收费情况'],
  conditions: ['受理条件', '许可条件', '申请条件', '准入条件', '办理条件'],
  materials: ['申请材料', '申请材料清单', '所需材料', '材料清单', '申报材料'],
  // materials as rows
  materialName: ['材料名称', '申请材料名称'],
  materialForm: ['材料形式', '材料类型', '提交形式'],
  materialCopies: ['份数', '材料份数'],
  materialRequired: ['是否必需', '必要性', '是否必要', '是否必须'],
  materialSource: ['来源渠道', '材料来源', '来源'],
  // links
  condition: ['办理情形', '适用情形', '办理条件情形', '情形', '是否必办'],
  seq: ['序号', '编号'],
} as const;

export type Field = keyof typeof FIELD_HEADERS;

export type Kind = 'industries' | 'matters' | 'materials' | 'links' | 'combined';
export const KINDS: readonly Kind[] = ['industries', 'matters', 'materials', 'links', 'combined'];

export const KIND_LABEL: Record<Kind, string> = {
  industries: '试点行业目录',
  matters: '许可事项目录',
  materials: '申请材料清单',
  links: '行业事项对应表',
  combined: '行业综合目录（行业与事项合表）',
};

const LOOKUP = new Map<string, { field: Field; rank: number }>();
for (const [field, names] of Object.entries(FIELD_HEADERS) as Array<[Field, readonly string[]]>) {
  names.forEach((name, rank) => {
    const key = headerKey(name);
    if (!LOOKUP.has(key)) LOOKUP.set(key, { field, rank });
  });
}

/** Which field a header cell names, if any. */
export function fieldOfHeader(text: string): { field: Field; rank: number } | undefined {
  return LOOKUP.get(headerKey(text));
}

export interface HeaderMap {
  /** field → 0-based column index */
  columns: Partial<Record<Field, number>>;
  /** 0-based column index → header text as written (for error messages) */
  labels: string[];
  /** Row number of the header (the last row, for a two-row header). */
  rowNumber: number;
}

/**
 * Maps header cells to fields. A two-row header (a group cell such as "办理时限" merged over
 * "法定/承诺" below it) is read by joining the rows column by column when the lower row alone does
 * not name the column.
 */
export function mapHeader(rows: CellValue[][], rowNumber: number): HeaderMap {
  const width = Math.max(...rows.map((r) => r.length));
  const columns: Partial<Record<Field, number>> = {};
  const ranks: Partial<Record<Field, number>> = {};
  const labels: string[] = [];
  for (let c = 0; c < width; c++) {
    const parts = rows.map((r) => cellText(r[c] ?? null)).filter((x): x is string => !!x);
    const last = parts[parts.length - 1];
    // a group header over sub-columns: "办理时限" over "法定" reads as 法定办理时限
    const candidates = [last, parts.join(''), last && parts.length > 1 ? last + parts[0] : undefined, parts[0]].filter((x): x is string => !!x);
    labels[c] = parts[parts.length - 1] ?? '';
    for (const cand of candidates) {
      const hit = fieldOfHeader(cand);
      if (!hit) continue;
      if (ranks[hit.field] === undefined || hit.rank < ranks[hit.field]!) {
        columns[hit.field] = c;
        ranks[hit.field] = hit.rank;
      }
      labels[c] = cand;
      break;
    }
  }
  return { columns, labels, rowNumber };
}

/** How many cells of a row name a known field: the header row is the first row with enough. */
export function headerScore(cells: CellValue[]): number {
  const seen = new Set<Field>();
  for (const v of cells) {
    const t = cellText(v);
    if (t && t.length <= 30) {
      const hit = fieldOfHeader(t);
      if (hit) seen.add(hit.field);
    }
  }
  return seen.size;
}

/** Decides a sheet's kind from the fields its header names. */
export function detectKind(columns: Partial<Record<Field, number>>): Kind | undefined {
  const has = (f: Field) => columns[f] !== undefined;
  const hasMatter = has('matterName') || has('matterCode');
  const hasIndustry = has('industryName') || has('industryCode');
  const matterDetail = (['legalBasis', 'reformMode', 'approvingDepartment', 'competentDepartment', 'legalLimit', 'committedLimit', 'materials', 'conditions'] as Field[]).some(has);
  if (has('materialName') && hasMatter) return 'materials';
  if (hasMatter && hasIndustry) return matterDetail ? 'combined' : 'links';
  if (hasMatter) return 'matters';
  if (hasIndustry) return 'industries';
  return undefined;
}

/** The rows at the top of a sheet before its header, kept for titles ("国务院部门事项目录"). */
export function titleText(rows: SheetRow[]): string {
  return rows
    .flatMap((r) => r.cells.map((c) => cellText(c)))
    .filter((x): x is string => !!x)
    .join(' ');
}
