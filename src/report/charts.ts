import { displayWidth } from '../io/write';
import { STATE_LABEL, type TaskState } from '../progress/status';
import type { ProgressReport, ReportTask } from './progress';

/**
 * The two charts of the HTML report, as static SVG: vega-lite specs compiled and rendered by vega on
 * the server (no canvas, no browser, no script in the page). The output depends only on the report:
 * vega's clip/gradient id counters are reset before each chart, time scales are UTC, and no date or
 * random value enters the spec.
 */

/** Fonts for Chinese labels, in the order a reader's machine is likely to have them. */
export const CJK_FONTS = 'PingFang SC, Microsoft YaHei, Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, SimHei, sans-serif';

/** Above this many dated tasks the timeline shows lead units by month instead of one row a task. */
export const TIMELINE_TASK_ROWS = 40;
/** The most lead-unit rows the aggregated timeline shows; the rest are drawn as “其他单位”. */
export const TIMELINE_UNIT_ROWS = 24;

/** What the charts read of a report. */
export type ChartInput = Pick<ProgressReport, 'asOf' | 'tasks'>;

export interface Chart {
  title: string;
  svg: string;
  /** What the reader should know about what is and is not drawn. */
  notes: string[];
}

const STATE_ORDER: TaskState[] = ['overdue', 'dueSoon', 'inProgress', 'doneLate', 'doneOnTime'];
const STATE_COLOR: Record<TaskState, string> = { overdue: '#d7301f', dueSoon: '#f0a202', inProgress: '#4575b4', doneLate: '#9bbf5a', doneOnTime: '#1a9850' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spec = Record<string, any>;

interface Vega {
  View: new (runtime: unknown, opts: { renderer: 'none' }) => { toSVG(): Promise<string>; finalize(): void };
  parse(spec: unknown): unknown;
  resetSVGDefIds(): void;
  textMetrics: { width: (item: { text?: unknown; fontSize?: number }, text?: unknown) => number };
}
let loaded: { vega: Vega; compile: (spec: Spec) => { spec: unknown } } | undefined;

function lib(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  // loaded only for HTML reports: vega takes a moment to load and the other formats do not need it
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vega = require('vega') as Vega;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vl = require('vega-lite') as { compile: (spec: Spec) => { spec: unknown } };
  // Without a canvas vega estimates text at 0.8 em a character, too narrow for Chinese (1 em): count
  // CJK as two half-em units so axis labels get the room they need and the layout stays the same on
  // every machine.
  vega.textMetrics.width = (item, text) => {
    const t = text ?? item.text ?? '';
    const lines = Array.isArray(t) ? t.map(String) : [String(t)];
    return Math.ceil(0.55 * (item.fontSize ?? 11) * Math.max(0, ...lines.map(displayWidth)));
  };
  loaded = { vega, compile: vl.compile };
  return loaded;
}

async function render(spec: Spec): Promise<string> {
  const { vega, compile } = lib();
  vega.resetSVGDefIds();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    // a chart that says what it is to screen readers; the width scales down to the page when printed
    return svg.replace('<svg ', '<svg role="img" ');
  } finally {
    view.finalize();
  }
}

const config = {
  font: CJK_FONTS,
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 11, labelColor: '#333', titleColor: '#333', gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom', direction: 'horizontal' },
};

const stateScale = (present: Set<TaskState>) => {
  const states = STATE_ORDER.filter((s) => present.has(s));
  return { domain: states.map((s) => STATE_LABEL[s]), range: states.map((s) => STATE_COLOR[s]) };
};

const asOfLayer = (asOf: string) => ({
  data: { values: [{ d: asOf, label: `截至 ${asOf}` }] },
  layer: [
    { mark: { type: 'rule', color: '#d7301f', strokeDash: [4, 3], strokeWidth: 1.5 }, encoding: { x: { field: 'd', type: 'temporal' } } },
    { mark: { type: 'text', color: '#d7301f', align: 'left', baseline: 'top', dx: 4, y: 2, fontSize: 11 }, encoding: { x: { field: 'd', type: 'temporal' }, text: { field: 'label' } } },
  ],
});

const shorten = (s: string, max: number) => {
  let w = 0;
  let out = '';
  for (const ch of s) {
    w += displayWidth(ch);
    if (w > max) return `${out}…`;
    out += ch;
  }
  return out;
};

/**
 * Tasks against their deadlines with the as-of line. Up to TIMELINE_TASK_ROWS dated tasks: one row a
 * task, a mark at its deadline coloured by its state. More: one row per (first) lead unit, the
 * tasks counted by deadline month and state, the mark's size the count; the units with most tasks
 * get their own row and the rest share one, so hundreds or thousands of tasks stay readable.
 */
export async function timelineChart(r: ChartInput): Promise<Chart> {
  const dated = r.tasks.filter((t) => t.deadline);
  if (!dated.length) return { title: '任务时限分布', svg: '', notes: ['暂无有具体时限的任务。'] };
  const notes: string[] = [];
  const undated = r.tasks.length - dated.length;
  if (undated) notes.push(`另有 ${undated} 项任务无具体完成时限，未列入图中。`);
  const present = new Set(dated.map((t) => t.state));
  const color = { field: 'state', type: 'nominal', title: '截至当日状态', scale: stateScale(present) };
  const xAxis = { field: 'd', type: 'temporal', title: '完成时限', scale: { type: 'utc' }, axis: { format: '%Y-%m', labelAngle: 0, tickCount: 8 } };
  let spec: Spec;
  if (dated.length <= TIMELINE_TASK_ROWS) {
    const values = [...dated]
      .sort((a, b) => a.deadline!.localeCompare(b.deadline!) || a.code.localeCompare(b.code))
      .map((t) => ({ row: `${t.code} ${shorten(t.title, 24)}`, d: t.deadline, state: STATE_LABEL[t.state], title: t.title }));
    spec = {
      width: 560,
      height: { step: 16 },
      layer: [
        {
          data: { values },
          mark: { type: 'point', filled: true, size: 70, shape: 'diamond' },
          encoding: { y: { field: 'row', type: 'nominal', sort: null, title: null, axis: { labelLimit: 260 } }, x: xAxis, color },
        },
        asOfLayer(r.asOf),
      ],
    };
  } else {
    const counts = new Map<string, number>();
    const firstLead = (t: ReportTask) => t.lead[0] ?? '（未写明牵头单位）';
    for (const t of dated) counts.set(firstLead(t), (counts.get(firstLead(t)) ?? 0) + 1);
    const units = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'zh')).map(([u]) => u);
    const shown = new Set(units.slice(0, TIMELINE_UNIT_ROWS));
    const cells = new Map<string, { row: string; d: string; state: string; n: number }>();
    for (const t of dated) {
      const unit = shown.has(firstLead(t)) ? shorten(firstLead(t), 28) : '其他单位';
      const d = `${t.deadline!.slice(0, 7)}-15`;
      const key = `${unit}|${d}|${t.state}`;
      const c = cells.get(key);
      if (c) c.n++;
      else cells.set(key, { row: unit, d, state: STATE_LABEL[t.state], n: 1 });
    }
    const rows = [...units.slice(0, TIMELINE_UNIT_ROWS).map((u) => shorten(u, 28)), ...(units.length > TIMELINE_UNIT_ROWS ? ['其他单位'] : [])];
    notes.push(`任务较多（${dated.length} 项有时限），按牵头单位（多个牵头单位时取第一个）和完成时限所在月份汇总，圆点大小表示任务数。`);
    if (units.length > TIMELINE_UNIT_ROWS) notes.push(`列出任务最多的 ${TIMELINE_UNIT_ROWS} 个牵头单位，其余 ${units.length - TIMELINE_UNIT_ROWS} 个单位并为“其他单位”。`);
    spec = {
      width: 560,
      height: { step: 22 },
      layer: [
        {
          data: { values: [...cells.values()] },
          mark: { type: 'circle', opacity: 0.75 },
          encoding: {
            y: { field: 'row', type: 'nominal', sort: rows, title: null, axis: { labelLimit: 260 } },
            x: xAxis,
            color,
            size: { field: 'n', type: 'quantitative', title: '任务数', scale: { range: [20, 400] } },
          },
        },
        asOfLayer(r.asOf),
      ],
    };
  }
  return { title: '任务时限分布', svg: await render({ $schema: 'https://vega.github.io/schema/vega-lite/v5.json', config, ...spec }), notes };
}

const monthEnd = (ym: string) => {
  const [y, m] = ym.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};
const nextMonth = (ym: string) => {
  const [y, m] = ym.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};

/** The burn-up chart's points: per month, tasks due by its end and (to the as-of month) completed by then. */
export function burnupSeries(r: ChartInput): { values: Array<{ d: string; series: '累计到期' | '累计完成'; n: number }>; notes: string[] } {
  const isDone = (t: ReportTask) => t.state === 'doneOnTime' || t.state === 'doneLate';
  const due = r.tasks.map((t) => t.deadline).filter((d): d is string => !!d).sort();
  const done = r.tasks.filter((t) => isDone(t) && t.completedOn).map((t) => t.completedOn!).sort();
  const notes: string[] = [];
  const doneUndated = r.tasks.filter((t) => isDone(t) && !t.completedOn).length;
  if (doneUndated) notes.push(`另有 ${doneUndated} 项已完成任务未填完成时间，未计入“累计完成”。`);
  const values: Array<{ d: string; series: '累计到期' | '累计完成'; n: number }> = [];
  if (!due.length && !done.length) return { values, notes };
  const first = [due[0], done[0]].filter(Boolean).sort()[0].slice(0, 7);
  const last = [due.at(-1), r.asOf].filter((x): x is string => !!x).sort().at(-1)!.slice(0, 7);
  let i = 0;
  let j = 0;
  for (let ym = first; ym <= last; ym = nextMonth(ym)) {
    const end = monthEnd(ym);
    while (i < due.length && due[i] <= end) i++;
    while (j < done.length && done[j] <= end) j++;
    values.push({ d: `${ym}-01`, series: '累计到期', n: i });
    if (ym <= r.asOf.slice(0, 7)) values.push({ d: `${ym}-01`, series: '累计完成', n: j });
  }
  return { values, notes };
}

/**
 * Completed over time against due over time: by month, how many tasks were due by the month's end
 * (all of the plan, future months included) and how many were completed by then (up to the as-of
 * month: later completions are not known on the as-of date). A completed line below the due line is
 * the backlog.
 */
export async function burnupChart(r: ChartInput): Promise<Chart> {
  const { values, notes } = burnupSeries(r);
  if (!values.length) return { title: '累计到期与累计完成', svg: '', notes: ['暂无有时限或已完成的任务。'] };
  const spec: Spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config,
    width: 560,
    height: 220,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: { size: 24 }, interpolate: 'step-after' },
        encoding: {
          x: { field: 'd', type: 'temporal', title: '月份', scale: { type: 'utc' }, axis: { format: '%Y-%m', labelAngle: 0, tickCount: 8 } },
          y: { field: 'n', type: 'quantitative', title: '任务数（累计）' },
          color: { field: 'series', type: 'nominal', title: null, scale: { domain: ['累计到期', '累计完成'], range: ['#d7301f', '#1a9850'] } },
        },
      },
      asOfLayer(r.asOf),
    ],
  };
  return { title: '累计到期与累计完成', svg: await render(spec), notes };
}

/** Both charts, in the order the report shows them. */
export async function reportCharts(r: ChartInput): Promise<Chart[]> {
  return [await timelineChart(r), await burnupChart(r)];
}
