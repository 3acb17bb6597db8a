/** Human-readable output of the licence commands (Chinese); --json prints the result objects instead. */
import type { IssueResult } from './issue';
import type { ApplyResult, OperationResult } from './lifecycle';
import type { ExpiringResult, LicenseHistory, LicenseListing, VerifyResult } from './service';
import type { BatchSummary } from './batches';
import { localTime } from '../text/time';
import { STATUS_LABEL, type License, type LicenseEvent, type LicenseStatus, type LicenseVersion } from './types';
import { formatColumnTable } from '../text/headers';
import { cleanedLines } from '../io/cleaned';

/** One set of state words everywhere (show, history, list, verify, revoke): the register's 有效/撤销/注销/失效/吊销 (DOMAIN.md). */
const STATE_WORD: Record<LicenseStatus, string> = STATUS_LABEL;

function rowRef(e: { sheet: string; row: number; column?: string; columnLetter?: string }): string {
  const col = e.column ? `，${e.columnLetter ? `${e.columnLetter}列` : ''}“${e.column}”` : '';
  return `工作表“${e.sheet}”第 ${e.row} 行${col}`;
}

export function formatIssue(r: IssueResult): string {
  const lines: string[] = [];
  lines.push(`${r.dryRun ? '试运行' : '发证'}：${r.file}（制证日期 ${r.date}${r.batchId ? `，批次号 ${r.batchId}` : ''}）`);
  lines.push(`  新发 ${r.issued.length} 张，此前已发 ${r.existing.length} 张，被拒绝 ${new Set(r.rejected.map((e) => `${e.sheet}\u0000${e.row}`)).size} 行`);
  const show = r.issued.slice(0, 20);
  for (const i of show) lines.push(`  第 ${i.row} 行  ${i.applicationNo} → ${i.number}`);
  if (r.issued.length > show.length) lines.push(`  ……其余 ${r.issued.length - show.length} 张见 --results 文件或 --json 输出`);
  for (const e of r.rejected.slice(0, 20)) lines.push(`  ✗ ${rowRef(e)}：${e.message}`);
  if (r.rejected.length > 20) lines.push(`  ……其余 ${r.rejected.length - 20} 处错误见 --results 文件`);
  if (r.dryRun) {
    // a dry run issues nothing and allocates no numbers: list the rows that would be issued
    for (const sh of r.sheets ?? []) {
      lines.push(`  工作表“${sh.sheet}”表头在第 ${sh.headerRow} 行，各列识别为：`);
      lines.push(...formatColumnTable(sh.columns).map((l) => `    ${l}`));
    }
    lines.push(
      r.wouldExit
        ? `  试运行：有 ${new Set(r.rejected.map((e) => `${e.sheet}\u0000${e.row}`)).size} 行错误，正式发证将整批拒绝、一张也不发（退出码 ${r.wouldExit}）；改正错误行后其余 ${r.wouldIssue.length} 张可发证（或加 --skip-invalid 只发这些）`
        : `  试运行：可发证 ${r.wouldIssue.length} 张（编号在正式发证时分配）`,
    );
    const would = r.wouldIssue.slice(0, 20);
    for (const w of would) lines.push(`  第 ${w.row} 行  ${w.applicationNo}`);
    if (r.wouldIssue.length > would.length) lines.push(`  ……其余 ${r.wouldIssue.length - would.length} 行见 --results 文件或 --json 输出`);
  }
  for (const w of r.warnings ?? []) lines.push(`  注意：工作表“${w.sheet}”第 ${w.row} 行（${w.applicationNo}）：${w.message}`);
  lines.push(...cleanedLines(r.controlsRemoved).map((l) => `  ${l}`));
  if (r.resultsPath) lines.push(`  处理结果已写入：${r.resultsPath}`);
  return lines.join('\n');
}

function itemsText(v: LicenseVersion): string[] {
  return v.items.map((i) => `    · ${i.matterName}${i.permitNo ? `（${i.permitNo}）` : ''}${i.validUntil ? ` 有效期至 ${i.validUntil}` : ''}`);
}

export function formatLicense(l: License): string {
  const v = l.current;
  // one state, the one that holds on the day asked about: a valid licence past its date is 已失效
  const status =
    l.effectiveStatus === 'expired' ? `失效（有效期至 ${v.validUntil}，已过期）` : `${STATE_WORD[l.effectiveStatus]}${l.effectiveStatus !== 'valid' && l.statusDate ? `（${l.statusDate}）` : ''}`;
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
    `  发证批次：${l.batchId ?? '—'}${v.version > 1 ? `；现行第 ${v.version} 版：${v.batchId ? `批次 ${v.batchId}` : '单张办理'}` : ''}`,
  ].join('\n');
}

export function formatHistory(h: LicenseHistory): string {
  const state = h.effectiveStatus === 'expired' ? `${h.statusLabel}（有效期至 ${h.validUntil}，已过期）` : h.statusLabel;
  const lines = [`许可证 ${h.number}  当前状态：${state}`, '版本：'];
  for (const v of h.versions) {
    lines.push(`  第 ${v.version} 版  制证 ${v.issueDate}  有效期至 ${v.validUntil}  ${v.supersededAt ? `${v.supersededAt} 被换发` : '现行'}  ${v.holderName}｜${v.legalRep}｜${v.premises}`);
    lines.push(`    许可项目：${v.items.map((i) => i.matterName).join('、')}`);
  }
  lines.push('经办记录：');
  for (const e of h.events) {
    const src = e.file ? `  来源：${e.file}${e.sheet ? ` 工作表“${e.sheet}”` : ''}${e.row ? ` 第 ${e.row} 行` : ''}` : '';
    const details = detailsText(e);
    lines.push(`  ${e.date}  ${e.eventLabel}（第 ${e.version} 版）${e.batchId ? `  批次 ${e.batchId}` : ''}  经办人：${e.actor}  记录时间：${localTime(e.at)}${e.reason ? `  原因：${e.reason}` : ''}${details}${src}`);
  }
  return lines.join('\n');
}

/** Names of the event details' keys that are not already Chinese. */
const DETAIL_KEY: Record<string, string> = { applicationNo: '申请编号' };

function isChange(v: unknown): v is { from: unknown; to: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 2 && 'from' in v && 'to' in v;
}

function detailValue(v: unknown): string {
  if (v === null || v === undefined || v === '') return '（空）';
  if (Array.isArray(v)) return v.map(detailValue).join('、');
  if (isChange(v)) return `${detailValue(v.from)} → ${detailValue(v.to)}`;
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => `${DETAIL_KEY[k] ?? k}：${detailValue(x)}`).join('，');
  return String(v);
}

/**
 * An event's recorded details in words: 状态：有效 → 已撤销；有效期至：2031-03-19 → 2033-01-01；
 * 增加许可项目：烟草专卖零售许可. The stored JSON (and --json) keep the raw form.
 */
function detailsText(e: LicenseEvent): string {
  // opKey only tells re-run batches apart (lifecycle.ts operationKey): nothing for a reader
  const { opKey: _opKey, ...d } = e.details ?? {};
  if (Object.keys(d).length === 0) return '';
  const state = (s: unknown) => (typeof s === 'string' && s in STATE_WORD ? STATE_WORD[s as LicenseStatus] : detailValue(s));
  const parts = isChange(d) ? [`状态：${state(d.from)} → ${state(d.to)}`] : Object.entries(d).map(([k, v]) => `${DETAIL_KEY[k] ?? k}：${detailValue(v)}`);
  return `  ${parts.join('；')}`;
}

export function formatOperation(r: OperationResult): string {
  const head = `许可证 ${r.number} 已${r.eventLabel}`;
  return r.event === 'change' || r.event === 'renew'
    ? `${head}：换发第 ${r.version} 版，有效期至 ${r.validUntil}，原版本已作废。可用 yiye license print ${r.number} 打印新证。`
    : `${head}，状态：${STATUS_LABEL[r.status]}。`;
}

export function formatApply(r: ApplyResult): string {
  const lines = [`${r.dryRun ? '试运行' : '办理'}：${r.file}${r.batchId ? `（批次号 ${r.batchId}）` : ''}  办理 ${r.applied.length} 行，此前已办理 ${r.existing.length} 行，被拒绝 ${r.rejected.length} 处`];
  for (const a of r.applied) lines.push(`  第 ${a.row} 行  ${a.number}  ${a.event === 'change' || a.event === 'renew' ? `换发第 ${a.version} 版` : STATUS_LABEL[a.status]}`);
  for (const e of r.rejected) lines.push(`  ✗ ${rowRef(e)}：${e.message}`);
  if (r.wouldExit) lines.push(`  试运行：正式办理将整批拒绝、一行也不办理（退出码 ${r.wouldExit}）；改正错误行后重新运行，或加 --skip-invalid 只办理无误的行`);
  lines.push(...cleanedLines(r.controlsRemoved).map((l) => `  ${l}`));
  if (r.resultsPath) lines.push(`  处理结果已写入：${r.resultsPath}`);
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
    ...statusNote(r),
  ].join('\n');
}

/** What an offline check could not see: said plainly, since its ✓ rests on the signature and date alone. */
function statusNote(r: VerifyResult): string[] {
  if (r.status === 'forged') return [];
  if (!r.statusChecked) {
    return [
      '  注意：仅核验签名与有效期，未查询许可证当前状态（撤销、注销、吊销、换发）；此证可能已被撤销或换发新版。',
      '        请在发证机关工作区核验（--db），或加 --revocations 指定发证机关最新的撤销清单。',
    ];
  }
  return r.revocationListDate ? [`  状态依据：${r.revocationListDate} 的撤销清单；此后的撤销、注销、换发未能查到。`] : [];
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

export function formatListing(r: LicenseListing): string {
  if (r.total === 0) return '没有符合条件的许可证。';
  const lines = [`符合条件的许可证 ${r.total} 张（状态按 ${r.asOf} 判断）${r.licenses.length < r.total ? `，列出前 ${r.licenses.length} 张` : ''}：`];
  for (const l of r.licenses) lines.push(`  ${l.number}  ${l.statusLabel}  ${l.holder}  ${l.uscc}  ${l.industry}  ${l.premises}  有效期至 ${l.validUntil}`);
  if (r.licenses.length < r.total) lines.push(`  ……其余 ${r.total - r.licenses.length} 张：加 --limit 0 列出全部，或用 yiye license export 导出台账`);
  return lines.join('\n');
}

export function formatBatches(batches: BatchSummary[]): string {
  if (batches.length === 0) return '还没有发证或变更办理批次。';
  const lines = [`批次 ${batches.length} 个（批次号用于 yiye license print --batch 批次号）：`];
  for (const b of batches) {
    const c = b.counts;
    const what = b.kind === 'issue' ? `新发 ${c.issued ?? b.licenses} 张${c.existing ? `，此前已发 ${c.existing} 张` : ''}` : `办理 ${c.applied ?? b.licenses} 行，涉及许可证 ${b.licenses} 张`;
    lines.push(`  批次 ${b.id}  ${b.kindLabel}  ${localTime(b.startedAt)}  经办人：${b.actor}  ${b.file ?? ''}  ${what}`);
  }
  return lines.join('\n');
}
