import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { UsageError } from '../../src/cli/errors';
import { listLicenses, type LicenseListing } from '../../src/license/service';
import { formatListing } from '../../src/license/format';
import { registerFilter, registerFilterFlags } from '../../src/license/flags';

export default class LicenseList extends BaseCommand {
  static override summary = '查找许可证：按经营者、代码、状态、行业、发证日期 (find licences)';
  static override description =
    '每张一行：编号、状态（按 --date 判断是否已过期）、经营者名称、统一社会信用代码、行业、经营场所、有效期至。按许可证编号排序，默认列出前 50 张（--limit 0 为全部）。\n\n--json 输出：{"asOf","total","licenses":[{"number","status","statusLabel","holder","uscc","industry","premises","issueDate","validUntil"}]}，total 为符合条件的总数。';
  static override examples = [
    '<%= config.bin %> license list --holder 合庆',
    '<%= config.bin %> license list --uscc 91310115298Y3LYA5W --json',
    '<%= config.bin %> license list --status revoked --industry 便利店 --limit 0',
  ];
  static override flags = {
    ...registerFilterFlags,
    holder: Flags.string({ summary: '经营者名称包含此文字 (holder name contains)' }),
    uscc: Flags.string({ summary: '统一社会信用代码 (holder code)' }),
    limit: Flags.integer({ summary: '最多列出几张，0 为全部 (at most this many; 0 = all)', default: 50 }),
  };

  async run(): Promise<LicenseListing> {
    const { flags } = await this.parse(LicenseList);
    if (flags.limit < 0) throw new UsageError(`--limit 的值 ${flags.limit} 不能为负数。`, '写 --limit 0 列出全部。');
    const filter = { ...registerFilter(flags), holder: flags.holder, uscc: flags.uscc, limit: flags.limit };
    return this.withDb(flags.db, async (db) => {
      const r = await listLicenses(db, filter);
      this.log(formatListing(r));
      return r;
    });
  }
}
