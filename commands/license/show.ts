import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { showLicense } from '../../src/license/service';
import { formatLicense } from '../../src/license/format';
import type { License } from '../../src/license/types';
import { parseDateFlag } from '../../src/license/flags';

export default class LicenseShow extends BaseCommand {
  static override summary = '查看一张许可证的现行内容 (show a licence)';
  static override examples = ['<%= config.bin %> license show 3101152026PD-01000001 --json'];
  static override args = { number: Args.string({ description: '许可证编号 (licence number)', required: true }) };
  static override flags = { date: Flags.string({ summary: '按此日期判断是否过期，默认今天 (as-of date)' }) };

  async run(): Promise<License> {
    const { args, flags } = await this.parse(LicenseShow);
    const asOf = parseDateFlag(flags.date);
    return this.withDb(flags.db, async (db) => {
      const l = await showLicense(db, args.number, asOf);
      this.log(formatLicense(l));
      return l;
    });
  }
}
