/**
 * The workspace's own holiday calendar: `yiye calendar import` stores the arrangement of whole
 * years (replacing what an earlier import said about those years, all or nothing), `loadCalendar`
 * hands it to the working-day arithmetic (src/render/workdays), where it is used before the bundled
 * chinese-days data, and `calendarYear` shows one year's days whichever source they come from.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db';
import { InputError, UsageError } from '../cli/errors';
import { defaultActor } from '../settings/actor';
import { bundledDayName, CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, knownYearsText, NO_CALENDAR, workdayOn, type HolidayCalendar } from '../render/workdays';
import { KIND_LABEL, nextDay, parseCalendarFile, type DayKind } from './parse';

export interface CalendarImportResult {
  file: string;
  form: 'table' | 'notice';
  dryRun: boolean;
  years: Array<{ year: number; offDays: number; workDays: number; status: 'added' | 'replaced' | 'unchanged' }>;
  /** Dates a notice names in another year (元旦 from 12月31日): not stored, since that year's arrangement is its own. */
  outside: string[];
}

interface DayRow {
  date: string;
  year: number;
  kind: DayKind;
  name: string | null;
}

/** Reads `file` and stores the years it covers; a file with any problem stores nothing (exit 3). */
export async function importCalendar(db: Db, file: string, opts: { actor?: string; dryRun?: boolean } = {}): Promise<CalendarImportResult> {
  if (!fs.existsSync(file)) throw new InputError(`文件“${file}”不存在。`, '请检查路径。', undefined, 'FILE_NOT_FOUND');
  const parsed = await parseCalendarFile(file);
  if (parsed.errors.length) {
    throw new InputError(`节假日安排“${path.basename(file)}”有 ${parsed.errors.length} 处无法识别，未导入：${parsed.errors[0].message}`, '表格需有“日期”“类型”两列，类型为“休息日”或“调休上班日”；或使用国务院办公厅通知原文（.txt）。', {
      errors: parsed.errors,
    });
  }
  if (parsed.days.length === 0) throw new InputError(`节假日安排“${path.basename(file)}”中没有任何日期，未导入。`, '每个休息日、调休上班日各占一行。');
  const sha256 = createHash('sha256').update(await fs.promises.readFile(file)).digest('hex');
  const byDate = new Map<string, DayRow>();
  for (const d of parsed.days) byDate.set(d.date, { date: d.date, year: Number(d.date.slice(0, 4)), kind: d.kind, name: d.name });
  const rows = [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
  // a notice for 2027 may name 2026-12-31 (元旦 spanning the new year): that year is only partly stated
  const years = parsed.years;
  const outside = rows.filter((r) => !years.includes(r.year)).map((r) => r.date);
  const result: CalendarImportResult = { file, form: parsed.form, dryRun: Boolean(opts.dryRun), years: [], outside };
  await db.transaction(async (trx) => {
    for (const year of years) {
      const mine = rows.filter((r) => r.year === year);
      const stored = (await trx('calendar_days').where({ year }).orderBy('date').select('date', 'year', 'kind', 'name')) as DayRow[];
      const known = await trx('calendar_years').where({ year }).first();
      const same = known && JSON.stringify(stored.map((r) => [r.date, r.kind, r.name ?? null])) === JSON.stringify(mine.map((r) => [r.date, r.kind, r.name]));
      result.years.push({ year, offDays: mine.filter((r) => r.kind === 'off').length, workDays: mine.filter((r) => r.kind === 'work').length, status: same ? 'unchanged' : known ? 'replaced' : 'added' });
      if (same || opts.dryRun) continue;
      await trx('calendar_days').where({ year }).delete();
      await trx('calendar_years').where({ year }).delete();
      await trx('calendar_years').insert({ year, source: path.basename(file), sha256, actor: opts.actor ?? defaultActor() });
      for (let i = 0; i < mine.length; i += 200) await trx('calendar_days').insert(mine.slice(i, i + 200));
    }
  });
  return result;
}

/** The imported years, for the working-day arithmetic. */
export async function loadCalendar(db: Db): Promise<HolidayCalendar> {
  const years = (await db('calendar_years').pluck('year')) as number[];
  if (years.length === 0) return NO_CALENDAR;
  const days = (await db('calendar_days').select('date', 'kind')) as Array<{ date: string; kind: DayKind }>;
  return {
    years: new Set(years.map(Number)),
    offDays: new Set(days.filter((d) => d.kind === 'off').map((d) => d.date)),
    workDays: new Set(days.filter((d) => d.kind === 'work').map((d) => d.date)),
  };
}

export interface CalendarYear {
  year: number;
  /** imported: from `calendar import`; bundled: chinese-days; none: weekends only, holidays unknown. */
  source: 'imported' | 'bundled' | 'none';
  importedFrom: string | null;
  importedAt: string | null;
  workdays: number;
  /** Every year the workspace's calendar knows, as text (“2004—2027年”). */
  knownYears: string;
  /** 休息日 that are not weekends, and 调休上班日, by date. */
  days: Array<{ date: string; kind: DayKind; kindLabel: string; name: string | null }>;
}

/** One year's working days and exceptions to the weekend rule, from whichever source knows it. */
export async function calendarYear(db: Db, year: number): Promise<CalendarYear> {
  if (!Number.isInteger(year) || year < 1900 || year > 2200) throw new UsageError(`年份“${year}”不合理。`, '例如 --year 2027。');
  const cal = await loadCalendar(db);
  const imported = (await db('calendar_years').where({ year }).first()) as { source: string; imported_at: string | Date } | undefined;
  const names = new Map<string, string | null>();
  if (imported) for (const r of (await db('calendar_days').where({ year }).select('date', 'name')) as Array<{ date: string; name: string | null }>) names.set(r.date, r.name);
  const source = imported ? 'imported' : year >= CALENDAR_FIRST_YEAR && year <= CALENDAR_LAST_YEAR ? 'bundled' : 'none';
  const days: CalendarYear['days'] = [];
  let workdays = 0;
  for (let d = `${year}-01-01`; d.startsWith(String(year)); d = nextDay(d)) {
    const { work } = workdayOn(d, cal);
    if (work) workdays++;
    const weekend = [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay());
    if (source === 'none' || work === !weekend) continue;
    const kind: DayKind = work ? 'work' : 'off';
    days.push({ date: d, kind, kindLabel: KIND_LABEL[kind], name: source === 'imported' ? (names.get(d) ?? null) : bundledDayName(d) });
  }
  const at = imported?.imported_at;
  return { year, source, importedFrom: imported?.source ?? null, importedAt: at ? new Date(at).toISOString() : null, workdays, knownYears: knownYearsText(cal), days };
}

