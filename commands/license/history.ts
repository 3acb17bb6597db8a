import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { licenseHistory, type LicenseHistory } from '../../src/license/service';
import { formatHistory } from '../../src/license/format';
import { parseDateFlag } from '../../src/license/flags';

export default class LicenseHistoryCommand extends BaseCommand {
  static override summary = '许可证的全部版本与经办记录 (every version and event of a licence)';
  static override description = '列出每一版许可证（制证日期、有效期、是否被换发）和每一次发证、变更、延续、撤销、注销，含经办人、时间、原因及来源文件和行。';
  static override examples = ['<%= config.bin %> license history 3101152026PD-01000001'];
  static override args = { number: Args.string({ description: '许可证编号 (licence number)', required: true }) };
  static override flags = { date: Flags.string({ summary: '按此日期判断当前状态是否已过期，默认今天 (as-of date)' }) };

  async run(): Promise<LicenseHistory> {
    const { args, flags } = await this.parse(LicenseHistoryCommand);
    const asOf = parseDateFlag(flags.date);
    return this.withDb(flags.db, async (db) => {
      const h = await licenseHistory(db, args.number, asOf);
      this.log(formatHistory(h));
      return h;
    });
  }
}
