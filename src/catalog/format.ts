import type { DiffResult, ImportResult } from './import';
import { unmappedLines } from './import';
import { describeRowError, rowErrorLines } from '../cli/errors';
import { cleanedLines } from '../io/cleaned';
import type { IndustryDetail, IndustryListRow, MatterListRow } from './service';
import { AUTHORITY_LABEL, LEVEL_LABEL } from './types';
import type { Counts } from './writer';

/** Human-readable renderings of catalog results (the --json output is the result object itself). */

const KIND_NAMES = { industries: '试点行业', matters: '许可事项', links: '行业事项对应', materials: '申请材料' } as const;

function countLine(label: string, c: Counts): string {
  const removed = c.removed ? `，移除 ${c.removed}` : '';
  return `  ${label}：新增 ${c.inserted}，更新 ${c.updated}，未变 ${c.unchanged}${removed}`;
}

export function formatImportSummary(r: ImportResult): string {
  const lines: string[] = [];
  for (const f of r.files) {
    lines.push(`文件“${f.file}”：`);
    for (const s of f.sheets) lines.push(`  工作表“${s.sheet}” → ${s.kindLabel}，表头在第 ${s.headerRow} 行，数据 ${s.rows} 行`);
    if (f.skippedSheets.length) lines.push(`  已跳过（无可识别表头）：${f.skippedSheets.join('、')}`);
  }
  for (const k of Object.keys(KIND_NAMES) as Array<keyof typeof KIND_NAMES>) lines.push(countLine(KIND_NAMES[k], r[k]));
  if (r.unmappedColumns.length) {
    lines.push(`有 ${r.unmappedColumns.length} 列表头未能识别，其内容未导入：`);
    lines.push(...unmappedLines(r.unmappedColumns).map((l) => `  ${l}`));
    lines.push("  可用 --map '表头=字段' 或 yiye catalog headers add <表头> <字段> 指定（字段见 yiye catalog headers fields）；加 --strict 则拒绝导入。");
  }
  lines.push(...cleanedLines(r.controlsRemoved));
  const rejected = r.errors.length + r.errorsNotListed;
  if (rejected) {
    lines.push(`有 ${rejected} 处错误${r.committed ? '（对应行已跳过）' : ''}：`);
    lines.push(...rowErrorLines(r.errors, 20, r.errorsNotListed));
  }
  if (r.reportPath) lines.push(`错误清单已写入：${r.reportPath}`);
  if (r.dryRun) lines.push('预演（--dry-run）：未写入任何内容。');
  else if (r.noChange) lines.push('目录无变化（与已导入内容相同）。');
  else if (r.committed) lines.push('已导入。');
  return lines.join('\n');
}

/** A time limit in words: 即办 for 0 (当场办结), the unit it was given in (工作日 unless 自然日). */
const limitWords = (days: number | null, unit: string | null) => (days === null ? '—' : days === 0 ? '即办' : `${days} 个${unit === '自然日' ? '自然日' : '工作日'}`);

const show = (v: unknown) => (v === null || v === undefined || v === '' ? '（空）' : Array.isArray(v) ? v.join('、') || '（空）' : String(v));

export function formatDiff(r: DiffResult): string {
  if (r.changes.length === 0 && r.errors.length === 0 && !r.heldBack?.length) return '无差异：导入这些文件不会改变目录。';
  const actions = { add: '新增', change: '修改', remove: '移除' } as const;
  const lines = r.changes.map((c) => {
    const head = `${actions[c.action]} ${KIND_NAMES[c.kind]}：${c.key}`;
    if (!c.fields?.length) return head;
    return [head, ...c.fields.map((f) => `    ${f.label}：${show(f.from)} → ${show(f.to)}`)].join('\n');
  });
  const s = r.summary;
  lines.push(
    `合计：行业 新增 ${s.industries.inserted}/修改 ${s.industries.updated}/移除 ${s.removed.industries}；事项 新增 ${s.matters.inserted}/修改 ${s.matters.updated}/移除 ${s.removed.matters}；对应关系 新增 ${s.links.inserted}/修改 ${s.links.updated}/移除 ${s.removed.links}`,
  );
  if (r.removedNote) lines.push(r.removedNote);
  for (const h of r.heldBack ?? []) lines.push(`错误：${KIND_NAMES[h.kind]}“${h.key}”不列入移除——文件“${h.file}”工作表“${h.sheet}”第 ${h.row} 行：${h.message}`);
  for (const e of r.errors.slice(0, 20)) lines.push(`错误：${describeRowError(e)}`);
  return lines.join('\n');
}

export function formatIndustries(rows: IndustryListRow[]): string {
  if (rows.length === 0) return '目录中还没有试点行业。先运行 `yiye catalog import`。';
  return rows
    .map((r) => `${r.code ?? '—'}  ${r.name}  ${r.authority ? AUTHORITY_LABEL[r.authority] : ''}  牵头：${show(r.leadDepartment)}  协同：${show(r.coDepartments)}  落地时限：${show(r.targetDate)}  事项 ${r.matterCount} 项`)
    .join('\n');
}

export function formatMatters(rows: MatterListRow[]): string {
  if (rows.length === 0) return '没有符合条件的事项。';
  return rows
    .map((m) => `${m.code ?? '—'}  ${m.name}  ${m.level ? LEVEL_LABEL[m.level] : ''}  ${show(m.department)}  ${show(m.reformMode)}  承诺 ${limitWords(m.committedLimitDays, m.committedLimitUnit)}  材料 ${m.materials.length} 项`)
    .join('\n');
}

export function formatIndustryDetail(d: IndustryDetail): string {
  const i = d.industry;
  const lines = [
    `${i.name}${i.code ? `（${i.code}）` : ''}`,
    `  国民经济行业分类：${show(i.gbCodes)}    事权：${i.authority ? AUTHORITY_LABEL[i.authority] : '（空）'}    批次：${show(i.batch)}`,
    `  牵头部门：${show(i.leadDepartment)}    协同部门：${show(i.coDepartments)}`,
    `  首证落地时限：${show(i.targetDate)}${i.targetText ? `（${i.targetText}）` : ''}`,
    `  涉及许可事项 ${d.matters.length} 项：`,
  ];
  d.matters.forEach((x, n) => {
    const m = x.matter;
    lines.push(`  ${n + 1}. ${m.name}【${x.mandatory ? '必办' : x.condition}】 ${show(m.approvingDepartment)}  ${show(m.reformMode)}  法定 ${limitWords(m.legalLimitDays, m.legalLimitUnit)} / 承诺 ${limitWords(m.committedLimitDays, m.committedLimitUnit)}`);
    if (m.legalBasis) lines.push(`     设定依据：${m.legalBasis}`);
    x.materials.forEach((mat, k) => lines.push(`     材料${k + 1}：${mat.name}${mat.form ? `（${mat.form}）` : ''}`));
  });
  return lines.join('\n');
}
