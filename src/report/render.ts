import type { CellValue } from '../io/types';
import { escapeMarkdown } from '../render/markdown';
import { writeTable, type SheetData } from '../io/write';
import { reportCharts } from './charts';
import { windowLabel, type ProgressReport, type ReportTask } from './progress';

/**
 * The progress report in three forms, from one set of sections so that the numbers agree: Markdown
 * for pasting into a written report, one self-contained HTML page (no script, no external file,
 * printable), and an .xlsx with one sheet per section. Output depends only on the data and the as-of
 * date (no clock), so the same workspace gives the same file.
 */

type Tone = 'red' | 'amber' | 'green' | '';

interface Table {
  header: string[];
  rows: CellValue[][];
  /** Per row: how the row is highlighted (HTML class, xlsx fill). */
  tone?: Tone[];
}

interface Section {
  title: string;
  /** A sentence above the table. */
  lead?: string;
  table: Table;
  empty: string;
}

/** Overdue red; due soon or blocked (at risk) amber; done green. */
function tone(t: ReportTask): Tone {
  if (t.state === 'overdue') return 'red';
  if (t.state === 'doneOnTime' || t.state === 'doneLate') return 'green';
  return t.state === 'dueSoon' || t.status === '受阻' ? 'amber' : '';
}
const join = (xs: string[]) => xs.join('、');
/** Overdue in calendar days (deadlines are calendar dates); what is left also in working days. */
const remaining = (t: ReportTask) =>
  t.state === 'overdue' ? `逾期 ${t.daysOverdue} 天` : t.daysLeft !== null ? `剩余 ${t.daysLeft} 天${t.workdaysLeft !== null ? `（${t.workdaysLeft} 个工作日）` : ''}` : '';

function sections(r: ProgressReport): Section[] {
  const soon = windowLabel(r.dueSoonWindow);
  const summary: Table = {
    header: ['指标', '数量'],
    rows: [
      ['任务总数', r.total],
      ['按时完成', r.done],
      ['逾期完成', r.doneLate],
      // the open tasks once each (ProgressSummary.open): the four 其中 rows add up to 未完成
      ['未完成', r.open.total],
      ['其中：已逾期', r.open.overdue],
      ['其中：未逾期、未启动', r.open.notStarted],
      ['其中：未逾期、推进中', r.open.inProgress],
      ['其中：未逾期、受阻', r.open.blocked],
      ...(r.open.blockedOverdue ? ([['已逾期任务中受阻的', r.open.blockedOverdue]] as CellValue[][]) : []),
      [`${soon}到期（至 ${r.dueSoonWindow.until}）`, r.dueSoon],
      [r.nextReportingDate ? `下一报送日（${r.nextReportingDate}）前到期` : '下一报送日前到期（无后续报送日期）', r.dueBeforeNextReport ?? '—'],
      ['试点行业总数', r.industries.length],
      ['已落地行业', r.industriesLanded],
      ['逾期未落地行业', r.industriesOverdue],
      ...(r.licenses ? ([[`本期发证（${r.licenses.from} 至 ${r.licenses.to}）`, r.licenses.total]] as CellValue[][]) : []),
    ],
  };
  const byUnit: Table = {
    header: ['牵头单位', '任务数', '按时完成', '逾期完成', '推进中', '已逾期', `${soon}到期`, '受阻', '逾期任务'],
    rows: r.byUnit.map((u) => [
      u.unit,
      u.total,
      u.done,
      u.doneLate,
      u.inProgress,
      u.overdue,
      u.dueSoon,
      u.blocked,
      u.overdueTasks.map((t) => `${t.code} ${t.title}（逾期 ${t.daysOverdue} 天）`).join('；'),
    ]),
    tone: r.byUnit.map((u) => (u.overdue ? 'red' : u.dueSoon ? 'amber' : '')),
  };
  const atRisk: Table = {
    header: ['序号', '任务编号', '任务', '牵头单位', '完成时限', '时限原文', '状态', '逾期/剩余', '最新进展'],
    rows: r.atRisk.map((t, i) => [i + 1, t.code, t.title, join(t.lead), t.deadline, t.deadlineText, t.stateLabel, remaining(t), t.lastProgress]),
    tone: r.atRisk.map(tone),
  };
  const calendar: Table = {
    header: ['报送日期', '原文', '报送内容', '报送对象', '依据', '本期到期任务'],
    rows: r.calendar.map((c) => [
      c.date ?? c.text,
      c.everyYear ? `每年${c.text}` : c.text,
      c.what,
      c.recipient,
      c.plan,
      c.dueShownAbove ? '同上（本计划同日报送）' : c.due.length ? c.due.map((t) => `${t.code} ${t.title}（${t.deadline}，${t.lead.length ? join(t.lead) : '未明确牵头单位'}，${t.stateLabel}${t.plan !== c.plan ? `，${t.plan ? `计划：${t.plan}` : '未归入计划'}` : ''}）`).join('；') : '无',
    ]),
    tone: r.calendar.map((c) => (c.passed ? '' : c.due.some((t) => t.stateLabel.startsWith('已逾期')) ? 'red' : c.due.length ? 'amber' : '')),
  };
  const industries: Table = {
    header: ['行业', '事权', '目标日期', '首证日期', '状态', '逾期天数'],
    rows: r.industries.map((i) => [i.name, i.authority === 'national' ? '涉及国家事权' : i.authority === 'local' ? '仅涉及地方事权' : null, i.targetDate, i.firstLicenseOn, i.status, i.daysLate || null]),
    tone: r.industries.map((i) => (i.status === '未落地（已逾期）' ? 'red' : i.status === '已落地（逾期）' ? 'amber' : i.status === '已落地（按时）' ? 'green' : '')),
  };
  const out: Section[] = [
    { title: '一、总体情况', table: summary, empty: '' },
    { title: '二、各牵头单位推进情况', lead: '一个任务有多个牵头单位时，在每个牵头单位下各计一次。', table: byUnit, empty: '暂无任务。' },
    {
      title: '三、逾期及临期任务',
      lead: `已逾期任务按逾期天数（自然日）排列，其后为 ${soon}到期的任务；剩余时间另按工作日计（国家法定节假日和调休安排）${r.workdaysApproximate ? '，超出节假日数据范围的部分只扣除周末，为估算' : ''}。`,
      table: atRisk,
      empty: '无逾期或临期任务。',
    },
    { title: '四、报送日历', lead: '未写年份的报送日期每年适用，按截至日期所在年份列出，已过的列下一年。', table: calendar, empty: '计划中未写明报送日期。' },
    { title: '五、试点行业落地情况', lead: '以首张行业综合许可证的发证日期对照目录中的落地时限。', table: industries, empty: '目录中暂无试点行业。' },
  ];
  if (r.licenses) {
    out.push({
      title: `六、本期发证情况（${r.licenses.from} 至 ${r.licenses.to}）`,
      table: { header: ['行业', '发证数'], rows: r.licenses.byIndustry.map((l) => [l.industry, l.count]) },
      empty: '本期未发证。',
    });
  }
  if (r.inspections) {
    out.push({
      title: `${r.licenses ? '七' : '六'}、“双随机、一公开”联合抽查情况（截至 ${r.asOf}）`,
      lead: '按行业统计已抽取的检查对象、已登记检查结果的户数和发现问题的户数（yiye inspect draw / inspect results）。',
      table: { header: ['行业', '抽中户数', '已检查', '发现问题'], rows: r.inspections.map((i) => [i.industry, i.drawn, i.done, i.problems]) },
      empty: '',
    });
  }
  return out;
}

const title = (r: ProgressReport) => `改革任务进展报告（截至 ${r.asOf}）`;

// ---------------------------------------------------------------- Markdown

function mdCell(v: CellValue): string {
  if (v === null || v === undefined || v === '') return '';
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
  // the guide's Markdown escaping: a task titled <img …>, [点我](javascript:…) or ![](http://…) stays text
  return escapeMarkdown(s);
}

export function renderMarkdown(r: ProgressReport): string {
  const lines = [`# ${title(r)}`, ''];
  for (const s of sections(r)) {
    lines.push(`## ${s.title}`, '');
    if (s.lead) lines.push(s.lead, '');
    if (s.table.rows.length === 0) {
      lines.push(s.empty, '');
      continue;
    }
    lines.push(`| ${s.table.header.map(mdCell).join(' | ')} |`, `|${s.table.header.map(() => ' --- ').join('|')}|`);
    for (const row of s.table.rows) lines.push(`| ${s.table.header.map((_, i) => mdCell(row[i] ?? null)).join(' | ')} |`);
    lines.push('');
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- HTML

export function escapeHtml(v: CellValue): string {
  if (v === null || v === undefined) return '';
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #bbb;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#eee}tr.red td{background:#fde0dc}tr.amber td{background:#fff4d6}tr.green td{background:#e3f4e1}
p.note{color:#555;font-size:.9em}
figure{margin:1em 0}figcaption{font-weight:bold;margin-bottom:.4em}figure svg{max-width:100%;height:auto}
@media print{body{margin:0;font-size:10.5pt}h2{page-break-after:avoid}tr,figure{page-break-inside:avoid}thead{display:table-header-group}tr.red td,tr.amber td,tr.green td,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}}`;

/** One self-contained page: inline CSS and inline SVG charts, no script, no external resource. */
export async function renderHtml(r: ProgressReport): Promise<string> {
  const charts = await reportCharts(r);
  const parts = [
    '<!DOCTYPE html>',
    '<html lang="zh-CN">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title(r))}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title(r))}</h1>`,
  ];
  sections(r).forEach((s, idx) => {
    parts.push(`<h2>${escapeHtml(s.title)}</h2>`);
    if (s.lead) parts.push(`<p class="note">${escapeHtml(s.lead)}</p>`);
    if (s.table.rows.length === 0) parts.push(`<p>${escapeHtml(s.empty)}</p>`);
    else {
      parts.push('<table>', `<thead><tr>${s.table.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`, '<tbody>');
      s.table.rows.forEach((row, i) => {
        const tone = s.table.tone?.[i];
        parts.push(`<tr${tone ? ` class="${tone}"` : ''}>${s.table.header.map((_, c) => `<td>${escapeHtml(row[c] ?? null)}</td>`).join('')}</tr>`);
      });
      parts.push('</tbody>', '</table>');
    }
    // the charts belong with the overall picture
    if (idx === 0) {
      for (const c of charts) {
        parts.push('<figure>', `<figcaption>${escapeHtml(c.title)}</figcaption>`);
        if (c.svg) parts.push(c.svg);
        for (const n of c.notes) parts.push(`<p class="note">${escapeHtml(n)}</p>`);
        parts.push('</figure>');
      }
    }
  });
  parts.push('</body>', '</html>', '');
  return parts.join('\n');
}

// ---------------------------------------------------------------- xlsx

/** 'YYYY-MM-DD' → a date cell (UTC midnight: spreadsheet dates carry no time zone). */
const dateCell = (v: CellValue): CellValue => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : v);

/** Excel's own highlight fills (the conditional-formatting presets), which print legibly. */
const FILL: Record<Exclude<Tone, ''>, string> = { red: 'FFFFC7CE', amber: 'FFFFEB9C', green: 'FFC6EFCE' };

function styled(name: string, t: Table): SheetData {
  const rows = t.rows.map((row) => row.map(dateCell));
  const tones = t.tone;
  return {
    name,
    header: t.header,
    rows,
    style: { autoFilter: true, fitColumns: true, maxWidth: 60, rowFill: tones ? (_row, i) => (tones[i] ? FILL[tones[i] as Exclude<Tone, ''>] : null) : undefined },
  };
}

/**
 * One sheet per section plus every task: header row frozen, autofilter, columns as wide as their
 * Chinese text, rows filled red/amber/green by state, dates as date cells (yyyy-mm-dd).
 */
export async function writeXlsx(file: string, r: ProgressReport): Promise<void> {
  const sheetNames = ['总体情况', '按牵头单位', '逾期及临期', '报送日历', '行业落地', '本期发证'];
  const sheets: SheetData[] = sections(r).map((s, i) => styled(sheetNames[i], s.table));
  sheets.push(
    styled('全部任务', {
      header: ['任务编号', '计划', '任务', '牵头单位', '完成时限', '时限原文', '填报状态', '截至当日状态', '完成时间', '逾期天数', '剩余天数', '剩余工作日', '最新进展'],
      rows: r.tasks.map((t) => [
        t.code,
        t.plan,
        t.title,
        join(t.lead),
        t.deadline,
        t.deadlineText,
        t.status,
        t.stateLabel,
        t.completedOn,
        t.state === 'overdue' || t.state === 'doneLate' ? t.daysOverdue : null,
        t.daysLeft,
        t.workdaysLeft,
        t.lastProgress,
      ]),
      tone: r.tasks.map(tone),
    }),
  );
  await writeTable(file, sheets);
}
