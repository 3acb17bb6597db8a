import { localTime } from './time';
import type { CellValue } from '../io/types';
import { cellText, isoDate, toHalfWidth } from './normalize';

/** Excel's 1900 date system: serial 1 = 1900-01-01, with Excel's phantom 1900-02-29 (serial 60). */
export function excelSerialToIso(serial: number): string | null {
  if (!Number.isFinite(serial) || serial < 1 || serial >= 2958466) return null;
  const whole = Math.floor(serial);
  const days = whole > 60 ? whole - 1 : whole; // skip the phantom leap day
  const ms = Date.UTC(1899, 11, 31) + days * 86400000;
  return isoDate(new Date(ms));
}

export function isoFromParts(y: number, m: number, d: number): string | null {
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return null;
  const last = lastDayOfMonth(y, m);
  if (d > last) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function lastDayOfMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * A calendar date written in one of the ways spreadsheets carry it: a date cell, an Excel serial
 * number (44286), "2021/3/31", "2021-03-31", "2021.3.31", "2021年3月31日". Null when it is none of them.
 */
export function parseDateValue(v: CellValue): string | null {
  // a date cell is held to the same calendar as typed dates (1900–2200): 9999-12-31 is a placeholder, not a date
  if (v instanceof Date) {
    const y = v.getUTCFullYear();
    return Number.isNaN(y) || y < 1900 || y > 2200 ? null : isoDate(v);
  }
  if (typeof v === 'number') return v >= 20000 && v < 80000 ? excelSerialToIso(v) : null;
  const t = cellText(v);
  if (!t) return null;
  const s = toHalfWidth(t).replace(/\s/g, '');
  if (/^\d{5}(\.\d+)?$/.test(s)) {
    const n = Number(s);
    return n >= 20000 && n < 80000 ? excelSerialToIso(n) : null;
  }
  const m = /^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?(?:\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(s);
  if (!m) return null;
  return isoFromParts(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Today's calendar date where the office is (the workspace's time zone, src/text/time.ts), YYYY-MM-DD. */
export function today(): string {
  return localTime(new Date()).slice(0, 10);
}
