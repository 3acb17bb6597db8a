import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { applyOperation, type OperationResult } from '../../src/license/service';
import { formatOperation } from '../../src/license/format';
import { resolveKeyFile } from '../../src/license/keys';
import { keyFileFlag, parseDateFlag } from '../../src/license/flags';

export default class LicenseRenew extends BaseCommand {
  static override summary = '延续许可证有效期并换发新版 (renew a licence until a date)';
  static override description = '以同一编号换发新版，有效期至 --until；所载单项许可中有效期早于该日的一并延续至该日。已撤销、注销、吊销的许可证不能延续（退出码 4）；已过期的可以延续。';
  static override examples = ['<%= config.bin %> license renew 3101152026PD-01000001 --until 2036-03-14 --reason 到期延续'];
  static override args = { number: Args.string({ description: '许可证编号 (licence number)', required: true }) };
  static override flags = {
    until: Flags.string({ summary: '新的有效期至 YYYY-MM-DD (new expiry date)', required: true }),
    reason: Flags.string({ summary: '原因 (reason)' }),
    date: Flags.string({ summary: '办理日期即新版制证日期，默认今天 (date)' }),
    actor: Flags.string({ summary: '经办人 (who)' }),
    'key-file': keyFileFlag,
  };

  async run(): Promise<OperationResult> {
    const { args, flags } = await this.parse(LicenseRenew);
    const date = parseDateFlag(flags.date);
    const until = parseDateFlag(flags.until, '--until');
    return this.withDb(flags.db, async (db) => {
      const r = await applyOperation(db, { number: args.number, kind: 'renew', until, reason: flags.reason }, { date, actor: flags.actor, keyFile: resolveKeyFile(flags.db, flags['key-file']) });
      this.log(formatOperation(r));
      return r;
    });
  }
}
