/**
 * Working days (工作日) on the Chinese calendar: statutory holidays excluded, make-up working
 * Saturdays/Sundays (调休) included. 《行政许可法》 counts time limits in working days and, per
 * 《民法典》第二百零一条, a period starts the day after acceptance: N working days after D is the N-th
 * working day strictly after D.
 *
 * `chinese-days` carries official data for 2004–2026 only and, past it, silently treats every weekday
 * (even 1 January) as a working day. Any date outside its range is therefore counted weekends-only and
 * flagged `approximate`, so the caller can warn instead of printing a wrong date as if it were sure.
 *
 * A workspace can load the State Council's 节假日安排 for a year itself (`yiye calendar import`): an
 * imported year is used before the bundled data, and counts as known.
 */
import { lazy } from '../lazy';

const chineseDays = lazy<typeof import('chinese-days')>(() => require('chinese-days'));

export const CALENDAR_FIRST_YEAR = 2004;
export const CALENDAR_LAST_YEAR = 2026;

/** Holiday arrangements a workspace imported, whole years at a time (src/calendar). */
export interface HolidayCalendar {
  /** Years whose arrangement was imported: every day of them is known. */
  years: ReadonlySet<number>;
  /** 休息日 on a weekday or weekend (statutory holidays and the days taken off for them). */
  offDays: ReadonlySet<string>;
  /** 调休上班日: Saturdays or Sundays worked. */
  workDays: ReadonlySet<string>;
}

export const NO_CALENDAR: HolidayCalendar = { years: new Set(), offDays: new Set(), workDays: new Set() };

export interface WorkdayResult {
  /** YYYY-MM-DD */
  date: string;
  /** True when the span left the calendar's data range and weekends alone were skipped. */
  approximate: boolean;
  /** The years on the way the calendar does not know (empty unless approximate). */
  missingYears: number[];
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(s: string): boolean {
  const m = ISO.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

function addCalendarDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

const isWeekend = (date: string) => [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());
const yearOf = (date: string) => Number(date.slice(0, 4));
const bundled = (y: number) => y >= CALENDAR_FIRST_YEAR && y <= CALENDAR_LAST_YEAR;

/** Whether `date` is a working day, and whether that is known (imported or bundled) or only weekends-based. */
export function workdayOn(date: string, cal: HolidayCalendar = NO_CALENDAR): { work: boolean; known: boolean } {
  const y = yearOf(date);
  if (cal.years.has(y)) return { work: cal.workDays.has(date) || (!cal.offDays.has(date) && !isWeekend(date)), known: true };
  if (bundled(y)) return { work: chineseDays().isWorkday(date) as boolean, known: true };
  return { work: !isWeekend(date), known: false };
}

/** The holiday's Chinese name the bundled data gives a date (春节), or null. */
export function bundledDayName(date: string): string | null {
  if (!bundled(yearOf(date))) return null;
  const name = (chineseDays().getDayDetail(date) as { name?: string }).name ?? '';
  const parts = name.split(',');
  return parts.length >= 2 && /[\u4e00-\u9fff]/.test(parts[1]) ? parts[1] : null;
}

/** Whether every day of `year` is known to the calendar (imported, or in the bundled range). */
export function yearKnown(year: number, cal: HolidayCalendar = NO_CALENDAR): boolean {
  return cal.years.has(year) || bundled(year);
}

/** The years the calendar knows, as text: “2004—2026年”, “2004—2026年、2028年”. */
export function knownYearsText(cal: HolidayCalendar = NO_CALENDAR): string {
  const years = [...cal.years].sort((a, b) => a - b);
  const runs: Array<[number, number]> = [[CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR]];
  for (const y of years) {
    if (bundled(y)) continue;
    const run = runs.find(([a, b]) => y >= a - 1 && y <= b + 1);
    if (run) [run[0], run[1]] = [Math.min(run[0], y), Math.max(run[1], y)];
    else runs.push([y, y]);
  }
  return runs
    .sort((a, b) => a[0] - b[0])
    .map(([a, b]) => (a === b ? `${a}年` : `${a}—${b}年`))
    .join('、');
}

/**
 * The date `n` working days after `date` (n = 0: that day, or the next working day). Approximate
 * when a day on the way (or the start) lies in a year the calendar does not know.
 */
export function addWorkdays(date: string, n: number, cal: HolidayCalendar = NO_CALENDAR): WorkdayResult {
  if (!isIsoDate(date)) throw new RangeError(`not a date: ${date}`);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`not a number of working days: ${n}`);
  let d = date;
  const missing = new Set<number>();
  if (!yearKnown(yearOf(d), cal)) missing.add(yearOf(d));
  const step = (): boolean => {
    const w = workdayOn(d, cal);
    if (!w.known) missing.add(yearOf(d));
    return w.work;
  };
  const result = () => ({ date: d, approximate: missing.size > 0, missingYears: [...missing].sort((a, b) => a - b) });
  if (n === 0) {
    while (!step()) d = addCalendarDays(d, 1);
    return result();
  }
  for (let left = n; left > 0; ) {
    d = addCalendarDays(d, 1);
    if (step()) left--;
  }
  return result();
}

/** “2027年”, “2027、2028年”: the years a calendar lacks, for messages. */
export const yearsText = (years: number[]): string => `${years.join('、')} 年`;

/** The date `n` calendar days (自然日) after `date`. */
export function addNaturalDays(date: string, n: number): string {
  return addCalendarDays(date, n);
}
