import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { importResults } from '../../src/inspect/service';
import type { ImportCounts } from '../../src/inspect/roster';
import { formatImportCounts } from '../../src/inspect/format';
import { defaultActor } from '../../src/settings/actor';

export default class InspectResults extends BaseCommand {
  static override summary = '登记检查结果 (record inspection results)';
  static override description =
    '列：许可证编号、检查日期、检查结果（未发现问题、发现问题已责令整改、发现问题已立案、发现问题移送处理、未找到经营场所、已停业或注销），可选 抽查批次、处理情况。许可证须在所属抽查的名单中；表中没有“抽查批次”列时用 --draw 指定，或由许可证所在的唯一一次抽查确定。重复导入同一文件不会改变结果。';
  static override examples = ['<%= config.bin %> inspect results 检查结果.xlsx --draw 2026-12-06'];
  static override args = { file: Args.string({ description: '检查结果 .xlsx/.csv (results sheet)', required: true }) };
  static override flags = {
    draw: Flags.string({ summary: '这些结果所属的抽查编号 (the draw these results belong to)' }),
    'dry-run': Flags.boolean({ summary: '只检查并统计，不写入 (validate and count, write nothing)' }),
    strict: Flags.boolean({ summary: '有未能识别的列时整批拒绝（退出码 3） (reject a file with columns not understood)' }),
    actor: Flags.string({ summary: '经办人，记入审计日志 (who; default $USER)' }),
  };

  async run(): Promise<ImportCounts> {
    const { args, flags } = await this.parse(InspectResults);
    return this.withDb(flags.db, async (db) => {
      const r = await importResults(db, args.file, { actor: flags.actor ?? defaultActor(), drawId: flags.draw, dryRun: flags['dry-run'], strict: flags.strict });
      this.log(formatImportCounts('检查结果', r));
      return r;
    });
  }
}
