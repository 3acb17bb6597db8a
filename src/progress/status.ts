import type { TaskStatus } from './types';
import { addWorkdays } from '../render/workdays';

/** Where a task stands on a given day (the report's and `tasks list`'s one rule). */
export type TaskState = 'doneOnTime' | 'doneLate' | 'overdue' | 'dueSoon' | 'inProgress';

export const STATE_LABEL: Record<TaskState, string> = {
  doneOnTime: '按时完成',
  doneLate: '逾期完成',
  overdue: '已逾期',
  dueSoon: '临期',
  inProgress: '未到期',
};

/** Days from a to b ('YYYY-MM-DD'), calendar days: deadlines in the plans are calendar dates. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);
}

export function addDays(d: string, n: number): string {
  return new Date(Date.parse(`${d}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}

export interface StateOf {
  state: TaskState;
  /** Days past the deadline (overdue, doneLate), else 0. */
  daysOverdue: number;
  /** Days until the deadline for open tasks with a deadline on or after asOf, else null. */
  daysLeft: number | null;
}

/**
 * A task's state as of `asOf`: done counts only if completed by then (a report for an earlier date
 * does not see later completions); a deadline is met on its own day; "due soon" is within `soonDays`.
 */
export function taskState(t: { status: TaskStatus; deadline: string | null; completedOn: string | null }, asOf: string, soonDays = 30): StateOf {
  const done = t.status === '已完成' && (!t.completedOn || t.completedOn <= asOf);
  if (done) {
    const late = !!(t.deadline && t.completedOn && t.completedOn > t.deadline);
    return { state: late ? 'doneLate' : 'doneOnTime', daysOverdue: late ? daysBetween(t.deadline!, t.completedOn!) : 0, daysLeft: null };
  }
  if (t.deadline && t.deadline < asOf) return { state: 'overdue', daysOverdue: daysBetween(t.deadline, asOf), daysLeft: null };
  const daysLeft = t.deadline ? daysBetween(asOf, t.deadline) : null;
  if (daysLeft !== null && daysLeft <= soonDays) return { state: 'dueSoon', daysOverdue: 0, daysLeft };
  return { state: 'inProgress', daysOverdue: 0, daysLeft };
}

/**
 * Working days (工作日, the Chinese holiday calendar with 调休, from src/render/workdays.ts) in
 * (asOf, date]: what is left to a deadline in the days an office actually works. One counter per
 * as-of date walks the calendar once and answers every deadline by binary search. Dates more than
 * `horizonDays` ahead get null (a count of years of working days helps nobody).
 */
export function workdayCounter(asOf: string, horizonDays = 400): (date: string) => { days: number; approximate: boolean } | null {
  const days: string[] = [];
  let approximate = false;
  let cursor = asOf;
  const limit = addDays(asOf, horizonDays);
  const extend = (to: string) => {
    while (cursor <= to && cursor <= limit) {
      const next = addWorkdays(cursor, 1);
      if (next.approximate) approximate = true;
      cursor = next.date;
      days.push(cursor);
    }
  };
  return (date) => {
    if (date <= asOf) return { days: 0, approximate: false };
    if (date > limit) return null;
    extend(date);
    let lo = 0;
    let hi = days.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (days[mid] <= date) lo = mid + 1;
      else hi = mid;
    }
    return { days: lo, approximate };
  };
}

/** The last day of a window of `n` days after asOf: calendar days, or working days on the Chinese calendar. */
export function windowEnd(asOf: string, n: number, workdays: boolean): { date: string; approximate: boolean } {
  return workdays ? addWorkdays(asOf, n) : { date: addDays(asOf, n), approximate: false };
}
