import { forceFlag } from '../../src/cli/output-flags';
import { checkOutput } from '../../src/io/output';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { expiringLicenses, type ExpiringResult } from '../../src/license/service';
import { formatExpiring } from '../../src/license/format';
import { parseDateFlag } from '../../src/license/flags';

export default class LicenseExpiring extends BaseCommand {
  static override summary = '即将到期的许可证和单项许可 (licences and items that lapse soon)';
  static override description = '列出在 --within 天内到期（或已到期）的有效许可证及其即将到期的单项许可；--out 写出可直接用于 `yiye license apply` 的延续清单（填写“延续至”后办理）。';
  static override examples = ['<%= config.bin %> license expiring --within 60', '<%= config.bin %> license expiring --within 30 --out 到期延续.xlsx --json'];
  static override flags = {
    within: Flags.integer({ summary: '天数 (days ahead)', required: true, min: 0 }),
    date: Flags.string({ summary: '起算日期，默认今天 (as-of date)' }),
    out: Flags.string({ summary: '写出延续清单 .xlsx/.csv (renewal batch for license apply)' }),
    force: forceFlag,
  };

  async run(): Promise<ExpiringResult> {
    const { flags } = await this.parse(LicenseExpiring);
    const asOf = parseDateFlag(flags.date);
    if (flags.out) checkOutput(flags.out, { what: '延续清单', formats: ['.xlsx', '.csv'], force: flags.force, flag: '--out' });
    return this.withDb(flags.db, async (db) => {
      const r = await expiringLicenses(db, { asOf, within: flags.within, out: flags.out });
      this.log(formatExpiring(r));
      return r;
    });
  }
}
