/**
 * `yiye audit verify` and `yiye audit sign`: walking every hash chain of the audit log (src/audit/chain.ts)
 * and naming each entry that was changed, deleted or cut off; signing the heads of intact chains.
 */
import crypto, { type KeyObject } from 'node:crypto';
import type { Db } from '../db';
import { ConflictError, ExitCode, UsageError, YiyeError } from '../cli/errors';
import { readPublicKeyFile } from '../license/keys';
import { openSigner, workspacePublicKey } from '../license/signer';
import { anchorOf, CHAINS, entryHash, GENESIS, headMessage, lockChain, signedColumns, type ChainSpec, type HeadRow, type HeadSigner } from './chain';
import { marksBySigner, marksFromKeyFile, marksVerify, readMarks, writeMarks, type Acceptance, type ChainMark, type SignedMarks } from './marks';

export type ProblemKind =
  | 'content'
  | 'link'
  | 'gap'
  | 'duplicate'
  | 'unchained'
  | 'head-missing'
  | 'head-mismatch'
  | 'signature'
  | 'key-mismatch'
  | 'signed-rewritten'
  /** The head's signature is gone or older than the signed high-water mark (src/audit/marks.ts). */
  | 'signature-stripped'
  /** The workspace has a key but its signed high-water marks are missing. */
  | 'marks-missing'
  /** The signed high-water marks (in the database or the public-key file) do not verify. */
  | 'marks-invalid';

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
  /** Entries accepted without a signature (`audit sign --accept-unsigned`), from the signed marks. */
  accepted: Acceptance[];
  /** Heads re-derived by `audit repair-head` after their row was deleted. */
  repairs: HeadRepair[];
}

export interface HeadRepair {
  chain: string;
  seq: number;
  hash: string;
  at: string;
  actor: string;
}

export const HEAD_REPAIRS_SETTING = 'audit_head_repairs';

async function readRepairs(db: Db): Promise<HeadRepair[]> {
  const row = (await db('settings').where({ key: HEAD_REPAIRS_SETTING }).first('value')) as { value: string } | undefined;
  try {
    const list = row ? (JSON.parse(row.value) as HeadRepair[]) : [];
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

/** Exit code of `audit verify` when a chain is broken: the workspace's state is the problem (README 退出码). */
export const AUDIT_BROKEN_EXIT = ExitCode.conflict;

const short = (h: string | null | undefined) => (h ? `${h.slice(0, 12)}…` : '（空）');

/** Rows read per round while walking a chain: memory stays flat on a chain of millions. */
const PAGE = 2000;

async function walkChain(db: Db, spec: ChainSpec, key: { key: KeyObject; keyId: string } | null, floors: ChainMark[] = []): Promise<ChainReport> {
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
      if (signedSeq === seq || floors.some((f) => f.seq === seq)) hashAt.set(seq, String(r.hash));
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
  // The signed high-water marks: what the key once covered must still be there and still be signed.
  for (const f of floors) {
    if (f.seq === 0 || (signature === 'valid' && signedSeq === f.seq && head?.signed_hash === f.hash)) continue; // checked above
    const stored = hashAt.get(f.seq);
    if (stored !== f.hash) {
      problem(
        'signed-rewritten',
        stored === undefined
          ? `${where}：工作区密钥曾签名至序号 ${f.seq}（签名高水位），而该条记录已不存在——已签名的记录被删除。`
          : `${where}：序号 ${f.seq} 的哈希（${short(stored)}）与工作区密钥签名时（${short(f.hash)}）不同——已签名的部分被改写。`,
      );
    }
  }
  const floor = Math.max(-1, ...floors.map((f) => f.seq));
  if (head && floor >= 0 && (signature === 'none' || (signature === 'valid' && (signedSeq ?? -1) < floor))) {
    problem(
      'signature-stripped',
      signature === 'none'
        ? `${where}：链头没有签名，而工作区密钥曾签名至序号 ${floor}（签名高水位）——链头签名被删除。`
        : `${where}：链头签名只覆盖到序号 ${signedSeq}，而工作区密钥曾签名至序号 ${floor}（签名高水位）——链头签名被换成了较早的签名。`,
    );
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

const MARKS_WHERE = '签名高水位记录（settings 表 audit_signed_marks）';

/**
 * Walks every chain in order and reports each broken entry (changed content, deleted entries, a cut
 * tail, an invalid or stripped head signature). Head signatures are checked with `publicKeyFile` when
 * given (a copy kept apart from the database: whoever can edit the database could also replace the
 * key it stores; the file also carries the signed high-water marks as they were when it was
 * exported), else with the workspace's registered public key. Never writes.
 */
export async function verifyAudit(db: Db, opts: { publicKeyFile?: string } = {}): Promise<AuditReport> {
  const read = opts.publicKeyFile ? readPublicKeyFile(opts.publicKeyFile) : null;
  const file = read && { key: read.key, keyId: read.keyId, marks: marksFromKeyFile(read.text) };
  const key = file ?? (await workspacePublicKey(db));
  const marksProblems: AuditProblem[] = [];
  const markProblem = (kind: ProblemKind, message: string) => marksProblems.push({ chain: 'audit_signed_marks', table: 'settings', kind, id: null, seq: null, message });
  const floors = new Map<string, ChainMark[]>();
  let accepted: Acceptance[] = [];
  if (key) {
    const stored = await readMarks(db);
    const sources: Array<[string, SignedMarks | 'malformed' | null]> = [[MARKS_WHERE, stored]];
    if (file?.marks) sources.push([`公钥文件“${opts.publicKeyFile}”中的签名高水位记录`, file.marks]);
    for (const [where, m] of sources) {
      if (m === null) {
        markProblem('marks-missing', `${where}缺失：工作区已有签名密钥，却没有记录密钥签到了哪里——记录被删除，或工作区由旧版升级后尚未签名。`);
        continue;
      }
      if (m === 'malformed' || !marksVerify(m, key)) {
        markProblem(m !== 'malformed' && m.keyId !== key.keyId ? 'key-mismatch' : 'marks-invalid', `${where}的签名无效——记录被改写过（签名须用工作区私钥才能生成）。`);
        continue;
      }
      for (const [chain, mark] of Object.entries(m.marks)) floors.set(chain, [...(floors.get(chain) ?? []), mark]);
      if (m === stored) accepted = m.accepted;
    }
  }
  const chains: ChainReport[] = [];
  for (const spec of CHAINS) chains.push(await walkChain(db, spec, key, floors.get(spec.name)));
  const problems = [...marksProblems, ...chains.flatMap((c) => c.problems)];
  return { ok: problems.length === 0, chains, problems, publicKey: file ? 'file' : key ? 'workspace' : 'none', accepted, repairs: await readRepairs(db) };
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
    report.problems.every((p) => ACCEPTABLE.has(p.kind))
      ? ACCEPT_HINT
      : onlyKey
      ? '链头签名与所给公钥不对应：请先确认 --public-key 是本工作区 `yiye keys export-public` 导出的公钥（核验时不加 --public-key 则用工作区登记的公钥）；公钥无误时，说明链头签名被换过，请按审计日志被改动处理。'
      : '审计日志记录已被绕过 yiye 改动。请勿继续改动数据库，用备份（yiye db restore）核对被点名的记录，并查明谁有数据库写权限。',
    { ...report } as unknown as Record<string, unknown>,
  );
}

export interface SignResult {
  signed: Array<{ chain: string; seq: number; hash: string }>;
  keyId: string;
  /** Entries this run accepted without a signature (`--accept-unsigned`), now recorded in the signed marks. */
  accepted: Acceptance[];
}

export interface SignOptions {
  /** Sign over entries no signature ever covered (a stripped head, an upgraded workspace), recorded with `reason`. */
  acceptUnsigned?: boolean;
  reason?: string;
  actor?: string;
}

/** Problems a restored backup may have: one taken before the signed marks existed has none. */
export const ACCEPTABLE_ON_RESTORE: ReadonlySet<ProblemKind> = new Set<ProblemKind>(['marks-missing']);

/** Problems `--accept-unsigned` may accept: signatures missing or unverifiable, never changed content. */
const ACCEPTABLE: ReadonlySet<ProblemKind> = new Set<ProblemKind>(['marks-missing', 'marks-invalid', 'signature-stripped', 'signature']);

const range = (a: Acceptance) => (a.fromSeq > a.toSeq ? '无新增记录' : a.fromSeq === a.toSeq ? `序号 ${a.fromSeq}` : `序号 ${a.fromSeq}–${a.toSeq}`);

/**
 * Signs every chain's head with the workspace key, after verifying that every chain is intact: a
 * signature over a tampered chain would vouch for the tampering. Entries appended without the key
 * after the last signature (revocations, catalog imports) become covered. Entries no signature ever
 * covered — a chain whose head signature was stripped or replaced, or a workspace without signed
 * high-water marks (upgraded from an older yiye) — are signed only with `acceptUnsigned` and a
 * reason, recorded in the signed marks and reported by every later `audit verify`.
 */
export async function signAudit(db: Db, keyFile: string, opts: SignOptions = {}): Promise<SignResult> {
  const reason = opts.reason?.trim() ?? '';
  if (opts.acceptUnsigned && !reason) throw new UsageError('--accept-unsigned 须同时用 --reason 说明为何接受这些未签名的记录。', '例如 --accept-unsigned --reason "由旧版升级，已与纸质台账核对"。');
  const signer = await openSigner(db, keyFile);
  try {
    return await db.transaction(async (trx) => {
      // Verified inside the transaction that signs: nothing can be appended between the two.
      for (const spec of CHAINS) await lockChain(trx, spec.name);
      const report = await verifyAudit(trx);
      const blocking = report.problems.filter((p) => !opts.acceptUnsigned || !ACCEPTABLE.has(p.kind));
      if (blocking.length) {
        throw auditBrokenError(report);
      }
      const stored = await readMarks(trx, { lock: true });
      const marks = marksBySigner(stored, signer) ? stored : null;
      const at = new Date().toISOString();
      const accepted: Acceptance[] = [];
      const signed: SignResult['signed'] = [];
      const raise: Record<string, ChainMark> = {};
      for (const spec of CHAINS) {
        const head = (await trx('audit_heads').where({ chain: spec.name }).first()) as HeadRow;
        const seq = Number(head.seq);
        if (!marks || !anchorOf(spec.name, head, marks, signer)) {
          const covered = marks?.marks[spec.name]?.seq ?? 0;
          accepted.push({ chain: spec.name, fromSeq: covered + 1, toSeq: seq, hash: head.hash, at, actor: opts.actor ?? '', reason });
        }
        await trx('audit_heads').where({ chain: spec.name }).update(signedColumns(spec.name, seq, head.hash, signer));
        raise[spec.name] = { seq, hash: head.hash };
        signed.push({ chain: spec.name, seq, hash: head.hash });
      }
      if (accepted.length && !opts.acceptUnsigned) {
        throw new ConflictError(
          `审计日志中有从未被签名覆盖的记录：${accepted.map((a) => `${chainSpecLabel(a.chain)}${range(a)}`).join('；')}。为其签名等于替它们担保，yiye 不会自动这样做。`,
          ACCEPT_HINT,
          { unsigned: accepted },
        );
      }
      await writeMarks(trx, signer, marks, raise, accepted);
      return { signed, keyId: signer.keyId, accepted };
    });
  } finally {
    await signer.close();
  }
}

const ACCEPT_HINT =
  '链头签名被删除、被换成较早的签名，或签名高水位记录缺失（旧版升级的工作区也会如此）。请先用备份或另行保存的公钥（audit verify --public-key）核对这些记录；确认无误后，运行 `yiye audit sign --accept-unsigned --reason "核对情况"`，接受记录会写入签名高水位并在每次 audit verify 中列出。';

function chainSpecLabel(name: string): string {
  const spec = CHAINS.find((c) => c.name === name);
  return spec ? `${spec.label}（${spec.table}）` : name;
}

/** How `audit verify` and `audit sign` name an accepted range. */
export function acceptanceText(a: Acceptance): string {
  return `${chainSpecLabel(a.chain)}${range(a)}：${a.at} 由 ${a.actor || '（未署名）'} 以“${a.reason}”接受为未经签名核对的记录`;
}

/**
 * A new key's first signatures (`yiye init`): every chain that holds no entry yet is signed at its
 * start and its high-water mark set, so that from now on an unsigned head is a finding. Chains that
 * already hold entries (a workspace that had no key) stay unsigned until `audit sign --accept-unsigned`.
 */
export async function startSignedMarks(db: Db, signer: HeadSigner): Promise<void> {
  await db.transaction(async (trx) => {
    const raise: Record<string, ChainMark> = {};
    for (const spec of CHAINS) {
      await lockChain(trx, spec.name);
      const head = (await trx('audit_heads').where({ chain: spec.name }).first()) as HeadRow;
      if (Number(head.seq) !== 0) continue;
      await trx('audit_heads').where({ chain: spec.name }).update(signedColumns(spec.name, 0, GENESIS, signer));
      raise[spec.name] = { seq: 0, hash: GENESIS };
    }
    const stored = await readMarks(trx, { lock: true });
    await writeMarks(trx, signer, marksBySigner(stored, signer) ? stored : null, raise);
  });
}

export interface RepairResult {
  repaired: HeadRepair[];
}

/** Problems a head repair tolerates: the missing head itself, and signatures (re-signing is `audit sign`'s job). */
const REPAIRABLE: ReadonlySet<ProblemKind> = new Set<ProblemKind>(['head-missing', 'marks-missing', 'marks-invalid', 'signature-stripped', 'signature']);

/**
 * `yiye audit repair-head`: a chain whose `audit_heads` row was deleted gets it back, re-derived from
 * its last entry — only after a full walk found every entry intact (a head deleted together with the
 * chain's tail cannot be told apart, so the walk must be clean apart from the missing head). The
 * repaired head is unsigned; every repair is recorded (settings `audit_head_repairs`) and listed by
 * `audit verify`.
 */
export async function repairHeads(db: Db, actor: string): Promise<RepairResult> {
  return db.transaction(async (trx) => {
    const report = await verifyAudit(trx);
    const blocking = report.problems.filter((p) => !REPAIRABLE.has(p.kind));
    if (blocking.length) throw auditBrokenError({ ...report, problems: blocking });
    const at = new Date().toISOString();
    const repaired: HeadRepair[] = [];
    for (const p of report.problems.filter((q) => q.kind === 'head-missing')) {
      const spec = CHAINS.find((c) => c.name === p.chain)!;
      const last = (await trx(spec.table).whereNotNull('seq').orderBy('seq', 'desc').first('seq', 'hash')) as { seq: number | string; hash: string } | undefined;
      const seq = last ? Number(last.seq) : 0;
      const hash = last ? last.hash : GENESIS;
      await trx('audit_heads').insert({ chain: spec.name, seq, hash, updated_at: at }).onConflict('chain').ignore();
      repaired.push({ chain: spec.name, seq, hash, at, actor });
    }
    if (repaired.length) {
      const all = [...report.repairs, ...repaired];
      await trx('settings').insert({ key: HEAD_REPAIRS_SETTING, value: JSON.stringify(all) }).onConflict('key').merge();
    }
    return { repaired };
  });
}
