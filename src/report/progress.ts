import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db';
import { UsageError } from '../cli/errors';
import { industryMilestones, licensesIssued, type IndustryMilestone } from '../progress/milestones';
import { addDays, STATE_LABEL, taskState, type TaskState } from '../progress/status';
import { departmentNames, loadTasks, reportingCalendar, taskToDomain } from '../progress/store';
import { UnitResolver } from '../progress/units';
import type { Task } from '../progress/types';
import { renderHtml, renderMarkdown, writeXlsx } from './render';

/** Days ahead that count as "due soon" (issue 5: due within 30 days). */
export const DUE_SOON_DAYS = 30;

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
  daysOverdue: number;
  daysLeft: number | null;
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

export interface CalendarRow {
  date: string | null;
  text: string;
  what: string;
  recipient: string | null;
  plan: string;
  passed: boolean;
  /** Open tasks whose deadline falls in this reporting period (after the previous reporting date). */
  due: Array<{ code: string; title: string; deadline: string; lead: string[]; stateLabel: string }>;
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
  blocked: number;
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
export async function buildProgressReport(db: Db, opts: { asOf: string; since?: string }): Promise<ProgressReport> {
  const { asOf } = opts;
  const resolver = await UnitResolver.load(db);
  const dept = await departmentNames(db);
  const bundles = await loadTasks(db);
  const tasks: ReportTask[] = [];
  const units = new Map<string, UnitRow>();
  for (const b of bundles) {
    const t = taskToDomain(b, dept);
    const st = taskState(t, asOf, DUE_SOON_DAYS);
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

  const cal = await reportingCalendar(db);
  const next = cal.find((c) => c.date && c.date >= asOf) ?? null;
  const calendar: CalendarRow[] = cal.map((c, i) => {
    const prev = i > 0 ? cal[i - 1].date : null;
    return {
      ...c,
      passed: !!c.date && c.date < asOf,
      due: c.date
        ? tasks
            .filter((t) => open(t) && t.deadline && t.deadline <= c.date! && (!prev || t.deadline > prev))
            .sort((a, b) => a.deadline!.localeCompare(b.deadline!) || a.code.localeCompare(b.code))
            .map((t) => ({ code: t.code, title: t.title, deadline: t.deadline!, lead: t.lead, stateLabel: t.stateLabel }))
        : [],
    };
  });

  const industries = await industryMilestones(db, asOf);
  const lastReport = [...cal].reverse().find((c) => c.date && c.date < asOf)?.date;
  const since = opts.since ?? (lastReport ? addDays(lastReport, 1) : `${asOf.slice(0, 4)}-01-01`);
  if (since > asOf) throw new UsageError(`统计起始日 ${since} 晚于截止日 ${asOf}。`, '请检查 --since 与 --as-of。');
  const issued = await licensesIssued(db, since, asOf);

  return {
    asOf,
    total: tasks.length,
    done: count('doneOnTime'),
    doneLate: count('doneLate'),
    inProgress: count('inProgress') + count('dueSoon'),
    overdue: count('overdue'),
    dueSoon: count('dueSoon'),
    blocked: tasks.filter((t) => open(t) && t.status === '受阻').length,
    nextReportingDate: next?.date ?? null,
    dueBeforeNextReport: next?.date ? tasks.filter((t) => open(t) && t.deadline && t.deadline >= asOf && t.deadline <= next.date!).length : null,
    byUnit,
    atRisk,
    calendar,
    industries,
    industriesLanded: industries.filter((i) => i.status.startsWith('已落地')).length,
    industriesOverdue: industries.filter((i) => i.status === '未落地（已逾期）').length,
    licenses: issued ? { from: since, to: asOf, total: issued.reduce((n, r) => n + r.count, 0), byIndustry: issued } : null,
    tasks,
  };
}

export type ReportFormat = 'xlsx' | 'html' | 'md';

export interface WriteReportResult extends ProgressSummary {
  format: ReportFormat;
  out: string;
}

/**
 * `report progress`: builds the report and writes it as .xlsx (one sheet per section), one
 * self-contained .html, or .md; returns the summary (what --json prints) with the file written.
 */
export async function writeProgressReport(db: Db, opts: { asOf: string; since?: string; format: ReportFormat; out?: string }): Promise<WriteReportResult> {
  const report = await buildProgressReport(db, opts);
  const out = opts.out ?? `改革任务进展报告-${opts.asOf}.${opts.format}`;
  await fs.promises.mkdir(path.dirname(path.resolve(out)), { recursive: true });
  if (opts.format === 'md') await fs.promises.writeFile(out, renderMarkdown(report), 'utf8');
  else if (opts.format === 'html') await fs.promises.writeFile(out, renderHtml(report), 'utf8');
  else await writeXlsx(out, report);
  const { tasks: _tasks, ...summary } = report;
  return { ...summary, format: opts.format, out };
}
