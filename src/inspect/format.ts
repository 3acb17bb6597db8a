/** Text output of `yiye inspect …` (the --json output is the result object itself). */
import { RISK_LABEL } from './draw';
import type { Inspector } from './draw';
import type { ImportCounts } from './roster';
import { unmappedLines } from '../catalog/import';
import { cleanedLines } from '../io/cleaned';
import type { DrawListing, DrawResult } from './service';

export function formatImportCounts(what: string, r: ImportCounts): string {
  const head = r.dryRun ? `试运行（未写入）：${what}“${r.file}”` : `${what}“${r.file}”`;
  const main = !r.dryRun && r.inserted === 0 && r.updated === 0 ? `${head}：${r.rows} 行，与已登记的一致，无变化。` : `${head}：${r.rows} 行，新增 ${r.inserted}，更新 ${r.updated}，未变 ${r.unchanged}。`;
  const unmapped = r.unmappedColumns.length ? [`有 ${r.unmappedColumns.length} 列表头未能识别，其内容未导入：`, ...unmappedLines(r.unmappedColumns).map((l) => `  ${l}`)] : [];
  return [main, ...unmapped, ...cleanedLines(r.controlsRemoved)].join('\n');
}

export function formatRoster(list: Inspector[]): string {
  if (list.length === 0) return '没有执法人员。用 `yiye inspect roster import <名录.xlsx>` 导入。';
  const lines = [`执法人员 ${list.length} 名：`];
  let dept = '';
  for (const i of list) {
    if (i.department !== dept) {
      dept = i.department;
      lines.push(`【${dept}】`);
    }
    const extra = [i.industries?.length ? `可检查：${i.industries.join('、')}` : '', i.avoid.length ? `回避 ${i.avoid.length} 户` : ''].filter(Boolean).join('；');
    lines.push(`  ${i.name}（${i.badge}）${extra ? `  ${extra}` : ''}`);
  }
  return lines.join('\n');
}

export function formatDraw(r: DrawResult): string {
  const d = r.draw;
  const lines = [
    `${r.dryRun ? '试运行（未记录）：' : r.replaced ? '已重抽并记录：' : '已抽取并记录：'}抽查“${d.id}”，${d.date}，种子“${d.seed}”`,
    `抽查对象 ${d.population} 户，抽中 ${d.drawn} 户；输入摘要 ${d.inputsSha256.slice(0, 16)}…，结果摘要 ${r.resultSha256.slice(0, 16)}…`,
    '分层（行业 × 信用风险分类）：',
    ...d.strata.map((s) => `  ${s.industry} ${RISK_LABEL[s.riskClass]}：${s.population} 户中抽 ${s.drawn} 户`),
    '联合检查组：',
    ...r.targets.map((t) => `  ${t.licence} ${t.holder}（${t.industry}）：${t.team.map((m) => `${m.name}/${m.department}`).join('、') || '未能派员'}`),
  ];
  if (r.unassigned.length) lines.push(`未能完全派员 ${r.unassigned.length} 处：`, ...r.unassigned.map((u) => `  ${u.licence}：${u.reason}`));
  if (r.files.length) lines.push('已写出：', ...r.files.map((f) => `  ${f}`));
  return lines.join('\n');
}

export function formatDraws(l: DrawListing): string {
  if (l.draws.length === 0) return '还没有抽查记录。';
  return [
    `抽查 ${l.draws.length} 次：`,
    ...l.draws.map((d) => `  ${d.id}  ${d.date}  种子“${d.seed}”  对象 ${d.population} 户，抽中 ${d.drawn} 户，已检查 ${d.done} 户，发现问题 ${d.problems} 户${d.replacedCount ? `（重抽 ${d.replacedCount} 次）` : ''}  经办人 ${d.actor}`),
  ].join('\n');
}
