/**
 * Reading licences back: show, history, verify, the register export, the renewal run (expiring),
 * the signed revocation list, the public key, and accepted code exceptions. Issuance is in issue.ts,
 * the lifecycle in lifecycle.ts, printing in print.ts.
 */
import { isoLocal } from '../text/time';
import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db';
import { nowIso, SQLITE_CHUNK } from '../db';
import { ConflictError, InputError, NotFoundError, UsageError } from '../cli/errors';
import { textOut, writeRows, writeTable } from '../io/write';
import type { CellValue } from '../io/types';
import { readPublicKey, readSettings } from '../settings/service';
import { findIndustry } from '../catalog/service';
import { parsePublicKey, readPublicKeyFile } from './keys';
import { marksBlock, marksVerify, readMarks } from '../audit/marks';
import { cleanPayloadText, decodePayload, looksLikePayload, verifyPayloadSignature, type LicensePayload } from './payload';
import { openSigner, workspacePublicKey } from './signer';
import { CatalogIndex, eventToDomain, itemsOf, licenseByNumber, loadLicenses, versionToDomain, effectiveStatus, type EventRow, type LicenseRow, type VersionRow } from './store';
import { STATUS_LABEL, type License, type LicenseEvent, type LicenseStatus, type LicenseVersion } from './types';
import { addDays } from './util';
import { typedUscc, validateUscc } from './uscc';

export { issueLicenses } from './issue';
export type { IssueResult } from './issue';
export { applyOperation, applyBatch } from './lifecycle';
export type { OperationResult, ApplyResult } from './lifecycle';

async function mustFind(db: Db, number: string): Promise<LicenseRow> {
  const lic = await licenseByNumber(db, number);
  if (!lic) throw new NotFoundError(`没有编号为“${number}”的行业综合许可证。`, '请核对许可证编号；`yiye license export 台账.xlsx` 可导出全部许可证。');
  return lic;
}

/**
 * A licence with its current version and items; `asOf` decides whether it counts as expired.
 * `status` is the stored one; `statusLabel` names the effective one (a valid licence past its date
 * reads 失效), so the label never says 有效 for an expired licence.
 */
export async function showLicense(db: Db, number: string, asOf: string): Promise<License> {
  const lic = await mustFind(db, number);
  const [full] = await loadLicenses(db, [lic], await CatalogIndex.load(db), asOf);
  return { ...full, statusLabel: STATUS_LABEL[full.effectiveStatus] };
}

export interface LicenseHistory {
  number: string;
  /** the stored status; `effectiveStatus` and `statusLabel` are the state on `asOf` (expired past its date) */
  status: LicenseStatus;
  effectiveStatus: LicenseStatus;
  statusLabel: string;
  asOf: string;
  validUntil: string;
  versions: LicenseVersion[];
  events: LicenseEvent[];
}

/** Every version (oldest first) and every event with actor, time, reason and source file/row. */
export async function licenseHistory(db: Db, number: string, asOf: string): Promise<LicenseHistory> {
  const lic = await mustFind(db, number);
  const catalog = await CatalogIndex.load(db);
  const versions = (await db('license_versions').where({ license_id: lic.id }).orderBy('version')) as VersionRow[];
  const items = await itemsOf(db, versions.map((v) => v.id));
  const events = (await db('license_events').where({ license_id: lic.id }).orderBy('id')) as EventRow[];
  const effective = effectiveStatus(lic.status, lic.valid_until, asOf);
  return {
    number: lic.number,
    status: lic.status,
    effectiveStatus: effective,
    statusLabel: STATUS_LABEL[effective],
    asOf,
    validUntil: lic.valid_until,
    versions: versions.map((v) => versionToDomain(v, items.get(v.id) ?? [], catalog)),
    events: events.map(eventToDomain),
  };
}

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

export type VerifyStatus = 'valid' | 'revoked' | 'cancelled' | 'expired' | 'withdrawn' | 'superseded' | 'forged' | 'unknown';

export const VERIFY_LABEL: Record<VerifyStatus, string> = {
  valid: '有效',
  revoked: STATUS_LABEL.revoked,
  cancelled: STATUS_LABEL.cancelled,
  expired: `${STATUS_LABEL.expired}（超过有效期）`,
  withdrawn: STATUS_LABEL.withdrawn,
  superseded: '已换发新证，此为旧版',
  forged: '伪造或被改动',
  unknown: '签名有效，但本库中没有此证',
};

export interface VerifyResult {
  valid: boolean;
  status: VerifyStatus;
  statusLabel: string;
  number: string | null;
  version: number | null;
  /** The licence's current version when the database has a newer one. */
  currentVersion?: number;
  holder?: string;
  code?: string;
  industry?: string;
  items?: string[];
  issueDate?: string;
  validUntil?: string;
  issuer?: string;
  keyId?: string;
  /** What was consulted beyond the signature. */
  checked: Array<'signature' | 'database' | 'revocation-list' | 'validity-date'>;
  /**
   * Whether the licence's current state (revoked, cancelled, withdrawn, reissued) was looked up: in
   * the database, or in a signed revocation list. False for an offline check on the signature and
   * validity date alone, whose `valid` says only "genuine and not past its date".
   */
  statusChecked: boolean;
  /** The date of the revocation list the state was read from (offline checks with --revocations). */
  revocationListDate?: string;
  reason?: string;
}

export interface VerifyOptions {
  asOf: string;
  /** PEM file of the issuing office's public key (offline, without a workspace). */
  publicKeyFile?: string;
  /** A signed revocation list (`license revocations`), for offline checks. */
  revocationsFile?: string;
}

function forged(reason: string, p?: LicensePayload): VerifyResult {
  return { valid: false, status: 'forged', statusLabel: VERIFY_LABEL.forged, number: p?.n ?? null, version: p?.v ?? null, checked: ['signature'], statusChecked: false, reason };
}

/**
 * Checks a licence: its QR text (signature first, offline, with the workspace's or the given public
 * key), then — with a workspace at hand — its state in the database, or else its validity date and
 * an optional signed revocation list. Given a licence number instead, checks that licence's current
 * version. `valid` is true only for a genuine, current, unexpired, unrevoked licence.
 */
export async function verifyLicense(db: Db | null, input: string, opts: VerifyOptions): Promise<VerifyResult> {
  let key: { key: KeyObject; keyId: string } | null = null;
  if (opts.publicKeyFile) key = readPublicKeyFile(opts.publicKeyFile);
  else if (db) key = await workspacePublicKey(db);
  if (!key) throw new InputError('没有可用于核验的公钥。', '在工作区中运行（--db），或用 --public-key 指定发证机关导出的公钥文件。');

  // a QR text copied from a scanner or a chat often comes with a space or line break around it
  let text = cleanPayloadText(input);
  if (!looksLikePayload(text)) {
    if (!db) throw new UsageError('按许可证编号核验需要工作区数据库。', '用 --db 指定工作区，或直接给出二维码内容。');
    const lic = await mustFind(db, text);
    const v = (await db('license_versions').where({ license_id: lic.id, version: lic.current_version }).first()) as VersionRow;
    text = v.payload;
  }
  const checked = verifyPayloadSignature(text, key.key);
  if (!checked.ok) {
    const d = decodePayload(text);
    return forged(checked.reason, d.ok ? d.payload : undefined);
  }
  const p = checked.payload;
  if (p.k !== key.keyId) return forged('签名密钥标识与公钥不符。', p);
  const base: VerifyResult = {
    valid: false,
    status: 'valid',
    statusLabel: '',
    number: p.n,
    version: p.v,
    holder: p.h,
    code: p.c,
    industry: p.i,
    items: p.m,
    issueDate: p.d,
    validUntil: p.u,
    issuer: p.a,
    keyId: p.k,
    checked: ['signature'],
    statusChecked: false,
  };
  const done = (status: VerifyStatus, extra: Partial<VerifyResult> = {}): VerifyResult => ({ ...base, ...extra, status, statusLabel: VERIFY_LABEL[status], valid: status === 'valid' });

  if (db) {
    base.checked.push('database');
    base.statusChecked = true;
    const lic = await licenseByNumber(db, p.n);
    if (!lic) return done('unknown');
    const v = (await db('license_versions').where({ license_id: lic.id, version: p.v }).first()) as VersionRow | undefined;
    // the register holds the signed payload; the QR text may carry the verification address before it
    if (!v || (v.payload !== text && v.payload !== text.slice(checked.prefix.length))) return done('forged', { reason: '签名有效但与本库登记的该版许可证不一致。' });
    if (lic.status !== 'valid') return done(lic.status as VerifyStatus, { currentVersion: lic.current_version, reason: lic.status_reason ?? undefined });
    if (p.v < lic.current_version) return done('superseded', { currentVersion: lic.current_version });
    base.checked.push('validity-date');
    if (effectiveStatus(lic.status, lic.valid_until, opts.asOf) === 'expired') return done('expired');
    return done('valid');
  }
  if (opts.revocationsFile) {
    const list = readRevocationList(opts.revocationsFile, key.key);
    base.checked.push('revocation-list');
    base.statusChecked = true;
    base.revocationListDate = list.date;
    const hit = list.entries.find((e) => e.n === p.n && (e.v === p.v || e.s !== 'superseded'));
    if (hit) return done(hit.s, { reason: hit.r ?? undefined });
  }
  base.checked.push('validity-date');
  return p.u < opts.asOf ? done('expired') : done('valid');
}

// ---------------------------------------------------------------------------------------------
// Revocation list
// ---------------------------------------------------------------------------------------------

export interface RevocationEntry {
  /** number, version, status, date, reason */
  n: string;
  v: number;
  s: 'revoked' | 'cancelled' | 'withdrawn' | 'superseded';
  d: string;
  r?: string;
}

export interface RevocationList {
  type: 'yiye-revocations';
  issuer: string;
  keyId: string;
  date: string;
  entries: RevocationEntry[];
  signature: string;
}

function revocationBody(l: Omit<RevocationList, 'signature'>): Buffer {
  return Buffer.from(JSON.stringify({ type: l.type, issuer: l.issuer, keyId: l.keyId, date: l.date, entries: l.entries }), 'utf8');
}

/**
 * Writes the signed list of licence versions an offline verifier must reject: every version of a
 * revoked, cancelled or withdrawn licence (all its versions) and every superseded version.
 */
export async function writeRevocations(db: Db, out: string, opts: { date: string; keyFile: string }): Promise<{ file: string; entries: number; keyId: string }> {
  const signer = await openSigner(db, opts.keyFile);
  const entries: RevocationEntry[] = [];
  const ended = (await db('licenses').whereIn('status', ['revoked', 'cancelled', 'withdrawn']).orderBy('number')) as LicenseRow[];
  for (const l of ended) entries.push({ n: l.number, v: 0, s: l.status as RevocationEntry['s'], d: l.status_date ?? '', ...(l.status_reason ? { r: l.status_reason } : {}) });
  const superseded = (await db('license_versions as v').join('licenses as l', 'l.id', 'v.license_id').whereNotNull('v.superseded_at').whereNotIn('l.status', ['revoked', 'cancelled', 'withdrawn']).orderBy(['l.number', 'v.version']).select('l.number', 'v.version', 'v.superseded_at')) as Array<{ number: string; version: number; superseded_at: string }>;
  for (const s of superseded) entries.push({ n: s.number, v: s.version, s: 'superseded', d: s.superseded_at });
  const body = { type: 'yiye-revocations' as const, issuer: signer.authorityName, keyId: signer.keyId, date: opts.date, entries };
  const signature = signer.signBytes(revocationBody(body));
  await fs.promises.mkdir(path.dirname(path.resolve(out)), { recursive: true });
  await fs.promises.writeFile(out, JSON.stringify({ ...body, signature }, null, 1) + '\n');
  return { file: out, entries: entries.length, keyId: signer.keyId };
}

/** Reads a revocation list and checks its signature; a list that fails is refused, never half-trusted. */
export function readRevocationList(file: string, publicKey: KeyObject): RevocationList {
  let list: RevocationList;
  try {
    list = JSON.parse(fs.readFileSync(file, 'utf8')) as RevocationList;
  } catch {
    throw new InputError(`“${file}”不是有效的吊销/撤销清单。`, '请使用 `yiye license revocations --out` 生成的文件。');
  }
  const ok = list?.type === 'yiye-revocations' && typeof list.signature === 'string' && Array.isArray(list.entries) &&
    crypto.verify(null, revocationBody(list), publicKey, Buffer.from(list.signature, 'base64url'));
  if (!ok) throw new InputError(`清单“${file}”的签名无效：已被改动或并非本发证机关签发。`, '请向发证机关索取最新的清单。');
  return list;
}

// ---------------------------------------------------------------------------------------------
// Register export
// ---------------------------------------------------------------------------------------------

export interface ExportFilter {
  status?: LicenseStatus;
  industry?: string;
  issuedFrom?: string;
  issuedTo?: string;
  asOf: string;
}

/** Long exports report how many licences they will write, then each page as it is written. */
export interface ExportProgress {
  onTotal?: (n: number) => void;
  onRows?: (n: number) => void;
}

export interface ListFilter extends ExportFilter {
  /** part of the holder's name (经营者名称) */
  holder?: string;
  /** 统一社会信用代码, as typed (cleaned like a cell) */
  uscc?: string;
}

/** The licences a filter selects, by number (export, list). Every value is a bound parameter. */
function licenseQuery(db: Db, f: ListFilter, industryId?: number) {
  const q = db('licenses');
  if (f.status === 'expired') q.where((w) => w.where('status', 'expired').orWhere((x) => x.where('status', 'valid').where('valid_until', '<', f.asOf)));
  else if (f.status === 'valid') q.where('status', 'valid').where('valid_until', '>=', f.asOf);
  else if (f.status) q.where('status', f.status);
  if (industryId !== undefined) q.where('industry_id', industryId);
  if (f.issuedFrom) q.where('issue_date', '>=', f.issuedFrom);
  if (f.issuedTo) q.where('issue_date', '<=', f.issuedTo);
  if (f.uscc) q.where('uscc', typedUscc(f.uscc));
  // LIKE's own wildcards in a typed name are literal characters
  if (f.holder) q.whereRaw("holder_name LIKE ? ESCAPE '\\'", [`%${f.holder.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
  return q;
}

const industryIdOf = async (db: Db, f: ExportFilter) => (f.industry ? (await findIndustry(db, f.industry)).id : undefined);

async function countLicenses(db: Db, f: ListFilter, industryId?: number): Promise<number> {
  return Number(((await licenseQuery(db, f, industryId).count({ n: '*' })) as Array<{ n: number | string }>)[0].n);
}

/**
 * The selected licences with their current versions, a page at a time in number order (keyset on the
 * unique number): an export of the whole register holds one page in memory, not the register.
 */
async function* licensePages(db: Db, f: ExportFilter, progress?: ExportProgress): AsyncGenerator<License[]> {
  const industryId = await industryIdOf(db, f);
  const catalog = await CatalogIndex.load(db);
  if (progress?.onTotal) progress.onTotal(await countLicenses(db, f, industryId));
  let after: string | null = null;
  for (;;) {
    const q = licenseQuery(db, f, industryId).orderBy('number').limit(SQLITE_CHUNK);
    if (after !== null) q.where('number', '>', after);
    const rows = (await q) as LicenseRow[];
    if (rows.length === 0) return;
    yield await loadLicenses(db, rows, catalog, f.asOf);
    progress?.onRows?.(rows.length);
    after = rows[rows.length - 1].number;
  }
}

export interface LicenseListing {
  asOf: string;
  /** how many licences match; `licenses` holds the first `limit` of them by number */
  total: number;
  licenses: Array<{ number: string; status: LicenseStatus; statusLabel: string; holder: string; uscc: string; industry: string; premises: string; issueDate: string; validUntil: string }>;
}

/**
 * `license list`: the licences a window clerk or inspector looks for — by holder name or code, state,
 * industry, issue dates — as one line each, the state being the effective one on `asOf`.
 */
export async function listLicenses(db: Db, f: ListFilter & { limit: number }): Promise<LicenseListing> {
  const industryId = await industryIdOf(db, f);
  const q = licenseQuery(db, f, industryId).orderBy('number');
  if (f.limit > 0) q.limit(f.limit);
  const rows = (await q) as LicenseRow[];
  const catalog = await CatalogIndex.load(db);
  return {
    asOf: f.asOf,
    total: await countLicenses(db, f, industryId),
    licenses: rows.map((l) => {
      const status = effectiveStatus(l.status, l.valid_until, f.asOf);
      return { number: l.number, status, statusLabel: STATUS_LABEL[status], holder: l.holder_name, uscc: l.uscc, industry: catalog.industryById(l.industry_id).name, premises: l.premises, issueDate: l.issue_date, validUntil: l.valid_until };
    }),
  };
}

export const REGISTER_HEADER = ['许可证编号', '版本', '状态', '经营者名称', '统一社会信用代码', '法定代表人（负责人）', '行业类别', '经营场所', '许可项目', '单项许可证号', '发证机关', '首次发证日期', '制证日期', '有效期至', '状态日期', '状态原因', '申请编号', '二维码内容'];

function registerRow(l: License): CellValue[] {
  const v = l.current;
  return [
    l.number, v.version, STATUS_LABEL[l.effectiveStatus], v.holderName, v.uscc, v.legalRep, v.industry, v.premises,
    v.items.map((i) => i.matterName + (i.validUntil ? `（有效期至${i.validUntil}）` : '')).join('；'),
    v.items.map((i) => i.permitNo ?? '').join('；').replace(/^；+$/, ''),
    v.authorityName, l.issueDate, v.issueDate, v.validUntil, l.statusDate, l.statusReason, l.applicationNo, v.payload,
  ];
}

/** The electronic-licence form of one licence for the licence library (README "license export"). */
export function libraryRecord(l: License) {
  const v = l.current;
  return {
    licenseNumber: l.number,
    licenseType: '行业综合许可证',
    version: v.version,
    holder: { name: v.holderName, uscc: v.uscc, legalRepresentative: v.legalRep },
    industry: { name: v.industry, code: v.industryCode },
    premises: v.premises,
    issuer: v.authorityName,
    firstIssueDate: l.issueDate,
    issueDate: v.issueDate,
    validUntil: v.validUntil,
    status: l.effectiveStatus,
    statusLabel: STATUS_LABEL[l.effectiveStatus],
    statusDate: l.statusDate,
    statusReason: l.statusReason,
    items: v.items.map((i) => ({ code: i.matterCode, name: i.matterName, permitNo: i.permitNo, validUntil: i.validUntil })),
    applicationNo: l.applicationNo,
    payload: v.payload,
    keyId: v.keyId,
  };
}

export interface ExportResult {
  file: string;
  format: 'xlsx' | 'csv' | 'json';
  licenses: number;
}

/** Writes the licence register as .xlsx / .csv (formulas neutralised) or .json (licence-library form). */
export async function exportLicenses(db: Db, file: string, filter: ExportFilter, progress?: ExportProgress): Promise<ExportResult> {
  const ext = path.extname(file).toLowerCase();
  if (!['.xlsx', '.csv', '.json'].includes(ext)) throw new UsageError(`不支持导出为“${ext || file}”。`, '文件名应以 .xlsx、.csv 或 .json 结尾。');
  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  let count = 0;
  const registerRows = async function* () {
    for await (const page of licensePages(db, filter, progress)) {
      count += page.length;
      yield* page.map(registerRow);
    }
  };
  if (ext === '.json') {
    const settings = await readSettings(db);
    const pk = await readPublicKey(db);
    const head = { format: 'yiye-license-library/1', issuer: settings.authorityName, regionCode: settings.regionCode, keyId: pk?.keyId ?? null, publicKey: pk?.pem ?? null, exportedAt: isoLocal(nowIso()), asOf: filter.asOf };
    // written as it is read, one licence per line: the same document JSON.parse reads back whole
    const out = textOut(file);
    await out.write(`${JSON.stringify(head).slice(0, -1)},"licenses":[`);
    for await (const page of licensePages(db, filter, progress)) {
      for (const l of page) await out.write(`${count++ ? ',' : ''}\n${JSON.stringify(libraryRecord(l))}`);
    }
    await out.end(`${count ? '\n' : ''}]}\n`);
  } else {
    await writeRows(file, [{ name: '行业综合许可证台账', header: REGISTER_HEADER, rows: registerRows() }]);
  }
  return { file, format: ext.slice(1) as ExportResult['format'], licenses: count };
}

// ---------------------------------------------------------------------------------------------
// Renewal run
// ---------------------------------------------------------------------------------------------

export interface ExpiringLicense {
  number: string;
  holder: string;
  industry: string;
  validUntil: string;
  /** Negative when already past. */
  daysLeft: number;
  items: Array<{ name: string; permitNo: string | null; validUntil: string }>;
}

export interface ExpiringResult {
  asOf: string;
  within: number;
  licenses: ExpiringLicense[];
  outPath?: string;
}

const dayDiff = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);

/**
 * Valid licences that lapse within `within` days of `asOf` (or already have), and items of valid
 * licences that do. `out` writes them as a `license apply` batch (操作 延续, 延续至 left for the office).
 */
export async function expiringLicenses(db: Db, opts: { asOf: string; within: number; out?: string }): Promise<ExpiringResult> {
  const limit = addDays(opts.asOf, opts.within);
  const catalog = await CatalogIndex.load(db);
  // only the candidates leave the database: the licence lapses, or an item of its current version does
  const lapsingItems = db('license_versions as v')
    .join('license_items as i', 'i.version_id', 'v.id')
    .whereNull('v.superseded_at')
    .whereNotNull('i.valid_until')
    .where('i.valid_until', '<=', limit)
    .select('v.license_id');
  const candidates = (await db('licenses')
    .where('status', 'valid')
    .where((w) => w.where('valid_until', '<=', limit).orWhereIn('id', lapsingItems))
    .orderBy('valid_until')
    .orderBy('number')) as LicenseRow[];
  const out: ExpiringLicense[] = [];
  for (let i = 0; i < candidates.length; i += SQLITE_CHUNK) {
    const chunk = candidates.slice(i, i + SQLITE_CHUNK);
    const versions = (await db('license_versions').whereIn('license_id', chunk.map((l) => l.id)).whereNull('superseded_at')) as VersionRow[];
    const items = await itemsOf(db, versions.map((v) => v.id));
    const vByLicense = new Map(versions.map((v) => [v.license_id, v]));
    for (const l of chunk) {
      const v = vByLicense.get(l.id)!;
      const lapsing = (items.get(v.id) ?? []).filter((it) => it.valid_until && it.valid_until <= limit);
      if (l.valid_until > limit && lapsing.length === 0) continue;
      out.push({
        number: l.number,
        holder: l.holder_name,
        industry: catalog.industryById(l.industry_id).name,
        validUntil: l.valid_until,
        daysLeft: dayDiff(opts.asOf, l.valid_until),
        items: lapsing.map((it) => ({ name: catalog.matters.get(it.matter_id)?.name ?? '', permitNo: it.permit_no, validUntil: it.valid_until! })),
      });
    }
  }
  const result: ExpiringResult = { asOf: opts.asOf, within: opts.within, licenses: out };
  if (opts.out) {
    await writeTable(opts.out, [
      {
        name: '到期延续',
        header: ['许可证编号', '操作', '延续至', '原因', '当前经营者', '当前有效期至', '即将到期的许可项目'],
        rows: out.map((l) => [l.number, '延续', null, '到期延续', l.holder, l.validUntil, l.items.map((i) => `${i.name}（${i.validUntil}）`).join('；')]),
      },
    ]);
    result.outPath = opts.out;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Keys and code exceptions
// ---------------------------------------------------------------------------------------------

export interface PublicKeyExport {
  keyId: string;
  pem: string;
  file?: string;
}

/** The workspace's public key (PEM), printed or written to `out`. */
export async function exportPublicKey(db: Db, out?: string): Promise<PublicKeyExport> {
  const pk = await readPublicKey(db);
  if (!pk) throw new ConflictError('本工作区还没有签名密钥。', '请运行 `yiye init`（与原设置相同）生成签名密钥。');
  if (out) {
    await fs.promises.mkdir(path.dirname(path.resolve(out)), { recursive: true });
    // the signed high-water marks travel with the key, so that `audit verify --public-key` can tell a stripped head signature (src/audit/marks.ts)
    const marks = await readMarks(db);
    const valid = marks && marks !== 'malformed' && marksVerify(marks, { key: parsePublicKey(pk.pem), keyId: pk.keyId });
    await fs.promises.writeFile(out, valid ? `${pk.pem}${marksBlock(marks)}` : pk.pem);
  }
  return { keyId: pk.keyId, pem: pk.pem, ...(out ? { file: out } : {}) };
}

export interface AllowCodeResult {
  code: string;
  added: boolean;
  /** the GB 32100 rule the code fails (check, org-check, …), null when it passes */
  failedRule: string | null;
  /** that rule's finding in Chinese (第 18 位（校验码）应为“Q”，实为“R”。) */
  failedMessage: string | null;
  reason: string;
}

/**
 * Accepts a 统一社会信用代码 that fails the GB 32100 checks but is really registered (early pilot
 * codes such as 91350100M0001TGQXM): issuance then takes it. Recorded with who and why.
 */
export async function allowCode(db: Db, code: string, reason: string, actor: string): Promise<AllowCodeResult> {
  const c = typedUscc(code);
  if (!/^[0-9A-Z]{18}$/.test(c)) throw new InputError(`“${code}”不是 18 位大写字母或数字，不能作为例外代码登记。`, '请核对代码。');
  if (!reason.trim()) throw new InputError('登记例外代码须写明原因（如登记机关出具的证明）。', '用 --reason 说明。');
  const check = validateUscc(c);
  const existing = await db('uscc_exceptions').where({ code: c }).first();
  if (!existing) await db('uscc_exceptions').insert({ code: c, reason: reason.trim(), actor, created_at: nowIso() });
  return { code: c, added: !existing, failedRule: check.ok ? null : check.rule, failedMessage: check.ok ? null : check.message, reason: reason.trim() };
}
