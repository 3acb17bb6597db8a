import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { applyOperation, type OperationResult } from '../../src/license/service';
import { formatOperation } from '../../src/license/format';
import { parseDateFlag } from '../../src/license/flags';

export default class LicenseRevoke extends BaseCommand {
  static override summary = '撤销许可证 (revoke a licence (by the office))';
  static override description = '撤销后许可证留档备查，核验结果为“已撤销”，不能再变更或延续；已撤销、注销、吊销的许可证不能再撤销（退出码 4）。';
  static override examples = ['<%= config.bin %> license revoke 3101152026PD-01000001 --reason 以欺骗手段取得许可'];
  static override args = { number: Args.string({ description: '许可证编号 (licence number)', required: true }) };
  static override flags = {
    reason: Flags.string({ summary: '撤销原因 (reason)', required: true }),
    date: Flags.string({ summary: '撤销日期，默认今天 (date)' }),
    actor: Flags.string({ summary: '经办人 (who)' }),
  };

  async run(): Promise<OperationResult> {
    const { args, flags } = await this.parse(LicenseRevoke);
    const date = parseDateFlag(flags.date);
    return this.withDb(flags.db, async (db) => {
      const r = await applyOperation(db, { number: args.number, kind: 'revoke', reason: flags.reason }, { date, actor: flags.actor });
      this.log(formatOperation(r));
      return r;
    });
  }
}
