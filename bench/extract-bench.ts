/**
 * `npm run bench:extract`: how long `tasks extract` takes per MB of plan text (issue 18 item 5).
 *
 *   node dist/bench/extract-bench.js [--mb N]
 *
 * Reads (normalise + extract, as `tasks extract --dry-run` does after reading the file) a realistic
 * plan built from the corpus's real plans repeated to N MB (default 4), and hostile texts of the same
 * size: one line of ideographic spaces, a run of blank lines, one line of 和, brackets and labels, a
 * long table row. Prints the time per MB of each and PASS/MISS against the budget. Exit 0 either way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { extractPlan } from '../src/progress/extract';
import { normalizePlanText } from '../src/progress/plan-text';

const BUDGET_MS_PER_MB = 2000;

function main(): void {
  const mbArg = process.argv.indexOf('--mb');
  const mb = mbArg > 0 ? Number(process.argv[mbArg + 1]) : 4;
  const chars = mb * 1024 * 1024 / 3; // UTF-8: a Chinese character is 3 bytes
  const root = path.resolve(__dirname, '../..');
  const corpusDir = path.join(root, 'fixtures/tasks/corpus');
  const texts = fs
    .readdirSync(corpusDir)
    .filter((n) => n.endsWith('.txt'))
    .map((n) => fs.readFileSync(path.join(corpusDir, n), 'utf8'));
  const real = texts.join('\n');
  // the Simplified plans alone: no opencc conversion
  const simplified = texts.filter((t) => !/[單頭責區]/.test(t)).join('\n');
  const fill = (unit: string) => unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
  const cases: Array<[string, string]> = [
    ['真实计划文本（语料重复，含繁体）', fill(`${real}\n`)],
    ['真实计划文本（仅简体）', fill(`${simplified}\n`)],
    ['一行全角空格', `一、任务\n1全面推行${fill('\u3000')}2.x`],
    ['大量空行', `一、任务\n${fill('\n')}1.建设平台。（市政务局牵头）`],
    ['一行“和”', `一、任务\n1.建设。（${fill('区委和')}牵头）`],
    ['括号与标签交错', `一、任务\n1.建设。${fill('（牵头单位：市政务局，责任单位：')}`],
    ['表格行', `序号 主要任务 重点内容 责任单位\n${fill('1全面推行审批服务 ')}`],
    ['编号与时限', fill('1.2021年6月底前(1)①一、（一）每季度明年7月份建成；')],
  ];
  console.log(`tasks extract：每 MB 用时（预算 ${BUDGET_MS_PER_MB} ms/MB）`);
  for (const [name, text] of cases) {
    const bytes = Buffer.byteLength(text, 'utf8');
    const start = process.hrtime.bigint();
    const plan = extractPlan(normalizePlanText(text).text);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const perMb = ms / (bytes / 1024 / 1024);
    const rss = process.memoryUsage().rss / 1024 / 1024;
    console.log(`  ${name}：${(bytes / 1024 / 1024).toFixed(1)} MB，${ms.toFixed(0)} ms，${perMb.toFixed(0)} ms/MB，任务 ${plan.tasks.length}，RSS ${rss.toFixed(0)} MB  ${perMb <= BUDGET_MS_PER_MB ? 'PASS' : 'MISS'}`);
  }
}

main();
