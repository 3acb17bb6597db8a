import { acceptanceText, type AuditReport, type ChainReport, type RepairResult, type SignResult } from './service';

const SIGNATURE_TEXT: Record<ChainReport['signature'], string> = {
  valid: '签名有效',
  invalid: '签名无效',
  none: '链头未签名',
  'no-public-key': '链头已签名，但没有可用的公钥核验',
};

function chainLine(c: ChainReport): string {
  const head = c.headSeq === null ? '链头缺失' : `链头 序号 ${c.headSeq}，哈希 ${c.headHash}`;
  const signed =
    c.signature === 'valid'
      ? `${SIGNATURE_TEXT.valid}（覆盖至序号 ${c.signedSeq}，密钥 ${c.keyId}${c.unsignedEntries ? `；其后 ${c.unsignedEntries} 条尚未签名` : ''}）`
      : SIGNATURE_TEXT[c.signature];
  return `${c.ok ? '✓' : '✗'} ${c.label}（${c.table}）：${c.entries} 条；${head}；${signed}`;
}

export function formatAuditReport(r: AuditReport): string {
  const lines = r.chains.map(chainLine);
  if (r.ok) lines.push('审计日志完整：所有记录的哈希链、链头' + (r.chains.some((c) => c.signature === 'valid') ? '及签名' : '') + '均核对无误。');
  else {
    lines.push(`发现 ${r.problems.length} 处问题：`);
    for (const p of r.problems) lines.push(`  - ${p.message}`);
  }
  for (const a of r.accepted) lines.push(`注意：${acceptanceText(a)}。`);
  for (const h of r.repairs) lines.push(`注意：${h.at} 由 ${h.actor || '（未署名）'} 按逐条核对后的链重建了 ${h.chain} 的链头（序号 ${h.seq}）：原链头记录曾被删除。`);
  // not while something is wrong: signing would vouch for it (and `audit sign` refuses)
  if (r.ok && r.chains.some((c) => c.unsignedEntries > 0)) lines.push('提示：未签名的记录只受哈希链保护；运行 `yiye audit sign` 用工作区私钥为链头签名。');
  return lines.join('\n');
}

export function formatSignResult(r: SignResult): string {
  return [...r.signed.map((s) => `已签名 ${s.chain}：序号 ${s.seq}，哈希 ${s.hash}`), ...r.accepted.map((a) => `已接受：${acceptanceText(a)}`), `签名密钥 ${r.keyId}`].join('\n');
}

export function formatRepairResult(r: RepairResult): string {
  if (r.repaired.length === 0) return '各链链头记录均在，无需重建。';
  return [...r.repaired.map((h) => `已重建 ${h.chain} 的链头：序号 ${h.seq}，哈希 ${h.hash}（已记录，audit verify 会列出）`), '提示：重建的链头未签名；运行 `yiye audit verify` 查看，必要时 `yiye audit sign --accept-unsigned --reason …`。'].join('\n');
}
