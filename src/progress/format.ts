import { rowErrorLines } from '../cli/errors';
import type { RowError } from '../catalog/parse';
import { windowLabel, type WriteReportResult } from '../report/progress';
import type { AliasesResult, ExtractResult, ImportTasksResult, StoreCounts, TaskListItem, UpdateTasksResult } from './service';
import { STATE_LABEL } from './status';
import { formatColumnTable } from '../text/headers';
import { cleanedLines } from '../io/cleaned';

/** Human-readable renderings of task results (the --json output is the result object itself). */

const counts = (c: StoreCounts) => `新增 ${c.inserted}，更新 ${c.updated}，未变 ${c.unchanged}`;

function errorLines(errors: RowError[]): string[] {
  if (!errors.length) return [];
  return [`有 ${errors.length} 处错误：`, ...rowErrorLines(errors)];
}

export function formatExtract(r: ExtractResult): string {
  const lines = [`计划“${r.plan.name}”${r.plan.code ? `（${r.plan.code}）` : ''}${r.plan.planDate ? `，成文日期 ${r.plan.planDate}` : ''}：识别出 ${r.tasks.length} 项任务。`];
  for (const [i, t] of r.tasks.entries()) {
    const units = [t.lead.length ? `牵头：${t.lead.join('、')}` : '', t.co.length ? `配合：${t.co.join('、')}` : ''].filter(Boolean).join('；');
    const when = t.deadlines.length ? t.deadlines.map((d) => (d.date ? `${d.date}（${d.text}）` : `${d.text}（无具体日期）`)).join('，') : '无时限';
    lines.push(`  ${t.code ?? t.ref} ${t.title}｜${units || '未写明责任单位'}｜${when}`);
    // --dry-run shows where each task was read: the plan's own lines (long ones shortened)
    if (r.dryRun) for (const src of r.sources?.[i] ?? []) lines.push(`      原文：${[...src].length > 80 ? `${[...src].slice(0, 78).join('')}…` : src}`);
  }
  if (r.reportingDates.length) {
    lines.push('报送日历：');
    for (const d of r.reportingDates) lines.push(`  ${d.date ?? d.text} ${d.what}${d.recipient ? ` → ${d.recipient}` : ''}`);
  }
  for (const w of r.warnings) lines.push(`注意：${w}`);
  if (r.missing.length) lines.push(`原文中已没有、但工作区保留的任务：${r.missing.join('、')}（不会删除）`);
  if (r.dryRun) lines.push('预演（--dry-run）：未写入任何内容。');
  else if (r.noChange) lines.push('任务无变化（与已提取内容相同）。');
  else lines.push(`已保存：${counts(r.counts)}。`);
  return lines.join('\n');
}

/** The line that says rejected rows were left out (--skip-invalid) and where they are. */
function skippedLine(errors: RowError[], committed: boolean, reportPath: string | undefined): string[] {
  if (!errors.length || !committed) return [];
  return [`警告：已跳过 ${errors.length} 处错误所在的行，其余有效行已写入${reportPath ? `；被跳过的行及错误原因见“${reportPath}”` : '（加 --report 可导出被跳过的行）'}。`];
}

export function formatImportTasks(r: ImportTasksResult): string {
  const lines = [`计划“${r.plan.name}”${r.plan.code ? `（${r.plan.code}）` : ''}：`];
  for (const s of r.sheets) {
    lines.push(`  工作表“${s.sheet}”：表头在第 ${s.headerRow} 行，任务 ${s.rows} 行${s.skippedRows ? `（另跳过 ${s.skippedRows} 行：重复的表头或空行）` : ''}`);
    if (s.columns) lines.push(...formatColumnTable(s.columns).map((l) => `    ${l}`));
  }
  if (r.skippedSheets.length) lines.push(`  已跳过（无可识别表头）：${r.skippedSheets.join('、')}`);
  lines.push(`  任务：${counts(r.counts)}`);
  lines.push(...cleanedLines(r.controlsRemoved));
  lines.push(...errorLines(r.errors));
  if (r.reportPath) lines.push(`错误清单已写入：${r.reportPath}`);
  if (r.dryRun) lines.push('预演（--dry-run）：未写入任何内容。');
  else if (r.noChange) lines.push('任务无变化（与已导入内容相同）。');
  else if (r.committed) lines.push('已导入。');
  lines.push(...skippedLine(r.errors, r.committed, r.reportPath));
  return lines.join('\n');
}

const FIELD_LABEL: Record<string, string> = { status: '状态', completedOn: '完成时间', progress: '完成进度', notes: '备注' };
const show = (v: unknown) => (v === null || v === undefined || v === '' ? '（空）' : String(v));

export function formatUpdate(r: UpdateTasksResult): string {
  const lines = [`进展更新：更新 ${r.updated} 项，未变 ${r.unchanged} 项。`];
  for (const c of r.changes.slice(0, 50)) {
    const what = Object.entries(c.changes).map(([k, [a, b]]) => `${FIELD_LABEL[k] ?? k} ${show(a)} → ${show(b)}`);
    lines.push(`  ${c.code}${c.reporter ? `（${c.reporter}）` : ''}：${what.length ? what.join('，') : '新的进展情况'}`);
  }
  lines.push(...cleanedLines(r.controlsRemoved));
  lines.push(...errorLines(r.errors));
  if (r.reportPath) lines.push(`错误清单已写入：${r.reportPath}`);
  if (r.dryRun) lines.push('预演（--dry-run）：未写入任何内容。');
  else if (r.noChange) lines.push('进展无变化（与已登记内容相同）。');
  lines.push(...skippedLine(r.errors, r.committed, r.reportPath));
  return lines.join('\n');
}

export function formatTaskList(items: TaskListItem[], asOf: string): string {
  if (!items.length) return `截至 ${asOf}，没有符合条件的任务。`;
  const lines = [`截至 ${asOf}，共 ${items.length} 项任务：`];
  for (const t of items) {
    const left = t.daysLeft !== null ? `，剩余 ${t.daysLeft} 天${t.workdaysLeft !== null ? `（${t.workdaysLeft} 个工作日）` : ''}` : '';
    const when = t.deadline ? `${t.deadline}${t.state === 'overdue' ? `，逾期 ${t.daysOverdue} 天` : left}` : '无时限';
    // completed after the date asked about: on that date it was not yet done
    const status = t.status === '已完成' && t.completedOn && t.completedOn > asOf ? `尚未完成（${t.completedOn} 完成）` : t.status;
    lines.push(`  ${t.code} ${t.title}｜牵头：${t.lead.map((u) => u.name).join('、') || '未写明'}｜${when}｜${status}（${STATE_LABEL[t.state]}）`);
  }
  return lines.join('\n');
}

export function formatAliases(r: AliasesResult): string {
  const lines = [`单位简称对照（${r.source === 'default' ? '默认' : '本工作区'}，${r.aliases.length} 条）：`];
  for (const a of r.aliases) lines.push(`  ${a.alias} → ${a.canonical}`);
  if (r.exported) lines.push(`已导出到：${r.exported}（修改后用 --import 导入）`);
  if (r.added !== undefined) lines.push(`已加入 ${r.added} 个新写法（其余为对已有写法的确认或修改）；现行对照表共 ${r.aliases.length} 条。`);
  if (r.matchedUnits !== undefined) lines.push(`已按新对照表重新匹配：${r.matchedUnits} 个任务单位对应到目录中的部门。`);
  return lines.join('\n');
}

export function formatReport(r: WriteReportResult): string {
  return [
    `改革任务进展报告（截至 ${r.asOf}）已写入：${r.out}`,
    // every task counted once: done on time / late, and the open ones as 已逾期 or, if not overdue, by status
    `  任务 ${r.total} 项：按时完成 ${r.done}，逾期完成 ${r.doneLate}，未完成 ${r.open.total}（已逾期 ${r.open.overdue}${r.open.blockedOverdue ? `，其中受阻 ${r.open.blockedOverdue}` : ''}；未逾期的：未启动 ${r.open.notStarted}、推进中 ${r.open.inProgress}、受阻 ${r.open.blocked}）`,
    `  未完成且未逾期的任务中 ${windowLabel(r.dueSoonWindow)}到期 ${r.dueSoon} 项`,
    r.nextReportingDate ? `  下一报送日 ${r.nextReportingDate}，此前到期 ${r.dueBeforeNextReport} 项` : '  无后续报送日期',
    `  试点行业 ${r.industries.length} 个：已落地 ${r.industriesLanded}，逾期未落地 ${r.industriesOverdue}`,
    ...(r.licenses ? [`  本期（${r.licenses.from} 至 ${r.licenses.to}）发证 ${r.licenses.total} 张`] : []),
  ].join('\n');
}
