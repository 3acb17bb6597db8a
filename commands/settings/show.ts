import { BaseCommand } from '../../src/cli/base';
import { showSettings, type SettingView } from '../../src/settings/service';

export default class SettingsShow extends BaseCommand {
  static override summary = '列出工作区设置 (show the workspace settings)';
  static override description = '列出 yiye init 时确定的各项设置及签名密钥标识；标有“可用 settings set 修改”的项可直接修改。';
  static override examples = ['<%= config.bin %> settings show', '<%= config.bin %> settings show --json'];

  async run(): Promise<{ settings: SettingView[]; keyId: string | null }> {
    const { flags } = await this.parse(SettingsShow);
    return this.withDb(flags.db, async (db) => {
      const r = await showSettings(db);
      for (const s of r.settings) this.log(`${s.label}（${s.name}）：${s.value === '' ? '（未设置）' : s.value}${s.settable ? '　[可用 settings set 修改]' : ''}`);
      this.log(`签名密钥：${r.keyId ?? '（尚未生成）'}`);
      return r;
    });
  }
}
