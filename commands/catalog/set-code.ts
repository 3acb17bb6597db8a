import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { setIndustryCode, type SetCodeResult } from '../../src/catalog/service';

export default class CatalogSetCode extends BaseCommand {
  static override summary = '设定试点行业的行业编码（须在发出第一张许可证之前）(set an industry\'s own code)';
  static override description =
    '部门的行业清单常常没有“行业编码”列：导入时按规则自动编号（01、02…，按导入顺序，永不重复使用）。本命令把它改为本单位自己的编码。该行业已有许可证时拒绝（退出码 4）。';
  static override examples = ['<%= config.bin %> catalog set-code 书店 PD-07', '<%= config.bin %> catalog set-code 03 PD-07 --json'];
  static override args = {
    industry: Args.string({ description: '行业名称或现有编码 (industry name or current code)', required: true }),
    code: Args.string({ description: '新的行业编码 (the new code)', required: true }),
  };

  async run(): Promise<SetCodeResult> {
    const { args, flags } = await this.parse(CatalogSetCode);
    return this.withDb(flags.db, async (db) => {
      const r = await setIndustryCode(db, args.industry, args.code);
      this.log(r.changed ? `行业“${r.industry}”的编码：${r.from ?? '（无）'}${r.wasAssigned ? '（自动编号）' : ''} → ${r.to}` : `行业“${r.industry}”的编码已是 ${r.to}，未改变。`);
      return r;
    });
  }
}
