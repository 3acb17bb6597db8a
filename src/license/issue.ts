/**
 * `yiye license issue`: a day's approved applications (xlsx or csv) become 行业综合许可证 in one
 * transaction — validated row by row, numbered without gaps per year and industry, signed, stored
 * with their items, and logged.
 */
import type { Knex } from 'knex';
import type { Db } from '../db';
import { nowIso } from '../db';
import { InputError, ConflictError } from '../cli/errors';
import { writeTable, type SheetData } from '../io/write';
import type { CellValue } from '../io/types';
import { isCellError } from '../io/types';
import { cellText, splitList } from '../text/normalize';
import { parseDateValue } from '../text/dates';
import { readSettings } from '../settings/service';
import { selectIn } from '../catalog/store';
import { validateUscc } from './uscc';
import { CatalogIndex, createBatch, finishBatch, insertReturning, insertRows, nameKey, premisesKey, takeNumbers, type CatalogIndustry, type CatalogMatter, type LicenseRow } from './store';
import { formatNumber, maxSeq, parsePattern, sequenceKey } from './numbering';
import { openSigner } from './signer';
import { fieldError, readTable, type ReadTableResult, type TableRow } from './table';
import type { BatchRowError } from './types';
import { defaultActor, validityEnd, withWriteRetry } from './util';

/** Column names of an application batch (any of, first preferred). */
export const ISSUE_FIELDS = {
  applicationNo: ['申请编号', '申请号', '受理编号', '办件编号', '业务编号', '申请流水号'],
  holderName: ['经营者名称', '市场主体名称', '企业名称', '单位名称', '申请人名称', '申请人'],
  uscc: ['统一社会信用代码', '社会信用代码', '信用代码'],
  legalRep: ['法定代表人（负责人）', '法定代表人/负责人', '法定代表人', '负责人', '法人代表', '经营者姓名'],
  industry: ['行业类别', '行业', '行业名称', '试点行业', '申请行业', '所属行业'],
  premises: ['经营场所', '经营地址', '营业场所', '经营场所地址'],
  items: ['许可项目', '许可事项', '申请事项', '涉及许可事项'],
  permitNos: ['单项许可证号', '单项许可证编号', '单项许可证'],
  itemExpiry: ['有效期至', '单项有效期至', '有效期', '到期日期', '有效截止日期'],
} as const;
export type IssueField = keyof typeof ISSUE_FIELDS;

/** Columns the results file adds; a results file fed back has them replaced, not doubled. */
const RESULT_COLUMNS = ['处理结果', '许可证编号', '错误原因'];

export interface IssueOptions {
  /** 制证日期 (YYYY-MM-DD) */
  date: string;
  actor?: string;
  dryRun?: boolean;
  skipInvalid?: boolean;
  /** .xlsx or .csv: every row with 处理结果, 许可证编号 and 错误原因 */
  resultsPath?: string;
  /** The private key file (resolved by the command). */
  keyFile: string;
  onRows?: (n: number) => void;
}

export interface IssuedRow {
  row: number;
  sheet: string;
  applicationNo: string;
  number: string;
}

export interface IssueResult {
  file: string;
  date: string;
  issued: IssuedRow[];
  /** Applications issued earlier (re-run of a batch): nothing new was issued for them. */
  existing: IssuedRow[];
  rejected: BatchRowError[];
  dryRun: boolean;
  committed: boolean;
  batchId: number | null;
  resultsPath?: string;
}

/** One application after its own checks, before the database is consulted. */
interface Application {
  r: TableRow<IssueField>;
  applicationNo: string;
  holderName: string;
  uscc: string;
  legalRep: string;
  industry: CatalogIndustry;
  premises: string;
  premisesKey: string;
  items: Array<{ matter: CatalogMatter; permitNo: string | null; validUntil: string | null }>;
  validUntil: string;
}

/** Items listed in one cell: split on ；, line breaks, commas and 、 — but a 、 inside a known matter name (“投入使用、营业前…”) stays. */
function splitItems(text: string, catalog: CatalogIndex): string[] {
  const out: string[] = [];
  // 、 is held back from the generic list splitter (except in "1、" numbering) and decided here
  const HELD = '\u0001';
  for (const part of splitList(text.replace(/(?<!\d)、/g, HELD)).flatMap((p) => p.split(/[，,]/))) {
    const tokens = part.split(HELD).map((t) => t.trim()).filter(Boolean);
    for (let i = 0; i < tokens.length; ) {
      // the longest run of tokens that names a known matter, else the token alone
      let taken = 1;
      for (let j = tokens.length; j > i + 1; j--) {
        if (catalog.matter(tokens.slice(i, j).join('、'))) {
          taken = j - i;
          break;
        }
      }
      out.push(tokens.slice(i, i + taken).join('、'));
      i += taken;
    }
  }
  return out;
}

function splitPlain(v: CellValue): string[] {
  const t = cellText(v);
  return t ? t.split(/[\n；;，,、]+/).map((x) => x.trim()).filter(Boolean) : [];
}

/** The row's own checks (required fields, code, industry, items, dates); null with errors pushed when it fails. */
function checkRow(r: TableRow<IssueField>, catalog: CatalogIndex, exceptions: Set<string>, date: string, validityYears: number, needIndustryCode: boolean, errors: BatchRowError[]): Application | null {
  const before = errors.length;
  const text = (f: IssueField): string | null => {
    const v = r.get(f);
    if (isCellError(v)) {
      errors.push(fieldError(r, f, `单元格是 Excel 错误值 ${v.error}。`));
      return null;
    }
    return cellText(v);
  };
  const required = (f: IssueField, label: string): string => {
    const t = text(f);
    if (!t) errors.push(fieldError(r, f, `${label}不能为空。`));
    return t ?? '';
  };
  const applicationNo = required('applicationNo', '申请编号');
  const holderName = required('holderName', '经营者名称');
  const usccText = required('uscc', '统一社会信用代码');
  const legalRep = required('legalRep', '法定代表人（负责人）');
  const industryText = required('industry', '行业类别');
  const premises = required('premises', '经营场所');
  const itemsText = required('items', '许可项目');

  let uscc = usccText;
  if (usccText) {
    const res = validateUscc(usccText, exceptions);
    if (!res.ok) errors.push(fieldError(r, 'uscc', `“${usccText}”：${res.message}`));
    else uscc = res.code;
  }

  const industry = industryText ? catalog.industry(industryText) : undefined;
  if (industryText && !industry) errors.push(fieldError(r, 'industry', `试点行业目录中没有“${industryText}”。`));
  if (industry && needIndustryCode && !industry.code) {
    errors.push(fieldError(r, 'industry', `行业“${industry.name}”在目录中没有行业编码，无法按编号规则编号。`));
  }

  const items: Application['items'] = [];
  if (itemsText && industry) {
    const names = splitItems(itemsText, catalog);
    const permitNos = splitPlain(r.get('permitNos'));
    // a date cell or serial number is one date; text may list one date per item
    const expiryCell = r.get('itemExpiry');
    const expiryValues: CellValue[] = typeof expiryCell === 'string' || expiryCell === null ? splitPlain(expiryCell) : [expiryCell];
    if (permitNos.length > 0 && permitNos.length !== names.length) {
      errors.push(fieldError(r, 'permitNos', `单项许可证号有 ${permitNos.length} 个，许可项目有 ${names.length} 个，应一一对应（用“；”分隔，与许可项目顺序相同）。`));
    }
    if (expiryValues.length > 0 && expiryValues.length !== names.length) {
      errors.push(fieldError(r, 'itemExpiry', `有效期至有 ${expiryValues.length} 个，许可项目有 ${names.length} 个，应一一对应（用“；”分隔，与许可项目顺序相同）。`));
    }
    const seen = new Set<number>();
    names.forEach((name, i) => {
      const matter = catalog.matter(name);
      if (!matter) {
        errors.push(fieldError(r, 'items', `许可事项目录中没有“${name}”。`));
        return;
      }
      if (!industry.links.has(matter.id)) {
        errors.push(fieldError(r, 'items', `“${matter.name}”不属于行业“${industry.name}”的许可事项。`));
        return;
      }
      if (seen.has(matter.id)) {
        errors.push(fieldError(r, 'items', `许可项目“${matter.name}”重复。`));
        return;
      }
      seen.add(matter.id);
      let validUntil: string | null = null;
      if (expiryValues.length === names.length) {
        validUntil = parseDateValue(expiryValues[i]);
        if (!validUntil) errors.push(fieldError(r, 'itemExpiry', `“${cellText(expiryValues[i])}”不是有效日期（如 2026-12-31）。`));
        else if (validUntil < date) errors.push(fieldError(r, 'itemExpiry', `“${matter.name}”的有效期至 ${validUntil} 早于制证日期 ${date}，该许可已过期。`));
      }
      items.push({ matter, permitNo: permitNos.length === names.length ? permitNos[i] : null, validUntil });
    });
    const missing = catalog.mandatory(industry).filter((m) => !seen.has(m.id));
    if (missing.length) errors.push(fieldError(r, 'items', `缺少行业“${industry.name}”的必办事项：${missing.map((m) => m.name).join('、')}。`));
  }

  if (errors.length > before || !industry) return null;
  const itemEnds = items.map((i) => i.validUntil).filter((x): x is string => !!x).sort();
  return {
    r,
    applicationNo,
    holderName,
    uscc,
    legalRep,
    industry,
    premises,
    premisesKey: premisesKey(premises),
    items,
    validUntil: itemEnds[0] ?? validityEnd(date, validityYears),
  };
}

class Rollback extends Error {}

/**
 * Issues the licences of an application batch. All-or-nothing by default: a rejected row rolls the
 * batch back and throws an InputError (exit 3) whose details list each row's file, sheet, row,
 * column and reason. `skipInvalid` issues the good rows and reports the rest. Re-running a batch
 * issues nothing new: rows whose 申请编号 was issued before are returned under `existing` with their
 * numbers. Safe to run in two processes at once on the same database (numbers neither repeat nor skip).
 */
export async function issueLicenses(db: Db, file: string, opts: IssueOptions): Promise<IssueResult> {
  const catalog = await CatalogIndex.load(db);
  if (catalog.industries.length === 0) {
    throw new ConflictError('试点行业目录为空，无法发证。', '请先用 `yiye catalog import` 导入试点行业、事项目录和行业事项对应表。');
  }
  const table = await readTable(file, ISSUE_FIELDS, { what: '发证申请', minFields: 4, onRows: opts.onRows });
  const settings = await readSettings(db);
  const pattern = parsePattern(settings.licenseNumberPattern);
  const signer = opts.dryRun ? null : await openSigner(db, opts.keyFile);
  const actor = opts.actor ?? defaultActor();
  const year = Number(opts.date.slice(0, 4));

  let result!: IssueResult;
  let rowOutcome = new Map<TableRow<IssueField>, { outcome: string; number?: string; reasons: string[] }>();

  const attempt = async () => {
    rowOutcome = new Map();
    try {
      await db.transaction(async (trx) => {
        // First statement a write: on SQLite it takes the database's write lock now (waiting out the
        // busy timeout), so everything read below is what this batch will write against.
        const batchId = await createBatch(trx, 'issue', actor, { name: table.file, sha256: table.sha256 });
        const exceptions = new Set<string>((await trx('uscc_exceptions').pluck('code')) as string[]);
        const errors: BatchRowError[] = [];
        const apps: Application[] = [];
        const errorsByRow = new Map<TableRow<IssueField>, BatchRowError[]>();
        for (const r of table.rows) {
          const rowErrors: BatchRowError[] = [];
          const app = checkRow(r, catalog, exceptions, opts.date, settings.defaultValidityYears, pattern.perIndustry, rowErrors);
          if (app) apps.push(app);
          else errorsByRow.set(r, rowErrors);
        }

        // Issued before (a re-run): reported with their numbers, not issued again.
        const known = new Map(
          (await selectIn<LicenseRow>(trx, 'licenses', 'application_no', apps.map((a) => a.applicationNo))).map((l) => [l.application_no, l]),
        );
        const existing: IssuedRow[] = [];
        const fresh: Application[] = [];
        const firstApp = new Map<string, TableRow<IssueField>>();
        const firstBusiness = new Map<string, TableRow<IssueField>>();
        const rowLabel = (x: TableRow<IssueField>) => (x.sheet === table.sheets[0].sheet ? `第 ${x.row} 行` : `工作表“${x.sheet}”第 ${x.row} 行`);
        for (const a of apps) {
          const dupOf = firstApp.get(a.applicationNo);
          if (dupOf) {
            errorsByRow.set(a.r, [fieldError(a.r, 'applicationNo', `申请编号“${a.applicationNo}”与${rowLabel(dupOf)}重复。`)]);
            continue;
          }
          firstApp.set(a.applicationNo, a.r);
          const prior = known.get(a.applicationNo);
          if (prior) {
            existing.push({ row: a.r.row, sheet: a.r.sheet, applicationNo: a.applicationNo, number: prior.number });
            rowOutcome.set(a.r, { outcome: '此前已发证', number: prior.number, reasons: [] });
            continue;
          }
          const business = `${a.uscc}\u0000${a.industry.id}\u0000${a.premisesKey}`;
          const same = firstBusiness.get(business);
          if (same) {
            errorsByRow.set(a.r, [fieldError(a.r, '', `与${rowLabel(same)}是同一经营者在同一经营场所申请同一行业，重复申请。`)]);
            continue;
          }
          firstBusiness.set(business, a.r);
          fresh.push(a);
        }

        // Already holding a valid licence for this industry here: that is a change, not a new licence.
        const held = new Map<string, string>();
        for (const l of await selectIn<LicenseRow>(trx, 'licenses', 'uscc', fresh.map((a) => a.uscc))) {
          if (l.status === 'valid') held.set(`${l.uscc}\u0000${l.industry_id}\u0000${l.premises_key}`, l.number);
        }
        const good: Application[] = [];
        for (const a of fresh) {
          const number = held.get(`${a.uscc}\u0000${a.industry.id}\u0000${a.premisesKey}`);
          if (number) {
            errorsByRow.set(a.r, [fieldError(a.r, '', `该经营者在此经营场所已持有有效的“${a.industry.name}”行业综合许可证 ${number}；应办理变更（yiye license change），而非新发。`)]);
          } else good.push(a);
        }

        for (const r of table.rows) {
          const errs = errorsByRow.get(r);
          if (errs) {
            errors.push(...errs);
            rowOutcome.set(r, { outcome: '被拒绝', reasons: errs.map((e) => (e.column ? `【${e.column}】${e.message}` : e.message)) });
          }
        }
        const commit = !opts.dryRun && (errors.length === 0 || !!opts.skipInvalid);
        const issued: IssuedRow[] = [];
        result = { file: table.file, date: opts.date, issued, existing, rejected: errors, dryRun: !!opts.dryRun, committed: false, batchId: null };
        if (!commit) {
          for (const a of good) rowOutcome.set(a.r, { outcome: opts.dryRun ? '可发证（试运行）' : '未发证（整批未提交）', reasons: [] });
          throw new Rollback();
        }
        await writeLicenses(trx, good, { pattern, region: settings.regionCode, year, date: opts.date, signer: signer!, actor, batchId, file: table.file, sha256: table.sha256 }, issued);
        for (const [i, a] of good.entries()) rowOutcome.set(a.r, { outcome: '已发证', number: issued[i].number, reasons: [] });
        await finishBatch(trx, batchId, { issued: issued.length, existing: existing.length, rejectedRows: errorsByRow.size });
        result.committed = true;
        result.batchId = batchId;
      });
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
    }
  };
  await withWriteRetry(attempt);

  if (opts.resultsPath) {
    await writeTable(opts.resultsPath, resultSheets(table, rowOutcome));
    result.resultsPath = opts.resultsPath;
  }
  if (result.rejected.length > 0 && !opts.skipInvalid && !opts.dryRun) {
    const first = result.rejected[0];
    const rows = new Set(result.rejected.map((e) => `${e.sheet}\u0000${e.row}`)).size;
    throw new InputError(
      `发证被拒绝：${rows} 行有错误，本批未发任何许可证。首个错误：文件“${first.file}”工作表“${first.sheet}”第 ${first.row} 行${first.column ? `，${first.columnLetter ? `${first.columnLetter}列` : ''}“${first.column}”` : ''}：${first.message}`,
      result.resultsPath
        ? `已将各行处理结果及错误原因写入“${result.resultsPath}”，改正后可用同一文件重新发证；或加 --skip-invalid 只为有效行发证。`
        : '加 --results 结果.xlsx 可导出各行的错误原因，改正后用同一文件重新发证；或加 --skip-invalid 只为有效行发证。',
      { issued: [], existing: result.existing, rejected: result.rejected, resultsPath: result.resultsPath ?? null },
    );
  }
  return result;
}

interface WriteContext {
  pattern: ReturnType<typeof parsePattern>;
  region: string;
  year: number;
  date: string;
  signer: NonNullable<Awaited<ReturnType<typeof openSigner>>>;
  actor: string;
  batchId: number;
  file: string;
  sha256: string;
}

/** Numbers, signs and stores the good applications (in row order), filling `issued` in the same order. */
async function writeLicenses(trx: Knex.Transaction, apps: Application[], ctx: WriteContext, issued: IssuedRow[]): Promise<void> {
  // One block of numbers per sequence, taken in a fixed order so two batches never wait on each other in a cycle.
  const groups = new Map<string, { key: [number, number]; apps: Application[] }>();
  for (const a of apps) {
    const key = sequenceKey(ctx.pattern, ctx.year, a.industry.id);
    const k = key.join(':');
    if (!groups.has(k)) groups.set(k, { key, apps: [] });
    groups.get(k)!.apps.push(a);
  }
  const numbers = new Map<Application, string>();
  const ordered = [...groups.values()].sort((x, y) => x.key[0] - y.key[0] || x.key[1] - y.key[1]);
  for (const g of ordered) {
    const first = await takeNumbers(trx, g.key[0], g.key[1], g.apps.length);
    const last = first + g.apps.length - 1;
    if (last > maxSeq(ctx.pattern)) {
      throw new ConflictError(`${ctx.year} 年“${g.apps[0].industry.name}”的许可证流水号已用尽（编号规则最多 ${maxSeq(ctx.pattern)} 个）。`, '请加长编号规则中的流水号位数（yiye init --number-pattern … --force）。');
    }
    g.apps.forEach((a, i) => numbers.set(a, formatNumber(ctx.pattern, { region: ctx.region, year: ctx.year, industryCode: a.industry.code ?? '', seq: first + i })));
  }

  const now = nowIso();
  const licenseRows = apps.map((a) => ({
    number: numbers.get(a)!,
    industry_id: a.industry.id,
    application_no: a.applicationNo,
    issue_date: ctx.date,
    status: 'valid',
    status_date: null,
    status_reason: null,
    current_version: 1,
    uscc: a.uscc,
    holder_name: a.holderName,
    premises: a.premises,
    premises_key: a.premisesKey,
    valid_until: a.validUntil,
    batch_id: ctx.batchId,
    created_at: now,
    updated_at: now,
  }));
  const ids = new Map((await insertReturning<{ id: number; number: string }>(trx, 'licenses', licenseRows, ['id', 'number'])).map((r) => [r.number, r.id]));

  const signed = await ctx.signer.signMany(
    apps.map((a) => ({
      n: numbers.get(a)!,
      v: 1,
      h: a.holderName,
      c: a.uscc,
      i: a.industry.name,
      m: a.items.map((x) => x.matter.code ?? x.matter.name),
      d: ctx.date,
      u: a.validUntil,
    })),
  );
  const versionRows = apps.map((a, i) => ({
    license_id: ids.get(numbers.get(a)!)!,
    version: 1,
    holder_name: a.holderName,
    uscc: a.uscc,
    legal_rep: a.legalRep,
    industry_id: a.industry.id,
    premises: a.premises,
    authority_name: ctx.signer.authorityName,
    issue_date: ctx.date,
    valid_until: a.validUntil,
    superseded_at: null,
    payload: signed[i].text,
    signature: signed[i].signature,
    key_id: ctx.signer.keyId,
    batch_id: ctx.batchId,
    created_at: now,
  }));
  const versionIds = new Map((await insertReturning<{ id: number; license_id: number }>(trx, 'license_versions', versionRows, ['id', 'license_id'])).map((r) => [r.license_id, r.id]));

  const itemRows: object[] = [];
  const eventRows: object[] = [];
  for (const a of apps) {
    const licenseId = ids.get(numbers.get(a)!)!;
    a.items.forEach((it, seq) => itemRows.push({ version_id: versionIds.get(licenseId)!, matter_id: it.matter.id, seq, permit_no: it.permitNo, valid_until: it.validUntil }));
    eventRows.push({
      license_id: licenseId,
      version: 1,
      event: 'issue',
      event_date: ctx.date,
      actor: ctx.actor,
      at: now,
      reason: null,
      details: JSON.stringify({ applicationNo: a.applicationNo }),
      batch_id: ctx.batchId,
      file_name: ctx.file,
      sheet: a.r.sheet,
      row_number: a.r.row,
      file_sha256: ctx.sha256,
    });
    issued.push({ row: a.r.row, sheet: a.r.sheet, applicationNo: a.applicationNo, number: numbers.get(a)! });
  }
  await insertRows(trx, 'license_items', itemRows);
  await insertRows(trx, 'license_events', eventRows);
}

/** Every row of the batch with its outcome: the office fixes the rejected rows and feeds the same file back. */
function resultSheets(table: ReadTableResult<IssueField>, outcome: Map<TableRow<IssueField>, { outcome: string; number?: string; reasons: string[] }>): SheetData[] {
  return table.sheets.map((s) => {
    const keep = s.labels.map((l, i) => ({ l, i })).filter((x) => !RESULT_COLUMNS.includes(nameKey(x.l)));
    const rows = table.rows.filter((r) => r.sheet === s.sheet);
    return {
      name: s.sheet,
      header: [...keep.map((x) => x.l || `第${x.i + 1}列`), ...RESULT_COLUMNS],
      rows: rows.map((r) => {
        const o = outcome.get(r);
        return [...keep.map((x) => r.cells[x.i] ?? null), o?.outcome ?? '', o?.number ?? '', o?.reasons.join('；') ?? ''];
      }),
    };
  });
}
