/**
 * Property tests for the text parsers every importer uses: normalizeText/toHalfWidth/headerKey,
 * cellText, parseDateValue and parseDeadline never throw, are idempotent where they normalise, and
 * read back the dates they are given.
 */
import fc from 'fast-check';
import { cellText, headerKey, normalizeText, parseBool, parseTimeLimit, splitList, toHalfWidth } from '../../src/text/normalize';
import { parseDateValue } from '../../src/text/dates';
import { parseDeadline } from '../../src/text/deadline';
import type { CellValue } from '../../src/io/types';
import { anyText, params } from './arbitraries';

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date between 1900 and 2200 in YYYY-MM-DD. */
function isRealDate(iso: string): boolean {
  const m = ISO.exec(iso);
  if (!m) return false;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso && Number(m[1]) >= 1900 && Number(m[1]) <= 2200;
}

/** Any value a reader can yield as a cell, including the odd ones (NaN, invalid dates, 1e20). */
const cellValue: fc.Arbitrary<CellValue> = fc.oneof(
  anyText,
  fc.double(),
  fc.integer(),
  fc.constantFrom(NaN, Infinity, -Infinity, 1e20, -0, 2958465, 2958466, 60, 44286),
  fc.boolean(),
  fc.constant(null),
  fc.date(),
  fc.constant(new Date(NaN)),
  fc.constantFrom({ error: '#N/A' }, { error: '#REF!' }, { error: '' }),
);

/** Dates inside the range the parsers accept. */
const calendarDate = fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2200, 11, 31)), noInvalidDate: true });

describe('normalizeText, toHalfWidth, headerKey', () => {
  test('never throw and are idempotent', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const n = normalizeText(s);
        expect(normalizeText(n)).toBe(n);
        const h = toHalfWidth(s);
        expect(toHalfWidth(h)).toBe(h);
        const k = headerKey(s);
        expect(headerKey(k)).toBe(k);
      }),
      params(61001),
    );
  });

  test('normalised text has no invisible characters, no edge spaces, no empty lines', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const n = normalizeText(s);
        expect(n).not.toMatch(/[\u200B-\u200D\uFEFF\u3000\u00A0\r\t]|^[ \n]|[ \n]$| {2}|\n\n/);
      }),
      params(61002),
    );
  });

  test('cell helpers never throw on any cell value', () => {
    fc.assert(
      fc.property(cellValue, (v) => {
        const t = cellText(v);
        expect(t === null || typeof t === 'string').toBe(true);
        expect([true, false, null, undefined]).toContain(parseBool(v));
        const limit = parseTimeLimit(v);
        if (limit) expect(limit.days).toBeGreaterThanOrEqual(0);
        for (const item of splitList(t)) expect(item).not.toBe('');
      }),
      params(61003),
    );
  });
});

describe('parseDateValue', () => {
  test('never throws; any answer is a real date between 1900 and 2200', () => {
    fc.assert(
      fc.property(cellValue, (v) => {
        const iso = parseDateValue(v);
        if (iso !== null) expect(isRealDate(iso)).toBe(true);
      }),
      params(62001),
    );
  });

  test('reads back a date written in every way spreadsheets carry it', () => {
    fc.assert(
      fc.property(calendarDate, fc.constantFrom('-', '/', '.', '年'), fc.boolean(), (d, sep, fullWidth) => {
        const iso = d.toISOString().slice(0, 10);
        const [y, m, dd] = iso.split('-').map(Number);
        expect(parseDateValue(d)).toBe(iso);
        expect(parseDateValue(iso)).toBe(iso);
        let typed = sep === '年' ? `${y}年${m}月${dd}日` : `${y}${sep}${m}${sep}${dd}`;
        if (fullWidth) typed = typed.replace(/[0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
        expect(parseDateValue(typed)).toBe(iso);
      }),
      params(62002),
    );
  });

  test('a date outside 1900–2200 (9999-12-31 placeholders) is no date', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 2201, max: 9999 }), fc.integer({ min: 1000, max: 1899 })), (y) => {
        expect(parseDateValue(new Date(Date.UTC(y, 11, 31)))).toBeNull();
        expect(parseDateValue(`${y}-12-31`)).toBeNull();
      }),
      params(62003, 100),
    );
  });
});

describe('parseDeadline', () => {
  test('never throws; kind is one of five; a date is real; text is the normalised input', () => {
    fc.assert(
      fc.property(anyText, fc.option(fc.integer({ min: -5000, max: 12000 })), (s, planYear) => {
        const d = parseDeadline(s, planYear);
        expect(['date', 'start', 'fuzzy', 'recurring', 'none']).toContain(d.kind);
        if (d.date !== null) expect(isRealDate(d.date)).toBe(true);
        expect(d.text).toBe(normalizeText(s));
      }),
      params(63001),
    );
  });

  test('"Y年M月D日前" and "Y年M月底前" read back, with or without the year written', () => {
    fc.assert(
      fc.property(calendarDate, (date) => {
        const iso = date.toISOString().slice(0, 10);
        const [y, m, d] = iso.split('-').map(Number);
        expect(parseDeadline(`${y}年${m}月${d}日前`)).toMatchObject({ kind: 'date', date: iso });
        expect(parseDeadline(`${m}月${d}日前`, y)).toMatchObject({ kind: 'date', date: iso });
        const monthEnd = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
        expect(parseDeadline(`${y}年${m}月底前`)).toMatchObject({ kind: 'date', date: monthEnd });
        expect(parseDeadline(`自${y}年${m}月${d}日起`)).toMatchObject({ kind: 'start', date: iso });
      }),
      params(63002),
    );
  });

  test('months written in Chinese numerals read like digits', () => {
    const cn = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2200 }), fc.integer({ min: 1, max: 12 }), (y, m) => {
        expect(parseDeadline(`${y}年${cn[m]}月底前`).date).toBe(parseDeadline(`${y}年${m}月底前`).date);
      }),
      params(63003, 100),
    );
  });
});
