import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { SETTABLE, setSetting } from '../../src/settings/service';

export default class SettingsSet extends BaseCommand {
  static override summary = '修改工作区的一项设置 (change one workspace setting)';
  static override description = `可修改：${Object.keys(SETTABLE).join('、')}。verify-url 是核验网址（license verify-site 生成的网站发布的地址）：设置后打印的许可证二维码为“网址#签名内容”，手机扫码即打开核验页；值为空字符串则取消，二维码只含签名内容。已发的许可证无需换发，重新打印即可。`;
  static override examples = ['<%= config.bin %> settings set verify-url https://zwfw.example.gov.cn/yyyz/', "<%= config.bin %> settings set verify-url ''"];
  static override args = {
    name: Args.string({ description: '设置项名称 (setting name)', required: true, options: Object.keys(SETTABLE) }),
    value: Args.string({ description: '新值，空字符串为取消 (new value; empty clears)', required: true }),
  };

  async run(): Promise<{ name: string; from: string; to: string; changed: boolean }> {
    const { args, flags } = await this.parse(SettingsSet);
    return this.withDb(flags.db, async (db) => {
      const r = await setSetting(db, args.name, args.value);
      const show = (v: string) => (v === '' ? '（未设置）' : v);
      this.log(r.changed ? `已修改 ${r.name}：${show(r.from)} → ${show(r.to)}` : `${r.name} 已是 ${show(r.to)}，未作修改`);
      if (r.changed && r.name === 'verify-url') this.log('重新打印许可证（yiye license print）后，二维码使用新的核验网址。');
      return r;
    });
  }
}
