/**
 * Working days (工作日) on the Chinese calendar: statutory holidays excluded, make-up working
 * Saturdays/Sundays (调休) included. 《行政许可法》 counts time limits in working days and, per
 * 《民法典》第二百零一条, a period starts the day after acceptance: N working days after D is the N-th
 * working day strictly after D.
 *
 * `chinese-days` carries official data for 2004–2026 only and, past it, silently treats every weekday
 * (even 1 January) as a working day. Any date outside its range is therefore counted weekends-only and
 * flagged `approximate`, so the caller can warn instead of printing a wrong date as if it were sure.
 */
import { lazy } from '../lazy';

const chineseDays = lazy<typeof import('chinese-days')>(() => require('chinese-days'));

export const CALENDAR_FIRST_YEAR = 2004;
export const CALENDAR_LAST_YEAR = 2026;

export interface WorkdayResult {
  /** YYYY-MM-DD */
  date: string;
  /** True when the span left the calendar's data range and weekends alone were skipped. */
  approximate: boolean;
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

function weekendsOnly(date: string, n: number): string {
  let d = date;
  let left = n;
  if (left === 0) {
    // "within 0 days" = the same day if it is a working day, else the next one
    while ([0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay())) d = addCalendarDays(d, 1);
    return d;
  }
  while (left > 0) {
    d = addCalendarDays(d, 1);
    if (![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay())) left--;
  }
  return d;
}

const inRange = (date: string) => {
  const y = Number(date.slice(0, 4));
  return y >= CALENDAR_FIRST_YEAR && y <= CALENDAR_LAST_YEAR;
};

/** The date `n` working days after `date` (n = 0: that day, or the next working day). */
export function addWorkdays(date: string, n: number): WorkdayResult {
  if (!isIsoDate(date)) throw new RangeError(`not a date: ${date}`);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`not a number of working days: ${n}`);
  if (inRange(date)) {
    const out = chineseDays().findWorkday(n, date) as string;
    // The library's answer is trustworthy only when the whole span lies inside its data.
    if (inRange(out)) return { date: out, approximate: false };
  }
  return { date: weekendsOnly(date, n), approximate: true };
}

/** The date `n` calendar days (自然日) after `date`. */
export function addNaturalDays(date: string, n: number): string {
  return addCalendarDays(date, n);
}
