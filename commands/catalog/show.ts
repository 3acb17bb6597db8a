import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { showIndustry, type IndustryDetail } from '../../src/catalog/service';
import { formatIndustryDetail } from '../../src/catalog/format';

export default class CatalogShow extends BaseCommand {
  static override summary = '查看一个试点行业：部门、涉及事项及申请材料 (show one industry)';
  static override examples = ['<%= config.bin %> catalog show 便利店', '<%= config.bin %> catalog show PD-01 --json'];
  static override args = { industry: Args.string({ description: '行业名称或编码 (industry name or code)', required: true }) };

  async run(): Promise<IndustryDetail> {
    const { args, flags } = await this.parse(CatalogShow);
    return this.withDb(flags.db, async (db) => {
      const detail = await showIndustry(db, args.industry);
      this.log(formatIndustryDetail(detail));
      return detail;
    });
  }
}
