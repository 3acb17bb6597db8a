/**
 * How long a 双随机 draw over a large register takes, against the bare work any draw does.
 *
 *   node dist/bench/inspect-bench.js [--licences N] [--inspectors N] [--ratio BP]
 *
 * Generates N licences (12 industries, risk classes A–D, 1–4 departments each) and a roster spread
 * over 9 departments, some with 回避 codes, then measures, three times each, alternating:
 *   baseline  sort the population, hash a canonical serialisation of it, and draw the same number of
 *             licences with one partial Fisher–Yates over the whole list (no strata, no teams);
 *   yiye      `drawInspections`: strata, seeded sampling, joint teams with avoidance and load spreading.
 * Prints the median seconds, licences/s, peak RSS and the ratio to the baseline. The draw reads the
 * register from the database first (`loadPopulation`, one join); that query is not in this figure.
 * Exit code 0 either way: a benchmark measures, it does not assert.
 */
import crypto from 'node:crypto';
import { drawInspections, RISK_CLASSES, type Candidate, type Inspector } from '../src/inspect/draw';
import { generateUscc } from '../src/license/uscc';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('licences', 100_000);
const INSPECTORS = arg('inspectors', 300);
const RATIO = arg('ratio', 500);
const DEPTS = ['区市场监管局', '区商务委', '区烟草专卖局', '区卫生健康委', '区公安分局', '区文体旅游局', '区水务局', '区绿化市容局', '区消防救援支队'];
const INDUSTRIES = ['便利店', '超市', '饭店', '小餐饮', '宾馆', '药店', '书店', '烘焙店', '咖啡店', '酒吧', '电影院', '健身场馆'];

function population(): Candidate[] {
  return Array.from({ length: N }, (_, i) => ({
    licence: `3101152026PD-${String((i % 12) + 1).padStart(2, '0')}${String(i + 1).padStart(6, '0')}`,
    holder: `经营者${i}`,
    uscc: generateUscc(i + 1),
    industry: INDUSTRIES[i % 12],
    riskClass: RISK_CLASSES[(i * 7919) % 4],
    departments: DEPTS.slice(i % 5, (i % 5) + 1 + (i % 4)),
  }));
}

function roster(pop: Candidate[]): Inspector[] {
  return Array.from({ length: INSPECTORS }, (_, i) => ({ badge: `B${String(i).padStart(5, '0')}`, name: `人员${i}`, department: DEPTS[i % DEPTS.length], industries: null, avoid: i % 10 === 0 ? [pop[(i * 331) % pop.length].uscc] : [] }));
}

function baseline(pop: Candidate[]): number {
  const sorted = [...pop].sort((a, b) => (a.licence < b.licence ? -1 : 1));
  crypto.createHash('sha256').update(JSON.stringify(sorted.map((c) => [c.licence, c.uscc, c.industry, c.riskClass, c.departments]))).digest('hex');
  const k = Math.round((N * RATIO) / 10000);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(Math.random() * (sorted.length - i));
    [sorted[i], sorted[j]] = [sorted[j], sorted[i]];
  }
  return k;
}

function time(fn: () => unknown): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

function main(): void {
  const pop = population();
  const ros = roster(pop);
  const base: number[] = [];
  const yiye: number[] = [];
  let drawn = 0;
  for (let run = 0; run < 3; run++) {
    base.push(time(() => baseline(pop)));
    yiye.push(time(() => (drawn = drawInspections({ date: '2026-12-06', seed: `bench${run}`, industries: [], ratio: RATIO, ratios: {}, teamSize: 2 }, pop, ros).targets.length)));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
  const b = med(base);
  const y = med(yiye);
  console.log(`双随机抽查 draw: ${N} licences, ${INSPECTORS} inspectors, ratio ${RATIO / 100}% → ${drawn} drawn`);
  console.log(`  baseline (sort + hash + one shuffle): ${b.toFixed(3)} s`);
  console.log(`  yiye drawInspections:                 ${y.toFixed(3)} s  ${Math.round(N / y)} licences/s  ratio ${(y / b).toFixed(2)}×`);
  console.log(`  peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
}

main();
