/**
 * The audit log's signed high-water marks (签名高水位): for each chain, the furthest (seq, hash) the
 * workspace key has ever signed, and every range of entries an operator accepted without a signature
 * (`audit sign --accept-unsigned --reason …`), in one settings value signed by the workspace key.
 *
 * Why: a head's signature lives in a row anyone with database write access can set to NULL. Without
 * a record that the chain *was* signed, a stripped head looks like one that was never signed, and
 * the next signed write would vouch for whatever the chain then holds. The marks cannot be lowered
 * or edited without the private key (their signature breaks), and once a workspace has a key they
 * must exist, so deleting them is a finding too. A copy travels in the exported public-key file
 * (`keys export-public --out`), kept apart from the database: `audit verify --public-key` then
 * detects even a replayed older marks value, back to the time of that export.
 */
import crypto, { type KeyObject } from 'node:crypto';
import type { Knex } from 'knex';
import { CHAINS, GENESIS, type HeadSigner } from './chain';

export const MARKS_SETTING = 'audit_signed_marks';

export interface ChainMark {
  seq: number;
  hash: string;
}

/** Entries accepted without ever having been covered by a signature, with who, when and why. */
export interface Acceptance {
  chain: string;
  fromSeq: number;
  toSeq: number;
  hash: string;
  at: string;
  actor: string;
  reason: string;
}

export interface SignedMarks {
  v: 1;
  keyId: string;
  marks: Record<string, ChainMark>;
  accepted: Acceptance[];
  signature: string;
}

const isPostgres = (k: Knex) => k.client.config.client === 'pg';

/** The bytes the marks' signature covers: chains in CHAINS order (then any others by name), fixed key order. */
export function marksMessage(m: Omit<SignedMarks, 'signature'>): Buffer {
  const known = CHAINS.map((c) => c.name);
  const names = [...known.filter((n) => m.marks[n]), ...Object.keys(m.marks).filter((n) => !known.includes(n)).sort()];
  const marks = names.map((n) => [n, Number(m.marks[n].seq), String(m.marks[n].hash)]);
  const accepted = m.accepted.map((a) => [a.chain, a.fromSeq, a.toSeq, a.hash, a.at, a.actor, a.reason]);
  return Buffer.from(`yiye-audit-marks/1\n${JSON.stringify([m.keyId, marks, accepted])}`, 'utf8');
}

/** Parses a stored or exported marks value; null when absent, 'malformed' when unreadable. */
export function parseMarks(text: string | null | undefined): SignedMarks | 'malformed' | null {
  if (text == null || text === '') return null;
  try {
    const m = JSON.parse(text) as SignedMarks;
    if (m?.v !== 1 || typeof m.keyId !== 'string' || typeof m.signature !== 'string' || typeof m.marks !== 'object' || !Array.isArray(m.accepted)) return 'malformed';
    for (const v of Object.values(m.marks)) if (!Number.isInteger(v?.seq) || typeof v?.hash !== 'string') return 'malformed';
    return m;
  } catch {
    return 'malformed';
  }
}

/** Reads the workspace's marks (locked on PostgreSQL until the transaction ends). */
export async function readMarks(k: Knex, opts: { lock?: boolean } = {}): Promise<SignedMarks | 'malformed' | null> {
  const q = k('settings').where({ key: MARKS_SETTING }).first('value');
  const row = (await (opts.lock && isPostgres(k) ? q.forUpdate() : q)) as { value: string } | undefined;
  return parseMarks(row?.value);
}

/** Whether the marks were signed by this public key. */
export function marksVerify(m: SignedMarks, key: { key: KeyObject; keyId: string }): boolean {
  if (m.keyId !== key.keyId) return false;
  try {
    return crypto.verify(null, marksMessage(m), key.key, Buffer.from(m.signature, 'base64url'));
  } catch {
    return false;
  }
}

/** Whether the marks were signed by this signer (Ed25519 is deterministic: only its key reproduces the signature). */
export function marksBySigner(m: SignedMarks | 'malformed' | null, signer: HeadSigner): m is SignedMarks {
  return m !== null && m !== 'malformed' && m.keyId === signer.keyId && m.signature === signer.signBytes(marksMessage(m));
}

/** Writes the marks, signed, raising each chain in `raise` (never lowering one) and adding acceptances. */
export async function writeMarks(trx: Knex.Transaction, signer: HeadSigner, base: SignedMarks | null, raise: Record<string, ChainMark>, accepted: Acceptance[] = []): Promise<SignedMarks> {
  const marks: Record<string, ChainMark> = { ...(base?.keyId === signer.keyId ? base.marks : {}) };
  for (const [chain, mark] of Object.entries(raise)) if (!marks[chain] || marks[chain].seq <= mark.seq) marks[chain] = { seq: mark.seq, hash: mark.hash };
  const unsigned = { v: 1 as const, keyId: signer.keyId, marks, accepted: [...(base?.keyId === signer.keyId ? base.accepted : []), ...accepted] };
  const signed: SignedMarks = { ...unsigned, signature: signer.signBytes(marksMessage(unsigned)) };
  await trx('settings').insert({ key: MARKS_SETTING, value: JSON.stringify(signed) }).onConflict('key').merge();
  return signed;
}

/** The first marks of a new key: every chain that holds no entry yet is signed at its start. */
export function genesisMark(): ChainMark {
  return { seq: 0, hash: GENESIS };
}

const BLOCK = 'YIYE AUDIT MARKS';

/** The marks as a PEM-style block appended to an exported public key (PEM readers skip text after the key). */
export function marksBlock(m: SignedMarks): string {
  const b64 = Buffer.from(JSON.stringify(m), 'utf8').toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${BLOCK}-----\n${b64}-----END ${BLOCK}-----\n`;
}

/** The marks block of an exported public-key file, if it has one. */
export function marksFromKeyFile(text: string): SignedMarks | 'malformed' | null {
  const m = new RegExp(`-----BEGIN ${BLOCK}-----([A-Za-z0-9+/=\\s]*)-----END ${BLOCK}-----`).exec(text);
  if (!m) return null;
  return parseMarks(Buffer.from(m[1].replace(/\s+/g, ''), 'base64').toString('utf8'));
}
