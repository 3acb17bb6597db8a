import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { applyBatch, type ApplyResult } from '../../src/license/service';
import { formatApply } from '../../src/license/format';
import { resolveKeyFile } from '../../src/license/keys';
import { keyFileFlag, parseDateFlag } from '../../src/license/flags';

export default class LicenseApply extends BaseCommand {
  static override summary = '按批办理变更、延续、撤销、注销、吊销 (apply a batch of lifecycle operations)';
  static override description =
    '每行一项：许可证编号、操作（变更/延续/撤销/注销/吊销），以及经营者名称、法定代表人（负责人）、经营场所、增加许可项目、减少许可项目、延续至、原因。按行序在一个事务中办理，任何一行有错则全部不办理（退出码 3；每行都是不允许的状态转换时为 4）。重复运行不会重复办理：同一文件、改正后另存的文件或结果文件再次运行时，此前已办理的行列为“此前已办理”。--results 在原有列后加 原工作表（多个工作表时）、原行号、处理结果、错误原因，改正后可直接再用；--results 不能是办理清单本身（退出码 2）。';
  static override examples = ['<%= config.bin %> license apply 变更延续注销.xlsx --date 2026-06-01 --actor 窗口张三', '<%= config.bin %> license apply 变更延续注销.xlsx --results 办理结果.xlsx'];
  static override args = { file: Args.string({ description: '办理清单 (.xlsx/.xls/.et/.ods/.csv)', required: true }) };
  static override flags = {
    date: Flags.string({ summary: '办理日期，默认今天 (date)' }),
    actor: Flags.string({ summary: '经办人 (who)' }),
    'dry-run': Flags.boolean({ summary: '只校验，不办理；有错误行时与正式运行一样退出 3 或 4 (validate only; exits as the real run would)' }),
    'skip-invalid': Flags.boolean({ summary: '办理无误的行，报告错误行 (apply the good rows)' }),
    results: Flags.string({ summary: '把每行的处理结果、错误原因写入此 .xlsx/.csv (results file)' }),
    'key-file': keyFileFlag,
  };

  async run(): Promise<ApplyResult> {
    const { args, flags } = await this.parse(LicenseApply);
    const date = parseDateFlag(flags.date);
    return this.withDb(flags.db, async (db) => {
      const r = await applyBatch(db, args.file, { date, actor: flags.actor, dryRun: flags['dry-run'], skipInvalid: flags['skip-invalid'], resultsPath: flags.results, keyFile: resolveKeyFile(flags.db, flags['key-file']) });
      this.log(formatApply(r));
      if (r.wouldExit) process.exitCode = r.wouldExit; // a dry run exits as the real run would
      return r;
    });
  }
}
