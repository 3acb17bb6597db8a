/** Human-readable output of the licence commands (Chinese); --json prints the result objects instead. */
import type { IssueResult } from './issue';
import type { ApplyResult, OperationResult } from './lifecycle';
import type { ExpiringResult, LicenseHistory, VerifyResult } from './service';
import { STATUS_LABEL, type License, type LicenseVersion } from './types';

function rowRef(e: { sheet: string; row: number; column?: string; columnLetter?: string }): string {
  const col = e.column ? `，${e.columnLetter ? `${e.columnLetter}列` : ''}“${e.column}”` : '';
  return `工作表“${e.sheet}”第 ${e.row} 行${col}`;
}

export function formatIssue(r: IssueResult): string {
  const lines: string[] = [];
  lines.push(`${r.dryRun ? '试运行' : '发证'}：${r.file}（制证日期 ${r.date}）`);
  lines.push(`  新发 ${r.issued.length} 张，此前已发 ${r.existing.length} 张，被拒绝 ${new Set(r.rejected.map((e) => `${e.sheet}\u0000${e.row}`)).size} 行`);
  const show = r.issued.slice(0, 20);
  for (const i of show) lines.push(`  第 ${i.row} 行  ${i.applicationNo} → ${i.number}`);
  if (r.issued.length > show.length) lines.push(`  ……其余 ${r.issued.length - show.length} 张见 --results 文件或 --json 输出`);
  for (const e of r.rejected.slice(0, 20)) lines.push(`  ✗ ${rowRef(e)}：${e.message}`);
  if (r.rejected.length > 20) lines.push(`  ……其余 ${r.rejected.length - 20} 处错误见 --results 文件`);
  if (r.resultsPath) lines.push(`  处理结果已写入：${r.resultsPath}`);
  return lines.join('\n');
}

function itemsText(v: LicenseVersion): string[] {
  return v.items.map((i) => `    · ${i.matterName}${i.permitNo ? `（${i.permitNo}）` : ''}${i.validUntil ? ` 有效期至 ${i.validUntil}` : ''}`);
}

export function formatLicense(l: License): string {
  const v = l.current;
  const status = l.effectiveStatus === l.status ? STATUS_LABEL[l.status] : `${STATUS_LABEL[l.status]}（已超过有效期：${STATUS_LABEL[l.effectiveStatus]}）`;
  return [
    `行业综合许可证  ${l.number}（第 ${v.version} 版）  状态：${status}${l.statusReason ? `，原因：${l.statusReason}` : ''}`,
    `  经营者名称：${v.holderName}`,
    `  统一社会信用代码：${v.uscc}`,
    `  法定代表人（负责人）：${v.legalRep}`,
    `  行业类别：${v.industry}`,
    `  经营场所：${v.premises}`,
    `  许可项目：`,
    ...itemsText(v),
    `  发证机关：${v.authorityName}`,
    `  制证日期：${v.issueDate}（首次发证 ${l.issueDate}）`,
    `  有效期至：${v.validUntil}`,
    `  申请编号：${l.applicationNo}`,
  ].join('\n');
}

export function formatHistory(h: LicenseHistory): string {
  const lines = [`许可证 ${h.number}  当前状态：${h.statusLabel}`, '版本：'];
  for (const v of h.versions) {
    lines.push(`  第 ${v.version} 版  制证 ${v.issueDate}  有效期至 ${v.validUntil}  ${v.supersededAt ? `${v.supersededAt} 被换发` : '现行'}  ${v.holderName}｜${v.legalRep}｜${v.premises}`);
    lines.push(`    许可项目：${v.items.map((i) => i.matterName).join('、')}`);
  }
  lines.push('经办记录：');
  for (const e of h.events) {
    const src = e.file ? `  来源：${e.file}${e.sheet ? ` 工作表“${e.sheet}”` : ''}${e.row ? ` 第 ${e.row} 行` : ''}` : '';
    const details = e.details && e.event !== 'issue' ? `  ${JSON.stringify(e.details)}` : '';
    lines.push(`  ${e.date}  ${e.eventLabel}（第 ${e.version} 版）  经办人：${e.actor}  记录时间：${e.at}${e.reason ? `  原因：${e.reason}` : ''}${details}${src}`);
  }
  return lines.join('\n');
}

export function formatOperation(r: OperationResult): string {
  const head = `许可证 ${r.number} 已${r.eventLabel}`;
  return r.event === 'change' || r.event === 'renew'
    ? `${head}：换发第 ${r.version} 版，有效期至 ${r.validUntil}，原版本已作废。可用 yiye license print ${r.number} 打印新证。`
    : `${head}，状态：${STATUS_LABEL[r.status]}。`;
}

export function formatApply(r: ApplyResult): string {
  const lines = [`${r.dryRun ? '试运行' : '办理'}：${r.file}  办理 ${r.applied.length} 行，此前已办理 ${r.existing.length} 行，被拒绝 ${r.rejected.length} 处`];
  for (const a of r.applied) lines.push(`  第 ${a.row} 行  ${a.number}  ${a.event === 'change' || a.event === 'renew' ? `换发第 ${a.version} 版` : STATUS_LABEL[a.status]}`);
  for (const e of r.rejected) lines.push(`  ✗ ${rowRef(e)}：${e.message}`);
  return lines.join('\n');
}

export function formatVerify(r: VerifyResult): string {
  const head = `${r.valid ? '✓' : '✗'} ${r.statusLabel}${r.reason ? `：${r.reason}` : ''}`;
  if (!r.number) return head;
  return [
    head,
    `  许可证编号：${r.number}（第 ${r.version} 版${r.currentVersion && r.currentVersion !== r.version ? `，现行第 ${r.currentVersion} 版` : ''}）`,
    ...(r.holder ? [`  经营者名称：${r.holder}`, `  统一社会信用代码：${r.code}`, `  行业类别：${r.industry}`, `  制证日期：${r.issueDate}  有效期至：${r.validUntil}`, `  发证机关：${r.issuer}`] : []),
    `  核验依据：${r.checked.map((c) => ({ signature: '签名', database: '数据库', 'revocation-list': '撤销清单', 'validity-date': '有效期' })[c]).join('、')}`,
  ].join('\n');
}

export function formatExpiring(r: ExpiringResult): string {
  const lines = [`截至 ${r.asOf} 起 ${r.within} 天内到期（含已到期）的有效许可证：${r.licenses.length} 张`];
  for (const l of r.licenses) {
    lines.push(`  ${l.number}  ${l.holder}（${l.industry}）有效期至 ${l.validUntil}${l.daysLeft < 0 ? `，已过期 ${-l.daysLeft} 天` : `，剩 ${l.daysLeft} 天`}`);
    for (const i of l.items) lines.push(`    · ${i.name} 有效期至 ${i.validUntil}`);
  }
  if (r.outPath) lines.push(`已写出延续清单：${r.outPath}（填写“延续至”后用 yiye license apply 办理）`);
  return lines.join('\n');
}
