import type { DeadlineKind } from '../text/deadline';

/** The four states an office tracks a task in. */
export const TASK_STATUSES = ['未启动', '推进中', '已完成', '受阻'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export type UnitRole = 'lead' | 'co';

/** A unit named by a task: as written, and the catalog department when it is the same unit. */
export interface TaskUnit {
  name: string;
  /** The catalog department this unit is (by the alias mapping), or null: then it stays plain text. */
  department: string | null;
}

/** One deadline phrase found in an item; an item may name several (staged work). */
export interface DeadlineEntry {
  date: string | null;
  text: string;
  kind: DeadlineKind;
  /** A recurring deadline's period as written: 每年, 每季度, 每月 … (extract only). */
  period?: string;
}

/** A task as extracted or read from a sheet, before it is stored. */
export interface TaskDraft {
  /** Numbering as in the plan (二.（一）.2) or the sheet's 序号: the task's identity within its plan. */
  ref: string;
  category: string | null;
  title: string;
  content: string | null;
  lead: string[];
  co: string[];
  /** Every deadline of the item, in the order written; the first dated one is the task's deadline. */
  deadlines: DeadlineEntry[];
  /** A code given by the sheet (任务编号); otherwise one is assigned from the plan's code. */
  code?: string | null;
  source?: { file: string; sheet?: string | null; row?: number | null };
  /** Problems worth a human look (garbled characters in the source text …). */
  warnings?: string[];
  /** The plan's lines the task was read from (tasks extract --dry-run shows them). */
  sourceLines?: string[];
}

/** What `tasks extract --json` prints for each task (issue 5's documented shape, plus `deadlines`). */
export interface ExtractedTaskJson {
  ref: string;
  title: string;
  lead: string[];
  co: string[];
  deadline: string | null;
  deadlineText: string | null;
  /** All deadlines of the item (seed 000 二.（一）.2 names 2021-02-28 and 2021-06-30). */
  deadlines: DeadlineEntry[];
}

export interface ReportingDate {
  date: string | null;
  text: string;
  what: string;
  recipient: string | null;
}

export interface Task {
  code: string;
  plan: string | null;
  ref: string;
  category: string | null;
  title: string;
  content: string | null;
  lead: TaskUnit[];
  co: TaskUnit[];
  deadline: string | null;
  deadlineText: string | null;
  deadlineKind: DeadlineKind | null;
  deadlines: DeadlineEntry[];
  status: TaskStatus;
  progress: number;
  completedOn: string | null;
  notes: string | null;
}

export interface TaskUpdateRecord {
  at: string;
  actor: string;
  action: 'created' | 'changed' | 'progress';
  changes: Record<string, [unknown, unknown]>;
  progressText: string | null;
  source: { file: string | null; sheet: string | null; row: number | null };
}
