import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { listIndustries, listMatters, type IndustryListRow, type MatterListRow } from '../../src/catalog/service';
import { formatIndustries, formatMatters } from '../../src/catalog/format';
import { UsageError } from '../../src/cli/errors';

export default class CatalogList extends BaseCommand {
  static override summary = '列出试点行业或许可事项 (list industries or matters)';
  static override examples = ['<%= config.bin %> catalog list industries', '<%= config.bin %> catalog list matters --industry 便利店 --json'];
  static override args = {
    what: Args.string({ description: 'industries（试点行业）或 matters（许可事项）', required: true, options: ['industries', 'matters'] }),
  };
  static override flags = {
    industry: Flags.string({ summary: '只列该行业涉及的事项 (matters of this industry)' }),
  };

  async run(): Promise<IndustryListRow[] | MatterListRow[]> {
    const { args, flags } = await this.parse(CatalogList);
    return this.withDb(flags.db, async (db) => {
      if (args.what === 'industries') {
        if (flags.industry) throw new UsageError('--industry 只用于 catalog list matters（列出该行业涉及的事项）。', `查看一个行业的详情请用：yiye catalog show ${flags.industry}`);
        const rows = await listIndustries(db);
        this.log(formatIndustries(rows));
        return rows;
      }
      const rows = await listMatters(db, { industry: flags.industry });
      this.log(formatMatters(rows));
      return rows;
    });
  }
}
