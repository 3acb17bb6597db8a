import { parseDateValue, isoFromParts, lastDayOfMonth } from './dates';
import { normalizeText, toHalfWidth } from './normalize';

/**
 * What a deadline phrase means (DOMAIN.md "Deadline phrases"):
 * - `date`: a deadline on that date (inclusive);
 * - `start`: 自…起 — a start date, not a deadline;
 * - `fuzzy`: M月初 — an approximate date, kept with the text and flagged;
 * - `recurring`: 每季度/每月/定期;
 * - `none`: 长期坚持/持续推进, or no date at all.
 */
export type DeadlineKind = 'date' | 'start' | 'fuzzy' | 'recurring' | 'none';

export interface Deadline {
  kind: DeadlineKind;
  /** YYYY-MM-DD for date, start and fuzzy; null otherwise or when the year is unknown. */
  date: string | null;
  /** The phrase as written (normalised whitespace). */
  text: string;
}

const CN_DIGITS: Record<string, number> = { 〇: 0, 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };

/** "十二" → 12, "3" → 3: months and days written either way. */
function num(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  if (s.length === 1) return CN_DIGITS[s] ?? NaN;
  if (s.startsWith('十')) return 10 + (CN_DIGITS[s.slice(1)] ?? NaN);
  if (s.endsWith('十')) return (CN_DIGITS[s[0]] ?? NaN) * 10;
  return (CN_DIGITS[s[0]] ?? NaN) * 10 + (CN_DIGITS[s[2]] ?? NaN);
}

const N = '(\\d{1,2}|[一二三四五六七八九十]{1,3})';
const Y = '(?:(\\d{4})\\s*年)?';

type Rule = { re: RegExp; kind: DeadlineKind; date: (m: RegExpExecArray, year: number | null) => string | null };

const yearOf = (m: RegExpExecArray, planYear: number | null): number | null => (m[1] ? Number(m[1]) : planYear);

/** Words that mean there is no deadline (长期坚持 …): a task like this is never overdue. */
const NO_DEADLINE = /(长期坚持|持续推进|长期|持续|常态化)/;

/** The rules, tried in order; the first that matches wins. Keep every phrase convention here. */
const RULES: Rule[] = [
  { re: /(每季度|每月|每年|每半年|定期|按季度|按月)/, kind: 'recurring', date: () => null },
  {
    re: new RegExp(`[自从]${Y}\\s*${N}\\s*月\\s*${N}\\s*日?\\s*起`),
    kind: 'start',
    date: (m, py) => withYear(yearOf(m, py), (y) => isoFromParts(y, num(m[2]), num(m[3]))),
  },
  {
    re: new RegExp(`${Y}\\s*${N}\\s*月\\s*(底|末)\\s*(前|之前)?`),
    kind: 'date',
    date: (m, py) => withYear(yearOf(m, py), (y) => monthEnd(y, num(m[2]))),
  },
  {
    re: new RegExp(`${Y}\\s*${N}\\s*月\\s*${N}\\s*日?\\s*(前|之前|以前|止)`),
    kind: 'date',
    date: (m, py) => withYear(yearOf(m, py), (y) => isoFromParts(y, num(m[2]), num(m[3]))),
  },
  {
    re: new RegExp(`${Y}\\s*${N}\\s*月\\s*(初|上旬)`),
    kind: 'fuzzy',
    date: (m, py) => withYear(yearOf(m, py), (y) => isoFromParts(y, num(m[2]), 10)),
  },
  {
    // 6月中旬 (about the 20th), 6月下旬 (by the month's end): approximate, kept with the text
    re: new RegExp(`${Y}\\s*${N}\\s*月\\s*(中旬|下旬)`),
    kind: 'fuzzy',
    date: (m, py) => withYear(yearOf(m, py), (y) => (m[3] === '中旬' ? isoFromParts(y, num(m[2]), 20) : monthEnd(y, num(m[2])))),
  },
  {
    re: /(?:(\d{4})\s*年)?\s*(上半年|年中)/,
    kind: 'date',
    date: (m, py) => withYear(yearOf(m, py), (y) => isoFromParts(y, 6, 30)),
  },
  {
    re: /(?:(\d{4})\s*年)?\s*下半年/,
    kind: 'date',
    date: (m, py) => withYear(yearOf(m, py), (y) => isoFromParts(y, 12, 31)),
  },
  {
    re: /(?:(\d{4})\s*年)?\s*(?:第)?([一二三四1-4])\s*季度/,
    kind: 'date',
    date: (m, py) => withYear(yearOf(m, py), (y) => monthEnd(y, num(m[2]) * 3)),
  },
  {
    re: /(?:至|到)?\s*(\d{4})\s*年\s*(底|末)\s*(前|之前)?/,
    kind: 'date',
    date: (m) => isoFromParts(Number(m[1]), 12, 31),
  },
  {
    re: /(?:(\d{4})\s*年)?\s*(年底前|年底|年末|年内|年前|本年度内)/,
    kind: 'date',
    date: (m, py) => withYear(yearOf(m, py), (y) => isoFromParts(y, 12, 31)),
  },
  // last: a phrase that names a date and also says "and keep at it" (6月底前完成并持续推进) has that date
  { re: NO_DEADLINE, kind: 'none', date: () => null },
];

/** A month alone, "2021年6月" / "6月份" / "2021年6月前": by the end of that month. */
const MONTH_ONLY = new RegExp(`^${Y}\\s*${N}\\s*月份?\\s*(前|之前|内|完成)?$`);

/**
 * A deadline cell of a spreadsheet (a task's 完成时限, an industry's 落地时限): `parseDeadline`, and a
 * month written alone as that month's end. Only for whole cells: inside a sentence "2021年6月" is
 * usually the start of a longer phrase (6月底前), which `parseDeadline` reads on its own.
 */
export function parseDeadlineCell(text: string, planYear: number | null = null): Deadline {
  const d = parseDeadline(text, planYear);
  if (d.kind !== 'none') return d;
  const m = MONTH_ONLY.exec(compact(d.text));
  return m ? { kind: 'date', date: withYear(yearOf(m, planYear), (y) => monthEnd(y, num(m[2]))), text: d.text } : d;
}

/**
 * True when a written deadline could not be read: not a date or phrase above, and not one of the
 * words that mean "no deadline" (长期坚持, 持续推进 …). Importers report it instead of storing 无时限.
 */
export function deadlineUnreadable(d: Deadline): boolean {
  return d.kind === 'none' && d.text !== '' && !NO_DEADLINE.test(compact(d.text));
}

/** The form the rules read: half-width, no blanks. */
const compact = (text: string) => toHalfWidth(text).replace(/\s+/g, '');

function withYear(year: number | null, f: (y: number) => string | null): string | null {
  return year === null ? null : f(year);
}

function monthEnd(y: number, m: number): string | null {
  if (!(m >= 1 && m <= 12)) return null;
  return isoFromParts(y, m, lastDayOfMonth(y, m));
}

/**
 * Reads a deadline as written in a plan or a catalog cell ("2021年3月底前", "11月25前", "上半年",
 * "2021/3/31"). A year-less phrase takes `planYear` (the year of the plan's date line); without it
 * the date stays null but the kind is still known. Never throws.
 */
export function parseDeadline(text: string, planYear: number | null = null): Deadline {
  const clean = normalizeText(String(text ?? ''));
  const s = compact(clean);
  if (s === '') return { kind: 'none', date: null, text: clean };
  const exact = parseDateValue(s.replace(/(之前|以前|前)$/, ''));
  if (exact) return { kind: 'date', date: exact, text: clean };
  for (const rule of RULES) {
    const m = rule.re.exec(s);
    if (m) return { kind: rule.kind, date: rule.date(m, planYear), text: clean };
  }
  return { kind: 'none', date: null, text: clean };
}
