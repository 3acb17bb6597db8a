import type { Knex } from 'knex';
import { toHalfWidth } from '../text/normalize';

/**
 * When two unit names are "the same unit" (issue 5 item 1). Plans and returns write a unit many ways:
 * 浦东新区市场监督管理局, 区市场监管局, 区市场监管局（区知识产权局）. A name is reduced to a key:
 *
 *   1. level prefix: the workspace's district (浦东新区…) and a bare 区… become 区; a city name
 *      (上海市…) and a bare 市… become 市 — so 区市场监管局 and 市市场监管局 stay different units;
 *   2. a parenthetical second name is dropped: 区政务数据局(行政审批局) → 区政务数据局;
 *   3. the alias mapping rewrites full forms to one short form, longest first:
 *      市场监督管理局 → 市场监管局, 委员会 → 委, 办公室 → 办 ….
 *
 * The office can replace the mapping (`yiye tasks aliases --import`); until it does, DEFAULT_ALIASES apply.
 */
export const DEFAULT_ALIASES: ReadonlyArray<readonly [alias: string, canonical: string]> = [
  ['人民政府', '政府'],
  ['市场监督管理局', '市场监管局'],
  ['市场监督管理委员会', '市场监管局'],
  ['市监局', '市场监管局'],
  ['卫生健康委员会', '卫生健康委'],
  ['卫健委', '卫生健康委'],
  ['文化和旅游局', '文旅局'],
  ['文化旅游局', '文旅局'],
  ['发展和改革委员会', '发改委'],
  ['发展改革委', '发改委'],
  ['商务委员会', '商务委'],
  ['科学技术委员会', '科委'],
  ['科技委', '科委'],
  ['建设和管理委员会', '建管委'],
  ['建设和交通委员会', '建设交通委'],
  ['人力资源和社会保障局', '人社局'],
  ['人力资源社会保障局', '人社局'],
  ['规划和自然资源局', '规划资源局'],
  ['规划土地管理局', '规土局'],
  ['城市管理行政执法局', '城管执法局'],
  ['绿化和市容管理局', '绿化市容局'],
  ['生态环境保护局', '生态环境局'],
  ['药品监督管理局', '药品监管局'],
  ['机构编制委员会办公室', '编办'],
  ['委编办', '编办'],
  ['政务服务和大数据管理局', '政务数据局'],
  ['大数据管理局', '数据局'],
  ['公安分局', '公安局'],
  ['文化体育和旅游局', '文体旅游局'],
  ['政府办公室', '政府办'],
  ['政府办公厅', '政府办公厅'], // kept as is: protects it from 府办 below
  ['政府办', '政府办'],
  ['府办', '政府办'], // 区府办
  ['委员会', '委'],
  ['办公室', '办'],
];

export interface UnitContext {
  /** The workspace's district as written in names (浦东新区), from its 发证机关. */
  district: string | null;
  aliases: ReadonlyArray<readonly [string, string]>;
}

/** 浦东新区人民政府 → 浦东新区: the district a workspace serves, as unit names spell it. */
export function districtOf(authorityName: string): string | null {
  const m = /^(.+?(?:新区|区|县|市))(?:人民政府|政府|管委会)?/.exec(authorityName.trim());
  return m ? m[1] : null;
}

/** 上海市… / 湖北省武汉市…: a named city (never 超市 or 城市管理…, which have one character before 市). */
const CITY = /^(?:(?:(?!省)[\u4e00-\u9fff]){2,3}省)?(?:(?!市)[\u4e00-\u9fff]){2,3}市(?=.{2})/;

const aliasPatterns = new WeakMap<object, { re: RegExp; map: Map<string, string> } | null>();

/** One pass, longest alias first, so a canonical form is never rewritten again (府办 inside 政府办). */
function applyAliases(s: string, aliases: UnitContext['aliases']): string {
  let p = aliasPatterns.get(aliases);
  if (p === undefined) {
    const list = aliases.filter(([a]) => a !== '').sort((a, b) => b[0].length - a[0].length);
    p = list.length ? { re: new RegExp(list.map(([a]) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g'), map: new Map(list.map(([a, c]) => [a, c])) } : null;
    aliasPatterns.set(aliases, p);
  }
  return p ? s.replace(p.re, (m) => p!.map.get(m) ?? m) : s;
}

/** The key that decides whether two names are one unit (see the module comment). */
export function unitKey(name: string, ctx: UnitContext): string {
  let s = toHalfWidth(name).replace(/\s+/g, '').replace(/[（(][^（）()]*[)）]/g, '');
  let level = '';
  if (ctx.district && s.startsWith(ctx.district) && s.length > ctx.district.length) {
    level = '区';
    s = s.slice(ctx.district.length);
  } else if (/^[市区](?=.{2})/.test(s)) {
    level = s[0];
    s = s.slice(1);
  } else if (CITY.test(s)) {
    level = '市';
    s = s.replace(CITY, '');
  }
  return level + applyAliases(s, ctx.aliases);
}

/**
 * Splits a units cell or clause: 市政府办公厅、浦东新区政府 / 市大数据中心，市有关部门 / 区府办、区科委、.
 * Separators inside parentheses belong to the name (区编办(区审改办)).
 */
export function splitUnits(text: string | null | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text.replace(/\s+/g, '')) {
    if (ch === '(' || ch === '（') depth++;
    if (ch === ')' || ch === '）') depth = Math.max(0, depth - 1);
    if (depth === 0 && /[、，,；;。\n/]/.test(ch)) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out.map((u) => u.replace(/^(?:等|及|和)|等$/g, '').trim()).filter((u) => u !== '');
}

/** Resolves unit names to catalog departments with the workspace's mapping, loaded once. */
export class UnitResolver {
  private byKey = new Map<string, { id: number; name: string }>();
  private constructor(readonly ctx: UnitContext) {}

  /** `prefer`: departments that stand for their unit before any other of the same key (else the first by id). */
  static async load(db: Knex, opts: { prefer?: ReadonlySet<number> } = {}): Promise<UnitResolver> {
    const rows: Array<{ alias: string; canonical: string }> = await db('unit_aliases').select('alias', 'canonical').orderBy('id');
    const settings: Array<{ value: string }> = await db('settings').where({ key: 'authority_name' }).select('value');
    const district = settings[0] ? districtOf(settings[0].value) : null;
    const resolver = new UnitResolver({ district, aliases: rows.length ? rows.map((r) => [r.alias, r.canonical] as const) : DEFAULT_ALIASES });
    const depts: Array<{ id: number; name: string }> = await db('departments').select('id', 'name').orderBy('id');
    const prefer = opts.prefer ?? new Set<number>();
    for (const d of [...depts.filter((x) => prefer.has(x.id)), ...depts.filter((x) => !prefer.has(x.id))]) {
      const k = resolver.key(d.name);
      if (!resolver.byKey.has(k)) resolver.byKey.set(k, d);
    }
    return resolver;
  }

  key(name: string): string {
    return unitKey(name, this.ctx);
  }

  /** The department this name is, or null when the catalog has no such unit. */
  department(name: string): { id: number; name: string } | null {
    return this.byKey.get(this.key(name)) ?? null;
  }

  /**
   * `department`, where a name written without its level (市场监管局, 市监局, 市场监督管理局: the 市 of
   * 市场 is no level) is the unit at the workspace's own level (区市场监管局), as the office's own
   * lists write them. Null when the catalog has no such unit: never the unit at another level.
   */
  ownDepartment(name: string): { id: number; name: string } | null {
    return this.department(name) ?? (this.ctx.district ? this.department(`区${name}`) : null);
  }
}
