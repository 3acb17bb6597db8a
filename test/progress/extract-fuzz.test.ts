import fc from 'fast-check';
import { extractPlan } from '../../src/progress/extract';
import { normalizePlanText } from '../../src/progress/plan-text';
import { readUnitClause, takeBracketClauses } from '../../src/progress/unit-clause';

/**
 * Issue 18 item 5: every text pattern of `tasks extract` must be linear. Long adversarial lines —
 * runs of every kind of Unicode space, of 和/及, of brackets, labels, numbers, separators, blank
 * lines — are read at two sizes, 8× apart, and the work (CPU time of this process, the best of three)
 * must grow about 8×, never with the square (64×). This asserts a ratio between sizes, not a time:
 * the time budget per MB is measured by the benchmark (bench/extract-bench.ts).
 */
const FRAGMENTS = [
  ' ', '\u00a0', '\u3000', '\u2003', '\u200b', '\u202e', '\t', '\n', '\n\n\n', '\r\n', '\u2028',
  '和', '及', '以及', '、', '，', ',', '；', '。', '：', ':', '.', '．',
  '（', '）', '(', ')', '〔', '〕', '【', '】', '[', ']',
  '牵头单位：', '责任单位:', '配合单位：', '时限要求：', '部门分工:', '牽頭單位：', '責任單位：',
  '牵头', '负责', '配合', '按职责分工负责', '市政务局', '各区政府', '区发改局',
  '一、', '（一）', '1.', '12.', '(1)', '①', '2021年', '6月', '底前', '6月份建成', '明年', '每季度', '长期坚持',
  '0', '1', '9', '20', '年', '月', '日', '第 3 页', '— 2 —', 'qū', '區(qū)',
];

const cpuMs = (f: () => void): number => {
  const start = process.cpuUsage();
  f();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};
const best = (f: () => void): number => Math.min(cpuMs(f), cpuMs(f), cpuMs(f));
const repeatTo = (unit: string, chars: number) => unit.repeat(Math.ceil(chars / unit.length));

const SMALL = 16_000;
const FACTOR = 8;
/** Linear work is ~8×; quadratic would be ~64×. Small runs are floored at 2 ms so noise cannot inflate the ratio. */
const MAX_RATIO = 24;

describe('tasks extract reads adversarial lines in linear work', () => {
  it('extract (normalise + read) grows linearly with the input', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 12 }), (parts) => {
        const unit = parts.join('');
        const small = repeatTo(unit, SMALL);
        const big = repeatTo(unit, SMALL * FACTOR);
        const read = (t: string) => () => extractPlan(normalizePlanText(t).text);
        read(small)(); // warm up
        const ratio = best(read(big)) / Math.max(best(read(small)), 2);
        return ratio < MAX_RATIO;
      }),
      { numRuns: 10, seed: 20261206 },
    );
  });

  it('the unit-clause grammar grows linearly on one long clause', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS.filter((f) => !f.includes('\n'))), { minLength: 1, maxLength: 8 }), (parts) => {
        const unit = parts.join('');
        const read = (t: string) => () => {
          readUnitClause(t);
          takeBracketClauses(`（${t}）`);
        };
        const small = repeatTo(unit, SMALL);
        const big = repeatTo(unit, SMALL * FACTOR);
        read(small)();
        return best(read(big)) / Math.max(best(read(small)), 2) < MAX_RATIO;
      }),
      { numRuns: 10, seed: 18 },
    );
  });

  it.each([
    ['a run of ideographic spaces inside a table row', `序号 主要任务 重点内容 责任单位\n1全面推行${'\u3000'.repeat(40_000)}2.x`],
    ['a run of blank lines', `一、任务\n${'\n'.repeat(80_000)}1.建设平台。（市政务局牵头）`],
    ['a run of separators in a label line', `一、任务\n1.建设。\n责任单位：${'，'.repeat(60_000)}x`],
    ['a run of 和', `一、任务\n1.建设。（${'区委和'.repeat(20_000)}牵头）`],
  ])('%s: linear', (_name, text) => {
    const half = text.slice(0, Math.floor(text.length / 8));
    const read = (t: string) => () => extractPlan(normalizePlanText(t).text);
    expect(best(read(text)) / Math.max(best(read(half)), 2)).toBeLessThan(MAX_RATIO);
  });
});
