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
    process.stderr.write(`错误：没有命令“${name}”（command ${name} not found）。\n提示：运行 \`yiye help\` 查看全部命令，或 \`yiye help <主题>\`（如 yiye help license）。\n`);
    process.exitCode = 2;
  });
