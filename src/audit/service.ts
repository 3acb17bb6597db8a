/**
 * `yiye audit verify` and `yiye audit sign`: walking every hash chain of the audit log (src/audit/chain.ts)
 * and naming each entry that was changed, deleted or cut off; signing the heads of intact chains.
 */
import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import type { Db } from '../db';
import { ExitCode, InputError, YiyeError } from '../cli/errors';
import { keyIdOf, parsePublicKey } from '../license/keys';
import { openSigner, workspacePublicKey } from '../license/signer';
import { CHAINS, entryHash, GENESIS, headMessage, lockChain, signHeads, type ChainSpec, type HeadRow } from './chain';

export type ProblemKind = 'content' | 'link' | 'gap' | 'duplicate' | 'unchained' | 'head-missing' | 'head-mismatch' | 'signature' | 'key-mismatch' | 'signed-rewritten';

export interface AuditProblem {
  chain: string;
  table: string;
  kind: ProblemKind;
  /** The entry's row id and chain position, where the problem is an entry's. */
  id: number | null;
  seq: number | null;
  message: string;
}

export type SignatureState = 'valid' | 'invalid' | 'none' | 'no-public-key';

export interface ChainReport {
  chain: string;
  table: string;
  label: string;
  entries: number;
  /** The head as stored (last seq and hash). */
  headSeq: number | null;
  headHash: string | null;
  /** How far the head's signature reaches, and whether it verifies. */
  signature: SignatureState;
  signedSeq: number | null;
  keyId: string | null;
  /** Entries after the signed position: protected by the chain and its head, not yet by the key. */
  unsignedEntries: number;
  ok: boolean;
  problems: AuditProblem[];
}

export interface AuditReport {
  ok: boolean;
  chains: ChainReport[];
  problems: AuditProblem[];
  /** Where the public key for head signatures came from. */
  publicKey: 'file' | 'workspace' | 'none';
}

/** Exit code of `audit verify` when a chain is broken: the workspace's state is the problem (README 退出码). */
export const AUDIT_BROKEN_EXIT = ExitCode.conflict;

const short = (h: string | null | undefined) => (h ? `${h.slice(0, 12)}…` : '（空）');

/** Rows read per round while walking a chain: memory stays flat on a chain of millions. */
const PAGE = 2000;

async function walkChain(db: Db, spec: ChainSpec, key: { key: KeyObject; keyId: string } | null): Promise<ChainReport> {
  const problems: AuditProblem[] = [];
  const where = `${spec.label}（${spec.table}）`;
  const problem = (kind: ProblemKind, message: string, row?: { id?: unknown; seq?: unknown }) =>
    problems.push({ chain: spec.name, table: spec.table, kind, id: row ? Number(row.id) : null, seq: row && row.seq != null ? Number(row.seq) : null, message });

  const unchained = (await db(spec.table).whereNull('seq').orWhereNull('hash').select('id').orderBy('id').limit(100)) as Array<{ id: number }>;
  for (const r of unchained) problem('unchained', `${where}id ${r.id}：该条记录不在哈希链中（没有序号或哈希），可能是绕过 yiye 直接写入数据库的。`, { id: r.id, seq: null });

  let expected = 1;
  let prevHash = GENESIS;
  let entries = 0;
  const hashAt = new Map<number, string>(); // only the signed position is looked up: kept small below
  const head = (await db('audit_heads').where({ chain: spec.name }).first()) as HeadRow | undefined;
  const signedSeq = head?.signed_seq != null ? Number(head.signed_seq) : null;

  let after = 0;
  for (;;) {
    const rows = (await db(spec.table).whereNotNull('seq').where('seq', '>', after).orderBy('seq').limit(PAGE).select()) as Array<Record<string, unknown>>;
    if (rows.length === 0) break;
    for (const r of rows) {
      const seq = Number(r.seq);
      const at = `${where}id ${r.id}（序号 ${seq}）`;
      entries++;
      if (seq < expected) {
        problem('duplicate', `${at}：序号重复。`, r);
        continue;
      }
      if (seq > expected) {
        const range = seq - 1 === expected ? `序号 ${expected}` : `序号 ${expected}–${seq - 1}`;
        problem('gap', `${where}：${range} 的记录缺失（已被删除），链在 id ${r.id}（序号 ${seq}）之前断开。`, { id: r.id, seq });
      }
      if (r.prev_hash !== prevHash) {
        problem('link', `${at}：与前一条的哈希链接断开（本条记录的前序哈希 ${short(r.prev_hash as string)}，前一条的哈希 ${short(prevHash)}）——前面的记录被删除、插入或改写过。`, r);
      }
      const computed = entryHash(String(r.prev_hash ?? ''), spec, seq, r);
      if (computed !== r.hash) {
        problem('content', `${at}：内容被改动（记录的哈希 ${short(r.hash as string)}，按内容应为 ${short(computed)}）。`, r);
      }
      if (signedSeq === seq) hashAt.set(seq, String(r.hash));
      prevHash = String(r.hash);
      expected = seq + 1;
    }
    after = Number(rows[rows.length - 1].seq);
  }
  const lastSeq = expected - 1;

  let signature: SignatureState = 'none';
  if (!head) {
    problem('head-missing', `${where}：链头记录（audit_heads）缺失，无法确认链尾是否被删除。`);
  } else {
    if (Number(head.seq) !== lastSeq || head.hash !== (lastSeq === 0 ? GENESIS : prevHash)) {
      problem(
        'head-mismatch',
        Number(head.seq) > lastSeq
          ? `${where}：链头记录最后一条为序号 ${head.seq}，而表中最后一条为序号 ${lastSeq}——链尾 ${Number(head.seq) - lastSeq} 条记录被删除（截断）。`
          : `${where}：链头（序号 ${head.seq}，哈希 ${short(head.hash)}）与表中最后一条（序号 ${lastSeq}，哈希 ${short(prevHash)}）不符——链头或链尾被改动。`,
      );
    }
    if (head.signature) {
      if (!key) signature = 'no-public-key';
      else {
        const ok =
          head.key_id === key.keyId &&
          signedSeq !== null &&
          head.signed_hash !== null &&
          crypto.verify(null, headMessage(spec.name, signedSeq, head.signed_hash), key.key, Buffer.from(head.signature, 'base64url'));
        signature = ok ? 'valid' : 'invalid';
        if (!ok) {
          if (head.key_id !== key.keyId) problem('key-mismatch', `${where}：链头签名所用密钥（${head.key_id}）不是核验所用的公钥（${key.keyId}）。`);
          else problem('signature', `${where}：链头签名无效——链头被改写过（签名须用工作区私钥才能生成）。`);
        } else if (signedSeq !== null && signedSeq > 0) {
          const stored = hashAt.get(signedSeq);
          if (stored !== head.signed_hash) {
            problem(
              'signed-rewritten',
              stored === undefined
                ? `${where}：签名覆盖到序号 ${signedSeq}，而该条记录已不存在——已签名的记录被删除。`
                : `${where}：序号 ${signedSeq} 的哈希（${short(stored)}）与签名时（${short(head.signed_hash)}）不同——已签名的部分被整体改写。`,
            );
          }
        }
      }
    }
  }
  return {
    chain: spec.name,
    table: spec.table,
    label: spec.label,
    entries,
    headSeq: head ? Number(head.seq) : null,
    headHash: head?.hash ?? null,
    signature,
    signedSeq: signature === 'valid' ? signedSeq : null,
    keyId: head?.key_id ?? null,
    unsignedEntries: signature === 'valid' && signedSeq !== null ? Math.max(0, lastSeq - signedSeq) : lastSeq,
    ok: problems.length === 0,
    problems,
  };
}

function readPublicKeyFile(file: string): { key: KeyObject; keyId: string } {
  let pk: KeyObject;
  try {
    pk = parsePublicKey(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new InputError(`“${file}”不是有效的公钥文件。`, '请使用 `yiye keys export-public` 导出的 PEM 文件。');
  }
  return { key: pk, keyId: keyIdOf(pk) };
}

/**
 * Walks every chain in order and reports each broken entry (changed content, deleted entries, a cut
 * tail, an invalid head signature). Head signatures are checked with `publicKeyFile` when given (a
 * copy kept apart from the database: whoever can edit the database could also replace the key it
 * stores), else with the workspace's registered public key. Never writes.
 */
export async function verifyAudit(db: Db, opts: { publicKeyFile?: string } = {}): Promise<AuditReport> {
  const key = opts.publicKeyFile ? readPublicKeyFile(opts.publicKeyFile) : await workspacePublicKey(db);
  const chains: ChainReport[] = [];
  for (const spec of CHAINS) chains.push(await walkChain(db, spec, key));
  const problems = chains.flatMap((c) => c.problems);
  return { ok: problems.length === 0, chains, problems, publicKey: opts.publicKeyFile ? 'file' : key ? 'workspace' : 'none' };
}

/** The error `audit verify` ends with when a chain is broken (exit 4), the full report in its details. */
export function auditBrokenError(report: AuditReport): YiyeError {
  const first = report.problems[0];
  // Signed with another key than the one given: a wrong key file at least as likely as tampering.
  const onlyKey = report.problems.every((p) => p.kind === 'key-mismatch');
  return new YiyeError(
    `审计日志校验未通过：发现 ${report.problems.length} 处问题。${first.message}`,
    'AUDIT_BROKEN',
    AUDIT_BROKEN_EXIT,
    onlyKey
      ? '链头签名与所给公钥不对应：请先确认 --public-key 是本工作区 `yiye keys export-public` 导出的公钥（核验时不加 --public-key 则用工作区登记的公钥）；公钥无误时，说明链头签名被换过，请按审计日志被改动处理。'
      : '审计日志记录已被绕过 yiye 改动。请勿继续改动数据库，用备份（yiye db restore）核对被点名的记录，并查明谁有数据库写权限。',
    { ...report } as unknown as Record<string, unknown>,
  );
}

export interface SignResult {
  signed: Array<{ chain: string; seq: number; hash: string }>;
  keyId: string;
}

/**
 * Signs every chain's head with the workspace key, after verifying that every chain is intact: a
 * signature over a tampered chain would vouch for the tampering. Entries appended without the key
 * (revocations, catalog imports) become covered by the signature.
 */
export async function signAudit(db: Db, keyFile: string): Promise<SignResult> {
  const signer = await openSigner(db, keyFile);
  try {
    return await db.transaction(async (trx) => {
      // Verified inside the transaction that signs: nothing can be appended between the two.
      for (const spec of CHAINS) await lockChain(trx, spec.name);
      const report = await verifyAudit(trx);
      if (!report.ok) throw auditBrokenError(report);
      const signed = await signHeads(trx, CHAINS.map((c) => c.name), signer);
      return { signed, keyId: signer.keyId };
    });
  } finally {
    await signer.close();
  }
}
