import path from 'node:path';
import type { CheckResult, GenerateResult } from './service';
import { GUIDE_TYPE_LABELS, type GuideMetrics } from './types';

/** Human-readable renderings of guide results (the --json output is the result object itself). */

export function formatGenerate(r: GenerateResult): string {
  const lines = [`已为 ${r.industries} 个行业生成 ${r.files.length} 个文件，写入 ${r.out}`];
  const byIndustry = new Map<string, { types: string[]; formats: string[]; dir: string }>();
  for (const f of r.files) {
    const e = byIndustry.get(f.industry) ?? { types: [], formats: [], dir: path.dirname(f.path) };
    const type = `${GUIDE_TYPE_LABELS[f.type]}（${f.type}）`;
    if (!e.types.includes(type)) e.types.push(type);
    if (!e.formats.includes(f.format)) e.formats.push(f.format);
    byIndustry.set(f.industry, e);
  }
  for (const [industry, e] of [...byIndustry].slice(0, 10)) lines.push(`  ${industry}：${e.types.join('、')}，格式 ${e.formats.join('、')} → ${path.relative(r.out, e.dir)}/`);
  if (byIndustry.size > 10) lines.push(`  …… 其余 ${byIndustry.size - 10} 个行业`);
  if (r.warnings.length) {
    lines.push(`警告 ${r.warnings.length} 条：`);
    // the holiday-data warning is one problem however many industries it touches: one line naming them all
    const calendar = r.warnings.filter((w) => w.code === 'CALENDAR_RANGE' && w.years);
    const others = r.warnings.filter((w) => !calendar.includes(w));
    if (calendar.length) {
      const years = [...new Set(calendar.flatMap((w) => w.years ?? []))].sort((a, b) => a - b);
      const industries = [...new Set(calendar.map((w) => w.industry))];
      lines.push(`  - 缺少 ${years.join('、')} 年的节假日安排，${industries.length} 个行业的办理日期按仅扣除周末估算（文书中标为“估算”）：${industries.join('、')}。用 \`yiye calendar import <文件>\` 导入国务院办公厅公布的该年安排后重新生成。`);
    }
    for (const w of others.slice(0, 30)) lines.push(`  - ${w.message}`);
    if (others.length > 30) lines.push(`  …… 其余见 --json 输出`);
  }
  return lines.join('\n');
}

export function formatMetrics(rows: GuideMetrics[]): string {
  if (rows.length === 0) return '目录中还没有试点行业。先运行 `yiye catalog import`。';
  const lines = ['行业  事项  材料（合并前→后）  时限（串联→并联，工作日）  现场核查（前→后）  审批（前→后）  窗口（前→后）'];
  for (const m of rows) {
    lines.push(
      `${m.industry}  ${m.matters}项  ${m.materialsBefore}→${m.materialsAfter}份${m.materialsByCommitment ? `（${m.materialsByCommitment}份可承诺替代）` : ''}  ${m.serialDays}→${m.parallelDays}日  ${m.inspectionsBefore}→${m.inspectionsAfter}次  ${m.approvalsBefore}→${m.approvalsAfter}  ${m.windowsBefore}→${m.windowsAfter}`,
    );
  }
  const sum = (k: keyof GuideMetrics) => rows.reduce((s, r) => s + Number(r[k]), 0);
  if (rows.length > 1) lines.push(`合计：材料 ${sum('materialsBefore')}→${sum('materialsAfter')} 份，时限 ${sum('serialDays')}→${sum('parallelDays')} 个工作日，现场核查 ${sum('inspectionsBefore')}→${sum('inspectionsAfter')} 次`);
  return lines.join('\n');
}

export function formatCheck(r: CheckResult): string {
  const lines: string[] = [];
  if (r.stale.length === 0) lines.push(`全部 ${r.current} 个文书与当前目录一致。`);
  else {
    lines.push(`${r.stale.length} 个文书已过期（行业目录在生成后有变更），${r.current} 个一致：`);
    for (const s of r.stale) lines.push(`  - ${s.file}（${s.industry}）：${s.reason}`);
    lines.push('运行 `yiye guide generate --industry <行业> --out <目录>` 重新生成。');
  }
  if (r.unmarked.length) lines.push(`另有 ${r.unmarked.length} 个文件没有 yiye 同源标记，未检查：${r.unmarked.slice(0, 5).join('、')}${r.unmarked.length > 5 ? '……' : ''}`);
  return lines.join('\n');
}
