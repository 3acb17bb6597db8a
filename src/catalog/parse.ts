import { columnName } from '../io/limits';
import type { CellValue } from '../io/types';
import { isCellError } from '../io/types';
import { cellText, parseBool, parseTimeLimit, splitList, toHalfWidth } from '../text/normalize';
import { isoFromParts, lastDayOfMonth, parseDateValue } from '../text/dates';
import { parseGbCodes } from './codes';
import { parseDeadlineCell } from '../text/deadline';
import type { Field, HeaderMap, Kind } from './headers';
import {
  REFORM_MODES,
  type Authority,
  type IndustryFields,
  type Level,
  type LinkFields,
  type MaterialRowFields,
  type MatterFields,
  type ReformMode,
} from './types';

/** Where a value came from, as the department's own spreadsheet shows it. */
export interface RowRef {
  file: string;
  sheet: string;
  row: number;
}

export interface RowError extends RowRef {
  /** The column's header as written, or '' for a whole-row problem. */
  column: string;
  /** Column letter (A, B, …) or ''. */
  columnLetter: string;
  message: string;
}

export type ParsedRow =
  | { kind: 'industries'; ref: RowRef; industry: IndustryFields }
  | { kind: 'matters'; ref: RowRef; matter: MatterFields }
  | { kind: 'materials'; ref: RowRef; material: MaterialRowFields }
  | { kind: 'links'; ref: RowRef; link: LinkFields }
  | { kind: 'combined'; ref: RowRef; matter: MatterFields; link: LinkFields; industry?: IndustryFields };

/** "2021.3", "2021-03", "2021/3": a month, read as its last day (a 落地时限 is "by the end of"). */
function yearMonth(t: string | null): string | null {
  const m = t ? /^(\d{4})[./-](\d{1,2})$/.exec(toHalfWidth(t).trim()) : null;
  return m ? isoFromParts(Number(m[1]), Number(m[2]), lastDayOfMonth(Number(m[1]), Number(m[2]))) : null;
}

/** 0-based column index → spreadsheet letters (0 → A): the reader's own function, under this module's name. */
export const columnLetter = columnName;

const REFORM_ALIASES: Array<[RegExp, ReformMode]> = [
  [/^(直接)?取消(审批)?$/, '直接取消审批'],
  [/^(审批)?改为备案$|^备案$/, '审批改为备案'],
  [/^(实行)?告知承诺(制)?$/, '实行告知承诺'],
  [/^优化(审批)?(服务)?$/, '优化审批服务'],
];

export function parseReformMode(text: string): ReformMode | undefined {
  const s = toHalfWidth(text).replace(/[\s“”"]/g, '');
  if ((REFORM_MODES as readonly string[]).includes(s)) return s as ReformMode;
  for (const [re, mode] of REFORM_ALIASES) if (re.test(s)) return mode;
  return undefined;
}

/**
 * 国家级/国务院…, 省级, 市级, 区级/县级. A cell may say just "市" or "区"; a sheet or title name is
 * read strictly (`strict`), since "浦东新区…市级部门事项目录" names places as well as the level.
 */
export function parseLevel(text: string | null, strict = false): Level | undefined {
  if (!text) return undefined;
  if (/国务院|国家|中央|部委/.test(text)) return 'national';
  if (/省级/.test(text)) return 'provincial';
  if (/市级/.test(text)) return 'municipal';
  if (/区级|县级|区县级/.test(text)) return 'district';
  if (strict) return undefined;
  if (/省/.test(text)) return 'provincial';
  if (/市/.test(text)) return 'municipal';
  if (/区|县/.test(text)) return 'district';
  return undefined;
}

export function parseAuthority(text: string): Authority | undefined {
  if (/国家/.test(text)) return 'national';
  if (/地方|本地|市级|区级/.test(text)) return 'local';
  return undefined;
}

/** 必办/必选/是/blank → mandatory; anything else is the condition under which the matter applies. */
export function parseCondition(text: string | null): { mandatory: boolean; condition: string | null } {
  if (!text) return { mandatory: true, condition: null };
  const s = text.replace(/\s/g, '');
  if (/^(必办|必选|必须|必需|是|√|Y|y|全部|均需办理)$/.test(s)) return { mandatory: true, condition: null };
  if (/^(选办|可选|否|×|N|n)$/.test(s)) return { mandatory: false, condition: '视经营情形办理' };
  return { mandatory: false, condition: text };
}

/** Rows that are notes under the table (注：…/填表说明…) or totals, not data. */
export function isNoteOrTotal(cellTexts: Array<string | null>): boolean {
  const texts = cellTexts.filter((x): x is string => !!x);
  if (texts.length === 0) return true;
  if (texts.some((t) => /^(合计|小计|总计)$/.test(t.replace(/\s/g, '')))) return true;
  const distinct = new Set(texts);
  return distinct.size === 1 && /^(注|备注|说明|填表说明|填报说明)\s*[:：\d1-9（(]/.test(texts[0]);
}

/** Fields that may be merged over a group of rows: a row holding only these is a spacer. */
const GROUP_FIELDS: Record<Kind, Field[]> = {
  industries: ['seq', 'authority', 'batch'],
  matters: ['seq', 'level'],
  materials: ['seq', 'matterCode', 'matterName'],
  links: ['seq', 'industryName', 'industryCode'],
  combined: ['seq', 'industryName', 'industryCode', 'authority', 'batch', 'leadDepartment', 'coDepartments', 'targetDate'],
};

export interface SheetContext {
  file: string;
  sheet: string;
  kind: Kind;
  header: HeaderMap;
  /** Level when the sheet or its title names it (国务院部门事项目录 → national). */
  sheetLevel: Level | null;
}

/**
 * Turns one data row into domain fields, or into the errors that reject it (named by column, in
 * Chinese). Returns null for rows that carry no data: spacers, notes under the table, totals.
 */
export function parseRow(ctx: SheetContext, rowNumber: number, cells: CellValue[]): { row?: ParsedRow; errors: RowError[] } | null {
  const { columns, labels } = ctx.header;
  const ref: RowRef = { file: ctx.file, sheet: ctx.sheet, row: rowNumber };
  // each cell's text once: normalising is the costliest step of validation
  const texts = cells.map((c) => cellText(c ?? null));
  const errors: RowError[] = [];
  const col = (f: Field) => columns[f];
  const raw = (f: Field): CellValue => {
    const c = col(f);
    return c === undefined ? null : (cells[c] ?? null);
  };
  const err = (f: Field | null, message: string) => {
    const c = f === null ? undefined : col(f);
    errors.push({ ...ref, column: c === undefined ? '' : labels[c], columnLetter: c === undefined ? '' : columnLetter(c), message });
  };
  /** Text of a field: undefined when the sheet lacks the column, null when the cell is empty. */
  const text = (f: Field): string | null | undefined => {
    const c = col(f);
    if (c === undefined) return undefined;
    const v = raw(f);
    if (isCellError(v)) {
      err(f, `单元格是 Excel 错误值 ${v.error}，请改为实际内容`);
      return null;
    }
    return texts[c] ?? null;
  };

  if (isNoteOrTotal(texts)) return null;
  const dataFields = (Object.keys(columns) as Field[]).filter((f) => !GROUP_FIELDS[ctx.kind].includes(f));
  if (dataFields.every((f) => (texts[columns[f]!] ?? null) === null)) return null;

  const bool = (f: Field): boolean | null | undefined => {
    if (col(f) === undefined) return undefined;
    const b = parseBool(raw(f));
    if (b === undefined) err(f, `“${cellText(raw(f))}”不是是/否值（可填 是/否、√/×、Y/N）`);
    return b ?? null;
  };
  const limit = (f: Field): { days: number | null; unit: string | null } | undefined => {
    if (col(f) === undefined) return undefined;
    const v = raw(f);
    if (isCellError(v)) {
      err(f, `单元格是 Excel 错误值 ${v.error}，请改为实际内容`);
      return { days: null, unit: null };
    }
    const t = parseTimeLimit(v);
    if (t === undefined) {
      err(f, `“${cellText(v)}”不是有效的时限：应填写天数，如“20”“20个工作日”“20天”或“即办”`);
      return { days: null, unit: null };
    }
    if (!t) return { days: null, unit: null };
    // a bare number takes the unit its header states: 法定时限（自然日） → natural days
    const headerUnit = ctx.header.units?.[col(f)!] ?? null;
    return { days: t.days, unit: t.explicit || !headerUnit ? t.unit : headerUnit };
  };
  const list = (f: Field, commas: boolean): string[] | undefined => {
    const t = text(f);
    return t === undefined ? undefined : splitList(t, { commas });
  };
  const refOf = (codeF: Field, nameF: Field) => ({ code: text(codeF) ?? null, name: text(nameF) ?? null });

  const matter = (): MatterFields | null => {
    const name = text('matterName');
    const code = text('matterCode');
    if (!name) {
      err(col('matterName') !== undefined ? 'matterName' : null, '事项名称不能为空');
      return null;
    }
    const m: MatterFields = { name };
    if (code !== undefined) m.code = code ? toHalfWidth(code).replace(/\s/g, '') : null;
    const levelText = text('level');
    if (levelText !== undefined && levelText !== null) {
      const level = parseLevel(levelText);
      if (!level) err('level', `无法识别审批层级“${levelText}”（应为 国家级/省级/市级/区级）`);
      m.level = level ?? null;
    } else if (ctx.sheetLevel) {
      m.level = ctx.sheetLevel;
    }
    for (const f of ['competentDepartment', 'approvingDepartment', 'legalBasis', 'measures', 'supervision', 'fee', 'conditions'] as const) {
      const v = text(f);
      if (v !== undefined) m[f] = v;
    }
    // When only one department column is given, the writer lets it serve for both on a new matter;
    // an existing matter keeps its other department (a combined sheet often lists only 实施部门).
    const mode = text('reformMode');
    if (mode !== undefined) {
      if (mode === null) {
        if (ctx.kind === 'matters') err('reformMode', `改革方式不能为空（应为：${REFORM_MODES.join('、')}）`);
        m.reformMode = null;
      } else {
        const parsed = parseReformMode(mode);
        if (!parsed) err('reformMode', `改革方式“${mode}”不是四种改革方式之一（${REFORM_MODES.join('、')}）`);
        m.reformMode = parsed ?? null;
      }
    }
    const legal = limit('legalLimit');
    if (legal) [m.legalLimitDays, m.legalLimitUnit] = [legal.days, legal.unit];
    const committed = limit('committedLimit');
    if (committed) [m.committedLimitDays, m.committedLimitUnit] = [committed.days, committed.unit];
    if (legal?.days != null && committed?.days != null && committed.days > legal.days && legal.unit === committed.unit) {
      err('committedLimit', `承诺时限（${committed.days}）超过法定时限（${legal.days}）`);
    }
    const onsite = bool('onsiteInspection');
    if (onsite !== undefined) m.onsiteInspection = onsite;
    const commitment = bool('commitment');
    if (commitment !== undefined) m.commitment = commitment;
    const mats = list('materials', false);
    // An empty 申请材料 cell means the materials are listed elsewhere (a 申请材料 sheet): keep them.
    if (mats !== undefined && mats.length > 0) m.materials = mats.map((name) => ({ name, form: null, copies: null, required: true, source: null, note: null }));
    return m;
  };

  const gbCodes = (): string[] | undefined => {
    if (col('gbCodes') === undefined) return undefined;
    const v = raw('gbCodes');
    if (isCellError(v)) {
      text('gbCodes'); // reports the Excel error value in its cell
      return [];
    }
    const parsed = parseGbCodes(typeof v === 'number' ? v : cellText(v));
    if (!parsed.ok) {
      err('gbCodes', parsed.message);
      return [];
    }
    return parsed.codes;
  };

  /** The industry columns besides name, code and GB codes (an industry list, or a combined sheet's group cells). */
  const industryDetail = (): Partial<IndustryFields> => {
    const ind: Partial<IndustryFields> = {};
    const batch = text('batch');
    if (batch !== undefined) ind.batch = batch;
    const auth = text('authority');
    if (auth !== undefined) {
      const a = auth === null ? null : parseAuthority(auth);
      if (a === undefined) err('authority', `无法识别事权类型“${auth}”（应为 仅涉及地方事权 / 涉及国家事权）`);
      ind.authority = a ?? null;
    }
    const lead = text('leadDepartment');
    if (lead !== undefined) ind.leadDepartment = lead;
    const co = list('coDepartments', true);
    if (co !== undefined) ind.coDepartments = co;
    if (col('targetDate') !== undefined) {
      const v = raw('targetDate');
      const t = cellText(v);
      const exact = parseDateValue(v) ?? yearMonth(t);
      if (t === null) [ind.targetDate, ind.targetText] = [null, null];
      else if (exact) [ind.targetDate, ind.targetText] = [exact, null];
      else {
        const d = parseDeadlineCell(t);
        if (d.kind !== 'date' || !d.date) err('targetDate', `无法识别落地时限“${t}”（可填日期如 2021-03-31、2021.3.31、2021年3月，或“2021年3月底前”）`);
        [ind.targetDate, ind.targetText] = [d.date, t];
      }
    }
    return ind;
  };

  const link = (): LinkFields | null => {
    const industry = refOf('industryCode', 'industryName');
    const matterRef = refOf('matterCode', 'matterName');
    if (!industry.code && !industry.name) err(col('industryName') !== undefined ? 'industryName' : 'industryCode', '行业名称不能为空');
    if (!matterRef.code && !matterRef.name) err(col('matterName') !== undefined ? 'matterName' : 'matterCode', '事项名称不能为空');
    if (matterRef.code) matterRef.code = toHalfWidth(matterRef.code).replace(/\s/g, '');
    let cond = parseCondition(text('condition') ?? null);
    // a 是否必办 column (Y/N) beside the 适用情形 one: it decides, the other says when; a 是否必办
    // cell holding words (必办, 销售酒类商品的) is read as a 办理情形 cell
    if (col('mandatory') !== undefined) {
      const must = parseBool(raw('mandatory'));
      if (must === true) cond = { mandatory: true, condition: null };
      else if (must === false) cond = { mandatory: false, condition: cond.condition ?? '视经营情形办理' };
      else if (must === undefined && col('condition') === undefined) cond = parseCondition(text('mandatory') ?? null);
      else if (must === undefined) err('mandatory', `“${cellText(raw('mandatory'))}”不是是/否值（可填 是/否、√/×、Y/N）`);
    }
    return { industry, matter: matterRef, ...cond };
  };

  let row: ParsedRow | undefined;
  switch (ctx.kind) {
    case 'industries': {
      const name = text('industryName');
      if (!name) {
        err('industryName', '行业名称不能为空');
        break;
      }
      const ind: IndustryFields = { name };
      const code = text('industryCode');
      if (code !== undefined) ind.code = code ? toHalfWidth(code).replace(/\s/g, '') : null;
      const gb = gbCodes();
      if (gb !== undefined) ind.gbCodes = gb;
      const notes = text('notes');
      if (notes !== undefined) ind.notes = notes;
      Object.assign(ind, industryDetail());
      row = { kind: 'industries', ref, industry: ind };
      break;
    }
    case 'matters': {
      const m = matter();
      if (m) row = { kind: 'matters', ref, matter: m };
      break;
    }
    case 'materials': {
      const matterRef = refOf('matterCode', 'matterName');
      if (matterRef.code) matterRef.code = toHalfWidth(matterRef.code).replace(/\s/g, '');
      const name = text('materialName');
      if (!matterRef.code && !matterRef.name) err('matterName', '材料所属事项不能为空');
      if (!name) {
        err('materialName', '材料名称不能为空');
        break;
      }
      const copiesText = text('materialCopies');
      let copies: number | null = null;
      if (copiesText) {
        const m = /^(\d{1,3})\s*(份)?$/.exec(toHalfWidth(copiesText));
        if (!m) err('materialCopies', `份数“${copiesText}”不是数字`);
        else copies = Number(m[1]);
      }
      const required = bool('materialRequired');
      row = {
        kind: 'materials',
        ref,
        material: {
          matter: matterRef,
          material: { name, form: text('materialForm') ?? null, copies, required: required ?? true, source: text('materialSource') ?? null, note: text('notes') ?? null },
        },
      };
      break;
    }
    case 'links': {
      const l = link();
      if (l) row = { kind: 'links', ref, link: l };
      break;
    }
    case 'combined': {
      const l = link();
      const m = matter();
      // the industry's own columns (牵头部门, 国民经济行业代码 …) in a combined sheet set the industry too
      let industry: IndustryFields | undefined;
      const detail: Partial<IndustryFields> = { ...industryDetail() };
      const gb = gbCodes();
      if (gb !== undefined) detail.gbCodes = gb;
      // a blank group cell says nothing about the industry (the row above, or the industry list, does)
      for (const [k, v] of Object.entries(detail)) if (v === null || (Array.isArray(v) && v.length === 0)) delete detail[k as keyof IndustryFields];
      if (l?.industry.name) {
        industry = { name: l.industry.name, ...detail };
        const code = text('industryCode');
        if (code) industry.code = toHalfWidth(code).replace(/\s/g, '');
      }
      if (l && m) row = { kind: 'combined', ref, matter: m, industry, link: { ...l, matter: { code: m.code ?? l.matter.code, name: m.name } } };
      break;
    }
  }
  return errors.length > 0 ? { errors } : { row, errors };
}
