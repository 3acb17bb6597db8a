import fs from 'node:fs';
import path from 'node:path';
import { toHalfWidth } from '../text/normalize';
import { extractPlan } from './extract';
import { normalizePlanText, readPlanFile } from './plan-text';
import type { TaskDraft } from './types';

/**
 * Scores `tasks extract` against hand-written truth (issue 13 item 5): for each document of a corpus
 * (`<name>.txt` + `<name>.truth.json`), how many of its tasks were found and, of those, how many have
 * the right lead units, co-operating units and deadline. Used by `npm run extract-eval` and by a test.
 *
 * A truth task is found when an extracted task (in reading order, after the previous match) has a
 * title or content that contains the truth's title words; units compare as sets of names written
 * half-width without blanks; the deadline compares as the first dated deadline, "recurring" when
 * the only deadline is a recurring one, or null.
 */
export interface TruthTask {
  title: string;
  lead: string[];
  co: string[];
  deadline: string | null;
}

export interface TruthFile {
  source?: string;
  province?: string;
  issuer?: string;
  tasks: TruthTask[];
}

export interface Miss {
  title: string;
  field: 'found' | 'lead' | 'co' | 'deadline';
  want: unknown;
  got: unknown;
}

/** Counts over a document's (or a corpus's) truth tasks. */
export interface EvalTotals {
  truth: number;
  extracted: number;
  found: number;
  lead: number;
  co: number;
  deadline: number;
}

export interface DocScore extends EvalTotals {
  name: string;
  province: string | null;
  misses: Miss[];
}

const key = (s: string) => toHalfWidth(s).replace(/[\s"“”'‘’]/g, '');
const sameSet = (a: string[], b: string[]) => {
  const x = new Set(a.map(key));
  const y = new Set(b.map(key));
  return x.size === y.size && [...x].every((u) => y.has(u));
};

/** The deadline as a truth file writes it. */
export function deadlineOf(t: TaskDraft): string | null {
  const dated = t.deadlines.find((d) => d.date);
  if (dated) return dated.date;
  return t.deadlines.some((d) => d.kind === 'recurring') ? 'recurring' : null;
}

export function scoreDocument(name: string, tasks: TaskDraft[], truth: TruthFile): DocScore {
  const score: DocScore = { name, province: truth.province ?? null, truth: truth.tasks.length, extracted: tasks.length, found: 0, lead: 0, co: 0, deadline: 0, misses: [] };
  let from = 0;
  for (const want of truth.tasks) {
    const k = key(want.title);
    const at = tasks.findIndex((t, i) => i >= from && (key(t.title).includes(k) || k.includes(key(t.title)) && key(t.title).length >= 4 || key(t.content ?? '').includes(k)));
    if (at < 0) {
      score.misses.push({ title: want.title, field: 'found', want: want.title, got: null });
      continue;
    }
    from = at + 1;
    const got = tasks[at];
    score.found++;
    if (sameSet(got.lead, want.lead)) score.lead++;
    else score.misses.push({ title: want.title, field: 'lead', want: want.lead, got: got.lead });
    if (sameSet(got.co, want.co)) score.co++;
    else score.misses.push({ title: want.title, field: 'co', want: want.co, got: got.co });
    const d = deadlineOf(got);
    if (d === want.deadline) score.deadline++;
    else score.misses.push({ title: want.title, field: 'deadline', want: want.deadline, got: d });
  }
  return score;
}

/** Every `<name>.txt` with a `<name>.truth.json` beside it, scored. */
export async function evaluateCorpus(dir: string): Promise<DocScore[]> {
  const names = fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.truth.json'))
    .map((n) => n.slice(0, -'.truth.json'.length))
    .sort();
  const out: DocScore[] = [];
  for (const name of names) {
    const truth = JSON.parse(fs.readFileSync(path.join(dir, `${name}.truth.json`), 'utf8')) as TruthFile;
    const text = normalizePlanText(await readPlanFile(path.join(dir, `${name}.txt`))).text;
    out.push(scoreDocument(name, extractPlan(text).tasks, truth));
  }
  return out;
}

export function totals(scores: DocScore[]): EvalTotals {
  const t: EvalTotals = { truth: 0, extracted: 0, found: 0, lead: 0, co: 0, deadline: 0 };
  for (const s of scores) for (const k of Object.keys(t) as Array<keyof EvalTotals>) t[k] += s[k];
  return t;
}

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : '—');

/** The table `npm run extract-eval` prints: one row per document, then the totals (rates over the truth's tasks). */
export function formatEval(scores: DocScore[], opts: { misses?: boolean } = {}): string {
  const rows = [['文件', '省份', '应有', '提取', '找到', '牵头对', '配合对', '时限对']];
  for (const s of scores) rows.push([s.name, s.province ?? '', String(s.truth), String(s.extracted), String(s.found), String(s.lead), String(s.co), String(s.deadline)]);
  const t = totals(scores);
  rows.push(['合计', '', String(t.truth), String(t.extracted), String(t.found), String(t.lead), String(t.co), String(t.deadline)]);
  rows.push(['比例', '', '', '', pct(t.found, t.truth), pct(t.lead, t.truth), pct(t.co, t.truth), pct(t.deadline, t.truth)]);
  const width = (s: string) => [...s].reduce((w, c) => w + (c.charCodeAt(0) > 0x2e80 ? 2 : 1), 0);
  const cols = rows[0].map((_, i) => Math.max(...rows.map((r) => width(r[i]))));
  const lines = rows.map((r) => r.map((c, i) => c + ' '.repeat(cols[i] - width(c))).join('  ').trimEnd());
  if (opts.misses) {
    for (const s of scores) {
      for (const m of s.misses) lines.push(`  ${s.name}｜${m.title}｜${m.field}：应为 ${JSON.stringify(m.want)}，实为 ${JSON.stringify(m.got)}`);
    }
  }
  return lines.join('\n');
}
