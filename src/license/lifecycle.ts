/**
 * The licence's life after issue (seed 001 四(三)): when a permit behind it changes, is renewed,
 * lapses, is revoked or cancelled, the window changes or reissues the combined licence free of
 * charge. A change or renewal is a new version with the same number (换发新证) that supersedes the
 * old one; revocation (撤销), cancellation (注销) and withdrawal (吊销) end the licence, which stays
 * on record. Every step is an event in the append-only log.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../db';
import { nowIso } from '../db';
import { batchTransaction, WRITTEN_TABLES } from '../db/scratch';
import { ConflictError, ExitCode, InputError, NotFoundError, YiyeError } from '../cli/errors';
import { cellText, splitList } from '../text/normalize';
import { parseDateValue } from '../text/dates';
import { isCellError } from '../io/types';
import type { CellRef } from '../io/cleaned';
import { licenseByNumber, normalizeLicenseNumber, CatalogIndex, createBatch, dropBatchIfEmpty, finishBatch, takeWriteLock, itemsOf, premisesKey, type ItemRow, type LicenseRow, type VersionRow } from './store';
import { openSigner, type Signer } from './signer';
import { fieldError, readTable, type ReadTableResult, type TableRow } from './table';
import { EVENT_LABEL, STATUS_LABEL, type BatchRowError, type LicenseEventKind, type LicenseStatus } from './types';
import { refuseFutureDate, withWriteRetry } from './util';
import { daysBetween } from '../progress/status';
import { defaultActor } from '../settings/actor';
import { appendChained, lockChain, LICENSE_EVENTS_CHAIN } from '../audit/chain';
import { selectIn } from '../catalog/store';
import { refuseOverwritingInput } from '../io/write';
import { reasonsText, resultColumns, ResultsSpool } from './results';

export type OperationKind = Exclude<LicenseEventKind, 'issue'>;

export interface ItemChange {
  name: string;
  permitNo?: string | null;
  validUntil?: string | null;
}

export interface Operation {
  number: string;
  kind: OperationKind;
  holderName?: string;
  legalRep?: string;
  premises?: string;
  addItems?: ItemChange[];
  removeItems?: string[];
  /** renew: the new 有效期至 */
  until?: string;
  /** renew of a licence already expired on the date: refused unless set (with a reason) */
  afterExpiry?: boolean;
  reason?: string;
}

export interface OperationResult {
  number: string;
  event: OperationKind;
  eventLabel: string;
  /** The version now current (a new one after change and renew). */
  version: number;
  status: LicenseStatus;
  validUntil: string;
  /** The new version's signed QR text (change and renew). */
  payload?: string;
}

interface Source {
  batchId: number | null;
  file?: string;
  sheet?: string;
  row?: number;
  sha256?: string;
  /** `operationKey` of the operation, kept in the event's details so a re-saved batch is recognised */
  opKey?: string;
}

interface OpContext {
  date: string;
  actor: string;
  catalog: CatalogIndex;
  signer: Signer | null;
  /** Signs the audit chain's head after the event (the real key only; null in a dry run or without a key). */
  auditSigner: Signer | null;
  source: Source;
}

const ENDED: LicenseStatus[] = ['revoked', 'cancelled', 'withdrawn'];

/** A transition the licence's state forbids: exit 4, whatever the batch. */
export class IllegalTransition extends ConflictError {}

/**
 * A bad value of one input of the operation (exit 3), naming the `license apply` column it came
 * from, so a rejected row points at the cell to correct.
 */
export class OperationInputError extends InputError {
  constructor(readonly field: ApplyField, message: string, hint?: string) {
    super(message, hint);
  }
}

/** A conflict with another licence over one input of the operation (exit 4 alone, exit 3 in a batch with other errors). */
export class OperationConflict extends ConflictError {
  constructor(readonly field: ApplyField, message: string, hint?: string) {
    super(message, hint);
  }
}

/** The `license apply` column an operation's error belongs to ('' for the row as a whole). */
function fieldOfError(err: YiyeError): ApplyField | '' {
  if (err instanceof OperationInputError || err instanceof OperationConflict) return err.field;
  if (err instanceof NotFoundError) return 'number';
  if (err instanceof IllegalTransition) return 'operation';
  return '';
}

/**
 * The latest date on the licence's record — its events, its versions' 制证日期, its status date —
 * and what happened then. A lifecycle date before it would put the new event before the licence's
 * own history (a revocation before issue, a version 3 dated before version 2).
 */
async function latestRecorded(trx: Knex.Transaction, lic: LicenseRow): Promise<{ date: string; what: string }> {
  const ev = (await trx('license_events').where({ license_id: lic.id }).orderBy([{ column: 'event_date', order: 'desc' }, { column: 'id', order: 'desc' }]).first('event_date', 'event', 'version')) as
    | { event_date: string; event: LicenseEventKind; version: number }
    | undefined;
  const ver = (await trx('license_versions').where({ license_id: lic.id }).orderBy('issue_date', 'desc').first('issue_date', 'version')) as { issue_date: string; version: number } | undefined;
  let best = { date: lic.issue_date, what: '首次发证' };
  if (ver && ver.issue_date > best.date) best = { date: ver.issue_date, what: `第 ${ver.version} 版制证` };
  if (lic.status_date && lic.status_date > best.date) best = { date: lic.status_date, what: STATUS_LABEL[lic.status] };
  if (ev && ev.event_date >= best.date) best = { date: ev.event_date, what: `${EVENT_LABEL[ev.event]}，第 ${ev.version} 版` };
  return best;
}


function illegal(lic: LicenseRow, kind: OperationKind): never {
  throw new IllegalTransition(
    `许可证 ${lic.number} 已于 ${lic.status_date ?? '此前'} ${STATUS_LABEL[lic.status]}，不能再${EVENT_LABEL[kind]}。`,
    lic.status === 'cancelled' || lic.status === 'revoked' || lic.status === 'withdrawn'
      ? '已终止的许可证仅留档备查；经营者如需继续经营，应重新申请发证（yiye license issue）。'
      : '请先运行 `yiye license history <编号>` 查看该证的状态。',
  );
}

/** Applies one operation inside `trx`; throws a typed error (and writes nothing) when it cannot. */
async function applyOne(trx: Knex.Transaction, op: Operation, ctx: OpContext): Promise<OperationResult> {
  const lic = await licenseByNumber(trx, op.number);
  if (!lic) throw new NotFoundError(`没有编号为“${op.number}”的行业综合许可证。`, '请核对许可证编号；`yiye license export 台账.xlsx` 可导出全部许可证。');
  if (ENDED.includes(lic.status)) illegal(lic, op.kind);
  const latest = await latestRecorded(trx, lic);
  if (ctx.date < latest.date) {
    throw new IllegalTransition(
      `办理日期 ${ctx.date} 早于许可证 ${lic.number} 最近一次登记的日期 ${latest.date}（${latest.what}），不能倒签${EVENT_LABEL[op.kind]}。`,
      `请核对 --date（不写即按今天办理）；运行 \`yiye license history ${lic.number}\` 查看该证的经办记录。`,
    );
  }
  const expired = lic.valid_until < ctx.date;

  if (op.kind === 'revoke' || op.kind === 'cancel' || op.kind === 'withdraw') {
    if (!op.reason?.trim()) throw new OperationInputError('reason', `${EVENT_LABEL[op.kind]}许可证须写明原因。`, '用 --reason 说明原因，例如 --reason "经营者申请注销"。');
    const status: LicenseStatus = op.kind === 'revoke' ? 'revoked' : op.kind === 'cancel' ? 'cancelled' : 'withdrawn';
    await trx('licenses').where({ id: lic.id }).update({ status, status_date: ctx.date, status_reason: op.reason.trim(), updated_at: nowIso() });
    await logEvent(trx, lic.id, lic.current_version, op.kind, ctx, op.reason.trim(), { from: lic.status, to: status });
    return { number: lic.number, event: op.kind, eventLabel: EVENT_LABEL[op.kind], version: lic.current_version, status, validUntil: lic.valid_until };
  }

  if (op.kind === 'change' && expired) {
    throw new IllegalTransition(`许可证 ${lic.number} 已于 ${lic.valid_until} 到期失效，不能变更。`, '请先延续（yiye license renew <编号> --until 日期），再办理变更。');
  }
  const current = (await trx('license_versions').where({ license_id: lic.id, version: lic.current_version }).first()) as VersionRow;
  const items = (await itemsOf(trx, [current.id])).get(current.id) ?? [];
  const industry = ctx.catalog.industryById(lic.industry_id);
  const next = { holderName: current.holder_name, legalRep: current.legal_rep, premises: current.premises, items: items.map((i) => ({ ...i })) as Array<Omit<ItemRow, 'version_id'>>, validUntil: lic.valid_until };
  const changes: Record<string, unknown> = {};
  const listChange = (key: string, name: string) => ((changes[key] as string[] | undefined) ?? (changes[key] = [] as string[]) as string[]).push(name);

  if (op.kind === 'change') {
    const set = (key: 'holderName' | 'legalRep' | 'premises', value: string | undefined, label: string) => {
      const v = value?.trim();
      if (!v || v === next[key]) return;
      changes[label] = { from: next[key], to: v };
      next[key] = v;
    };
    set('holderName', op.holderName, '经营者名称');
    set('legalRep', op.legalRep, '法定代表人（负责人）');
    set('premises', op.premises, '经营场所');
    for (const name of op.removeItems ?? []) {
      const m = ctx.catalog.matter(name);
      const at = m ? next.items.findIndex((i) => i.matter_id === m.id) : -1;
      if (!m || at < 0) throw new OperationInputError('removeItems', `许可证 ${lic.number} 未载有许可项目“${name}”，无法减少。`, '请运行 `yiye license show <编号>` 查看该证的许可项目。');
      if (industry.links.get(m.id)?.mandatory) throw new OperationInputError('removeItems', `“${m.name}”是行业“${industry.name}”的必办事项，不能从许可证中减少。`, '如经营者不再具备该许可，应注销整张许可证（yiye license cancel）。');
      next.items.splice(at, 1);
      listChange('减少许可项目', m.name);
    }
    for (const add of op.addItems ?? []) {
      const m = ctx.catalog.matter(add.name);
      if (!m) throw new OperationInputError('addItems', `许可事项目录中没有“${add.name}”。`, '运行 `yiye catalog list matters --industry <行业>` 查看该行业的事项。');
      if (!industry.links.has(m.id)) throw new OperationInputError('addItems', `“${m.name}”不属于行业“${industry.name}”的许可事项。`, '运行 `yiye catalog show <行业>` 查看该行业的事项。');
      if (next.items.some((i) => i.matter_id === m.id)) throw new OperationInputError('addItems', `许可证 ${lic.number} 已载有“${m.name}”。`, '无需重复增加。');
      if (add.validUntil && add.validUntil < ctx.date) throw new OperationInputError('itemExpiry', `“${m.name}”的有效期至 ${add.validUntil} 早于 ${ctx.date}，该许可已过期。`, '请核对单项许可的有效期。');
      next.items.push({ matter_id: m.id, seq: next.items.length, permit_no: add.permitNo ?? null, valid_until: add.validUntil ?? null });
      listChange('增加许可项目', m.name);
    }
    if (Object.keys(changes).length === 0) throw new OperationInputError('operation', `许可证 ${lic.number} 没有需要变更的内容。`, '用 --holder、--legal-rep、--premises、--add-item、--remove-item 指明变更内容。');
    const ends = next.items.map((i) => i.valid_until).filter((x): x is string => !!x).sort();
    if (ends.length) next.validUntil = ends[0];
    if (changes['经营场所']) {
      const other = (await trx('licenses').where({ uscc: lic.uscc, industry_id: lic.industry_id, premises_key: premisesKey(next.premises), status: 'valid' }).whereNot({ id: lic.id }).first()) as LicenseRow | undefined;
      if (other) throw new OperationConflict('premises', `该经营者在“${next.premises}”已持有有效的“${industry.name}”许可证 ${other.number}。`, '同一经营场所同一行业只能持有一张有效许可证。');
    }
  } else {
    // renew
    const until = op.until;
    if (!until) throw new OperationInputError('until', '延续须给出新的有效期至。', '用 --until YYYY-MM-DD 指定。');
    if (until <= lic.valid_until) throw new OperationInputError('until', `延续后的有效期至 ${until} 应晚于现有效期至 ${lic.valid_until}。`, '请核对延续日期。');
    if (until <= ctx.date) throw new OperationInputError('until', `延续后的有效期至 ${until} 应晚于办理日期 ${ctx.date}。`, '请核对延续日期。');
    // 行政许可法第五十条: 延续 is applied for before the licence expires; after that it takes a new
    // application, or an explicit decision with its reason on record.
    if (expired && !op.afterExpiry) {
      throw new IllegalTransition(
        `许可证 ${lic.number} 已于 ${lic.valid_until} 到期失效（至办理日期 ${ctx.date} 已过期 ${daysBetween(lic.valid_until, ctx.date)} 天），不能按延续办理：延续应在有效期届满前申请（《行政许可法》第五十条）。`,
        '已过期的应重新申请发证；确需逾期延续的，加 --after-expiry 并用 --reason 写明依据（记入经办记录），批量办理时操作填“逾期延续”并填写原因。',
      );
    }
    if (expired && !op.reason?.trim()) throw new OperationInputError('reason', `逾期延续许可证 ${lic.number} 须写明原因。`, '用 --reason 说明依据，例如 --reason "经局务会研究同意逾期延续"。');
    if (expired) changes['逾期延续'] = `已于 ${lic.valid_until} 到期，过期 ${daysBetween(lic.valid_until, ctx.date)} 天后延续`;
    changes['有效期至'] = { from: lic.valid_until, to: until };
    // The permits behind the licence are renewed in the same act: none may end before the licence.
    for (const i of next.items) if (i.valid_until && i.valid_until < until) i.valid_until = until;
    next.validUntil = until;
  }

  if (!ctx.signer) throw new Error('signer required for change and renew');
  const version = lic.current_version + 1;
  const signed = ctx.signer.sign({
    n: lic.number,
    v: version,
    h: next.holderName,
    c: lic.uscc,
    i: industry.name,
    m: next.items.map((i) => ctx.catalog.matters.get(i.matter_id)?.code ?? ctx.catalog.matters.get(i.matter_id)?.name ?? String(i.matter_id)),
    d: ctx.date,
    u: next.validUntil,
  });
  const now = nowIso();
  await trx('license_versions').where({ id: current.id }).update({ superseded_at: ctx.date });
  const [row] = await trx('license_versions')
    .insert({
      license_id: lic.id,
      version,
      holder_name: next.holderName,
      uscc: lic.uscc,
      legal_rep: next.legalRep,
      industry_id: lic.industry_id,
      premises: next.premises,
      authority_name: ctx.signer.authorityName,
      issue_date: ctx.date,
      valid_until: next.validUntil,
      superseded_at: null,
      payload: signed.text,
      signature: signed.signature,
      key_id: ctx.signer.keyId,
      batch_id: ctx.source.batchId,
      created_at: now,
    })
    .returning('id');
  const versionId = typeof row === 'object' ? (row as { id: number }).id : (row as number);
  if (next.items.length) await trx('license_items').insert(next.items.map((i, seq) => ({ version_id: versionId, matter_id: i.matter_id, seq, permit_no: i.permit_no, valid_until: i.valid_until })));
  await trx('licenses').where({ id: lic.id }).update({
    current_version: version,
    holder_name: next.holderName,
    premises: next.premises,
    premises_key: premisesKey(next.premises),
    valid_until: next.validUntil,
    updated_at: now,
  });
  await logEvent(trx, lic.id, version, op.kind, ctx, op.reason?.trim() || null, changes);
  return { number: lic.number, event: op.kind, eventLabel: EVENT_LABEL[op.kind], version, status: 'valid', validUntil: next.validUntil, payload: signed.text };
}

/** Appends the event to the hash-chained audit log (src/audit/chain.ts), in the operation's transaction or savepoint. */
async function logEvent(trx: Knex.Transaction, licenseId: number, version: number, event: OperationKind, ctx: OpContext, reason: string | null, details: Record<string, unknown>): Promise<void> {
  const row = {
    license_id: licenseId,
    version,
    event,
    event_date: ctx.date,
    actor: ctx.actor,
    at: nowIso(),
    reason,
    details: JSON.stringify(ctx.source.opKey ? { ...details, opKey: ctx.source.opKey } : details),
    batch_id: ctx.source.batchId,
    file_name: ctx.source.file ?? null,
    sheet: ctx.source.sheet ?? null,
    row_number: ctx.source.row ?? null,
    file_sha256: ctx.source.sha256 ?? null,
  };
  await appendChained(trx, LICENSE_EVENTS_CHAIN.name, [row], { signer: ctx.auditSigner });
}

export interface LifecycleOptions {
  date: string;
  actor?: string;
  /** Needed for change and renew (they sign a new version). */
  keyFile?: string;
}

/**
 * One lifecycle operation (the `change`, `renew`, `revoke`, `cancel`, `withdraw` commands). An
 * unknown number is exit 3, a bad change exit 3, a transition the licence's state forbids exit 4 —
 * a date before the licence's latest recorded event included; a date after today is exit 2.
 */
export async function applyOperation(db: Db, op: Operation, opts: LifecycleOptions): Promise<OperationResult> {
  refuseFutureDate(opts.date, '办理日期');
  const catalog = await CatalogIndex.load(db);
  const signer = op.kind === 'change' || op.kind === 'renew' ? await openSigner(db, opts.keyFile ?? '') : null;
  const actor = opts.actor ?? defaultActor();
  return withWriteRetry(() =>
    db.transaction(async (trx) => {
      // a single operation is no batch (批次号 count only batch files): its version and event carry no batch id
      await takeWriteLock(trx); // first statement a write: SQLite's lock
      await lockChain(trx, LICENSE_EVENTS_CHAIN.name); // before any licence row: the order every writer of the chain takes
      return applyOne(trx, op, { date: opts.date, actor, catalog, signer, auditSigner: signer, source: { batchId: null, opKey: operationKey(op) } });
    }),
  );
}

export const APPLY_FIELDS = {
  number: ['许可证编号', '许可证号', '证号'],
  operation: ['操作', '操作类型', '办理类型', '业务类型', '事项类型'],
  holderName: ['经营者名称', '新经营者名称', '变更后经营者名称'],
  legalRep: ['法定代表人（负责人）', '法定代表人/负责人', '法定代表人', '负责人', '新法定代表人'],
  premises: ['经营场所', '新经营场所', '变更后经营场所'],
  addItems: ['增加许可项目', '增加项目', '新增许可项目', '增项'],
  removeItems: ['减少许可项目', '减少项目', '删除许可项目', '减项'],
  permitNos: ['单项许可证号', '新增项目许可证号'],
  itemExpiry: ['有效期至', '新增项目有效期至'],
  until: ['延续至', '延续后有效期至', '新有效期至'],
  reason: ['原因', '理由', '办理原因', '备注'],
} as const;
export type ApplyField = keyof typeof APPLY_FIELDS;

const OPERATION_WORDS: Array<[RegExp, OperationKind]> = [
  [/^(变更|换证|变更换证|换发)$/, 'change'],
  [/^(延续|延期|续期|延续换证)$/, 'renew'],
  [/^逾期延续$/, 'renew'],
  [/^撤销$/, 'revoke'],
  [/^注销$/, 'cancel'],
  [/^吊销$/, 'withdraw'],
];

export interface ApplyRowResult {
  row: number;
  sheet: string;
  number: string;
  event: OperationKind;
  version: number;
  status: LicenseStatus;
}

export interface ApplyResult {
  file: string;
  applied: ApplyRowResult[];
  /** Rows this file applied on an earlier run: not applied twice. */
  existing: Array<{ row: number; sheet: string; number: string }>;
  rejected: BatchRowError[];
  dryRun: boolean;
  committed: boolean;
  /** 批次号 of the committed batch (`license batches`, `print --batch`); null when nothing was applied (no batch is kept). */
  batchId: number | null;
  /** where `--results` wrote every row's outcome */
  resultsPath?: string;
  /** --dry-run that found rows the real run would refuse (without --skip-invalid): the real run's exit code (4 when every refused row is a forbidden transition, else 3); the command exits with it too. */
  wouldExit?: number;
  /** Cells cleaned of control, format or bidi characters on reading (src/io/cleaned.ts; present, possibly empty). */
  controlsRemoved: CellRef[];
}

class Rollback extends Error {}

function parseOperation(r: TableRow<ApplyField>, errors: BatchRowError[]): Operation | null {
  const before = errors.length;
  const text = (f: ApplyField) => {
    const v = r.get(f);
    return isCellError(v) ? null : cellText(v);
  };
  const typedNumber = text('number');
  const number = typedNumber ? normalizeLicenseNumber(typedNumber) : typedNumber;
  if (!number) errors.push(fieldError(r, 'number', '许可证编号不能为空。'));
  const word = (text('operation') ?? '').replace(/\s/g, '');
  const kind = OPERATION_WORDS.find(([re]) => re.test(word))?.[1];
  if (!kind) errors.push(fieldError(r, 'operation', word ? `无法识别的操作“${word}”，应为 变更、延续、撤销、注销 或 吊销。` : '操作不能为空（变更、延续、撤销、注销 或 吊销）。'));
  let until: string | undefined;
  if (kind === 'renew') {
    const v = r.get('until');
    until = parseDateValue(v) ?? undefined;
    if (!until) errors.push(fieldError(r, 'until', cellText(v) ? `“${cellText(v)}”不是有效日期。` : '延续须填写延续至日期。'));
  }
  const adds = splitList(text('addItems'));
  const permitNos = (text('permitNos') ?? '').split(/[\n；;，,、]+/).map((x) => x.trim()).filter(Boolean);
  const expiries = (text('itemExpiry') ?? '').split(/[\n；;，,、]+/).map((x) => x.trim()).filter(Boolean);
  if (permitNos.length && permitNos.length !== adds.length) errors.push(fieldError(r, 'permitNos', '单项许可证号应与增加许可项目一一对应。'));
  if (expiries.length && expiries.length !== adds.length) errors.push(fieldError(r, 'itemExpiry', '有效期至应与增加许可项目一一对应。'));
  const addItems: ItemChange[] = adds.map((name, i) => {
    const validUntil = expiries.length === adds.length ? parseDateValue(expiries[i]) : null;
    if (expiries.length === adds.length && !validUntil) errors.push(fieldError(r, 'itemExpiry', `“${expiries[i]}”不是有效日期。`));
    return { name, permitNo: permitNos[i] ?? null, validUntil };
  });
  if (errors.length > before || !kind || !number) return null;
  return {
    number,
    kind,
    holderName: text('holderName') ?? undefined,
    legalRep: text('legalRep') ?? undefined,
    premises: text('premises') ?? undefined,
    addItems,
    removeItems: splitList(text('removeItems')),
    until,
    afterExpiry: word === '逾期延续' || undefined,
    reason: text('reason') ?? undefined,
  };
}

/**
 * What an operation asks for, as a short key: the same licence, operation and values give the same
 * key whatever file carries them. The reason is commentary and left out, so a row whose reason was
 * reworded is still the same operation.
 */
export function operationKey(op: Operation): string {
  const items = (op.addItems ?? []).map((i) => [i.name, i.permitNo ?? null, i.validUntil ?? null]);
  const what = [op.number, op.kind, op.holderName ?? null, op.legalRep ?? null, op.premises ?? null, items, op.removeItems ?? [], op.until ?? null];
  return crypto.createHash('sha256').update(JSON.stringify(what)).digest('base64url').slice(0, 22);
}

/**
 * The operations already recorded for these licences, as `number \0 opKey`: a batch fed back after
 * it was edited and saved again (new bytes, rows moved) must not change, renew or end a licence twice.
 */
async function recordedOperations(trx: Knex.Transaction, numbers: string[]): Promise<Set<string>> {
  const licences = await selectIn<{ id: number; number: string }>(trx, 'licenses', 'number', numbers);
  const numberOf = new Map(licences.map((l) => [l.id, l.number]));
  const events = await selectIn<{ license_id: number; details: string | null }>(trx, 'license_events', 'license_id', [...numberOf.keys()]);
  const out = new Set<string>();
  for (const e of events) {
    const key = e.details ? (JSON.parse(e.details) as { opKey?: unknown }).opKey : undefined;
    if (typeof key === 'string') out.add(`${numberOf.get(e.license_id)}\u0000${key}`);
  }
  return out;
}

/**
 * `license apply <file>`: a batch of lifecycle operations, one per row, applied in row order in one
 * transaction. All-or-nothing by default (exit 3, or 4 when every rejected row is an illegal
 * transition); `skipInvalid` applies the good rows. Re-running the same file applies nothing twice:
 * each applied row is remembered by the file's SHA-256, sheet and row, and by its `operationKey`, so
 * a results file fixed and saved again reports the rows done before as existing.
 */
export async function applyBatch(db: Db, file: string, opts: LifecycleOptions & { dryRun?: boolean; skipInvalid?: boolean; resultsPath?: string }): Promise<ApplyResult> {
  refuseFutureDate(opts.date, '办理日期');
  refuseOverwritingInput(opts.resultsPath, [file], '--results');
  const table = await readTable(file, APPLY_FIELDS, { what: '许可证变更/延续/撤销/注销', minFields: 2 });
  const catalog = await CatalogIndex.load(db);
  const actor = opts.actor ?? defaultActor();
  const parsed = table.rows.map((r) => ({ r, errors: [] as BatchRowError[], op: null as Operation | null }));
  for (const p of parsed) p.op = parseOperation(p.r, p.errors);
  const needsSigner = parsed.some((p) => p.op && (p.op.kind === 'change' || p.op.kind === 'renew'));
  const signer = needsSigner && !opts.dryRun ? await openSigner(db, opts.keyFile ?? '') : null;

  let result!: ApplyResult;
  let onlyIllegal = true;
  await withWriteRetry(async () => {
    onlyIllegal = true;
    try {
      await batchTransaction(db, opts.dryRun, WRITTEN_TABLES.licenceApply, async (trx) => {
        const batchId = await createBatch(trx, 'apply', actor, { name: table.file, sha256: table.sha256 });
        await lockChain(trx, LICENSE_EVENTS_CHAIN.name);
        const done = new Set(
          ((await trx('license_events').where({ file_sha256: table.sha256 }).select('sheet', 'row_number')) as Array<{ sheet: string; row_number: number }>).map((e) => `${e.sheet}\u0000${e.row_number}`),
        );
        const recorded = await recordedOperations(trx, parsed.flatMap((p) => (p.op ? [p.op.number] : [])));
        result = { file: table.file, applied: [], existing: [], rejected: [], dryRun: !!opts.dryRun, committed: false, batchId: null, controlsRemoved: table.controlsRemoved };
        for (const p of parsed) {
          if (!p.op) {
            result.rejected.push(...p.errors);
            onlyIllegal = false;
            continue;
          }
          const op = p.op;
          const opKey = operationKey(op);
          if (done.has(`${p.r.sheet}\u0000${p.r.row}`) || recorded.has(`${op.number}\u0000${opKey}`)) {
            result.existing.push({ row: p.r.row, sheet: p.r.sheet, number: op.number });
            continue;
          }
          try {
            // a savepoint per row: a row that fails leaves the others' work intact (PostgreSQL aborts the whole transaction otherwise)
            const res = await trx.transaction((sp) =>
              applyOne(sp, op, { date: opts.date, actor, catalog, signer: signer ?? dryRunSigner(), auditSigner: signer, source: { batchId, file: table.file, sheet: p.r.sheet, row: p.r.row, sha256: table.sha256, opKey } }),
            );
            result.applied.push({ row: p.r.row, sheet: p.r.sheet, number: res.number, event: res.event, version: res.version, status: res.status });
          } catch (err) {
            if (!(err instanceof YiyeError)) throw err;
            if (!(err instanceof IllegalTransition)) onlyIllegal = false;
            result.rejected.push(fieldError(p.r, fieldOfError(err), err.message));
          }
        }
        const commit = !opts.dryRun && (result.rejected.length === 0 || !!opts.skipInvalid);
        if (!commit) throw new Rollback();
        if (!(await dropBatchIfEmpty(trx, batchId, result.applied.length))) {
          await finishBatch(trx, batchId, { applied: result.applied.length, existing: result.existing.length, rejected: result.rejected.length });
          result.batchId = batchId;
        }
        result.committed = true;
      });
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
    }
  });
  if (opts.resultsPath) {
    await writeApplyResults(opts.resultsPath, table, result);
    result.resultsPath = opts.resultsPath;
  }
  if (result.rejected.length && !opts.skipInvalid && opts.dryRun) result.wouldExit = onlyIllegal ? ExitCode.conflict : ExitCode.inputRejected;
  if (result.rejected.length && !opts.skipInvalid && !opts.dryRun) {
    const first = result.rejected[0];
    const message = `变更批次被拒绝：${result.rejected.length} 处错误，未作任何修改。首个错误：工作表“${first.sheet}”第 ${first.row} 行${first.column ? `“${first.column}”` : ''}：${first.message}`;
    const hint = result.resultsPath
      ? `已将各行处理结果及错误原因写入“${result.resultsPath}”，改正后可用该文件重新办理；或加 --skip-invalid 只办理无误的行。`
      : '改正后用同一文件重新运行（加 --results 结果.xlsx 可导出各行错误原因）；或加 --skip-invalid 只办理无误的行。';
    const details = { applied: [], existing: result.existing, rejected: result.rejected, resultsPath: result.resultsPath ?? null };
    if (onlyIllegal) throw new ConflictError(message, hint, details);
    throw new InputError(message, hint, details);
  }
  return result;
}

/** Columns `license apply --results` adds; 原工作表 only for a workbook of several sheets. */
const APPLY_RESULT_COLUMNS = ['原工作表', '原行号', '处理结果', '错误原因'];

/**
 * The results file of an apply batch: every row with its original columns, where it was, what was
 * done (变更换证，第 2 版 / 已注销 …), or why it was refused — the file the office sends back to the
 * department, which can be fixed and fed back as it is.
 */
async function writeApplyResults(file: string, table: ReadTableResult<ApplyField>, r: ApplyResult): Promise<void> {
  const key = (sheet: string, row: number) => `${sheet}\u0000${row}`;
  const applied = new Map(r.applied.map((a) => [key(a.sheet, a.row), a]));
  const existing = new Set(r.existing.map((e) => key(e.sheet, e.row)));
  const errors = new Map<string, BatchRowError[]>();
  for (const e of r.rejected) errors.set(key(e.sheet, e.row), [...(errors.get(key(e.sheet, e.row)) ?? []), e]);
  const sheetIndex = new Map(table.sheets.map((s, i) => [s.sheet, i]));
  const spool = ResultsSpool.create();
  try {
    for (const row of table.rows) {
      const k = key(row.sheet, row.row);
      const errs = errors.get(k);
      const a = applied.get(k);
      const what = a ? (a.event === 'change' || a.event === 'renew' ? `${EVENT_LABEL[a.event]}，第 ${a.version} 版` : STATUS_LABEL[a.status]) : undefined;
      if (errs) spool.add(sheetIndex.get(row.sheet)!, row.row, row.cells, 'rejected', undefined, reasonsText(errs));
      else if (existing.has(k)) spool.add(sheetIndex.get(row.sheet)!, row.row, row.cells, 'existing');
      else spool.add(sheetIndex.get(row.sheet)!, row.row, row.cells, 'passed', what);
    }
    const several = table.sheets.length > 1;
    const passed = (what: string | undefined) => (r.committed ? `已办理：${what ?? ''}` : r.dryRun ? `可办理（试运行）：${what ?? ''}` : '未办理（整批未提交）');
    await spool.writeTo(file, table.sheets, (s) => resultColumns(s, APPLY_RESULT_COLUMNS, several), (l) => [
      ...(several ? [l.sheet.sheet] : []),
      l.row,
      l.outcome === 'passed' ? passed(l.note) : l.outcome === 'existing' ? '此前已办理' : '被拒绝',
      l.reasons ?? '',
    ]);
  } finally {
    await spool.discard();
  }
}

/** A dry run validates changes and renewals without a private key: what it "signs" is discarded. */
function dryRunSigner(): Signer {
  return { keyId: 'dry-run', authorityName: '', sign: () => ({ text: '', signature: '' }), signMany: async (ps) => ps.map(() => ({ text: '', signature: '' })), signBytes: () => '', close: async () => undefined };
}
