/**
 * The draw itself, as a pure function of its inputs: which licences are inspected (stratified random
 * sampling per industry × credit-risk class) and who inspects each (one joint team covering every
 * department behind the licence's items). Same inputs, same seed → the same result, byte for byte:
 * the inputs are sorted canonically first and every random choice comes from `SeededRandom`.
 */
import crypto from 'node:crypto';
import { normalizeText, toHalfWidth } from '../text/normalize';
import { SeededRandom } from './prng';

export const RISK_CLASSES = ['A', 'B', 'C', 'D'] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];
export const RISK_LABEL: Record<RiskClass, string> = { A: 'A类（信用风险低）', B: 'B类（信用风险一般）', C: 'C类（信用风险较高）', D: 'D类（信用风险高）' };
/** Holders without a recorded class count as B (信用风险一般), as the issue and common practice have it. */
export const DEFAULT_RISK: RiskClass = 'B';

export interface Candidate {
  licence: string;
  holder: string;
  uscc: string;
  industry: string;
  riskClass: RiskClass;
  /** The departments approving the items of the licence's current version. */
  departments: string[];
}

export interface Inspector {
  badge: string;
  name: string;
  department: string;
  /** Industries the inspector may inspect; null = any. */
  industries: string[] | null;
  /** 统一社会信用代码 of businesses the inspector must not inspect (回避). */
  avoid: string[];
}

/** A share as basis points (1% = 100), so rounding is exact integer arithmetic. */
export type BasisPoints = number;

export interface DrawSpec {
  date: string;
  seed: string;
  industries: string[];
  /** --ratio: the share drawn of every stratum without its own ratio. */
  ratio?: BasisPoints;
  /** --count: the number drawn in all, allocated to the strata in proportion to size × ratio. */
  count?: number;
  /** --ratios: a share per risk class. */
  ratios: Partial<Record<RiskClass, BasisPoints>>;
  teamSize: number;
}

export interface Stratum {
  industry: string;
  riskClass: RiskClass;
  population: number;
  drawn: number;
}

export interface TeamMember {
  name: string;
  badge: string;
  department: string;
}

export interface Target {
  licence: string;
  holder: string;
  uscc: string;
  industry: string;
  riskClass: RiskClass;
  departments: string[];
  team: TeamMember[];
}

export interface Unassigned {
  licence: string;
  reason: string;
}

export interface DrawOutcome {
  population: number;
  strata: Stratum[];
  targets: Target[];
  unassigned: Unassigned[];
  inputsSha256: string;
  randomWordsUsed: number;
}

/** Names of departments as compared: width, spaces and compatibility forms do not matter. */
export function departmentKey(s: string): string {
  return toHalfWidth(normalizeText(s)).replace(/\s+/g, '');
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The share of a stratum's class: its own ratio, else the general one, else 0. */
function shareOf(spec: DrawSpec, c: RiskClass): BasisPoints {
  return spec.ratios[c] ?? spec.ratio ?? 0;
}

/**
 * How many are drawn of each stratum.
 * --ratio / --ratios: round(n × share), halves rounded up, at least 1 when n > 0 and the share > 0,
 * at most n. --count N: N split in proportion to n × share (share 1 for every class when no ratios are
 * given) by the largest-remainder method, ties to the earlier stratum, none above its size.
 */
export function allocate(sizes: Array<{ n: number; share: BasisPoints }>, count?: number): number[] {
  if (count === undefined) {
    return sizes.map(({ n, share }) => {
      if (n === 0 || share <= 0) return 0;
      const k = Math.floor((n * share + 5000) / 10000);
      return Math.min(n, Math.max(1, k));
    });
  }
  const weights = sizes.map(({ n, share }) => n * share);
  const total = weights.reduce((a, b) => a + b, 0);
  const out = sizes.map(() => 0);
  if (total === 0 || count <= 0) return out;
  const want = Math.min(count, sizes.reduce((a, s) => a + (s.share > 0 ? s.n : 0), 0));
  const rema: Array<{ i: number; r: number }> = [];
  weights.forEach((w, i) => {
    const exact = want * w;
    out[i] = Math.min(sizes[i].n, Math.floor(exact / total));
    rema.push({ i, r: exact % total });
  });
  rema.sort((a, b) => b.r - a.r || a.i - b.i);
  let left = want - out.reduce((a, b) => a + b, 0);
  // a stratum at its size passes its turn on; loop until the count is placed
  while (left > 0) {
    let placed = false;
    for (const { i } of rema) {
      if (left === 0) break;
      if (out[i] < sizes[i].n && weights[i] > 0) {
        out[i]++;
        left--;
        placed = true;
      }
    }
    if (!placed) break;
  }
  return out;
}

function canonicalInputs(spec: DrawSpec, population: Candidate[], roster: Inspector[]): string {
  return JSON.stringify({
    format: 'yiye-draw-inputs/1',
    spec: { date: spec.date, seed: spec.seed, industries: spec.industries, ratio: spec.ratio ?? null, count: spec.count ?? null, ratios: RISK_CLASSES.map((c) => spec.ratios[c] ?? null), teamSize: spec.teamSize },
    population: population.map((c) => [c.licence, c.uscc, c.industry, c.riskClass, c.departments]),
    roster: roster.map((i) => [i.badge, i.department, i.industries, i.avoid]),
  });
}

/**
 * Draws the inspection targets and their teams. `population` and `roster` may come in any order:
 * they are sorted here (licences by number, inspectors by 执法证号, departments by name) before
 * any random number is used.
 */
export function drawInspections(spec: DrawSpec, populationIn: Candidate[], rosterIn: Inspector[]): DrawOutcome {
  const population = populationIn
    .map((c) => ({ ...c, departments: [...new Set(c.departments)].sort(byText) }))
    .sort((a, b) => byText(a.licence, b.licence));
  const roster = rosterIn
    .map((i) => ({ ...i, industries: i.industries ? [...i.industries].sort(byText) : null, avoid: [...new Set(i.avoid)].sort(byText) }))
    .sort((a, b) => byText(a.badge, b.badge));
  const inputsSha256 = crypto.createHash('sha256').update(canonicalInputs(spec, population, roster), 'utf8').digest('hex');
  const rng = new SeededRandom(spec.seed);

  // strata: industry × class, in name then class order
  const strataMap = new Map<string, { industry: string; riskClass: RiskClass; members: Candidate[] }>();
  for (const c of population) {
    const key = `${c.industry}\u0000${c.riskClass}`;
    if (!strataMap.has(key)) strataMap.set(key, { industry: c.industry, riskClass: c.riskClass, members: [] });
    strataMap.get(key)!.members.push(c);
  }
  const strataList = [...strataMap.values()].sort((a, b) => byText(a.industry, b.industry) || byText(a.riskClass, b.riskClass));
  const quotas = allocate(
    strataList.map((s) => ({ n: s.members.length, share: spec.count !== undefined && spec.ratio === undefined && Object.keys(spec.ratios).length === 0 ? 10000 : shareOf(spec, s.riskClass) })),
    spec.count,
  );
  const drawn: Candidate[] = [];
  const strata: Stratum[] = strataList.map((s, i) => {
    drawn.push(...rng.sample(s.members, quotas[i]));
    return { industry: s.industry, riskClass: s.riskClass, population: s.members.length, drawn: quotas[i] };
  });
  drawn.sort((a, b) => byText(a.licence, b.licence));

  // teams: for each target, one inspector of each of its departments, then up to the team size
  const load = new Map<string, number>();
  const byDept = new Map<string, typeof roster>();
  for (const i of roster) {
    const k = departmentKey(i.department);
    if (!byDept.has(k)) byDept.set(k, []);
    byDept.get(k)!.push(i);
  }
  const targets: Target[] = [];
  const unassigned: Unassigned[] = [];
  for (const c of drawn) {
    const team: typeof roster = [];
    const eligible = (i: (typeof roster)[number]) => !team.includes(i) && !i.avoid.includes(c.uscc) && (i.industries === null || i.industries.length === 0 || i.industries.includes(c.industry));
    const pick = (pool: typeof roster): (typeof roster)[number] | undefined => {
      const ok = pool.filter(eligible);
      if (ok.length === 0) return undefined;
      const least = Math.min(...ok.map((i) => load.get(i.badge) ?? 0));
      const ties = ok.filter((i) => (load.get(i.badge) ?? 0) === least);
      const chosen = ties.length === 1 ? ties[0] : ties[rng.int(ties.length)];
      load.set(chosen.badge, least + 1);
      team.push(chosen);
      return chosen;
    };
    for (const d of c.departments) {
      const pool = byDept.get(departmentKey(d)) ?? [];
      if (!pick(pool)) {
        const avoiding = pool.filter((i) => i.avoid.includes(c.uscc)).length;
        const otherIndustry = pool.filter((i) => !i.avoid.includes(c.uscc) && i.industries && i.industries.length > 0 && !i.industries.includes(c.industry)).length;
        unassigned.push({
          licence: c.licence,
          reason: pool.length === 0 ? `部门“${d}”没有登记执法人员，本户缺该部门检查人员` : `部门“${d}”的 ${pool.length} 名执法人员均不能派出（回避 ${avoiding} 人，不负责“${c.industry}”行业 ${otherIndustry} 人）`,
        });
      }
    }
    const own = c.departments.flatMap((d) => byDept.get(departmentKey(d)) ?? []);
    while (team.length < spec.teamSize && pick(own));
    if (team.length < spec.teamSize && c.departments.length > 0) {
      unassigned.push({ licence: c.licence, reason: `检查组只有 ${team.length} 人，少于要求的 ${spec.teamSize} 人（相关部门没有更多可派的执法人员）` });
    }
    if (c.departments.length === 0) unassigned.push({ licence: c.licence, reason: '许可证的许可项目在目录中没有审批部门，无法确定检查部门' });
    targets.push({
      licence: c.licence,
      holder: c.holder,
      uscc: c.uscc,
      industry: c.industry,
      riskClass: c.riskClass,
      departments: c.departments,
      team: team.map((i) => ({ name: i.name, badge: i.badge, department: i.department })),
    });
  }
  return { population: population.length, strata, targets, unassigned, inputsSha256, randomWordsUsed: rng.used };
}
