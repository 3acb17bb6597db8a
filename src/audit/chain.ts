/**
 * The tamper-evident audit log: every audited table is a hash chain. Each entry carries its position
 * in the chain (`seq`, 1, 2, 3 … without gaps), the hash of the entry before it (`prev_hash`) and its
 * own `hash` = SHA-256 over prev_hash and a canonical serialisation of the entry's audited columns.
 * One `audit_heads` row per chain holds the last seq and hash, written in the same transaction as the
 * entries, so deleting the last entries is detected as well as editing or deleting any other. The
 * head may also carry an Ed25519 signature by the workspace key over (chain, seq, hash): whoever can
 * edit the database but lacks the private key cannot rewrite the signed part of a chain undetected.
 *
 * This module is the only place that knows the serialisation. To chain another append-only table:
 * add its columns in a migration (`addChainColumns`, then `backfillChain`), add a `ChainSpec` to
 * CHAINS, and write its entries with `appendChained(trx, name, rows)` (or `ChainCursor` for batches
 * that insert rows themselves). `yiye audit verify` walks every chain in CHAINS.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { marksBySigner, readMarks, writeMarks, type SignedMarks } from './marks';
import { ExitCode, YiyeError } from '../cli/errors';

// Not imported from src/db: its migrations import this module, and a cycle would hand them a
// half-loaded src/db at start-up.
const SQLITE_CHUNK = 500;
const nowIso = () => new Date().toISOString();
const isPostgres = (k: Knex) => k.client.config.client === 'pg';

export type ColumnType = 'int' | 'text';

export interface ChainSpec {
  /** The chain's name (its `audit_heads.chain`); the table's name. */
  name: string;
  table: string;
  /** How reports name it, in Chinese. */
  label: string;
  /**
   * The audited columns in their canonical order. The row id is among them only where rows exist
   * before they are chained (import_log is inserted when an import starts and chained when it ends);
   * a bulk insert learns its ids only from RETURNING, so there the chain position `seq` identifies.
   */
  columns: ReadonlyArray<readonly [string, ColumnType]>;
}

export const LICENSE_EVENTS_CHAIN: ChainSpec = {
  name: 'license_events',
  table: 'license_events',
  label: '许可证事件日志',
  columns: [
    ['license_id', 'int'],
    ['version', 'int'],
    ['event', 'text'],
    ['event_date', 'text'],
    ['actor', 'text'],
    ['at', 'text'],
    ['reason', 'text'],
    ['details', 'text'],
    ['batch_id', 'int'],
    ['file_name', 'text'],
    ['sheet', 'text'],
    ['row_number', 'int'],
    ['file_sha256', 'text'],
  ],
};

export const IMPORT_LOG_CHAIN: ChainSpec = {
  name: 'import_log',
  table: 'import_log',
  label: '目录导入日志',
  columns: [
    ['id', 'int'],
    ['file_name', 'text'],
    ['sha256', 'text'],
    ['actor', 'text'],
    ['started_at', 'text'],
    ['finished_at', 'text'],
    ['status', 'text'],
    ['counts', 'text'],
  ],
};

/** Every chain, in the order `audit verify` reports them. */
/** The reform tasks' history (`tasks import|update|extract`), one entry per created or changed task. */
export const TASK_UPDATES_CHAIN: ChainSpec = {
  name: 'task_updates',
  table: 'task_updates',
  label: '任务进展日志',
  columns: [
    ['task_id', 'int'],
    ['at', 'text'],
    ['actor', 'text'],
    ['action', 'text'],
    ['changes', 'text'],
    ['progress_text', 'text'],
    ['source_file', 'text'],
    ['source_sheet', 'text'],
    ['source_row', 'int'],
  ],
};

/** 双随机抽查: every draw, redraw and import of inspectors, risk classes and results (`yiye inspect …`). */
export const INSPECTION_LOG_CHAIN: ChainSpec = {
  name: 'inspection_log',
  table: 'inspection_log',
  label: '双随机抽查日志',
  columns: [
    ['action', 'text'],
    ['draw_id', 'text'],
    ['actor', 'text'],
    ['at', 'text'],
    ['reason', 'text'],
    ['details', 'text'],
    ['file_name', 'text'],
    ['file_sha256', 'text'],
  ],
};

export const CHAINS: ChainSpec[] = [LICENSE_EVENTS_CHAIN, IMPORT_LOG_CHAIN, TASK_UPDATES_CHAIN, INSPECTION_LOG_CHAIN];

/** A chain holds entries but its `audit_heads` row is gone: exit 4 with the way out. */
export class HeadMissingError extends YiyeError {
  constructor(readonly spec: ChainSpec) {
    super(
      `${spec.label}（${spec.table}）的链头记录（audit_heads）缺失，未写入任何记录。`,
      'AUDIT_HEAD_MISSING',
      ExitCode.conflict,
      '链头记录被删除后无法确认链尾是否也被删除。请先运行 `yiye audit verify` 查看；确认记录完整后运行 `yiye audit repair-head`，按逐条核对后的链重建链头（会留下记录），再重试。',
    );
  }
}

export function chainSpec(name: string): ChainSpec {
  const spec = CHAINS.find((c) => c.name === name);
  if (!spec) throw new Error(`unknown audit chain ${name}`);
  return spec;
}

/** prev_hash of a chain's first entry. */
export const GENESIS = '0'.repeat(64);

/** A row's audited values: integers as numbers, everything else as text, absent as null. */
function canonicalValue(v: unknown, type: ColumnType): number | string | null {
  if (v === null || v === undefined) return null;
  return type === 'int' ? Number(v) : String(v);
}

/**
 * The canonical serialisation of one entry: a JSON array of the chain's name, the entry's seq and
 * its audited values in the spec's order. JSON.stringify of strings and integers is the same on
 * every Node version and for both databases' values once normalised as above.
 */
export function canonical(spec: ChainSpec, seq: number, row: Record<string, unknown>): string {
  const values: Array<number | string | null> = [spec.name, seq];
  for (const [col, type] of spec.columns) values.push(canonicalValue(row[col], type));
  return JSON.stringify(values);
}

/** An entry's hash: SHA-256 (hex) over the previous entry's hash, a line break and the entry's canonical text. */
function hashOf(prevHash: string, canonicalText: string): string {
  return crypto.createHash('sha256').update(prevHash).update('\n').update(canonicalText).digest('hex');
}

export function entryHash(prevHash: string, spec: ChainSpec, seq: number, row: Record<string, unknown>): string {
  return hashOf(prevHash, canonical(spec, seq, row));
}

/** The text a head signature covers. */
export function headMessage(chain: string, seq: number, hash: string): Buffer {
  return Buffer.from(`yiye-audit-head/1\n${chain}\n${seq}\n${hash}`, 'utf8');
}

export interface ChainLink {
  seq: number;
  prev_hash: string;
  hash: string;
}

/** What can sign a head: the licence signer (src/license/signer.ts) fits. */
export interface HeadSigner {
  keyId: string;
  signBytes(data: Buffer): string;
}

export interface HeadRow {
  chain: string;
  seq: number | string;
  hash: string;
  updated_at: string | null;
  signed_seq: number | string | null;
  signed_hash: string | null;
  signature: string | null;
  key_id: string | null;
}

/**
 * A chain's head inside one writing transaction: locked (FOR UPDATE on PostgreSQL; on SQLite the
 * transaction already holds the database's write lock once it has written), read once, advanced in
 * memory as entries are linked, and written back by `save` before the transaction commits. A batch
 * of 100k entries thus costs one head read and one head write, not one per entry.
 */
export class ChainCursor {
  private saved: { seq: number; hash: string };
  private seq: number;
  private hash: string;

  private constructor(
    readonly spec: ChainSpec,
    /** The head as it was when the transaction locked it. */
    private readonly opened: HeadRow,
  ) {
    this.seq = Number(opened.seq);
    this.hash = opened.hash;
    this.saved = { seq: this.seq, hash: this.hash };
  }

  /** Locks and reads the chain's head (creating it for a chain registered after the workspace). */
  static async open(trx: Knex.Transaction, name: string): Promise<ChainCursor> {
    const spec = chainSpec(name);
    return new ChainCursor(spec, await lockHead(trx, name));
  }

  /** Links the next entry: its seq, prev_hash and hash. */
  next(row: Record<string, unknown>): ChainLink {
    return this.advance(canonical(this.spec, this.seq + 1, row));
  }

  /**
   * `next` for a batch whose entries share most values (a licence batch: same event, date, actor,
   * file …): the shared values are serialised once, each entry only adds its own. Gives exactly
   * `canonical`'s text (JSON.stringify of an array is its elements' JSON joined by commas), at a
   * fraction of the cost on 100k entries (test/audit/unit.test.ts holds the two equal).
   */
  linker(shared: Record<string, unknown>): (own: Record<string, unknown>) => ChainLink {
    const fixed: Array<string | null> = [];
    const cols: string[] = [];
    const types: ColumnType[] = [];
    for (const [col, type] of this.spec.columns) {
      fixed.push(col in shared ? JSON.stringify(canonicalValue(shared[col], type)) : null);
      cols.push(col);
      types.push(type);
    }
    const name = JSON.stringify(this.spec.name);
    return (own) => {
      let text = `[${name},${this.seq + 1}`;
      for (let i = 0; i < cols.length; i++) text += `,${fixed[i] ?? JSON.stringify(canonicalValue(own[cols[i]], types[i]))}`;
      return this.advance(`${text}]`);
    };
  }

  private advance(canonicalText: string): ChainLink {
    const seq = this.seq + 1;
    const prev = this.hash;
    const hash = hashOf(prev, canonicalText);
    this.seq = seq;
    this.hash = hash;
    return { seq, prev_hash: prev, hash };
  }

  /** Where the chain stands now (for a savepoint that may roll back). */
  mark(): { seq: number; hash: string } {
    return { seq: this.seq, hash: this.hash };
  }

  reset(m: { seq: number; hash: string }): void {
    this.seq = m.seq;
    this.hash = m.hash;
  }

  /**
   * Writes the head back. With a signer the head is signed as it now stands — but only when the
   * chain has an anchor the key vouched for (the signed high-water mark, src/audit/marks.ts, and a
   * valid head signature at or past it) and the entries written since, by writers without the key,
   * still verify; otherwise the earlier signature stays, so that tampering remains detectable and a
   * signature is never extended over entries no signature ever covered (`audit sign
   * --accept-unsigned` is the one way to do that, recorded). Without a signer the earlier signature
   * stays too, covering the chain up to the entry it names (`audit verify` reports the rest as unsigned).
   */
  async save(trx: Knex.Transaction, signer?: HeadSigner | null): Promise<void> {
    if (this.seq === this.saved.seq && !signer) return;
    const update: Record<string, unknown> = { seq: this.seq, hash: this.hash, updated_at: nowIso() };
    const marks = signer ? await readMarks(trx, { lock: true }) : null;
    const sign = !!signer && marksBySigner(marks, signer) && (await this.extendable(trx, signer, marks));
    if (sign) Object.assign(update, signedColumns(this.spec.name, this.seq, this.hash, signer));
    await trx('audit_heads').where({ chain: this.spec.name }).update(update);
    if (sign) await writeMarks(trx, signer, marks as SignedMarks, { [this.spec.name]: { seq: this.seq, hash: this.hash } });
    this.saved = { seq: this.seq, hash: this.hash };
  }

  /**
   * Whether the chain as it stood when locked is anchored (see `anchorOf`) and the entries after the
   * anchor link and hash correctly up to the head.
   */
  private async extendable(trx: Knex.Transaction, signer: HeadSigner, marks: SignedMarks): Promise<boolean> {
    const h = this.opened;
    const anchor = anchorOf(this.spec.name, h, marks, signer);
    if (!anchor) return false;
    return chainLinksFrom(trx, this.spec, anchor, { seq: Number(h.seq), hash: h.hash });
  }
}

/**
 * Where a signature may be extended from: the head's own signature, when it verifies (by signing its
 * message again: Ed25519 signatures are deterministic, so only our own key reproduces it) and reaches
 * at least the chain's signed high-water mark; or the start of a chain that was never signed and
 * holds no entry. Null otherwise: the head's signature was stripped or replaced by an older one, or
 * the chain holds entries no signature ever covered.
 */
export function anchorOf(chain: string, h: HeadRow, marks: SignedMarks, signer: HeadSigner): { seq: number; hash: string } | null {
  const mark = marks.marks[chain];
  if (h.signed_seq != null && h.signed_hash != null && h.signature != null) {
    const seq = Number(h.signed_seq);
    if (h.key_id !== signer.keyId || h.signature !== signer.signBytes(headMessage(chain, seq, h.signed_hash))) return null;
    if (mark && (seq < mark.seq || (seq === mark.seq && h.signed_hash !== mark.hash))) return null;
    return { seq, hash: h.signed_hash };
  }
  return !mark && Number(h.seq) === 0 ? { seq: 0, hash: GENESIS } : null;
}

/** Whether the entries after `from` link and hash correctly up to `to` (the head). */
async function chainLinksFrom(trx: Knex.Transaction, spec: ChainSpec, from: { seq: number; hash: string }, to: { seq: number; hash: string }): Promise<boolean> {
  let { seq, hash } = from;
  while (seq < to.seq) {
    const rows = (await trx(spec.table).where('seq', '>', seq).where('seq', '<=', to.seq).orderBy('seq').limit(SQLITE_CHUNK).select()) as Array<Record<string, unknown>>;
    if (rows.length === 0) return false;
    for (const r of rows) {
      const next = seq + 1;
      if (Number(r.seq) !== next || r.prev_hash !== hash || entryHash(hash, spec, next, r) !== r.hash) return false;
      seq = next;
      hash = String(r.hash);
    }
  }
  return seq === to.seq && hash === to.hash;
}

export function signedColumns(chain: string, seq: number, hash: string, signer: HeadSigner): Record<string, unknown> {
  return { signed_seq: seq, signed_hash: hash, signature: signer.signBytes(headMessage(chain, seq, hash)), key_id: signer.keyId };
}

async function lockHead(trx: Knex.Transaction, chain: string): Promise<HeadRow> {
  const read = () => {
    const q = trx('audit_heads').where({ chain }).first();
    return (isPostgres(trx) ? q.forUpdate() : q) as Promise<HeadRow | undefined>;
  };
  let head = await read();
  if (!head) {
    // A chain with entries but no head: the head row was deleted. A new head at 0 would collide with
    // entry 1 (and hide a cut-off tail); refuse until `audit repair-head` re-derives it after a walk.
    const spec = chainSpec(chain);
    const last = (await trx(spec.table).max({ m: 'seq' }).first()) as { m: number | string | null } | undefined;
    if (last?.m != null && Number(last.m) > 0) {
      throw new HeadMissingError(spec);
    }
    await trx('audit_heads').insert({ chain, seq: 0, hash: GENESIS, updated_at: nowIso() }).onConflict('chain').ignore();
    head = (await read())!;
  }
  return head;
}

/**
 * Locks the chain's head until the transaction ends. A transaction that will append to a chain
 * takes this first, so that every writer of the chain queues on the same row in the same order
 * (taken late, after other row locks, two writers could wait on each other).
 */
export async function lockChain(trx: Knex.Transaction, name: string): Promise<void> {
  chainSpec(name);
  await lockHead(trx, name);
}

/**
 * Appends entries to a chain: links them (in the given order), inserts them with their seq,
 * prev_hash and hash, and advances the head, all inside `trx`. Returns the inserted ids in order.
 * The one call another append-only table needs once its ChainSpec is registered.
 */
export async function appendChained(trx: Knex.Transaction, name: string, rows: Array<Record<string, unknown>>, opts: { signer?: HeadSigner | null } = {}): Promise<number[]> {
  const cursor = await ChainCursor.open(trx, name);
  const linked = rows.map((r) => ({ ...r, ...cursor.next(r) }));
  const ids: number[] = [];
  const width = Math.max(1, Object.keys(linked[0] ?? {}).length);
  const per = Math.max(1, Math.floor(SQLITE_CHUNK / Math.ceil(width / 2)));
  for (let i = 0; i < linked.length; i += per) {
    const res = (await trx(cursor.spec.table).insert(linked.slice(i, i + per)).returning('id')) as Array<number | { id: number }>;
    for (const r of res) ids.push(typeof r === 'object' ? r.id : r);
  }
  await cursor.save(trx, opts.signer);
  return ids;
}

/**
 * Chains rows that were inserted earlier in this transaction and are final now (import_log: a row
 * is written when an import starts, so that what it imports can name it, and finished when it ends).
 * Rows are chained in id order; once chained, the database refuses to change or delete them.
 */
export async function sealChained(trx: Knex.Transaction, name: string, ids: number[], opts: { signer?: HeadSigner | null } = {}): Promise<void> {
  const cursor = await ChainCursor.open(trx, name);
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < ids.length; i += SQLITE_CHUNK) rows.push(...((await trx(cursor.spec.table).whereIn('id', ids.slice(i, i + SQLITE_CHUNK)).select()) as Array<Record<string, unknown>>));
  rows.sort((a, b) => Number(a.id) - Number(b.id));
  for (const r of rows) {
    if (r.hash != null) continue;
    await trx(cursor.spec.table).where({ id: r.id }).update(cursor.next(r));
  }
  await cursor.save(trx, opts.signer);
}

// ---------------------------------------------------------------------------------------------
// Schema helpers for migrations (this one and any later one that chains another table)
// ---------------------------------------------------------------------------------------------

/** Adds seq, prev_hash and hash (and a unique index on seq) to a table. */
export async function addChainColumns(knex: Knex, table: string): Promise<void> {
  await knex.schema.alterTable(table, (t) => {
    t.integer('seq');
    t.string('prev_hash', 64);
    t.string('hash', 64);
  });
  await knex.raw(`CREATE UNIQUE INDEX ?? ON ?? (seq)`, [`${table}_chain_seq`, table]);
}

/**
 * Makes a table append-only in the database itself (UPDATE and DELETE refused by triggers), not
 * only by convention in the code. `table` is one of yiye's own table names, never user input.
 */
export async function makeAppendOnly(knex: Knex, table: string): Promise<void> {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
  if (isPostgres(knex)) {
    await knex.raw(`CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '${table} is append-only'; END $$`);
    await knex.raw(`CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`);
  } else {
    await knex.raw(`CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
      BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`);
    await knex.raw(`CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
      BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`);
  }
}

/** Lifts what `makeAppendOnly` set (a migration's `down`). */
export async function dropAppendOnly(knex: Knex, table: string): Promise<void> {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
  if (isPostgres(knex)) {
    await knex.raw(`DROP TRIGGER IF EXISTS ${table}_no_change ON ${table}`);
    await knex.raw(`DROP FUNCTION IF EXISTS ${table}_append_only()`);
  } else {
    await knex.raw(`DROP TRIGGER IF EXISTS ${table}_no_update`);
    await knex.raw(`DROP TRIGGER IF EXISTS ${table}_no_delete`);
  }
}

/**
 * Removes them again (a migration's `down`). SQLite drops columns in place (3.35+) rather than
 * through knex's table copy, which would lose the table's triggers.
 */
export async function dropChainColumns(knex: Knex, table: string): Promise<void> {
  await knex.raw(`DROP INDEX IF EXISTS ??`, [`${table}_chain_seq`]);
  for (const col of ['hash', 'prev_hash', 'seq']) await knex.raw(`ALTER TABLE ?? DROP COLUMN ??`, [table, col]);
}

/**
 * Chains a table's existing rows in id order and sets its head (unsigned: a migration has no key).
 * The caller lifts any append-only trigger around it.
 */
export async function backfillChain(knex: Knex, spec: ChainSpec): Promise<number> {
  let seq = 0;
  let hash = GENESIS;
  let lastId = 0;
  for (;;) {
    const rows = (await knex(spec.table).where('id', '>', lastId).orderBy('id').limit(SQLITE_CHUNK).select()) as Array<Record<string, unknown>>;
    if (rows.length === 0) break;
    for (const r of rows) {
      seq++;
      const h = entryHash(hash, spec, seq, r);
      await knex(spec.table).where({ id: r.id }).update({ seq, prev_hash: hash, hash: h });
      hash = h;
      lastId = Number(r.id);
    }
  }
  await knex('audit_heads').insert({ chain: spec.name, seq, hash, updated_at: nowIso() }).onConflict('chain').merge();
  return seq;
}
