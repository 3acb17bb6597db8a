/**
 * Licence storage (knex only): typed rows, the catalog look-ups issuance needs, the gapless number
 * sequence, and reading a licence back as its domain form.
 */
import { isoLocal } from '../text/time';
import type { Knex } from 'knex';
import { dialectOf, nowIso, SQLITE_CHUNK } from '../db';
import { waitForLock } from '../db/retry';
import { selectIn, toBool } from '../catalog/store';
import { normalizeText, toHalfWidth } from '../text/normalize';
import { EVENT_LABEL, STATUS_LABEL, type License, type LicenseEvent, type LicenseEventKind, type LicenseItem, type LicenseStatus, type LicenseVersion } from './types';

export interface LicenseRow {
  id: number;
  number: string;
  industry_id: number;
  application_no: string;
  issue_date: string;
  status: LicenseStatus;
  status_date: string | null;
  status_reason: string | null;
  current_version: number;
  uscc: string;
  holder_name: string;
  premises: string;
  premises_key: string;
  valid_until: string;
  batch_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface VersionRow {
  id: number;
  license_id: number;
  version: number;
  holder_name: string;
  uscc: string;
  legal_rep: string;
  industry_id: number;
  premises: string;
  authority_name: string;
  issue_date: string;
  valid_until: string;
  superseded_at: string | null;
  payload: string;
  signature: string;
  key_id: string;
  batch_id: number | null;
  created_at: string;
}

export interface ItemRow {
  version_id: number;
  matter_id: number;
  seq: number;
  permit_no: string | null;
  valid_until: string | null;
}

export interface EventRow {
  id: number;
  license_id: number;
  version: number;
  event: LicenseEventKind;
  event_date: string;
  actor: string;
  at: string;
  reason: string | null;
  details: string | null;
  batch_id: number | null;
  file_name: string | null;
  sheet: string | null;
  row_number: number | null;
  file_sha256: string | null;
}

/** A name as compared: half-width, no spaces (“饭店　”, “烘焙店(面包房)” and “烘焙店（面包房）” match). */
export function nameKey(s: string): string {
  return toHalfWidth(normalizeText(s)).replace(/\s+/g, '');
}

/** Premises as compared for "already licensed here": half-width, no spaces, upper case. */
export function premisesKey(s: string): string {
  return nameKey(s).toUpperCase();
}

export interface CatalogMatter {
  id: number;
  code: string | null;
  name: string;
}

export interface CatalogIndustry {
  id: number;
  code: string | null;
  name: string;
  /** matter id → link (mandatory or the condition under which it applies), in catalog order */
  links: Map<number, { mandatory: boolean; condition: string | null; seq: number }>;
}

/**
 * Adds to a memo of cell texts, starting it afresh past 10,000 entries: a batch whose every row
 * misspells a name differently must not grow the memo (and the workbook text its keys are cut from)
 * with the batch.
 */
function remember<V>(memo: Map<string, V>, key: string, value: V): void {
  if (memo.size >= 10_000) memo.clear();
  memo.set(key, value);
}

/** The catalog as issuance needs it, loaded once per batch (dozens of industries and matters). */
export class CatalogIndex {
  readonly industries: CatalogIndustry[] = [];
  readonly matters = new Map<number, CatalogMatter>();
  private industryByKey = new Map<string, CatalogIndustry>();
  private byId = new Map<number, CatalogIndustry>();
  private matterByKey = new Map<string, CatalogMatter>();
  /** Raw cell text → matter: a 100k-row batch names the same few dozen matters over and over. */
  private matterMemo = new Map<string, CatalogMatter | undefined>();
  private industryMemo = new Map<string, CatalogIndustry | undefined>();

  static async load(db: Knex): Promise<CatalogIndex> {
    const idx = new CatalogIndex();
    const inds: Array<{ id: number; code: string | null; name: string }> = await db('industries').select('id', 'code', 'name').orderBy('id');
    for (const r of inds) {
      const ind: CatalogIndustry = { ...r, links: new Map() };
      idx.industries.push(ind);
      idx.byId.set(r.id, ind);
      idx.industryByKey.set(nameKey(r.name), ind);
      if (r.code) idx.industryByKey.set(nameKey(r.code), ind);
    }
    const ms: CatalogMatter[] = await db('matters').select('id', 'code', 'name').orderBy('id');
    for (const m of ms) {
      idx.matters.set(m.id, m);
      idx.matterByKey.set(nameKey(m.name), m);
      if (m.code) idx.matterByKey.set(nameKey(m.code), m);
    }
    const links: Array<{ industry_id: number; matter_id: number; mandatory: boolean | number; condition: string | null; seq: number }> = await db('industry_matters').select();
    for (const l of links) idx.byId.get(l.industry_id)?.links.set(l.matter_id, { mandatory: !!toBool(l.mandatory), condition: l.condition, seq: l.seq });
    return idx;
  }

  industry(text: string): CatalogIndustry | undefined {
    if (!this.industryMemo.has(text)) remember(this.industryMemo, text, this.industryByKey.get(nameKey(text)));
    return this.industryMemo.get(text);
  }

  industryById(id: number): CatalogIndustry {
    const ind = this.byId.get(id);
    if (!ind) throw new Error(`industry ${id} missing from the catalog`);
    return ind;
  }

  matter(text: string): CatalogMatter | undefined {
    if (!this.matterMemo.has(text)) remember(this.matterMemo, text, this.matterByKey.get(nameKey(text)));
    return this.matterMemo.get(text);
  }

  private mandatoryMemo = new Map<number, CatalogMatter[]>();

  /** Matters of the industry that are mandatory (必办), in catalog order. */
  mandatory(ind: CatalogIndustry): CatalogMatter[] {
    let list = this.mandatoryMemo.get(ind.id);
    if (!list) {
      list = [...ind.links.entries()].filter(([, l]) => l.mandatory).sort((a, b) => a[1].seq - b[1].seq).map(([id]) => this.matters.get(id)!);
      this.mandatoryMemo.set(ind.id, list);
    }
    return list;
  }
}

/** A licence as a re-run batch row is matched against: its number and whose, for which industry. */
export interface IssuedApplication {
  number: string;
  uscc: string;
  industryId: number;
}

/**
 * Licences already issued for these 申请编号, by application (one IN query per 500). The holder's
 * code and the industry tell a re-run of the same application from a 申请编号 reused for another
 * (neither changes over a licence's life).
 */
export async function issuedByApplication(trx: Knex.Transaction, applicationNos: string[]): Promise<Map<string, IssuedApplication>> {
  const rows = await selectIn<LicenseRow>(trx, 'licenses', 'application_no', [...new Set(applicationNos)]);
  return new Map(rows.map((l) => [l.application_no, { number: l.number, uscc: l.uscc, industryId: Number(l.industry_id) }]));
}

/**
 * Valid licences of these holders, keyed by code, industry and premises key, through the partial
 * unique index on (uscc, industry_id, premises_key) WHERE status = 'valid'. Without the status term
 * no index serves the look-up, and SQLite (without statistics) would pick the (status, valid_until)
 * index, so it is named there: either way each look-up would scan every licence, and a batch that
 * looks up as it inserts would slow down as it goes (measured: 14.7 s of 100k licences' 68 s).
 */
export async function validLicensesOf(trx: Knex.Transaction, usccs: string[], holders?: Map<string, { holder: string; number: string }>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(usccs)];
  for (let i = 0; i < unique.length; i += SQLITE_CHUNK) {
    const rows = (await trx(dialectOf(trx) === 'sqlite' ? trx.raw('?? INDEXED BY ??', ['licenses', 'licenses_one_valid']) : 'licenses')
      .whereRaw(`status = 'valid'`)
      .whereIn('uscc', unique.slice(i, i + SQLITE_CHUNK))
      .select('uscc', 'industry_id', 'premises_key', 'number', 'holder_name')) as Array<Pick<LicenseRow, 'uscc' | 'industry_id' | 'premises_key' | 'number' | 'holder_name'>>;
    for (const l of rows) {
      out.set(businessKey(l.uscc, l.industry_id, l.premises_key), l.number);
      // `holders`: the holder name a code's valid licence carries (one per code is enough to compare)
      if (holders && !holders.has(l.uscc)) holders.set(l.uscc, { holder: l.holder_name, number: l.number });
    }
  }
  return out;
}

/**
 * One business for "already licensed here": holder's code, industry and premises key. A new flat
 * string (JSON.stringify copies): a batch keeps 100k of these, and a key made by concatenation
 * would keep the workbook text its parts were cut from.
 */
export function businessKey(uscc: string, industryId: number, premisesKey: string): string {
  return JSON.stringify([uscc, industryId, premisesKey]);
}

/** Any fixed number: the key of PostgreSQL's advisory lock that issuing batches take in turn. */
const ISSUE_LOCK_KEY = 0x7969_7965; // "yiye"

/**
 * Makes the issuing transaction the only one that numbers licences until it ends. A batch takes
 * numbers chunk by chunk as it reads its file, in whatever order its industries come, so two batches
 * locking sequence rows one by one could wait on each other in a cycle; on PostgreSQL they queue on
 * one transaction-scoped advisory lock instead, and whatever the second reads after it is granted
 * already includes the first one's commit. On SQLite the batch's first write (`createBatch`) takes
 * the database's write lock, which serves the same purpose.
 */
export async function lockIssuing(trx: Knex.Transaction): Promise<void> {
  // bounded: waitForLock gives up with exit 4 after the lock budget (YIYE_LOCK_WAIT) instead of hanging
  if (dialectOf(trx) === 'postgres') await waitForLock(trx, ISSUE_LOCK_KEY);
}

/**
 * The gapless number sequences of (year, industry), drawn from inside the issuing transaction: a
 * rolled-back batch gives its numbers back. Each sequence row is read once (locked FOR UPDATE on
 * PostgreSQL until the transaction ends) and then counted on in memory, so a batch that takes numbers
 * 500 licences at a time does not read and write the row for every chunk; `save` writes the last
 * numbers back and must run before the transaction commits.
 */
export class NumberSequences {
  private last = new Map<string, { year: number; industryId: number; last: number; saved: number }>();

  /** Takes `count` consecutive numbers from the sequence of (year, industry); returns the first. */
  async take(trx: Knex.Transaction, year: number, industryId: number, count: number): Promise<number> {
    const key = `${year}:${industryId}`;
    let seq = this.last.get(key);
    if (!seq) {
      await trx('license_number_seq').insert({ year, industry_id: industryId, last_seq: 0 }).onConflict(['year', 'industry_id']).ignore();
      const q = trx('license_number_seq').where({ year, industry_id: industryId }).first('last_seq');
      const row = (await (dialectOf(trx) === 'postgres' ? q.forUpdate() : q)) as { last_seq: number | string };
      seq = { year, industryId, last: Number(row.last_seq), saved: Number(row.last_seq) };
      this.last.set(key, seq);
    }
    const first = seq.last + 1;
    seq.last += count;
    return first;
  }

  async save(trx: Knex.Transaction): Promise<void> {
    for (const seq of this.last.values()) {
      if (seq.last === seq.saved) continue;
      await trx('license_number_seq').where({ year: seq.year, industry_id: seq.industryId }).update({ last_seq: seq.last });
      seq.saved = seq.last;
    }
  }
}

/** Rows to insert as value arrays in `columns` order, plus values that are the same for every row. */
export interface BulkRows {
  columns: string[];
  rows: unknown[][];
  /** column → value shared by all rows (batch id, dates, status …) */
  constants?: Record<string, unknown>;
  /**
   * Columns (of `columns`) whose values the row's licence — the one its `license_id` names — holds
   * under the same names. SQLite copies them from that licence within the statement (a primary-key
   * join) instead of receiving them again; PostgreSQL binds the given values.
   */
  sameAsLicense?: string[];
}

/** PostgreSQL (and SQLite's default) allow 32766+ bound values per statement; stay well under it. */
function rowsPerStatement(width: number): number {
  return Math.max(1, Math.min(SQLITE_CHUNK, Math.floor(30000 / Math.max(1, width))));
}

const quoted = (cols: string[]) => cols.map((c) => `"${c}"`).join(',');

/**
 * One multi-row INSERT per ≤ 500 rows, written directly rather than through knex's builder: on 100k
 * licences the builder's per-row compilation cost more than the database did (DOMAIN.md "Bulk
 * inserts"). Values are always bound parameters; column names are our own constants.
 *
 * On SQLite the rows travel as ONE bound JSON text that SQLite unpacks itself (json_each, `->>`):
 * the sqlite3 driver converts each bound value to C on the main thread (~1 µs each; a value per
 * column per row came to 6M values, 5 s, for 100k licences), while JSON.stringify is fast and the
 * unpacking runs with the statement on the driver's thread, beside the main thread's reading of the
 * next rows. JSON keeps the types we store (text, integers, null). PostgreSQL types parameters by
 * their target columns only in a plain VALUES list, so there each row carries its own and the shared
 * values.
 */
function insertStatement(trx: Knex.Transaction, table: string, b: BulkRows, rows: unknown[][], returning?: string[]): Knex.Raw {
  const constCols = Object.keys(b.constants ?? {});
  const constVals = constCols.map((c) => b.constants![c] ?? null);
  const ret = returning ? ` RETURNING ${quoted(returning)}` : '';
  const into = `INSERT INTO "${table}" (${quoted([...b.columns, ...constCols])})`;
  if (dialectOf(trx) === 'sqlite') {
    const copied = new Set(b.sameAsLicense ?? []);
    const sent = b.columns.map((_, i) => i).filter((i) => !copied.has(b.columns[i]));
    const at = new Map(sent.map((col, k) => [col, k]));
    const select = [...b.columns.map((c, i) => (copied.has(c) ? `l."${c}"` : `j.value ->> ${at.get(i)}`)), ...constCols.map(() => '?')].join(',');
    const join = copied.size ? ` JOIN "licenses" AS l ON l.id = j.value ->> ${at.get(b.columns.indexOf('license_id'))}` : '';
    const payload = copied.size ? rows.map((r) => sent.map((i) => r[i] ?? null)) : rows;
    return trx.raw(`${into} SELECT ${select} FROM json_each(?) AS j${join}${ret}`, [...constVals, JSON.stringify(payload)] as Knex.RawBinding[]);
  }
  const bindings: unknown[] = [];
  for (const r of rows) {
    for (let i = 0; i < b.columns.length; i++) bindings.push(r[i] ?? null);
    for (const v of constVals) bindings.push(v);
  }
  const tuple = `(${new Array(b.columns.length + constCols.length).fill('?').join(',')})`;
  return trx.raw(`${into} VALUES ${new Array(rows.length).fill(tuple).join(',')}${ret}`, bindings as Knex.RawBinding[]);
}

/** Inserts the rows (both databases) and returns the `returning` columns of each inserted row. */
export async function bulkInsert<T = never>(trx: Knex.Transaction, table: string, b: BulkRows, returning?: string[]): Promise<T[]> {
  const out: T[] = [];
  const per = rowsPerStatement(b.columns.length + Object.keys(b.constants ?? {}).length);
  for (let i = 0; i < b.rows.length; i += per) {
    const res = (await insertStatement(trx, table, b, b.rows.slice(i, i + per), returning)) as T[] | { rows: T[] };
    if (returning) out.push(...(Array.isArray(res) ? res : res.rows));
  }
  return out;
}

/**
 * Opens a licence batch (发证批次 / 办理批次): its id is the 批次号 the clerk sees (`license batches`,
 * `print --batch`). Numbered max + 1 inside the transaction rather than by the id sequence, so a
 * batch rolled back or removed as empty (`dropBatchIfEmpty`) leaves no gap: batch numbers are
 * consecutive. On SQLite the insert takes the write lock; on PostgreSQL two batches taking the same
 * number collide on the primary key (23505) and the later one is retried (src/db/retry.ts).
 */
export async function createBatch(trx: Knex.Transaction, kind: 'issue' | 'apply', actor: string, file?: { name: string; sha256: string }): Promise<number> {
  const [row] = await trx('license_batches')
    .insert({ id: trx.raw('(SELECT COALESCE(MAX(id), 0) + 1 FROM license_batches)'), kind, file_name: file?.name ?? null, sha256: file?.sha256 ?? null, actor, started_at: nowIso() })
    .returning('id');
  return Number(typeof row === 'object' ? (row as { id: number }).id : (row as number));
}

/** A batch that wrote nothing (a re-run, every row done before) is not kept: `license batches` lists only batches that issued or changed licences. */
export async function dropBatchIfEmpty(trx: Knex.Transaction, id: number, written: number): Promise<boolean> {
  if (written > 0) return false;
  await trx('license_batches').where({ id }).del();
  return true;
}

/**
 * Takes SQLite's write lock as a transaction's first statement (a write that changes nothing), for
 * single operations that open no batch; PostgreSQL writers queue on their row locks instead.
 */
export async function takeWriteLock(trx: Knex.Transaction): Promise<void> {
  if (dialectOf(trx) !== 'postgres') await trx('license_batches').where('id', -1).del();
}

export async function finishBatch(trx: Knex.Transaction, id: number, counts: object): Promise<void> {
  await trx('license_batches').where({ id }).update({ finished_at: nowIso(), counts: JSON.stringify(counts) });
}

/** A licence number as typed: full-width characters, blanks and letter case do not matter (…pd-01000001 is …PD-01000001). */
export function normalizeLicenseNumber(number: string): string {
  return toHalfWidth(number).replace(/\s+/g, '').toUpperCase();
}

/** The licence of a number typed in any case (the exact stored form first: one indexed look-up). */
export async function licenseByNumber(db: Knex, number: string): Promise<LicenseRow | undefined> {
  const n = normalizeLicenseNumber(number);
  const exact = (await db('licenses').where({ number: n }).first()) as LicenseRow | undefined;
  if (exact || !n) return exact;
  // a pattern whose industry codes hold lower-case letters: compare case-insensitively
  return (await db('licenses').whereRaw('UPPER(number) = ?', [n]).first()) as LicenseRow | undefined;
}

export async function versionsOf(db: Knex, licenseId: number): Promise<VersionRow[]> {
  return (await db('license_versions').where({ license_id: licenseId }).orderBy('version')) as VersionRow[];
}

export async function itemsOf(db: Knex, versionIds: number[]): Promise<Map<number, ItemRow[]>> {
  const rows = await selectIn<ItemRow>(db, 'license_items', 'version_id', versionIds);
  rows.sort((a, b) => a.seq - b.seq);
  const out = new Map<number, ItemRow[]>();
  for (const r of rows) {
    const list = out.get(r.version_id) ?? [];
    list.push(r);
    out.set(r.version_id, list);
  }
  return out;
}

/** 'expired' for a valid licence past its validity on `asOf`; otherwise the stored status. */
export function effectiveStatus(status: LicenseStatus, validUntil: string, asOf: string): LicenseStatus {
  return status === 'valid' && validUntil < asOf ? 'expired' : status;
}

export function itemToDomain(r: ItemRow, catalog: CatalogIndex): LicenseItem {
  const m = catalog.matters.get(r.matter_id);
  return { matterCode: m?.code ?? null, matterName: m?.name ?? `#${r.matter_id}`, permitNo: r.permit_no, validUntil: r.valid_until };
}

export function versionToDomain(v: VersionRow, items: ItemRow[], catalog: CatalogIndex): LicenseVersion {
  const ind = catalog.industryById(v.industry_id);
  return {
    version: v.version,
    holderName: v.holder_name,
    uscc: v.uscc,
    legalRep: v.legal_rep,
    industry: ind.name,
    industryCode: ind.code,
    premises: v.premises,
    authorityName: v.authority_name,
    issueDate: v.issue_date,
    validUntil: v.valid_until,
    supersededAt: v.superseded_at,
    items: items.map((i) => itemToDomain(i, catalog)),
    payload: v.payload,
    keyId: v.key_id,
    batchId: v.batch_id === null ? null : Number(v.batch_id),
  };
}

export function licenseToDomain(l: LicenseRow, current: LicenseVersion, asOf: string): License {
  return {
    number: l.number,
    applicationNo: l.application_no,
    status: l.status,
    statusLabel: STATUS_LABEL[l.status],
    effectiveStatus: effectiveStatus(l.status, l.valid_until, asOf),
    statusDate: l.status_date,
    statusReason: l.status_reason,
    issueDate: l.issue_date,
    currentVersion: l.current_version,
    current,
    batchId: l.batch_id === null ? null : Number(l.batch_id),
  };
}

export function eventToDomain(e: EventRow): LicenseEvent {
  return {
    event: e.event,
    eventLabel: EVENT_LABEL[e.event],
    version: e.version,
    date: e.event_date,
    actor: e.actor,
    at: isoLocal(e.at),
    reason: e.reason,
    details: e.details ? (JSON.parse(e.details) as Record<string, unknown>) : null,
    file: e.file_name,
    sheet: e.sheet,
    row: e.row_number,
    batchId: e.batch_id === null ? null : Number(e.batch_id),
  };
}

/** Loads full licences (current version and its items) for the given licence rows. */
export async function loadLicenses(db: Knex, rows: LicenseRow[], catalog: CatalogIndex, asOf: string): Promise<License[]> {
  const out: License[] = [];
  for (let i = 0; i < rows.length; i += SQLITE_CHUNK) {
    const chunk = rows.slice(i, i + SQLITE_CHUNK);
    const versions = (await db('license_versions')
      .whereIn('license_id', chunk.map((r) => r.id))
      .whereNull('superseded_at')) as VersionRow[];
    const byLicense = new Map(versions.map((v) => [v.license_id, v]));
    const items = await itemsOf(db, versions.map((v) => v.id));
    for (const r of chunk) {
      const v = byLicense.get(r.id);
      if (!v) continue;
      out.push(licenseToDomain(r, versionToDomain(v, items.get(v.id) ?? [], catalog), asOf));
    }
  }
  return out;
}
