/**
 * Licence storage (knex only): typed rows, the catalog look-ups issuance needs, the gapless number
 * sequence, and reading a licence back as its domain form.
 */
import type { Knex } from 'knex';
import { dialectOf, nowIso, SQLITE_CHUNK } from '../db';
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
    if (!this.industryMemo.has(text)) this.industryMemo.set(text, this.industryByKey.get(nameKey(text)));
    return this.industryMemo.get(text);
  }

  industryById(id: number): CatalogIndustry {
    const ind = this.byId.get(id);
    if (!ind) throw new Error(`industry ${id} missing from the catalog`);
    return ind;
  }

  matter(text: string): CatalogMatter | undefined {
    if (!this.matterMemo.has(text)) this.matterMemo.set(text, this.matterByKey.get(nameKey(text)));
    return this.matterMemo.get(text);
  }

  /** Matter names of the industry that are mandatory (必办). */
  mandatory(ind: CatalogIndustry): CatalogMatter[] {
    return [...ind.links.entries()].filter(([, l]) => l.mandatory).sort((a, b) => a[1].seq - b[1].seq).map(([id]) => this.matters.get(id)!);
  }
}

/**
 * Takes `count` numbers from the sequence of (year, industry), returning the first. Runs inside the
 * issuing transaction, so a rolled-back batch gives its numbers back and numbers stay gapless. On
 * PostgreSQL the sequence row is locked (SELECT … FOR UPDATE) until the transaction ends, so a
 * second process waits and then continues after the first one's numbers; on SQLite the whole
 * transaction already holds the database's write lock (see `lockForWrite`).
 */
export async function takeNumbers(trx: Knex.Transaction, year: number, industryId: number, count: number): Promise<number> {
  await trx('license_number_seq').insert({ year, industry_id: industryId, last_seq: 0 }).onConflict(['year', 'industry_id']).ignore();
  const q = trx('license_number_seq').where({ year, industry_id: industryId }).first('last_seq');
  const row = (await (dialectOf(trx) === 'postgres' ? q.forUpdate() : q)) as { last_seq: number };
  const first = Number(row.last_seq) + 1;
  await trx('license_number_seq').where({ year, industry_id: industryId }).update({ last_seq: first + count - 1 });
  return first;
}

/**
 * One multi-row INSERT … VALUES per chunk, written directly rather than through knex's builder: on
 * 100k licences the builder's per-row compilation cost more than the database did (DOMAIN.md
 * "Bulk inserts"). Values are still bound parameters; column names come from our own row objects.
 */
function valuesInsert(trx: Knex.Transaction, table: string, rows: object[], returning?: string[]): Knex.Raw {
  const cols = Object.keys(rows[0]);
  const tuple = `(${cols.map(() => '?').join(',')})`;
  const bindings: unknown[] = [];
  for (const r of rows) for (const c of cols) bindings.push((r as Record<string, unknown>)[c] ?? null);
  const sql = `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(',')}) VALUES ${rows.map(() => tuple).join(',')}${returning ? ` RETURNING ${returning.map((c) => `"${c}"`).join(',')}` : ''}`;
  return trx.raw(sql, bindings as Knex.RawBinding[]);
}

function chunkSize(rows: object[]): number {
  const width = rows.length ? Object.keys(rows[0]).length : 1;
  // SQLite's default limit is 32766 bound variables per statement; stay well under it.
  return Math.max(1, Math.min(SQLITE_CHUNK, Math.floor(30000 / width)));
}

/** Inserts rows in chunks and returns the chosen columns of each inserted row (both databases). */
export async function insertReturning<T>(trx: Knex.Transaction, table: string, rows: object[], columns: string[]): Promise<T[]> {
  const out: T[] = [];
  const chunk = chunkSize(rows);
  for (let i = 0; i < rows.length; i += chunk) {
    const res = (await valuesInsert(trx, table, rows.slice(i, i + chunk), columns)) as T[] | { rows: T[] };
    out.push(...(Array.isArray(res) ? res : res.rows));
  }
  return out;
}

export async function insertRows(trx: Knex.Transaction, table: string, rows: object[]): Promise<void> {
  const chunk = chunkSize(rows);
  for (let i = 0; i < rows.length; i += chunk) await valuesInsert(trx, table, rows.slice(i, i + chunk));
}

export async function createBatch(trx: Knex.Transaction, kind: 'issue' | 'apply' | 'command', actor: string, file?: { name: string; sha256: string }): Promise<number> {
  const [row] = await trx('license_batches').insert({ kind, file_name: file?.name ?? null, sha256: file?.sha256 ?? null, actor, started_at: nowIso() }).returning('id');
  return typeof row === 'object' ? (row as { id: number }).id : (row as number);
}

export async function finishBatch(trx: Knex.Transaction, id: number, counts: object): Promise<void> {
  await trx('license_batches').where({ id }).update({ finished_at: nowIso(), counts: JSON.stringify(counts) });
}

export async function licenseByNumber(db: Knex, number: string): Promise<LicenseRow | undefined> {
  return (await db('licenses').where({ number: number.trim() }).first()) as LicenseRow | undefined;
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
  };
}

export function eventToDomain(e: EventRow): LicenseEvent {
  return {
    event: e.event,
    eventLabel: EVENT_LABEL[e.event],
    version: e.version,
    date: e.event_date,
    actor: e.actor,
    at: e.at,
    reason: e.reason,
    details: e.details ? (JSON.parse(e.details) as Record<string, unknown>) : null,
    file: e.file_name,
    sheet: e.sheet,
    row: e.row_number,
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
