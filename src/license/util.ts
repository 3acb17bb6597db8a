/** Small helpers shared by issuance and the lifecycle: dates, cells, and the write retry (re-exported). */
import { UsageError } from '../cli/errors';
import type { CellValue } from '../io/types';
import { cellText } from '../text/normalize';
import { lastDayOfMonth, today } from '../text/dates';

/**
 * What `normalizeText` changes: zero-width and special spaces, full-width letters and digits, line
 * breaks and tabs (and every other character `trim` removes), runs of spaces, spaces at either end.
 */
const NOT_NORMAL = /[\u200B-\u200D\uFEFF\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\t\n\v\f\r]| {2}|^ | $/;

/**
 * `cellText`, with a shortcut for the common cell — text already in normal form, returned as it is —
 * that skips normalizeText's seven passes over it: a 100k-row batch reads some 800k cells. The
 * property test in test/license/util.test.ts holds it to `cellText` on arbitrary text.
 */
export function cellTextQuick(v: CellValue): string | null {
  if (typeof v === 'string' && v !== '' && !NOT_NORMAL.test(v)) return v;
  return cellText(v);
}


/**
 * Issue and lifecycle dates are the day the office acts, never after today (the machine's local
 * date): a licence dated ahead would verify as valid from now. Exit 2, like any bad flag value.
 */
export function refuseFutureDate(date: string, what: '制证日期' | '办理日期'): void {
  const now = today();
  const act = what === '制证日期' ? '制证' : '办理';
  if (date > now) throw new UsageError(`${what} ${date} 晚于今天（${now}），不能预先${act}。`, `请核对 --date；不写 --date 即按今天${act}。`);
}

/** The last day of a validity of `years` starting on `from` (2026-03-15 + 5 years → 2031-03-14). */
export function validityEnd(from: string, years: number): string {
  const [y, m, d] = from.split('-').map(Number);
  const end = new Date(Date.UTC(y + years, m - 1, Math.min(d, lastDayOfMonth(y + years, m))));
  end.setUTCDate(end.getUTCDate() - 1);
  return end.toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// The write retry serves every batch (catalog, tasks, licences); it lives with the database code.
export { withWriteRetry, type RetryOptions } from '../db/retry';
