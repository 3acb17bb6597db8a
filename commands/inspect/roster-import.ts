import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { importRoster, type ImportCounts } from '../../src/inspect/roster';
import { formatImportCounts } from '../../src/inspect/format';
import { defaultActor } from '../../src/settings/actor';

export default class InspectRosterImport extends BaseCommand {
  static override summary = '导入执法人员名录 (import the inspectors)';
  static override description =
    '列：姓名、执法证号、所属部门，可选 可检查行业（目录中的行业名称，可多个）、回避（须回避的统一社会信用代码，可多个，以、，；分隔）。按执法证号识别：已登记的人更新，相同的不变；名录中没有的人保留。整表检查通过才写入，任何一行有错则全部不写入（退出码 3）。';
  static override examples = ['<%= config.bin %> inspect roster import 执法人员名录.xlsx'];
  static override args = { file: Args.string({ description: '名录 .xlsx/.csv (roster sheet)', required: true }) };
  static override flags = {
    'dry-run': Flags.boolean({ summary: '只检查并统计，不写入 (validate and count, write nothing)' }),
    strict: Flags.boolean({ summary: '有未能识别的列时整批拒绝（退出码 3） (reject a file with columns not understood)' }),
    actor: Flags.string({ summary: '经办人，记入审计日志 (who; default $USER)' }),
  };

  async run(): Promise<ImportCounts> {
    const { args, flags } = await this.parse(InspectRosterImport);
    return this.withDb(flags.db, async (db) => {
      const r = await importRoster(db, args.file, { actor: flags.actor ?? defaultActor(), dryRun: flags['dry-run'], strict: flags.strict });
      this.log(formatImportCounts('执法人员名录', r));
      return r;
    });
  }
}
