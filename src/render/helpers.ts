/**
 * Helpers for Chinese official documents, registered once on yiye's own Handlebars instance. They
 * are pure functions of their arguments: none opens a file, the network or anything outside the
 * value it is given, so a user's template can do no more than arrange the data it receives.
 */
import type { HelperDelegate, HelperOptions } from 'handlebars';
import { addWorkdays, isIsoDate, knownYearsText, yearsText, type HolidayCalendar } from './workdays';

const DIGITS = '零一二三四五六七八九';
const UNITS = ['', '十', '百', '千'];

/** 1 → 一, 10 → 十, 15 → 十五, 20 → 二十, 105 → 一百零五, 2021 → 二千零二十一 (up to 9999). */
export function chineseNumber(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 9999) return String(n);
  if (n === 0) return '零';
  if (n >= 10 && n < 20) return `十${n % 10 ? DIGITS[n % 10] : ''}`;
  const digits = String(n).split('').map(Number);
  let out = '';
  let zero = false;
  digits.forEach((d, i) => {
    const unit = UNITS[digits.length - 1 - i];
    if (d === 0) {
      zero = true;
      return;
    }
    if (zero && out) out += '零';
    zero = false;
    out += DIGITS[d] + unit;
  });
  return out;
}

/** YYYY-MM-DD → 2021年3月31日 (the form GB/T 9704 uses for 成文日期, with Arabic numerals). */
export function chineseDate(iso: string): string {
  if (!isIsoDate(iso)) return iso;
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/**
 * Heading numbers by level, counted per document: 一、 （一） 1. （1）. A deeper level restarts
 * when a shallower one advances, so a section a template leaves out never leaves a gap.
 */
export function headingNumber(counters: number[], level: number): string {
  const l = Math.min(Math.max(level, 1), 4) - 1;
  counters[l] = (counters[l] ?? 0) + 1;
  for (let i = l + 1; i < counters.length; i++) counters[i] = 0;
  const n = counters[l];
  return [`${chineseNumber(n)}、`, `（${chineseNumber(n)}）`, `${n}. `, `（${n}）`][l];
}

interface RenderData {
  counters?: number[];
  warnings?: string[];
  calendar?: HolidayCalendar;
}

const data = (options: HelperOptions): RenderData => ((options?.data as { root?: unknown; yiye?: RenderData })?.yiye ?? {});

const isOptions = (v: unknown): v is HelperOptions => typeof v === 'object' && v !== null && 'hash' in v && 'data' in v;
const args = (all: unknown[]): { params: unknown[]; options: HelperOptions } => ({ params: all.slice(0, -1), options: all[all.length - 1] as HelperOptions });

export const HELPERS: Record<string, HelperDelegate> = {
  /** {{cn 3}} → 三 */
  cn: (n: unknown) => chineseNumber(Number(n)),
  /** {{cnIndex @index}} → 一 for index 0 (lists in templates count from zero). */
  cnIndex: (i: unknown) => chineseNumber(Number(i) + 1),
  /** {{inc @index}} → 1 for index 0 */
  inc: (i: unknown) => Number(i) + 1,
  /** {{cnDate "2021-03-31"}} → 2021年3月31日 */
  cnDate: (iso: unknown) => (typeof iso === 'string' ? chineseDate(iso) : ''),
  /**
   * {{workdaysAfter "2021-09-28" 20}} → 2021年11月1日 (Chinese working-day calendar, the workspace's
   * imported years first). A date counted on weekends only is marked 2027年1月29日（估算）.
   */
  workdaysAfter: (...all: unknown[]) => {
    const { params, options } = args(all);
    const [iso, n] = params;
    if (typeof iso !== 'string' || !isIsoDate(iso) || !Number.isInteger(Number(n)) || Number(n) < 0) return '';
    const cal = data(options).calendar;
    const r = addWorkdays(iso, Number(n), cal);
    if (!r.approximate) return chineseDate(r.date);
    data(options).warnings?.push(`日期 ${iso} 后第 ${n} 个工作日需要 ${yearsText(r.missingYears)}的节假日安排（已有：${knownYearsText(cal)}），按仅扣除周末估算。`);
    return `${chineseDate(r.date)}（估算）`;
  },
  /** {{dayText 0}} → 即办, {{dayText 5}} → 5个工作日, {{dayText 30 "自然日"}} */
  dayText: (n: unknown, ...rest: unknown[]) => {
    const unit = typeof rest[0] === 'string' && !isOptions(rest[0]) ? rest[0] : '工作日';
    if (n === null || n === undefined || n === '') return '';
    const v = Number(n);
    return v === 0 ? '即办' : `${v}个${unit}`;
  },
  /** {{join list}} → 甲、乙、丙; {{join list "；"}}; {{join list "、" "name"}} joins a field of each item */
  join: (...all: unknown[]) => {
    const { params } = args(all);
    const [list, sep, field] = params;
    if (!Array.isArray(list)) return '';
    const items = typeof field === 'string' ? list.map((x) => (x && typeof x === 'object' && Object.prototype.hasOwnProperty.call(x, field) ? (x as Record<string, unknown>)[field] : '')) : list;
    return items.filter((x) => x !== null && x !== undefined && x !== '').map(String).join(typeof sep === 'string' ? sep : '、');
  },
  /** {{sec 1}} → 一、 then 二、…; {{sec 2}} → （一）; {{sec 3}} → 1.; {{sec 4}} → （1） */
  sec: (level: unknown, options: HelperOptions) => {
    const d = data(options);
    if (!d.counters) return '';
    return headingNumber(d.counters, Number(level));
  },
  eq: (a: unknown, b: unknown) => a === b,
  ne: (a: unknown, b: unknown) => a !== b,
  gt: (a: unknown, b: unknown) => Number(a) > Number(b),
  and: (...all: unknown[]) => args(all).params.every(Boolean),
  or: (...all: unknown[]) => args(all).params.some(Boolean),
  not: (a: unknown) => !a,
  len: (a: unknown) => (Array.isArray(a) ? a.length : 0),
};
