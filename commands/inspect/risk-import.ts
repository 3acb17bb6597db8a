import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { importRisk, type ImportCounts } from '../../src/inspect/roster';
import { formatImportCounts } from '../../src/inspect/format';
import { defaultActor } from '../../src/settings/actor';
import { parseDateFlag } from '../../src/license/flags';

export default class InspectRiskImport extends BaseCommand {
  static override summary = '导入企业信用风险分类结果 (import credit-risk classes)';
  static override description =
    '列：统一社会信用代码、信用风险分类（A/B/C/D，或 低/一般（较低）/较高/高 风险），可选 分类日期。同一代码以日期最新的一条为准。抽查时没有分类的经营者按 B 类（信用风险一般）计。';
  static override examples = ['<%= config.bin %> inspect risk import 信用风险分类结果.xlsx --date 2026-11-30'];
  static override args = { file: Args.string({ description: '分类结果 .xlsx/.csv (risk classes)', required: true }) };
  static override flags = {
    date: Flags.string({ summary: '表中没有分类日期时的分类日期 (rating date when the sheet has none)' }),
    'dry-run': Flags.boolean({ summary: '只检查并统计，不写入 (validate and count, write nothing)' }),
    strict: Flags.boolean({ summary: '有未能识别的列时整批拒绝（退出码 3） (reject a file with columns not understood)' }),
    actor: Flags.string({ summary: '经办人，记入审计日志 (who; default $USER)' }),
  };

  async run(): Promise<ImportCounts> {
    const { args, flags } = await this.parse(InspectRiskImport);
    const date = flags.date === undefined ? undefined : parseDateFlag(flags.date);
    return this.withDb(flags.db, async (db) => {
      const r = await importRisk(db, args.file, { actor: flags.actor ?? defaultActor(), date, dryRun: flags['dry-run'], strict: flags.strict });
      this.log(formatImportCounts('信用风险分类', r));
      return r;
    });
  }
}
