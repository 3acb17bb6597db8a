#!/usr/bin/env node
// The yiye command line. Commands are compiled to dist/ by `npm run build`.
// oclif's `execute` without its catch-all, so that an unknown command is reported in Chinese.
const oclif = require('@oclif/core');

// Commands are listed explicitly (no help plugin): `yiye help <command>` and `-h` mean `--help`.
let argv = process.argv.slice(2);
if (argv[0] === 'help') argv = [...argv.slice(1), '--help'];
argv = argv.map((a) => (a === '-h' ? '--help' : a));

oclif
  .run(argv, __dirname)
  .then(() => oclif.flush())
  .catch((err) => {
    const unknown = /^command (\S+) not found/.exec(err && err.message);
    if (!unknown) return oclif.Errors.handle(err);
    const name = unknown[1].replace(/:/g, ' ');
    const near = suggestions(name);
    const hint = near.length ? `您是不是要运行：${near.map((c) => `yiye ${c}`).join('、')}？（did you mean ${near.join(', ')}?）\n提示：运行 \`yiye help\` 查看全部命令。` : '运行 `yiye help` 查看全部命令，或 `yiye help <主题>`（如 yiye help license）。';
    process.stderr.write(`错误：没有命令“${name}”（command ${name} not found）。\n${near.length ? '' : '提示：'}${hint}\n`);
    process.exitCode = 2;
  });

/** The commands closest to a mistyped one (catalog improt → catalog import): edit distance at most 2, or a third of its length. */
function suggestions(typed) {
  let ids = [];
  try {
    ids = Object.keys(require('../dist/commands/index.js').COMMANDS).map((id) => id.replace(/:/g, ' '));
  } catch {
    return [];
  }
  // oclif names the arguments too (catalog improt x.xlsx): compare each command with as many typed words as it has
  const words = typed.split(' ');
  const scored = ids.map((id) => {
    const typedPart = words.slice(0, id.split(' ').length).join(' ');
    return { id, typedPart, d: distance(typedPart, id) };
  });
  const limit = Math.max(2, Math.floor(Math.min(...scored.map((s) => s.typedPart.length)) / 3));
  const best = Math.min(...scored.map((s) => s.d));
  return best <= limit ? scored.filter((s) => s.d === best).map((s) => s.id).slice(0, 3) : [];
}

/** Damerau–Levenshtein (optimal string alignment): a swapped pair of letters is one edit. */
function distance(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
