import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { allowCode, type AllowCodeResult } from '../../src/license/service';
import { defaultActor } from '../../src/settings/actor';

export default class LicenseAllowCode extends BaseCommand {
  static override summary = '登记校验不通过但真实有效的统一社会信用代码 (accept a listed code that fails the GB 32100 check)';
  static override description = '早期试点赋予的部分代码不符合 GB 32100-2015 的校验规则（如 91350100M0001TGQXM）。登记后发证时视为有效；登记记录保存原因、经办人和时间。';
  static override examples = ['<%= config.bin %> license allow-code 91350100M0001TGQXM --reason "登记机关书面确认的试点代码"'];
  static override args = { code: Args.string({ description: '统一社会信用代码 (the code)', required: true }) };
  static override flags = {
    reason: Flags.string({ summary: '原因或依据 (why it is accepted)', required: true }),
    actor: Flags.string({ summary: '经办人 (who)' }),
  };

  async run(): Promise<AllowCodeResult> {
    const { args, flags } = await this.parse(LicenseAllowCode);
    return this.withDb(flags.db, async (db) => {
      const r = await allowCode(db, args.code, flags.reason, flags.actor ?? defaultActor());
      this.log(r.added ? `已登记例外代码 ${r.code}${r.failedMessage ? `（未通过校验：${r.failedMessage.replace(/^统一社会信用代码/, '').replace(/。$/, '')}）` : '（该代码本身可通过校验）'}` : `例外代码 ${r.code} 此前已登记，未作修改`);
      return r;
    });
  }
}
