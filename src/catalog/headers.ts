import type { CellValue, SheetRow } from '../io/types';
import { cellText, headerKey } from '../text/normalize';
import { HeaderEngine, type HeaderUnit, type KeywordRule, type MappedColumn } from '../text/headers';

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
  condition: ['办理情形', '适用情形', '办理条件情形', '情形'],
  mandatory: ['是否必办', '必办', '是否必须办理', '必办事项', '是否必选'],
  seq: ['序号', '编号'],
} as const;

export type Field = keyof typeof FIELD_HEADERS;
export const FIELDS = Object.keys(FIELD_HEADERS) as Field[];

/** Each field's Chinese label (`catalog headers fields`, `--map '计划发证时间=落地时限'`). */
export const FIELD_LABEL: Record<Field, string> = {
  industryCode: '行业编码',
  industryName: '行业名称',
  gbCodes: '国民经济行业分类代码',
  batch: '批次',
  authority: '事权类型',
  leadDepartment: '牵头部门',
  coDepartments: '协同部门',
  targetDate: '落地时限',
  notes: '备注',
  matterCode: '事项编码',
  matterName: '事项名称',
  level: '审批层级',
  competentDepartment: '主管部门',
  approvingDepartment: '审批部门',
  legalBasis: '设定依据',
  reformMode: '改革方式',
  measures: '具体改革举措',
  supervision: '事中事后监管措施',
  legalLimit: '法定时限',
  committedLimit: '承诺时限',
  onsiteInspection: '现场核查',
  commitment: '告知承诺',
  fee: '是否收费',
  conditions: '受理条件',
  materials: '申请材料',
  materialName: '材料名称',
  materialForm: '材料形式',
  materialCopies: '份数',
  materialRequired: '是否必需',
  materialSource: '来源渠道',
  condition: '办理情形',
  mandatory: '是否必办',
  seq: '序号',
};

/**
 * Keyword rules for headers the synonyms miss, most specific first. Tried on the normalised header
 * (brackets, numbering and `*` removed) only when no synonym matched it.
 */
export const FIELD_KEYWORDS: ReadonlyArray<KeywordRule<Field>> = [
  { field: 'legalLimit', all: [/法定/, /时限|期限|时间|天数|工作日|日数/] },
  { field: 'committedLimit', all: [/承诺/, /时限|期限|时间|天数|工作日|日数/], not: /告知承诺/ },
  { field: 'targetDate', all: [/计划|预计|首证|发证|落地|完成/, /时间|日期|时限|节点/] },
  { field: 'gbCodes', all: [/国民经济|国标|4754|行业分类/] },
  { field: 'industryCode', all: [/行业/, /编码|编号|代码/], not: /国民|分类|国标/ },
  { field: 'matterCode', all: [/事项/, /编码|编号|代码/] },
  { field: 'materialName', all: [/材料/, /名称/], not: /申请材料名称清单/ },
  { field: 'materials', all: [/材料/], not: /形式|份数|来源|必要|必需|类型|名称/ },
  { field: 'commitment', all: [/告知承诺|承诺制/] },
  { field: 'onsiteInspection', all: [/现场/, /核查|勘验|检查|踏勘|核验|审查/] },
  { field: 'legalBasis', all: [/依据/], not: /收费/ },
  { field: 'reformMode', all: [/改革/, /方式|类型|类别/] },
  { field: 'measures', all: [/举措|改革措施/] },
  { field: 'supervision', all: [/监管/] },
  { field: 'conditions', all: [/条件/], not: /情形/ },
  { field: 'condition', all: [/情形/] },
  { field: 'mandatory', all: [/必办|必须办理/] },
  { field: 'level', all: [/层级|级别/] },
  { field: 'leadDepartment', all: [/牵头/] },
  { field: 'coDepartments', all: [/协同|配合|协办|参与/] },
  { field: 'competentDepartment', all: [/主管/, /部门|单位|机关/] },
  { field: 'approvingDepartment', all: [/实施|审批|办理|受理|发证|许可/, /部门|机关|单位|主体/] },
  { field: 'matterName', all: [/事项/, /名称/] },
  { field: 'industryName', all: [/行业/, /名称|类别/], not: /分类/ },
  { field: 'authority', all: [/事权/] },
  { field: 'batch', all: [/批次/] },
  { field: 'materialCopies', all: [/份数/] },
];

export type Kind = 'industries' | 'matters' | 'materials' | 'links' | 'combined';
export const KINDS: readonly Kind[] = ['industries', 'matters', 'materials', 'links', 'combined'];

export const KIND_LABEL: Record<Kind, string> = {
  industries: '试点行业目录',
  matters: '许可事项目录',
  materials: '申请材料清单',
  links: '行业事项对应表',
  combined: '行业综合目录（行业与事项合表）',
};

const INDUSTRY_FIELDS: Field[] = ['industryCode', 'industryName', 'gbCodes', 'batch', 'authority', 'leadDepartment', 'coDepartments', 'targetDate'];
const MATTER_FIELDS: Field[] = [
  'matterCode', 'matterName', 'level', 'competentDepartment', 'approvingDepartment', 'legalBasis', 'reformMode', 'measures',
  'supervision', 'legalLimit', 'committedLimit', 'onsiteInspection', 'commitment', 'fee', 'conditions', 'materials',
];

/** The fields each kind of sheet reads: a column naming another field is reported as not understood. */
export const KIND_FIELDS: Record<Kind, ReadonlySet<Field>> = {
  industries: new Set<Field>([...INDUSTRY_FIELDS, 'notes', 'seq']),
  matters: new Set<Field>([...MATTER_FIELDS, 'seq']),
  materials: new Set<Field>(['matterCode', 'matterName', 'materialName', 'materialForm', 'materialCopies', 'materialRequired', 'materialSource', 'notes', 'seq']),
  links: new Set<Field>(['industryCode', 'industryName', 'matterCode', 'matterName', 'condition', 'mandatory', 'seq']),
  combined: new Set<Field>([...INDUSTRY_FIELDS, ...MATTER_FIELDS, 'condition', 'mandatory', 'seq']),
};

/** The catalog's header engine, with the office's own mappings (`catalog headers add`, `--map`) on top. */
export function catalogEngine(taught: Iterable<[string, Field]> = []): HeaderEngine<Field> {
  return new HeaderEngine<Field>({ synonyms: FIELD_HEADERS, keywords: FIELD_KEYWORDS }, taught);
}

const DEFAULT_ENGINE = catalogEngine();

/** Which field a header cell names, if any (synonyms and keyword rules; no taught mappings). */
export function fieldOfHeader(text: string): { field: Field; rank: number } | undefined {
  const m = DEFAULT_ENGINE.match(text);
  return m ? { field: m.field, rank: m.score } : undefined;
}

/** A field named by its key (targetDate) or its Chinese label or any synonym (落地时限, 计划发证时间 …). */
export function fieldNamed(name: string): Field | undefined {
  const t = name.trim();
  if ((FIELDS as string[]).includes(t)) return t as Field;
  const lower = FIELDS.find((f) => f.toLowerCase() === t.toLowerCase());
  if (lower) return lower;
  const key = headerKey(t);
  return FIELDS.find((f) => headerKey(FIELD_LABEL[f]) === key) ?? FIELDS.find((f) => FIELD_HEADERS[f].some((n) => headerKey(n) === key));
}

export interface HeaderMap {
  /** field → 0-based column index */
  columns: Partial<Record<Field, number>>;
  /** 0-based column index → header text as written (for error messages) */
  labels: string[];
  /** 0-based column index → the unit its header states (法定时限（自然日）) */
  units: Array<HeaderUnit | null>;
  /** Row number of the header (the last row, for a two-row header). */
  rowNumber: number;
  /** Every column with a header, mapped or not. */
  all: Array<MappedColumn<Field>>;
  /** Header cells that name no field this kind of sheet reads. */
  unmapped: Array<{ column: string; index: number; header: string }>;
}

/**
 * Maps header cells to fields. A two-row header (a group cell such as "办理时限" merged over
 * "法定/承诺" below it) is read by joining the rows column by column. With `kind`, only that kind's
 * fields count; the other columns are listed in `unmapped`.
 */
export function mapHeader(rows: CellValue[][], rowNumber: number, engine: HeaderEngine<Field> = DEFAULT_ENGINE, kind?: Kind): HeaderMap {
  const m = engine.map(rows, kind ? KIND_FIELDS[kind] : undefined);
  return { columns: m.columns, labels: m.labels, units: m.units, rowNumber, all: m.all, unmapped: m.unmapped };
}

/** How many cells of a row name a known field: the header row is the first row with enough. */
export function headerScore(cells: CellValue[], engine: HeaderEngine<Field> = DEFAULT_ENGINE): number {
  return engine.score(cells);
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
