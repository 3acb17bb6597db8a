/**
 * Reading a holiday arrangement (节假日安排) an office loads for a year the bundled data does not
 * cover, in either of two forms:
 *
 * - a table (xlsx/csv): 日期 and 类型 columns (类型 休息日 or 调休上班日, in the words offices use:
 *   放假/休息/节假日, 上班/补班/调休上班), optionally 名称 (which holiday);
 * - the text of the State Council's notice (国务院办公厅关于20XX年部分节假日安排的通知), one
 *   numbered line per holiday: “一、元旦：1月1日（周五）放假，与周末连休。” “二、春节：2月15日至
 *   23日放假调休，共9天。2月14日（周六）、2月28日（周六）上班。”
 *
 * Both give the same thing: every 休息日 and 调休上班日 of the years named. Nothing is guessed: a
 * row or sentence not understood rejects the file with its place named.
 */
import fs from 'node:fs';
import path from 'node:path';
import { columnLetter } from '../catalog/parse';
import type { RowErrorRef } from '../cli/errors';
import { readRows } from '../io/read-rows';
import { isCellError } from '../io/types';
import { parseDateValue, isoFromParts } from '../text/dates';
import { cellText, headerKey, normalizeText, toHalfWidth } from '../text/normalize';

export type DayKind = 'off' | 'work';
export const KIND_LABEL: Record<DayKind, string> = { off: '休息日', work: '调休上班日' };

export interface CalendarDay {
  date: string;
  kind: DayKind;
  /** Which holiday, when the file says. */
  name: string | null;
  /** Where it was read: the sheet ('' for a notice) and 1-based row (line). */
  sheet: string;
  row: number;
}

export interface ParsedCalendar {
  form: 'table' | 'notice';
  days: CalendarDay[];
  /** Years the arrangement is for (a notice's title year, or the years the table's dates fall in). */
  years: number[];
  errors: RowErrorRef[];
}

const KIND_WORDS: Array<[RegExp, DayKind]> = [
  [/^(调休)?(上班|补班|工作)日?$|^调休上班日?$|^班$/, 'work'],
  [/^(休息|放假|节假|法定节假|法定假|假|休|调休休息|调休放假)日?$|^休$/, 'off'],
];

/** 类型 as offices write it; null when it is neither. */
export function dayKind(text: string): DayKind | null {
  const t = headerKey(text);
  for (const [re, kind] of KIND_WORDS) if (re.test(t)) return kind;
  return null;
}

const HEADERS = {
  date: ['日期', '日子', 'date'],
  kind: ['类型', '类别', '安排', '性质', 'type'],
  name: ['名称', '节日', '节假日', '节日名称', '假日名称', '说明', '备注', 'name'],
};

/** A text file holding a notice rather than a table: it says 放假 and has no 日期/类型 header line. */
export function looksLikeNotice(text: string): boolean {
  return /放假/.test(text) && !/^\s*\uFEFF?\s*日期\s*[,，\t]/m.test(text);
}

export async function parseCalendarFile(file: string): Promise<ParsedCalendar> {
  if (path.extname(file).toLowerCase() === '.txt') {
    const text = (await fs.promises.readFile(file, 'utf8')).replace(/^\uFEFF/, '');
    if (looksLikeNotice(text)) return parseNotice(text, path.basename(file));
  }
  return parseTable(file);
}

async function parseTable(file: string): Promise<ParsedCalendar> {
  const name = path.basename(file);
  const days: CalendarDay[] = [];
  const errors: RowErrorRef[] = [];
  let header: { date: number; kind: number; name?: number; labels: string[] } | null = null;
  let sheetSeen = '';
  for await (const r of readRows(file)) {
    if (r.sheet !== sheetSeen) {
      sheetSeen = r.sheet;
      header = null;
    }
    const texts = r.cells.map((c) => (isCellError(c) ? '' : (cellText(c) ?? '')));
    if (!header) {
      const keys = texts.map(headerKey);
      const find = (words: string[]) => keys.findIndex((k) => words.includes(k));
      const date = find(HEADERS.date);
      const kind = find(HEADERS.kind);
      if (date >= 0 && kind >= 0) {
        const n = find(HEADERS.name);
        header = { date, kind, ...(n >= 0 ? { name: n } : {}), labels: texts };
      }
      continue;
    }
    if (texts.every((t) => !t.trim())) continue;
    const h = header;
    const err = (col: number, message: string) => errors.push({ file: name, sheet: r.sheet, row: r.rowNumber, column: h.labels[col] ?? '', columnLetter: columnLetter(col), message });
    const date = parseDateValue(r.cells[h.date] ?? null);
    const kind = dayKind(texts[h.kind] ?? '');
    if (!date) err(h.date, `“${texts[h.date] ?? ''}”不是日期（如 2027-01-01 或 2027年1月1日）。`);
    if (!kind) err(h.kind, `类型“${texts[h.kind] ?? ''}”无法识别：应为“休息日”或“调休上班日”。`);
    if (date && kind) days.push({ date, kind, name: h.name !== undefined ? normalizeText(texts[h.name] ?? '') || null : null, sheet: r.sheet, row: r.rowNumber });
  }
  if (!header) {
    errors.push({ file: name, sheet: sheetSeen, row: 0, column: '', columnLetter: '', message: '没有找到含“日期”“类型”两列的标题行。' });
  }
  const years = [...new Set(days.map((d) => Number(d.date.slice(0, 4))))].sort();
  return { form: 'table', days, years, errors: [...errors, ...checkDays(days, name)] };
}

/** One holiday line of a notice: “一、元旦：…” (also “1.” or “（一）”). */
const HOLIDAY_LINE = /^\s*(?:[一二三四五六七八九十]+[、.．]|（[一二三四五六七八九十]+）|\d+[、.．])\s*([^：:，,。]{1,12})[：:](.+)$/;
/** A date in a notice: 1月1日, 2027年1月1日, or (after 至) 23日. */
const DATE = /(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日/g;

/**
 * The notice's text: the year from its title (or the first “20XX年”), then each numbered holiday
 * line: the span before 放假 is off, the dates before 上班 are worked.
 */
export function parseNotice(raw: string, file = '通知'): ParsedCalendar {
  const text = toHalfWidth(raw).replace(/\r/g, '');
  const errors: RowErrorRef[] = [];
  const days: CalendarDay[] = [];
  const yearMatch = /(\d{4})年(?:部分)?节假日安排/.exec(text) ?? /(\d{4})年/.exec(text);
  const err = (row: number, message: string) => errors.push({ file, sheet: '', row, column: '', columnLetter: '', message });
  if (!yearMatch) {
    err(0, '没有找到年份：通知标题应为“国务院办公厅关于20XX年部分节假日安排的通知”。');
    return { form: 'notice', days, years: [], errors };
  }
  const year = Number(yearMatch[1]);
  const lines = text.split('\n');
  let holidays = 0;
  lines.forEach((line, i) => {
    const m = HOLIDAY_LINE.exec(line);
    if (!m) return;
    holidays++;
    const name = m[1].trim();
    const where = { sheet: '', row: i + 1 };
    // parentheses hold weekdays and lunar dates (（周五）（农历正月初七）), never the arrangement
    const body = m[2].replace(/[（(][^）)]*[）)]/g, '');
    let understood = false;
    for (const sentence of body.split(/[。；;]/)) {
      const off = /^(.*?)放假/.exec(sentence);
      if (off) {
        const span = datesIn(off[1], year);
        if (span.length === 0 || span.length > 2) err(i + 1, `“${name}”的放假日期“${off[1]}”无法识别。`);
        else if (span.length === 2 && /至|到|—|－|-|~/.test(off[1])) {
          for (let d = span[0]; d <= span[1]; d = nextDay(d)) days.push({ date: d, kind: 'off', name, ...where });
          understood = true;
        } else if (span.length === 1) {
          days.push({ date: span[0], kind: 'off', name, ...where });
          understood = true;
        } else err(i + 1, `“${name}”的放假日期“${off[1]}”无法识别。`);
      }
      const work = /^(.*?)(?:上班|补班)/.exec(sentence);
      if (work && !/放假/.test(work[1])) {
        const dates = datesIn(work[1], year);
        if (dates.length === 0) err(i + 1, `“${name}”的上班日期“${work[1]}”无法识别。`);
        for (const d of dates) days.push({ date: d, kind: 'work', name, ...where });
      }
    }
    if (!understood && !errors.some((e) => e.row === i + 1)) err(i + 1, `“${name}”一行没有找到放假日期：“${m[2].trim()}”。`);
  });
  if (holidays === 0) err(0, '没有找到“一、元旦：1月1日放假……”这样的节假日安排行。');
  return { form: 'notice', days, years: [year], errors: [...errors, ...checkDays(days, file)] };
}

/** Dates in a phrase, in order; a date without month takes the previous one's, without year the notice's. */
function datesIn(phrase: string, year: number): string[] {
  const out: string[] = [];
  let y = year;
  let m: number | null = null;
  for (const d of phrase.matchAll(DATE)) {
    if (d[1]) y = Number(d[1]);
    if (d[2]) m = Number(d[2]);
    if (m === null) return [];
    const iso = isoFromParts(y, m, Number(d[3]));
    if (!iso) return [];
    out.push(iso);
  }
  // 12月31日至1月2日 within one notice crosses into the next year
  for (let i = 1; i < out.length; i++) if (out[i] < out[i - 1] && !/\d{4}年/.test(phrase)) out[i] = `${Number(out[i].slice(0, 4)) + 1}${out[i].slice(4)}`;
  return out;
}

export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

const WEEKDAY = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];

/** Rules both forms obey: a date is one kind only; a 调休上班日 is a Saturday or Sunday. */
function checkDays(days: CalendarDay[], file: string): RowErrorRef[] {
  const errors: RowErrorRef[] = [];
  const err = (d: CalendarDay, message: string) => errors.push({ file, sheet: d.sheet, row: d.row, column: '', columnLetter: '', message });
  const seen = new Map<string, CalendarDay>();
  for (const d of days) {
    const before = seen.get(d.date);
    if (before && before.kind !== d.kind) err(d, `${d.date} 已在第 ${before.row} 行列为${KIND_LABEL[before.kind]}，这里又是${KIND_LABEL[d.kind]}。`);
    seen.set(d.date, d);
    const wd = new Date(`${d.date}T00:00:00Z`).getUTCDay();
    if (d.kind === 'work' && wd !== 0 && wd !== 6) err(d, `${d.date} 是${WEEKDAY[wd]}，本就是工作日，不是调休上班日。`);
  }
  return errors;
}
