/**
 * `npm run extract-eval`: how well `tasks extract` reads real plans (issue 13 item 5).
 *
 *   node dist/bench/extract-eval.js [--misses]
 *
 * Scores the corpus (fixtures/tasks/corpus: real plan texts from many provinces, each with a
 * hand-written truth file), the held-out corpus (fixtures/tasks/corpus-heldout: real plans whose truth
 * was written after the grammar was first frozen) and the seeds that have truth files (fixtures/tasks/seeds), and prints per
 * document and in total how many tasks were found and how many have the right leads, co-units and
 * deadline. --misses lists every task read wrong. Exit code 0 either way: the thresholds are the
 * test's (test/progress/extract-eval.test.ts).
 */
import path from 'node:path';
import { evaluateCorpus, formatEval } from '../src/progress/extract-eval';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  const misses = process.argv.includes('--misses');
  for (const [label, dir] of [
    ['语料（各省真实计划文本）', path.join(root, 'fixtures/tasks/corpus')],
    ['留出语料（语法定稿后才写答案的真实计划文本）', path.join(root, 'fixtures/tasks/corpus-heldout')],
    ['种子文件', path.join(root, 'fixtures/tasks/seeds')],
  ] as const) {
    console.log(`\n${label}：${path.relative(root, dir)}`);
    console.log(formatEval(await evaluateCorpus(dir), { misses }));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
