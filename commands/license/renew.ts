import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { applyOperation, type OperationResult } from '../../src/license/service';
import { formatOperation } from '../../src/license/format';
import { resolveKeyFile } from '../../src/license/keys';
import { keyFileFlag, parseDateFlag } from '../../src/license/flags';

export default class LicenseRenew extends BaseCommand {
  static override summary = '延续许可证有效期并换发新版 (renew a licence until a date)';
  static override description = '以同一编号换发新版，有效期至 --until；所载单项许可中有效期早于该日的一并延续至该日。已撤销、注销、吊销的许可证不能延续（退出码 4）。延续应在有效期届满前申请（《行政许可法》第五十条）：已过期的许可证不能按延续办理（退出码 4），应重新申请发证；确需逾期延续的，加 --after-expiry 并用 --reason 写明依据，原因与过期天数记入经办记录。';
  static override examples = ['<%= config.bin %> license renew 3101152026PD-01000001 --until 2036-03-14 --reason 到期延续',
    '<%= config.bin %> license renew 3101152026PD-01000001 --until 2036-03-14 --after-expiry --reason 经局务会研究同意逾期延续',
  ];
  static override args = { number: Args.string({ description: '许可证编号 (licence number)', required: true }) };
  static override flags = {
    until: Flags.string({ summary: '新的有效期至 YYYY-MM-DD (new expiry date)', required: true }),
    reason: Flags.string({ summary: '原因；--after-expiry 时必填 (reason)' }),
    'after-expiry': Flags.boolean({ summary: '许可证已过期仍予延续（须 --reason 写明依据） (renew a licence that has already expired)', dependsOn: ['reason'] }),
    date: Flags.string({ summary: '办理日期即新版制证日期，默认今天 (date)' }),
    actor: Flags.string({ summary: '经办人 (who)' }),
    'key-file': keyFileFlag,
  };

  async run(): Promise<OperationResult> {
    const { args, flags } = await this.parse(LicenseRenew);
    const date = parseDateFlag(flags.date);
    const until = parseDateFlag(flags.until, '--until');
    return this.withDb(flags.db, async (db) => {
      const r = await applyOperation(db, { number: args.number, kind: 'renew', until, reason: flags.reason, afterExpiry: flags['after-expiry'] }, { date, actor: flags.actor, keyFile: resolveKeyFile(flags.db, flags['key-file']) });
      this.log(formatOperation(r));
      return r;
    });
  }
}
