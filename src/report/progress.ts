import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db';
import { UsageError } from '../cli/errors';
import { industryMilestones, licensesIssued, type IndustryMilestone } from '../progress/milestones';
import { inspectionSummary, type InspectionSummaryRow } from '../inspect/service';
import { addDays, daysBetween, STATE_LABEL, taskState, windowEnd, workdayCounter, type TaskState } from '../progress/status';
import { departmentNames, loadTasks, reportingCalendar, taskToDomain, type CalendarEntry } from '../progress/store';
import { UnitResolver } from '../progress/units';
import type { Task } from '../progress/types';
import { renderHtml, renderMarkdown, writeXlsx } from './render';

/** Days ahead that count as "due soon" (issue 5: due within 30 days). */
export const DUE_SOON_DAYS = 30;

/** The "due soon" window: N calendar days (自然日), or N working days (工作日) on the Chinese calendar. */
export interface DueSoonWindow {
  days: number;
  workdays: boolean;
  /** Its last day: a task due on or before it (and not yet overdue) is due soon. */
  until: string;
  /** The window ran past the holiday calendar's data (2026): weekends alone were skipped. */
  approximate: boolean;
}

/** "30 日内" / "20 个工作日内": how the report names the window. */
export const windowLabel = (w: Pick<DueSoonWindow, 'days' | 'workdays'>) => (w.workdays ? `${w.days} 个工作日内` : `${w.days} 日内`);

export interface ReportTask {
  code: string;
  title: string;
  plan: string | null;
  lead: string[];
  deadline: string | null;
  deadlineText: string | null;
  status: Task['status'];
  state: TaskState;
  stateLabel: string;
  /** Calendar days past the deadline (deadlines are calendar dates). */
  daysOverdue: number;
  /** Calendar days to the deadline for open tasks due on or after asOf. */
  daysLeft: number | null;
  /** Working days (Chinese calendar) in (asOf, deadline] for open tasks due within about a year, else null. */
  workdaysLeft: number | null;
  completedOn: string | null;
  lastProgress: string | null;
}

export interface UnitRow {
  unit: string;
  /** The catalog department this unit is, when it is one. */
  department: string | null;
  total: number;
  done: number;
  doneLate: number;
  inProgress: number;
  overdue: number;
  dueSoon: number;
  blocked: number;
  overdueTasks: Array<{ code: string; title: string; deadline: string | null; daysOverdue: number }>;
}

/** A reporting date as the report shows it (date rolled for standing dates, see rollCalendar). */
export interface CalendarRow extends CalendarEntry {
  passed: boolean;
  /** Written without a year (“6月20日前报送”): a standing date, rolled into the as-of year or the next. */
  everyYear: boolean;
  /**
   * Open tasks of this row's plan whose deadline falls in its reporting period (after the plan's
   * previous reporting date); on the plan's next reporting date also its overdue tasks still open.
   * Tasks of plans without reporting dates are listed under the first row of each date.
   */
  due: Array<{ code: string; title: string; deadline: string; lead: string[]; stateLabel: string; plan: string | null }>;
  /** Another row of the same plan and date, above, lists the tasks. */
  dueShownAbove: boolean;
}

/** The report's numbers; `--json` prints this (without the full task list). */
export interface ProgressSummary {
  asOf: string;
  total: number;
  /** Completed on or before the deadline (or without one). */
  done: number;
  doneLate: number;
  /** Open and not overdue (includes dueSoon). */
  inProgress: number;
  overdue: number;
  dueSoon: number;
  dueSoonWindow: DueSoonWindow;
  /** Some working-day counts ran past the holiday calendar's data and skip weekends only. */
  workdaysApproximate: boolean;
  blocked: number;
  /**
   * The open tasks in disjoint parts that add up to `open`: 已逾期 (whatever their status; `blockedOverdue`
   * of them 受阻), then the rest by status — 未启动, 推进中, 受阻. `inProgress` and `blocked` above keep
   * their older meanings (open and not overdue; every open 受阻 task).
   */
  open: { total: number; overdue: number; blockedOverdue: number; notStarted: number; inProgress: number; blocked: number };
  nextReportingDate: string | null;
  /** Open tasks due after asOf and on or before the next reporting date. */
  dueBeforeNextReport: number | null;
  byUnit: UnitRow[];
  atRisk: ReportTask[];
  calendar: CalendarRow[];
  industries: IndustryMilestone[];
  industriesLanded: number;
  industriesOverdue: number;
  /** Licences issued in the period by industry; null when the licence register does not exist. */
  licenses: { from: string; to: string; total: number; byIndustry: Array<{ industry: string; count: number }> } | null;
  /** 双随机抽查 drawn up to the date, per industry: drawn, inspected, with problems; null when there was no draw. */
  inspections: InspectionSummaryRow[] | null;
}

export interface ProgressReport extends ProgressSummary {
  tasks: ReportTask[];
}

/**
 * Builds the progress report as of a date: task states (see taskState), the per-lead-unit table,
 * the overdue and at-risk list (overdue by days overdue, then due soon by days left), the reporting
 * calendar with what falls due in each period, industry milestones and licences issued in the period
 * (`since`, default the day after the last reporting date before asOf, else 1 January).
 */
export interface ReportOptions {
  asOf: string;
  since?: string;
  /** Size of the "due soon" window (default 30). */
  dueSoon?: number;
  /** Count the window in working days (工作日) instead of calendar days. */
  workdays?: boolean;
}

/** The month and day of a reporting date ('06-20'), from its date or, without one, its text. */
function monthDay(c: CalendarEntry): string | null {
  if (c.date) return c.date.slice(5);
  const m = /(\d{1,2})\s*月\s*(\d{1,2})\s*日/.exec(c.text);
  return m ? `${m[1].padStart(2, '0')}-${m[2].padStart(2, '0')}` : null;
}

function inYear(year: number, md: string): string {
  // 2月29日 in a common year: the last day of February
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return `${year}-${md === '02-29' && !leap ? '02-28' : md}`;
}

/**
 * The reporting calendar as of a date. A 报送 date written without a year (“于6月20日、9月20日前报送”,
 * seed 004) is a standing date: it is shown in the as-of year, or the next year once it has passed,
 * whatever year the plan was written in. A date written with its year stays as written. Sorted by
 * date. Also returns the last reporting date before asOf (for standing dates, only one in the as-of
 * year: the licences-issued period never reaches back into the previous year by default).
 */
export function rollCalendar(entries: CalendarEntry[], asOf: string): { entries: Array<CalendarEntry & { everyYear: boolean }>; last: string | null } {
  const year = Number(asOf.slice(0, 4));
  let last: string | null = null;
  const out = entries.map((c) => {
    const md = /\d{4}\s*年/.test(c.text) ? null : monthDay(c);
    if (!md) {
      if (c.date && c.date < asOf && (!last || c.date > last)) last = c.date;
      return { ...c, everyYear: false };
    }
    const thisYear = inYear(year, md);
    // the period a report covers starts in the as-of year: last year's dates do not count
    if (thisYear < asOf && (!last || thisYear > last)) last = thisYear;
    return { ...c, date: thisYear >= asOf ? thisYear : inYear(year + 1, md), everyYear: true };
  });
  out.sort((a, b) => (a.date ?? '9999').localeCompare(b.date ?? '9999') || a.plan.localeCompare(b.plan, 'zh'));
  return { entries: out, last };
}

export async function buildProgressReport(db: Db, opts: ReportOptions): Promise<ProgressReport> {
  const { asOf } = opts;
  const soonDays = opts.dueSoon ?? DUE_SOON_DAYS;
  const soonEnd = windowEnd(asOf, soonDays, !!opts.workdays);
  const soonCalendarDays = daysBetween(asOf, soonEnd.date);
  const workdaysTo = workdayCounter(asOf);
  let workdaysApproximate = soonEnd.approximate;
  const resolver = await UnitResolver.load(db);
  const dept = await departmentNames(db);
  const bundles = await loadTasks(db);
  const tasks: ReportTask[] = [];
  const units = new Map<string, UnitRow>();
  for (const b of bundles) {
    const t = taskToDomain(b, dept);
    const st = taskState(t, asOf, soonCalendarDays);
    const wd = st.daysLeft !== null ? workdaysTo(t.deadline!) : null;
    if (wd?.approximate) workdaysApproximate = true;
    const lead = t.lead.map((u) => resolver.department(u.name)?.name ?? u.name);
    const rt: ReportTask = {
      code: t.code,
      title: t.title,
      plan: t.plan,
      lead,
      deadline: t.deadline,
      deadlineText: t.deadlineText,
      status: t.status,
      state: st.state,
      stateLabel: t.status === '受阻' && (st.state === 'inProgress' || st.state === 'dueSoon' || st.state === 'overdue') ? `${STATE_LABEL[st.state]}（受阻）` : STATE_LABEL[st.state],
      daysOverdue: st.daysOverdue,
      daysLeft: st.daysLeft,
      workdaysLeft: wd?.days ?? null,
      completedOn: t.completedOn,
      lastProgress: t.lastProgress,
    };
    tasks.push(rt);
    for (const u of t.lead) {
      const key = resolver.key(u.name);
      const department = resolver.department(u.name)?.name ?? null;
      let row = units.get(key);
      if (!row) units.set(key, (row = { unit: department ?? u.name, department, total: 0, done: 0, doneLate: 0, inProgress: 0, overdue: 0, dueSoon: 0, blocked: 0, overdueTasks: [] }));
      row.total++;
      if (st.state === 'doneOnTime') row.done++;
      else if (st.state === 'doneLate') row.doneLate++;
      else if (st.state === 'overdue') {
        row.overdue++;
        row.overdueTasks.push({ code: t.code, title: t.title, deadline: t.deadline, daysOverdue: st.daysOverdue });
      } else {
        row.inProgress++;
        if (st.state === 'dueSoon') row.dueSoon++;
      }
      if (t.status === '受阻' && st.state !== 'doneOnTime' && st.state !== 'doneLate') row.blocked++;
    }
  }
  for (const u of units.values()) u.overdueTasks.sort((a, b) => b.daysOverdue - a.daysOverdue || a.code.localeCompare(b.code));
  const byUnit = [...units.values()].sort((a, b) => b.overdue - a.overdue || b.total - a.total || a.unit.localeCompare(b.unit, 'zh'));

  const count = (s: TaskState) => tasks.filter((t) => t.state === s).length;
  const open = (t: ReportTask) => t.state !== 'doneOnTime' && t.state !== 'doneLate';
  const atRisk = [
    ...tasks.filter((t) => t.state === 'overdue').sort((a, b) => b.daysOverdue - a.daysOverdue || a.code.localeCompare(b.code)),
    ...tasks.filter((t) => t.state === 'dueSoon').sort((a, b) => a.daysLeft! - b.daysLeft! || a.code.localeCompare(b.code)),
  ];

  const rolled = rollCalendar(await reportingCalendar(db), asOf);
  const cal = rolled.entries;
  const next = cal.find((c) => c.date && c.date >= asOf) ?? null;
  // Each 报送 row lists its own plan's open tasks: those due in the period since the plan's previous
  // 报送 date, and on the plan's next 报送 date also every overdue one still open (carried over). A
  // plan's second row on the same date points to the first instead of repeating the list. Tasks of
  // plans that set no 报送 date (a ledger, a division table) go under the first row of each date,
  // named with their plan.
  const datesOf = (rows: typeof cal) => [...new Set(rows.filter((c) => c.date).map((c) => c.date!))].sort();
  const planDates = new Map<string, string[]>();
  for (const c of cal) if (c.date) planDates.set(c.plan, datesOf(cal.filter((x) => x.plan === c.plan)));
  const allDates = datesOf(cal);
  const dueIn = (candidates: ReportTask[], dates: string[], date: string) => {
    const prev = dates[dates.indexOf(date) - 1] ?? null;
    const isNext = dates.find((d) => d >= asOf) === date;
    return candidates.filter((t) => open(t) && t.deadline && t.deadline <= date && (!prev || t.deadline > prev || (isNext && t.state === 'overdue')));
  };
  const withoutDates = tasks.filter((t) => !t.plan || !planDates.has(t.plan));
  const listed = new Set<string>();
  const calendar: CalendarRow[] = cal.map((c) => {
    const row = { ...c, passed: !!c.date && c.date < asOf, due: [] as CalendarRow['due'], dueShownAbove: false };
    if (!c.date) return row;
    const key = `${c.plan}\u0000${c.date}`;
    if (listed.has(key)) return { ...row, dueShownAbove: true };
    listed.add(key);
    const own = dueIn(tasks.filter((t) => t.plan === c.plan), planDates.get(c.plan)!, c.date);
    const others = listed.has(`\u0000${c.date}`) ? [] : dueIn(withoutDates, allDates, c.date);
    listed.add(`\u0000${c.date}`);
    row.due = [...own, ...others]
      .sort((a, b) => a.deadline!.localeCompare(b.deadline!) || a.code.localeCompare(b.code))
      .map((t) => ({ code: t.code, title: t.title, deadline: t.deadline!, lead: t.lead, stateLabel: t.stateLabel, plan: t.plan }));
    return row;
  });

  const industries = await industryMilestones(db, asOf);
  const lastReport = rolled.last;
  const since = opts.since ?? (lastReport ? addDays(lastReport, 1) : `${asOf.slice(0, 4)}-01-01`);
  if (since > asOf) throw new UsageError(`统计起始日 ${since} 晚于截止日 ${asOf}。`, '请检查 --since 与 --as-of。');
  const issued = await licensesIssued(db, since, asOf);
  const inspections = await inspectionSummary(db, asOf);

  return {
    asOf,
    total: tasks.length,
    done: count('doneOnTime'),
    doneLate: count('doneLate'),
    inProgress: count('inProgress') + count('dueSoon'),
    overdue: count('overdue'),
    dueSoon: count('dueSoon'),
    dueSoonWindow: { days: soonDays, workdays: !!opts.workdays, until: soonEnd.date, approximate: soonEnd.approximate },
    workdaysApproximate,
    blocked: tasks.filter((t) => open(t) && t.status === '受阻').length,
    open: openBreakdown(tasks),
    nextReportingDate: next?.date ?? null,
    dueBeforeNextReport: next?.date ? tasks.filter((t) => open(t) && t.deadline && t.deadline >= asOf && t.deadline <= next.date!).length : null,
    byUnit,
    atRisk,
    calendar,
    industries,
    industriesLanded: industries.filter((i) => i.status.startsWith('已落地')).length,
    industriesOverdue: industries.filter((i) => i.status === '未落地（已逾期）').length,
    licenses: issued ? { from: since, to: asOf, total: issued.reduce((n, r) => n + r.count, 0), byIndustry: issued } : null,
    inspections: inspections.length ? inspections : null,
    tasks,
  };
}

export type ReportFormat = 'xlsx' | 'html' | 'md';

const EXTENSION_FORMAT: Record<string, ReportFormat> = { '.xlsx': 'xlsx', '.html': 'html', '.htm': 'html', '.md': 'md' };

/**
 * The report's format: --format when given, else the --out file's extension, else xlsx. A file named
 * .html must not receive a workbook: an extension that contradicts --format, or that no format
 * has, is a usage error.
 */
export function reportFormatFor(format: string | undefined, out: string | undefined): ReportFormat {
  const ext = out ? path.extname(out).toLowerCase() : '';
  const byExt = EXTENSION_FORMAT[ext];
  if (out && ext && !byExt) {
    throw new UsageError(`无法按“${path.basename(out)}”的扩展名 ${ext} 生成进展报告：只能是 .xlsx、.html 或 .md。`, '请改用这三种扩展名之一，或不写扩展名并用 --format 指定。');
  }
  if (format && byExt && format !== byExt) {
    throw new UsageError(`输出文件“${path.basename(out!)}”的扩展名是 ${ext}，与 --format ${format} 不符。`, `请把文件名改为 .${format}，或改用 --format ${byExt}。`);
  }
  return (format as ReportFormat | undefined) ?? byExt ?? 'xlsx';
}

/** The open tasks split so that every one is counted once (ProgressSummary.open). */
function openBreakdown(tasks: ReportTask[]): ProgressSummary['open'] {
  const openTasks = tasks.filter((t) => t.state === 'overdue' || t.state === 'inProgress' || t.state === 'dueSoon');
  const notOverdue = openTasks.filter((t) => t.state !== 'overdue');
  return {
    total: openTasks.length,
    overdue: openTasks.length - notOverdue.length,
    blockedOverdue: openTasks.filter((t) => t.state === 'overdue' && t.status === '受阻').length,
    notStarted: notOverdue.filter((t) => t.status === '未启动').length,
    inProgress: notOverdue.filter((t) => t.status !== '未启动' && t.status !== '受阻').length,
    blocked: notOverdue.filter((t) => t.status === '受阻').length,
  };
}

/** Where the report goes: --out, else 改革任务进展报告-<日期>.<格式> in the current folder. */
export function reportPath(asOf: string, format: ReportFormat, out?: string): string {
  return out ?? `改革任务进展报告-${asOf}.${format}`;
}

export interface WriteReportResult extends ProgressSummary {
  format: ReportFormat;
  out: string;
}

/**
 * `report progress`: builds the report and writes it as .xlsx (one sheet per section), one
 * self-contained .html, or .md; returns the summary (what --json prints) with the file written.
 */
export async function writeProgressReport(db: Db, opts: ReportOptions & { format: ReportFormat; out?: string }): Promise<WriteReportResult> {
  const report = await buildProgressReport(db, opts);
  const out = reportPath(opts.asOf, opts.format, opts.out);
  await fs.promises.mkdir(path.dirname(path.resolve(out)), { recursive: true });
  if (opts.format === 'md') await fs.promises.writeFile(out, renderMarkdown(report), 'utf8');
  else if (opts.format === 'html') await fs.promises.writeFile(out, await renderHtml(report), 'utf8');
  else await writeXlsx(out, report);
  const { tasks: _tasks, ...summary } = report;
  return { ...summary, format: opts.format, out };
}
