import { burnupSeries, reportCharts, timelineChart, TIMELINE_UNIT_ROWS } from '../../src/report/charts';
import type { ReportTask } from '../../src/report/progress';
import type { TaskState } from '../../src/progress/status';

const STATES: TaskState[] = ['overdue', 'dueSoon', 'inProgress', 'doneOnTime', 'doneLate'];

function task(i: number, over: Partial<ReportTask> = {}): ReportTask {
  const state = STATES[i % 5];
  return {
    code: `T-${String(i).padStart(3, '0')}`,
    title: `推进第${i}项改革任务`,
    plan: '测试计划',
    lead: [`第${i % 30}牵头单位`],
    deadline: `2021-${String(1 + (i % 12)).padStart(2, '0')}-15`,
    deadlineText: null,
    status: state.startsWith('done') ? '已完成' : '推进中',
    state,
    stateLabel: state,
    daysOverdue: 0,
    daysLeft: null,
    workdaysLeft: null,
    completedOn: state.startsWith('done') ? '2021-03-10' : null,
    lastProgress: null,
    ...over,
  };
}

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

describe('report charts (vega-lite rendered to SVG on the server)', () => {
  it('draws one row a task for a short plan, coloured by state, with the as-of line; the same SVG every time', async () => {
    const r = { asOf: '2021-05-31', tasks: [task(0), task(1), task(2, { deadline: null })] };
    const [timeline, burnup] = await reportCharts(r);
    expect(timeline.svg).toMatch(/^<svg role="img" xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const labels = texts(timeline.svg);
    expect(labels).toEqual(expect.arrayContaining(['T-000 推进第0项改革任务', 'T-001 推进第1项改革任务', '截至 2021-05-31', '已逾期', '临期', '2021-02']));
    expect(timeline.notes).toEqual(['另有 1 项任务无具体完成时限，未列入图中。']);
    expect(timeline.svg).toContain('font-family="PingFang SC, Microsoft YaHei');
    expect(burnup.svg).toContain('累计完成');
    for (const svg of [timeline.svg, burnup.svg]) expect(svg).not.toMatch(/<script|javascript:|on\w+=|href="http/i);
    // deterministic: no counters, clock or randomness leak into the output
    const again = await reportCharts(r);
    expect(again.map((c) => c.svg)).toEqual([timeline.svg, burnup.svg]);
  });

  it('aggregates hundreds of tasks by lead unit and month, capping the rows', async () => {
    const tasks = Array.from({ length: 600 }, (_, i) => task(i));
    const chart = await timelineChart({ asOf: '2021-05-31', tasks });
    const labels = texts(chart.svg);
    expect(labels).toContain('其他单位');
    expect(labels.filter((t) => t.endsWith('牵头单位'))).toHaveLength(TIMELINE_UNIT_ROWS);
    expect(chart.notes.join('')).toMatch(/按牵头单位.*月份汇总.*其余 6 个单位并为“其他单位”/);
    // one mark per unit, month and state, not per task
    expect((chart.svg.match(/<path[^>]*class="?[^"]*"?[^>]*transform="translate/g) ?? []).length).toBeLessThan(600);
    expect(chart.svg.length).toBeLessThan(150_000);
  });

  it('counts due and completed tasks cumulatively by month, completions only up to the as-of month', () => {
    const tasks = [
      task(0, { state: 'overdue', deadline: '2021-01-31' }),
      task(1, { state: 'doneOnTime', deadline: '2021-02-28', completedOn: '2021-02-20' }),
      task(2, { state: 'doneLate', deadline: '2021-02-28', completedOn: '2021-04-02' }),
      task(3, { state: 'inProgress', deadline: '2021-07-31' }),
      task(4, { state: 'doneOnTime', deadline: null, completedOn: null }),
    ];
    const { values, notes } = burnupSeries({ asOf: '2021-04-30', tasks });
    const series = (name: string) => values.filter((v) => v.series === name).map((v) => [v.d.slice(0, 7), v.n]);
    expect(series('累计到期')).toEqual([
      ['2021-01', 1],
      ['2021-02', 3],
      ['2021-03', 3],
      ['2021-04', 3],
      ['2021-05', 3],
      ['2021-06', 3],
      ['2021-07', 4],
    ]);
    expect(series('累计完成')).toEqual([
      ['2021-01', 0],
      ['2021-02', 1],
      ['2021-03', 1],
      ['2021-04', 2],
    ]);
    expect(notes).toEqual(['另有 1 项已完成任务未填完成时间，未计入“累计完成”。']);
  });
});
