/**
 * The draw as a pure function: reproducible from its seed, fair over many seeds, and the team rules
 * (avoidance, every department covered, no one twice) hold for any register and roster (fast-check).
 */
import fc from 'fast-check';
import { allocate, drawInspections, RISK_CLASSES, type Candidate, type DrawSpec, type Inspector } from '../../src/inspect/draw';
import { SeededRandom } from '../../src/inspect/prng';
import { generateUscc } from '../../src/license/uscc';

const DEPTS = ['区市场监管局', '区商务委', '区烟草专卖局', '区卫生健康委'];
const INDUSTRIES = ['便利店', '饭店', '宾馆'];

function register(n: number, seedBase = 1): Candidate[] {
  return Array.from({ length: n }, (_, i) => ({
    licence: `3101152026PD-${String((i % 3) + 1).padStart(2, '0')}${String(i + 1).padStart(6, '0')}`,
    holder: `经营者${i + 1}`,
    uscc: generateUscc(seedBase + i),
    industry: INDUSTRIES[i % 3],
    riskClass: RISK_CLASSES[(i * 7) % 4],
    departments: DEPTS.slice(0, 1 + (i % 3)),
  }));
}

function roster(perDept = 3): Inspector[] {
  return DEPTS.flatMap((d, k) => Array.from({ length: perDept }, (_, j) => ({ badge: `B${k}${j}`, name: `人员${k}${j}`, department: d, industries: null, avoid: [] })));
}

const spec = (over: Partial<DrawSpec> = {}): DrawSpec => ({ date: '2026-12-06', seed: '2026140', industries: [], ratio: 1000, ratios: {}, teamSize: 2, ...over });

describe('SeededRandom', () => {
  it('is the documented SHA-256 counter stream and gives every value of a range', () => {
    const a = new SeededRandom('x');
    const b = new SeededRandom('x');
    const xs = Array.from({ length: 200 }, () => a.int(7));
    expect(Array.from({ length: 200 }, () => b.int(7))).toEqual(xs);
    expect(new Set(xs)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
    expect(new SeededRandom('y').sample([1, 2, 3, 4, 5, 6, 7, 8], 8)).not.toEqual(new SeededRandom('x').sample([1, 2, 3, 4, 5, 6, 7, 8], 8));
    // first word of block 0 = the first 4 bytes of SHA-256("yiye-draw/1\nx\n0"): anyone can recompute it
    const first = require('node:crypto').createHash('sha256').update('yiye-draw/1\nx\n0').digest().readUInt32BE(0);
    expect(new SeededRandom('x').int(0x100000000)).toBe(first);
  });
});

describe('allocate', () => {
  it('rounds halves up, gives every non-empty stratum with a positive share at least one, never more than its size', () => {
    expect(allocate([{ n: 10, share: 500 }, { n: 30, share: 500 }, { n: 1, share: 500 }, { n: 0, share: 500 }, { n: 9, share: 0 }])).toEqual([1, 2, 1, 0, 0]);
    expect(allocate([{ n: 3, share: 10000 }])).toEqual([3]);
  });
  it('splits a count in proportion (largest remainder) and never past a stratum', () => {
    expect(allocate([{ n: 10, share: 1 }, { n: 20, share: 1 }, { n: 30, share: 1 }], 6)).toEqual([1, 2, 3]);
    expect(allocate([{ n: 1, share: 1 }, { n: 100, share: 1 }], 50)).toEqual([0, 50]); // 0.495 and 49.505: the larger remainder wins
    expect(allocate([{ n: 2, share: 1 }, { n: 2, share: 1 }], 10)).toEqual([2, 2]);
  });
});

describe('drawInspections', () => {
  it('same inputs in any order → byte-identical result; another seed → another draw', () => {
    const pop = register(60);
    const ros = roster();
    const a = JSON.stringify(drawInspections(spec(), pop, ros));
    const b = JSON.stringify(drawInspections(spec(), [...pop].reverse(), [...ros].reverse()));
    expect(b).toBe(a);
    const c = drawInspections(spec({ seed: '2026141' }), pop, ros);
    expect(c.targets.map((t) => t.licence)).not.toEqual(JSON.parse(a).targets.map((t: { licence: string }) => t.licence));
    expect(c.inputsSha256).not.toBe(JSON.parse(a).inputsSha256); // the seed is part of the inputs
  });

  it('over 400 seeds each stratum member is drawn with its stratum share (±15% relative)', () => {
    const pop = register(120); // 12 strata of 10
    const hits = new Map<string, number>();
    const seeds = 400;
    for (let s = 0; s < seeds; s++) for (const t of drawInspections(spec({ seed: `s${s}`, ratio: 2000, teamSize: 1 }), pop, roster()).targets) hits.set(t.licence, (hits.get(t.licence) ?? 0) + 1);
    // 20% of each stratum of 10 = 2 per draw: each licence expected 0.2 × 400 = 80 times
    for (const c of pop) expect(Math.abs((hits.get(c.licence) ?? 0) - 80)).toBeLessThan(80 * 0.35);
    const total = [...hits.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(seeds * 24);
  });

  it('property: every team covers each department of its licence when it can, never has an avoiding inspector, never one twice, and load is even', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 4 }), fc.string({ minLength: 1, maxLength: 8 }), fc.array(fc.nat(39), { maxLength: 15 }), (n, perDept, seed, avoidIdx) => {
        const pop = register(n);
        const ros = roster(perDept);
        // inspector k avoids the licence holders listed for it
        avoidIdx.forEach((li, k) => {
          if (li < n) ros[k % ros.length].avoid.push(pop[li].uscc);
        });
        const out = drawInspections(spec({ seed, ratio: 5000 }), pop, ros);
        for (const t of out.targets) {
          const badges = t.team.map((m) => m.badge);
          expect(new Set(badges).size).toBe(badges.length);
          for (const m of t.team) expect(ros.find((i) => i.badge === m.badge)!.avoid).not.toContain(t.uscc);
          for (const d of t.departments) {
            const covered = t.team.some((m) => m.department === d);
            const possible = ros.some((i) => i.department === d && !i.avoid.includes(t.uscc));
            if (possible) expect(covered).toBe(true);
            else expect(out.unassigned.some((u) => u.licence === t.licence && u.reason.includes(d))).toBe(true);
          }
        }
        // without avoidance, the first member per department is spread: loads within a department differ by at most one
        if (avoidIdx.length === 0) {
          const load = new Map<string, number>();
          for (const t of out.targets) for (const m of t.team) load.set(m.badge, (load.get(m.badge) ?? 0) + 1);
          for (const d of DEPTS) {
            const ls = ros.filter((i) => i.department === d).map((i) => load.get(i.badge) ?? 0);
            expect(Math.max(...ls) - Math.min(...ls)).toBeLessThanOrEqual(1);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('an inspector restricted to other industries is not sent; a department with nobody is reported in Chinese', () => {
    const pop = register(3).map((c) => ({ ...c, departments: ['区市场监管局', '区水务局'] }));
    const ros: Inspector[] = [
      { badge: 'A1', name: '甲', department: '区市场监管局', industries: ['宾馆'], avoid: [] },
      { badge: 'A2', name: '乙', department: '区市场监管局', industries: null, avoid: [] },
    ];
    const out = drawInspections(spec({ ratio: 10000, teamSize: 1 }), pop, ros);
    const bianli = out.targets.find((t) => t.industry === '便利店')!;
    expect(bianli.team.map((m) => m.name)).toEqual(['乙']);
    expect(out.unassigned.filter((u) => u.reason.startsWith('部门“区水务局”没有登记执法人员'))).toHaveLength(3);
  });
});
