/**
 * The document model: everything the five documents say, computed from one industry's catalog
 * entry. Templates only arrange it; nothing a department reported is typed into a template, so a
 * catalog change shows up in every document at the next generation.
 */
import { createHash } from 'node:crypto';
import type { IndustryDetail } from '../catalog/service';
import { AUTHORITY_LABEL, LEVEL_LABEL } from '../catalog/types';
import { normalizeText, splitList } from '../text/normalize';
import { addWorkdays, knownYearsText, yearsText, type HolidayCalendar } from '../render/workdays';
import { consolidateMaterials, replacedByCommitment, materialDisplayName } from './materials';
import type { GuideMetrics, GuideModel, GuideWarning, MatterView, OptionGroup, SharedCondition } from './types';

/** A short, stable digest of everything the catalog says about one industry. */
export function industryFingerprint(detail: IndustryDetail): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
  return `sha256:${createHash('sha256').update(JSON.stringify(canonical(detail))).digest('hex').slice(0, 16)}`;
}

const limitText = (days: number | null, unit: string): string => (days === null ? '未明确' : days === 0 ? '即办' : `${days}个${unit}`);

/** A condition sentence compared across matters: width, spaces and end punctuation do not matter. */
const conditionKey = (s: string) => normalizeText(s).replace(/[\s。；;，,.]+$/g, '').replace(/\s+/g, '');

export interface ModelContext {
  /** The date documents carry and the example acceptance date (YYYY-MM-DD). */
  date: string;
  authority: string;
  region: string;
  /** The workspace's imported holiday arrangements (yiye calendar import), used before the bundled data. */
  calendar?: HolidayCalendar;
}

/** Builds the model and the warnings for one industry (pure: no database, no clock). */
export function buildGuideModel(detail: IndustryDetail, ctx: ModelContext): GuideModel {
  const ind = detail.industry;
  const warnings: GuideWarning[] = [];
  const warn = (code: string, matter: string | null, message: string) => warnings.push({ industry: ind.name, matter, code, message });

  if (!ind.leadDepartment) warn('NO_LEAD_DEPARTMENT', null, `行业“${ind.name}”没有牵头部门，文书中以“（牵头部门待明确）”代替。`);
  if (detail.matters.length === 0) warn('NO_MATTERS', null, `行业“${ind.name}”没有关联任何许可事项，文书只有框架内容。`);

  // Numbered as the documents list them: 必办 first, then conditional, then cancelled ones.
  const rank = (x: IndustryDetail['matters'][number]) => (x.matter.reformMode === '直接取消审批' ? 2 : x.mandatory ? 0 : 1);
  const ordered = detail.matters.map((x, i) => ({ x, i })).sort((a, b) => rank(a.x) - rank(b.x) || a.i - b.i).map((e) => e.x);
  const raw = new Map<number, IndustryDetail['matters'][number]>();
  const matters: MatterView[] = ordered.map((x, i) => {
    raw.set(i + 1, x);
    const m = x.matter;
    const cancelled = m.reformMode === '直接取消审批';
    const unit = m.committedLimitDays !== null ? (m.committedLimitUnit ?? '工作日') : (m.legalLimitUnit ?? '工作日');
    const days = m.committedLimitDays ?? m.legalLimitDays;
    if (!cancelled) {
      if (x.materials.length === 0) warn('NO_MATERIALS', m.name, `事项“${m.name}”没有申请材料，一表申请和材料清单中缺少该事项的材料。`);
      if (!m.legalBasis) warn('NO_LEGAL_BASIS', m.name, `事项“${m.name}”没有设定依据，文书中注明“设定依据待补充”。`);
      if (days === null) warn('NO_TIME_LIMIT', m.name, `事项“${m.name}”没有法定时限和承诺时限，不计入办理时限。`);
      if (days !== null && unit === '自然日') warn('NATURAL_DAYS', m.name, `事项“${m.name}”的时限以自然日计（${days}个自然日），合计时按工作日近似计算。`);
    }
    return {
      no: i + 1,
      code: m.code,
      name: m.name,
      department: m.approvingDepartment ?? m.competentDepartment ?? '（审批部门待明确）',
      competentDepartment: m.competentDepartment,
      level: m.level ? LEVEL_LABEL[m.level] : null,
      legalBasis: m.legalBasis,
      legalBasisList: splitList(m.legalBasis).map((s) => s.replace(/。$/, '')),
      legalBasisText: m.legalBasis ?? '设定依据待补充',
      reformMode: m.reformMode,
      measures: m.measures,
      supervision: m.supervision,
      mandatory: x.mandatory,
      condition: x.mandatory ? null : x.condition,
      applies: x.mandatory ? '必办' : (x.condition ?? '视情形办理'),
      legalDays: m.legalLimitDays,
      committedDays: m.committedLimitDays,
      days: cancelled ? null : days,
      unit,
      limitText: cancelled ? '不再审批' : limitText(days, unit),
      legalLimitText: limitText(m.legalLimitDays, m.legalLimitUnit ?? '工作日'),
      onsiteInspection: m.onsiteInspection === true && !cancelled,
      commitment: m.commitment === true && !cancelled,
      fee: !m.fee || /^(否|不收费|无|免费|0)$/.test(m.fee) ? '不收费' : m.fee === '是' ? '收费（标准见收费依据）' : m.fee,
      conditions: splitList(m.conditions),
      materials: x.materials.map((mat) => ({ name: materialDisplayName(mat.name), form: mat.form, copies: mat.copies, required: mat.required !== false })),
      cancelled,
      filing: m.reformMode === '审批改为备案',
    };
  });

  const active = matters.filter((m) => !m.cancelled);
  if (matters.length > 0 && active.length === 0) warn('NO_ACTIVE_MATTERS', null, `行业“${ind.name}”关联的事项均已直接取消审批，没有需要申请的许可事项。`);
  const mandatory = active.filter((m) => m.mandatory);
  const conditional = active.filter((m) => !m.mandatory);

  const materials = consolidateMaterials(
    active.flatMap((m) =>
      raw.get(m.no)!.materials.map((mat) => ({
        matterNo: m.no,
        matter: m.name,
        condition: m.condition ?? (m.mandatory ? null : m.applies),
        commitment: m.commitment,
        name: mat.name,
        form: mat.form,
        copies: mat.copies,
        required: mat.required,
        source: mat.source,
        note: mat.note,
      })),
    ),
  );

  // Conditions: a sentence two or more matters share is stated once.
  const byKey = new Map<string, SharedCondition>();
  for (const m of active) for (const c of m.conditions) {
    const k = conditionKey(c);
    const e = byKey.get(k) ?? { text: c.replace(/[。；;]+$/, ''), matters: [] };
    if (!e.matters.includes(m.name)) e.matters.push(m.name);
    byKey.set(k, e);
  }
  const shared = [...byKey.values()].filter((c) => c.matters.length > 1);
  const sharedKeys = new Set(shared.map((c) => conditionKey(c.text)));
  const perMatter = active
    .map((m) => ({ matter: m.name, items: m.conditions.filter((c) => !sharedKeys.has(conditionKey(c))).map((c) => c.replace(/[。；;]+$/, '')) }))
    .filter((p) => p.items.length > 0);

  const inspected = active.filter((m) => m.onsiteInspection);
  const commitmentMatters = active.filter((m) => m.commitment);

  // Time limits: serial = one after another, parallel = all at once (the longest decides).
  const timed = active.filter((m) => m.days !== null);
  const serialDays = timed.reduce((s, m) => s + (m.days ?? 0), 0);
  const longest = timed.reduce<MatterView | null>((a, m) => (a === null || (m.days ?? 0) > (a.days ?? 0) ? m : a), null);
  const parallelDays = longest?.days ?? 0;
  const serial = addWorkdays(ctx.date, serialDays, ctx.calendar);
  const parallel = addWorkdays(ctx.date, parallelDays, ctx.calendar);
  const approximate = serial.approximate || parallel.approximate;
  const missingYears = [...new Set([...serial.missingYears, ...parallel.missingYears])].sort((a, b) => a - b);
  if (approximate) {
    warnings.push({
      industry: ind.name,
      matter: null,
      code: 'CALENDAR_RANGE',
      message: `行业“${ind.name}”的办理日期推算需要 ${yearsText(missingYears)}的节假日安排（已有：${knownYearsText(ctx.calendar)}），已按仅扣除周末估算，文书中标为“估算”。`,
      years: missingYears,
    });
  }

  const options = new Map<string, OptionGroup>();
  for (const m of conditional) {
    const g = options.get(m.applies) ?? { no: options.size + 1, condition: m.applies, matters: [], departments: [] };
    g.matters.push(m.name);
    if (!g.departments.includes(m.department)) g.departments.push(m.department);
    options.set(m.applies, g);
  }

  const departments = [...new Set([ind.leadDepartment, ...ind.coDepartments, ...active.map((m) => m.department)].filter((d): d is string => Boolean(d)))];
  const windowsBefore = new Set(active.map((m) => m.department)).size;
  const metrics: GuideMetrics = {
    industry: ind.name,
    matters: active.length,
    materialsBefore: materials.reduce((s, m) => s + m.requests, 0),
    materialsAfter: materials.length,
    serialDays,
    parallelDays,
    inspectionsBefore: inspected.length,
    inspectionsAfter: inspected.length > 0 ? 1 : 0,
    approvalsBefore: active.length,
    approvalsAfter: active.length > 0 ? 1 : 0,
    windowsBefore,
    windowsAfter: windowsBefore > 0 ? 1 : 0,
    materialsByCommitment: materials.filter((m) => m.byCommitment).length,
  };

  return {
    industry: {
      name: ind.name,
      code: ind.code,
      gbCodes: ind.gbCodes,
      authority: ind.authority ? AUTHORITY_LABEL[ind.authority] : null,
      batch: ind.batch,
      leadDepartment: ind.leadDepartment ?? '（牵头部门待明确）',
      hasLead: Boolean(ind.leadDepartment),
      coDepartments: ind.coDepartments,
      departments,
      approvingDepartments: [...new Set(active.map((m) => m.department))],
      licenceName: `${ind.name}行业综合许可证`,
      targetDate: ind.targetDate,
      targetText: ind.targetText,
      notes: ind.notes,
    },
    office: { authority: ctx.authority || '（发证机关待明确）', region: ctx.region },
    date: ctx.date,
    fingerprint: industryFingerprint(detail),
    matters,
    active,
    mandatory,
    conditional,
    cancelled: matters.filter((m) => m.cancelled),
    filings: active.filter((m) => m.filing),
    reformed: active.filter((m) => m.measures && m.reformMode),
    supervised: active.filter((m) => m.supervision),
    materials,
    commitmentMaterials: materials.filter((m) => m.byCommitment),
    conditions: { shared, perMatter },
    inspection: { matters: inspected.map((m) => ({ name: m.name, department: m.department })), count: inspected.length, departments: [...new Set(inspected.map((m) => m.department))] },
    commitment: {
      any: commitmentMatters.length > 0,
      matters: commitmentMatters.map((m) => ({
        name: m.name,
        department: m.department,
        commitments: m.conditions.map((c) => c.replace(/[。；;]+$/, '')),
        replaces: raw.get(m.no)!.materials.filter((mat) => replacedByCommitment(true, mat)).map((mat) => materialDisplayName(mat.name)),
        supervision: m.supervision,
      })),
    },
    time: {
      serialDays,
      parallelDays,
      savedDays: serialDays - parallelDays,
      longest: longest?.name ?? null,
      acceptDate: ctx.date,
      serialDate: serial.date,
      parallelDate: parallel.date,
      approximate,
      parallelApproximate: parallel.approximate,
      serialApproximate: serial.approximate,
    },
    options: [...options.values()],
    metrics,
    warnings,
  };
}
