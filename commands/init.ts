import { Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base';
import { askText, canPrompt } from '../src/cli/prompt';
import { DEFAULT_NUMBER_PATTERN, initWorkspace, SETTING_RULES, type InitResult } from '../src/settings/service';

export default class Init extends BaseCommand {
  static override summary = '创建工作区：数据库结构与基本设置 (create the workspace database and settings)';
  static override description = '在 --db 指定的 SQLite 文件或 PostgreSQL 数据库中建立 yiye 工作区。在终端中缺少的设置会逐项询问；否则须用参数给出。';
  static override examples = ['<%= config.bin %> init --region 310115 --authority 浦东新区人民政府', '<%= config.bin %> init --db postgres://yiye@db/yiye --region 310115 --authority 浦东新区人民政府 --json'];

  static override flags = {
    region: Flags.string({ summary: '行政区划代码，6 位 (region code, GB/T 2260)' }),
    authority: Flags.string({ summary: '发证机关名称 (issuing authority)' }),
    'number-pattern': Flags.string({ summary: `许可证编号规则 (licence-number pattern), 默认 ${DEFAULT_NUMBER_PATTERN}` }),
    'verify-url': Flags.string({ summary: '核验网址：license verify-site 网站的发布地址，二维码为“网址#签名内容”，可不设 (verification site address)' }),
    'time-zone': Flags.string({ summary: '时区（IANA 名称），文字输出中的时间按此显示，默认 Asia/Shanghai；环境变量 YIYE_TZ 可临时覆盖 (time zone for times shown)' }),
    'validity-years': Flags.integer({ summary: '许可证默认有效期（年），各项目均无有效期时采用 (default licence validity in years)', default: 5 }),
    'key-file': Flags.string({
      summary: '签名私钥文件路径；SQLite 默认放在数据库文件旁，PostgreSQL 默认放在 ~/.config/yiye/keys/ (private signing key file)',
      env: 'YIYE_KEY_FILE',
    }),
    force: Flags.boolean({ summary: '覆盖已有工作区的不同设置 (overwrite differing settings)' }),
    'reuse-key': Flags.boolean({ summary: '沿用默认位置已有的私钥文件（否则拒绝，以免两个工作区共用密钥） (adopt an existing key file at the default path)' }),
    yes: Flags.boolean({ char: 'y', summary: '不询问，缺少的设置视为错误 (never prompt)' }),
  };

  async run(): Promise<InitResult> {
    const { flags } = await this.parse(Init);
    const interactive = canPrompt(this.jsonEnabled() || flags.yes);
    const regionCode = flags.region ?? (interactive ? await askText('行政区划代码（6 位，如 310115）', '310115', SETTING_RULES.regionCode) : '');
    const authorityName = flags.authority ?? (interactive ? await askText('发证机关名称', '', SETTING_RULES.authorityName) : '');
    const licenseNumberPattern = flags['number-pattern'] ?? DEFAULT_NUMBER_PATTERN;
    const result = await initWorkspace(
      flags.db,
      { regionCode, authorityName, licenseNumberPattern, verifyUrlPrefix: flags['verify-url'] ?? '', defaultValidityYears: flags['validity-years'], timeZone: flags['time-zone'] },
      { force: flags.force, keyFile: flags['key-file'], reuseKey: flags['reuse-key'] },
    );
    this.log(result.created ? `已创建工作区：${result.db}` : result.updated ? `已更新工作区设置：${result.db}` : `工作区已存在且设置相同，未作修改：${result.db}`);
    this.log(`  行政区划代码：${result.settings.regionCode}\n  发证机关：${result.settings.authorityName}\n  许可证编号规则：${result.settings.licenseNumberPattern}`);
    const k = result.keys;
    this.log(
      k.created
        ? `  已生成签名密钥 ${k.keyId}，私钥：${k.privateKeyFile}（仅本账户可读，请妥善备份）`
        : k.privateKeyPresent
          ? `  签名密钥 ${k.keyId}，私钥：${k.privateKeyFile}`
          : `  签名密钥 ${k.keyId}：本机缺少私钥（${k.privateKeyFile}），只能核验、不能发证`,
    );
    return result;
  }
}
