/**
 * 双随机、一公开 (seed 001 三(十); seed 002): draws from the licence register, recorded so that anyone
 * can check afterwards that a draw was fair — the seed is announced before the draw, the inputs are
 * hashed, the result is hashed, and both go into the hash-chained audit log.
 */
import crypto from 'node:crypto';
import type { Db } from '../db';
import { nowIso } from '../db';
import { ConflictError, InputError, NotFoundError, UsageError } from '../cli/errors';
import { cellText } from '../text/normalize';
import { parseDateValue } from '../text/dates';
import { fieldError, readTable } from '../license/table';
import type { BatchRowError } from '../license/types';
import { withWriteRetry } from '../db/retry';
import { findIndustry } from '../catalog/service';
import { drawInspections, DEFAULT_RISK, RISK_CLASSES, type BasisPoints, type Candidate, type DrawSpec, type RiskClass, type Stratum, type Target, type Unassigned } from './draw';
import { appendInspectionLog, inspectorFromRow, RESULT_HEADERS, RESULT_WORDS, startCounts, unmappedOf, type ImportCounts } from './roster';
import { writeDrawOutputs } from './outputs';

/** What `inspect draw` is asked for: the draw's own inputs (DrawSpec) and how it is recorded. */
export interface DrawRequest extends DrawSpec {
  id?: string;
  actor: string;
  replace?: { reason: string };
  out?: string;
  dryRun?: boolean;
}

export interface DrawRecord {
  draw: {
    id: string;
    date: string;
    seed: string;
    population: number;
    drawn: number;
    ratio: string | null;
    count: number | null;
    ratios: Record<string, string> | null;
    teamSize: number;
    industries: string[];
    inputsSha256: string;
    randomWordsUsed: number;
    method: string;
    strata: Stratum[];
  };
  targets: Target[];
  unassigned: Unassigned[];
}

export interface DrawResult extends DrawRecord {
  resultSha256: string;
  replaced: boolean;
  dryRun: boolean;
  files: string[];
}

export const METHOD =
  '分层随机抽样：按行业 × 信用风险分类分层，每层抽取 四舍五入(户数 × 比例) 户，比例大于 0 的非空层至少 1 户（--count 时按 户数 × 比例 分配总数，最大余数法）；随机数为 SHA-256("yiye-draw/1\\n" + 种子 + "\\n" + 序号) 的 32 位分组，拒绝采样；许可证按编号排序、执法人员按执法证号排序后抽取；每户一个联合检查组，覆盖其许可项目的全部审批部门，回避人员不派，同部门内优先派任务最少者。';

/** "5%", "5", "0.5%" → basis points (500, 500, 50); a share above 100% or malformed is refused. */
export function parseShare(text: string, flag: string): BasisPoints {
  const m = /^\s*(\d+(?:\.\d{1,2})?)\s*[%％]?\s*$/.exec(text);
  const bp = m ? Math.round(Number(m[1]) * 100) : NaN;
  if (!m || !(bp >= 0 && bp <= 10000)) throw new UsageError(`${flag} 的值“${text}”不是 0%–100% 的比例。`, `例如 ${flag} 5%（最多两位小数）。`);
  return bp;
}

/** "A=3%,B=5%,C=10%,D=20%" (also 低/较高 … for the class, ；, for the separator). */
export function parseRatios(text: string): Partial<Record<RiskClass, BasisPoints>> {
  const out: Partial<Record<RiskClass, BasisPoints>> = {};
  for (const part of text.split(/[,，;；\s]+/).filter(Boolean)) {
    const m = /^([A-Da-d])\s*[=:：]\s*(.+)$/.exec(part);
    if (!m) throw new UsageError(`--ratios 中的“${part}”应写作 类别=比例，例如 A=3%。`, '完整写法：--ratios A=3%,B=5%,C=10%,D=20%');
    out[m[1].toUpperCase() as RiskClass] = parseShare(m[2], '--ratios');
  }
  return out;
}

const pct = (bp: BasisPoints) => `${bp / 100}%`;

/**
 * The licences valid on `date` (issued by then, not yet expired, and not ended before that day),
 * each with its industry, its holder's risk class and the departments approving its items.
 */
export async function loadPopulation(db: Db, date: string, industryIds: number[]): Promise<Candidate[]> {
  const q = db('licenses as l')
    .join('license_versions as v', (j) => j.on('v.license_id', 'l.id').andOn('v.version', 'l.current_version'))
    .join('industries as ind', 'ind.id', 'l.industry_id')
    .leftJoin('license_items as it', 'it.version_id', 'v.id')
    .leftJoin('matters as m', 'm.id', 'it.matter_id')
    .leftJoin('departments as d', 'd.id', db.raw('coalesce(m.approving_department_id, m.competent_department_id)'))
    .leftJoin('risk_classes as rc', 'rc.uscc', 'l.uscc')
    .where('l.issue_date', '<=', date)
    .where('l.valid_until', '>=', date)
    .where((w) => w.where('l.status', 'valid').orWhere('l.status_date', '>', date))
    .select('l.number', 'l.holder_name', 'l.uscc', 'ind.name as industry', 'd.name as department', 'rc.risk_class');
  if (industryIds.length) q.whereIn('l.industry_id', industryIds);
  const rows = (await q) as Array<{ number: string; holder_name: string; uscc: string; industry: string; department: string | null; risk_class: string | null }>;
  const byNumber = new Map<string, Candidate>();
  for (const r of rows) {
    let c = byNumber.get(r.number);
    if (!c) {
      c = { licence: r.number, holder: r.holder_name, uscc: r.uscc, industry: r.industry, riskClass: (r.risk_class as RiskClass | null) ?? DEFAULT_RISK, departments: [] };
      byNumber.set(r.number, c);
    }
    if (r.department && !c.departments.includes(r.department)) c.departments.push(r.department);
  }
  return [...byNumber.values()];
}

function checkSpec(req: DrawRequest): void {
  if ((req.ratio === undefined) === (req.count === undefined) && Object.keys(req.ratios).length === 0) {
    throw new UsageError('请用 --ratio（比例）或 --count（户数）之一给出抽取数量。', '例如 --ratio 5% 或 --count 20；也可用 --ratios A=3%,B=5%,C=10%,D=20% 按信用风险分类给比例。');
  }
  if (req.ratio !== undefined && req.count !== undefined) throw new UsageError('--ratio 与 --count 只能给一个。');
  const missing = RISK_CLASSES.filter((c) => req.ratios[c] === undefined);
  if (Object.keys(req.ratios).length > 0 && missing.length > 0 && req.ratio === undefined) {
    throw new UsageError(`--ratios 没有给出 ${missing.join('、')} 类的比例。`, '请列出全部四类（A、B、C、D），或同时用 --ratio 给出其余类别的比例。');
  }
  if (!Number.isInteger(req.teamSize) || req.teamSize < 1 || req.teamSize > 10) throw new UsageError(`--team-size 应为 1–10 的整数，实为 ${req.teamSize}。`, '行政执法检查一般不少于 2 人：--team-size 2。');
  if (req.count !== undefined && (!Number.isInteger(req.count) || req.count < 1)) throw new UsageError(`--count 应为正整数，实为 ${req.count}。`);
  if (!req.seed.trim()) throw new UsageError('--seed 不能为空。', '种子应在抽取前公布，例如当期福利彩票开奖号码或会议日期。');
  if (req.id !== undefined && !/^[\p{L}\p{N}_.-]{1,64}$/u.test(req.id)) throw new UsageError(`--id“${req.id}”只能由文字、数字和 - _ . 组成（最长 64 字）。`);
}

/** A canonical JSON text (keys in insertion order, which this module fixes) and its SHA-256. */
function sealed(record: DrawRecord): { json: string; sha256: string } {
  const json = JSON.stringify(record);
  return { json, sha256: crypto.createHash('sha256').update(json, 'utf8').digest('hex') };
}

/**
 * `inspect draw`: draws, records and (with `out`) writes the plan and the public notice. A draw id
 * used before is refused (exit 4) unless `replace` gives a reason; the replaced draw stays in the
 * audit log. `dryRun` computes the same result without recording it.
 */
export async function runDraw(db: Db, req: DrawRequest): Promise<DrawResult> {
  checkSpec(req);
  const id = req.id ?? `${req.date}`;
  const industryIds: number[] = [];
  const industryNames: string[] = [];
  for (const name of req.industries) {
    const ind = await findIndustry(db, name);
    industryIds.push(ind.id);
    industryNames.push(ind.name);
  }
  industryNames.sort();
  const population = await loadPopulation(db, req.date, industryIds);
  if (population.length === 0) throw new InputError(`${req.date} 有效的许可证中没有可抽取的对象${industryNames.length ? `（行业：${industryNames.join('、')}）` : ''}。`, '请检查 --date 与 --industry，或先发证。');
  const roster = ((await db('inspectors').select('badge', 'name', 'department', 'industries', 'avoid')) as Array<{ badge: string; name: string; department: string; industries: string | null; avoid: string | null }>).map(inspectorFromRow);
  if (roster.length === 0) throw new ConflictError('还没有执法人员名录。', '先用 `yiye inspect roster import <名录.xlsx>` 导入执法人员（姓名、执法证号、所属部门）。');
  const spec: DrawSpec = { date: req.date, seed: req.seed, industries: industryNames, ratio: req.ratio, count: req.count, ratios: req.ratios, teamSize: req.teamSize };
  const outcome = drawInspections(spec, population, roster);
  const record: DrawRecord = {
    draw: {
      id,
      date: req.date,
      seed: req.seed,
      population: outcome.population,
      drawn: outcome.targets.length,
      ratio: req.ratio !== undefined ? pct(req.ratio) : null,
      count: req.count ?? null,
      ratios: Object.keys(req.ratios).length ? Object.fromEntries(RISK_CLASSES.filter((c) => req.ratios[c] !== undefined).map((c) => [c, pct(req.ratios[c]!)])) : null,
      teamSize: req.teamSize,
      industries: industryNames,
      inputsSha256: outcome.inputsSha256,
      randomWordsUsed: outcome.randomWordsUsed,
      method: METHOD,
      strata: outcome.strata,
    },
    targets: outcome.targets,
    unassigned: outcome.unassigned,
  };
  const { json, sha256 } = sealed(record);
  let replaced = false;
  if (!req.dryRun) {
    replaced = await withWriteRetry(() =>
      db.transaction(async (trx) => {
        const old = (await trx('inspection_draws').where({ id }).first()) as { result_sha256: string; replaced_count: number } | undefined;
        if (old && !req.replace) {
          throw new ConflictError(`抽查“${id}”已经抽取过（${old.result_sha256.slice(0, 12)}…），不能重抽。`, '抽查结果一经公布不应更改；确需重抽，请加 --replace --reason "原因"，原抽取结果保留在审计日志中。', { drawId: id });
        }
        const row = { draw_date: req.date, seed: req.seed, params: JSON.stringify({ ...spec, ratio: req.ratio ?? null, count: req.count ?? null }), inputs_sha256: outcome.inputsSha256, result_sha256: sha256, result: json, population: outcome.population, drawn: outcome.targets.length, actor: req.actor, created_at: nowIso() };
        if (old) await trx('inspection_draws').where({ id }).update({ ...row, replaced_count: old.replaced_count + 1 });
        else await trx('inspection_draws').insert({ id, ...row });
        await appendInspectionLog(
          trx,
          old ? 'redraw' : 'draw',
          req.actor,
          { date: req.date, seed: req.seed, spec: JSON.parse(row.params) as unknown, population: outcome.population, drawn: outcome.targets.length, inputsSha256: outcome.inputsSha256, resultSha256: sha256, ...(old ? { replacedResultSha256: old.result_sha256 } : {}) },
          undefined,
          id,
          req.replace?.reason,
        );
        return !!old;
      }),
    );
  }
  const files = req.out ? await writeDrawOutputs(req.out, record) : [];
  return { ...record, resultSha256: sha256, replaced, dryRun: !!req.dryRun, files };
}

export interface DrawListing {
  draws: Array<{ id: string; date: string; seed: string; population: number; drawn: number; actor: string; recordedAt: string; replacedCount: number; resultSha256: string; done: number; problems: number }>;
}

export async function listDraws(db: Db): Promise<DrawListing> {
  const rows = (await db('inspection_draws').select('id', 'draw_date', 'seed', 'population', 'drawn', 'actor', 'created_at', 'replaced_count', 'result_sha256').orderBy([{ column: 'draw_date', order: 'desc' }, 'id'])) as Array<Record<string, string | number>>;
  const done = (await db('inspection_results').select('draw_id').count({ n: '*' }).sum({ p: db.raw('CASE WHEN problem THEN 1 ELSE 0 END') }).groupBy('draw_id')) as Array<{ draw_id: string; n: number | string; p: number | string | null }>;
  const byDraw = new Map(done.map((d) => [d.draw_id, d]));
  return {
    draws: rows.map((r) => ({
      id: String(r.id),
      date: String(r.draw_date),
      seed: String(r.seed),
      population: Number(r.population),
      drawn: Number(r.drawn),
      actor: String(r.actor),
      recordedAt: String(r.created_at),
      replacedCount: Number(r.replaced_count),
      resultSha256: String(r.result_sha256),
      done: Number(byDraw.get(String(r.id))?.n ?? 0),
      problems: Number(byDraw.get(String(r.id))?.p ?? 0),
    })),
  };
}

/** One stored draw as `inspect draw --json` printed it. */
export async function showDraw(db: Db, id: string): Promise<DrawRecord & { resultSha256: string }> {
  const row = (await db('inspection_draws').where({ id }).first()) as { result: string; result_sha256: string } | undefined;
  if (!row) throw new NotFoundError(`没有编号为“${id}”的抽查。`, '用 `yiye inspect draws` 查看已有的抽查。');
  return { ...(JSON.parse(row.result) as DrawRecord), resultSha256: row.result_sha256 };
}

export function resultLabel(text: string): { label: string; problem: boolean } | undefined {
  const k = text.replace(/\s+/g, '');
  for (const w of RESULT_WORDS) if (w.words.includes(k)) return { label: w.label, problem: w.problem };
  return undefined;
}

/**
 * `inspect results`: 许可证编号, 检查日期, 检查结果 (and optionally 抽查批次, 处理情况) per inspected
 * licence. A licence must be a target of the named draw, or of exactly one draw when the sheet does
 * not name it. Keyed by (draw, licence): re-importing the same file changes nothing.
 */
export async function importResults(db: Db, file: string, opts: { actor: string; drawId?: string; dryRun?: boolean; strict?: boolean }): Promise<ImportCounts> {
  const table = await readTable(file, RESULT_HEADERS, { minFields: 2, what: '检查结果' });
  const unmappedColumns = unmappedOf(table, opts.strict);
  const draws = (await db('inspection_draws').select('id', 'result')) as Array<{ id: string; result: string }>;
  if (draws.length === 0) throw new ConflictError('还没有抽查记录，无法登记检查结果。', '先用 `yiye inspect draw` 抽取。');
  const targetsOf = new Map(draws.map((d) => [d.id, new Set((JSON.parse(d.result) as DrawRecord).targets.map((t) => t.licence))]));
  if (opts.drawId && !targetsOf.has(opts.drawId)) throw new NotFoundError(`没有编号为“${opts.drawId}”的抽查。`, '用 `yiye inspect draws` 查看已有的抽查。');
  const errors: BatchRowError[] = [];
  const rows: Array<{ draw_id: string; license_number: string; inspected_on: string; result: string; problem: boolean; note: string | null }> = [];
  const seen = new Map<string, number>();
  for (const r of table.rows) {
    const licence = cellText(r.get('licence'))?.replace(/\s+/g, '').toUpperCase() ?? null;
    const named = cellText(r.get('drawId')) ?? opts.drawId ?? null;
    const date = parseDateValue(r.get('date'));
    const resText = cellText(r.get('result'));
    const res = resText ? resultLabel(resText) : undefined;
    if (!licence) errors.push(fieldError(r, 'licence', '许可证编号为空'));
    if (!date) errors.push(fieldError(r, 'date', r.get('date') === null ? '检查日期为空' : `“${cellText(r.get('date'))}”不是日期`));
    else if (date > nowIso().slice(0, 10)) errors.push(fieldError(r, 'date', `检查日期 ${date} 晚于今天`));
    if (!res) errors.push(fieldError(r, 'result', resText ? `“${resText}”不是检查结果，应为：${RESULT_WORDS.map((w) => w.label).join('、')}` : '检查结果为空'));
    if (!licence) continue;
    let drawId: string | undefined;
    if (named) {
      if (!targetsOf.has(named)) errors.push(fieldError(r, 'drawId', `没有编号为“${named}”的抽查`));
      else if (!targetsOf.get(named)!.has(licence)) errors.push(fieldError(r, 'licence', `许可证“${licence}”不在抽查“${named}”的名单中`));
      else drawId = named;
    } else {
      const hits = [...targetsOf].filter(([, s]) => s.has(licence)).map(([id]) => id);
      if (hits.length === 1) drawId = hits[0];
      else errors.push(fieldError(r, 'licence', hits.length === 0 ? `许可证“${licence}”不在任何抽查名单中` : `许可证“${licence}”在多次抽查（${hits.join('、')}）中，请加“抽查批次”列或 --draw`));
    }
    if (drawId) {
      const key = `${drawId}\u0000${licence}`;
      if (seen.has(key)) errors.push(fieldError(r, 'licence', `与第 ${seen.get(key)} 行重复`));
      seen.set(key, r.row);
    }
    if (drawId && date && res) rows.push({ draw_id: drawId, license_number: licence, inspected_on: date, result: res.label, problem: res.problem, note: cellText(r.get('note')) });
  }
  if (errors.length) throw new InputError(`“${table.file}”中有 ${errors.length} 处错误，整批未导入检查结果。`, '请按错误清单修改后重新导入；整批都未写入。', { file: table.file, errors });
  return withWriteRetry(() =>
    db.transaction(async (trx) => {
      const counts = startCounts(table, unmappedColumns, rows.length, opts.dryRun);
      const now = nowIso();
      for (const r of rows) {
        const old = (await trx('inspection_results').where({ draw_id: r.draw_id, license_number: r.license_number }).first()) as { inspected_on: string; result: string; note: string | null } | undefined;
        if (!old) {
          counts.inserted++;
          if (!opts.dryRun) await trx('inspection_results').insert({ ...r, updated_at: now });
        } else if (old.inspected_on !== r.inspected_on || old.result !== r.result || (old.note ?? null) !== r.note) {
          counts.updated++;
          if (!opts.dryRun) await trx('inspection_results').where({ draw_id: r.draw_id, license_number: r.license_number }).update({ ...r, updated_at: now });
        } else counts.unchanged++;
      }
      if (!opts.dryRun && (counts.inserted || counts.updated)) await appendInspectionLog(trx, 'results', opts.actor, { inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged }, { name: table.file, sha256: table.sha256 });
      return counts;
    }),
  );
}

export interface InspectionSummaryRow {
  industry: string;
  drawn: number;
  done: number;
  problems: number;
}

/** Per industry: licences drawn (latest version of each draw), inspected, and with a problem found. For the progress report. */
export async function inspectionSummary(db: Db, asOf?: string): Promise<InspectionSummaryRow[]> {
  const draws = (await db('inspection_draws').select('id', 'draw_date', 'result')) as Array<{ id: string; draw_date: string; result: string }>;
  const results = (await db('inspection_results').select('draw_id', 'license_number', 'inspected_on', 'problem')) as Array<{ draw_id: string; license_number: string; inspected_on: string; problem: boolean | number }>;
  const res = new Map(results.filter((r) => !asOf || r.inspected_on <= asOf).map((r) => [`${r.draw_id}\u0000${r.license_number}`, r]));
  const by = new Map<string, InspectionSummaryRow>();
  for (const d of draws) {
    if (asOf && d.draw_date > asOf) continue;
    for (const t of (JSON.parse(d.result) as DrawRecord).targets) {
      const row = by.get(t.industry) ?? { industry: t.industry, drawn: 0, done: 0, problems: 0 };
      row.drawn++;
      const r = res.get(`${d.id}\u0000${t.licence}`);
      if (r) {
        row.done++;
        if (r.problem === true || r.problem === 1) row.problems++;
      }
      by.set(t.industry, row);
    }
  }
  return [...by.values()].sort((a, b) => (a.industry < b.industry ? -1 : 1));
}
