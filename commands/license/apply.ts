import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { applyBatch, type ApplyResult } from '../../src/license/service';
import { formatApply } from '../../src/license/format';
import { resolveKeyFile } from '../../src/license/keys';
import { keyFileFlag, parseDateFlag } from '../../src/license/flags';

export default class LicenseApply extends BaseCommand {
  static override summary = '按批办理变更、延续、撤销、注销、吊销 (apply a batch of lifecycle operations)';
  static override description =
    '每行一项：许可证编号、操作（变更/延续/撤销/注销/吊销），以及经营者名称、法定代表人（负责人）、经营场所、增加许可项目、减少许可项目、延续至、原因。按行序在一个事务中办理，任何一行有错则全部不办理；同一文件重复运行不会重复办理。';
  static override examples = ['<%= config.bin %> license apply 变更延续注销.xlsx --date 2026-06-01 --actor 窗口张三'];
  static override args = { file: Args.string({ description: '办理清单 (.xlsx/.csv)', required: true }) };
  static override flags = {
    date: Flags.string({ summary: '办理日期，默认今天 (date)' }),
    actor: Flags.string({ summary: '经办人 (who)' }),
    'dry-run': Flags.boolean({ summary: '只校验，不办理 (validate only)' }),
    'skip-invalid': Flags.boolean({ summary: '办理无误的行，报告错误行 (apply the good rows)' }),
    'key-file': keyFileFlag,
  };

  async run(): Promise<ApplyResult> {
    const { args, flags } = await this.parse(LicenseApply);
    const date = parseDateFlag(flags.date);
    return this.withDb(flags.db, async (db) => {
      const r = await applyBatch(db, args.file, { date, actor: flags.actor, dryRun: flags['dry-run'], skipInvalid: flags['skip-invalid'], keyFile: resolveKeyFile(flags.db, flags['key-file']) });
      this.log(formatApply(r));
      return r;
    });
  }
}
