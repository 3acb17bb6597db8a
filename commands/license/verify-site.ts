import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { resolveKeyFile } from '../../src/license/keys';
import { keyFileFlag, parseDateFlag } from '../../src/license/flags';
import { writeVerifySite, type SiteResult } from '../../src/verify-site/site';
import { serveSite } from '../../src/verify-site/serve';

export default class LicenseVerifySite extends BaseCommand {
  static override summary = '生成扫码核验网站（静态网页） (write the static site a licence QR code opens)';
  static override description = [
    '在 --out 目录写出一个静态网站：index.html、app.js、style.css、各签名公钥（keys/<密钥标识>.pem）、签名的撤销清单（revocations.json）和各证的单项许可信息（l/）。',
    '可放在任何网站服务器或对象存储上，不引用任何外部资源。手机扫码打开后在手机上核验签名与撤销清单，显示 有效 / 已撤销 / 已注销 / 已过期 / 已换发新版 / 无法核验 及证面信息。',
    '再次运行即更新撤销清单：请每天运行一次并重新发布。用 yiye settings set verify-url <发布地址> 让打印的二维码指向该网站。',
    '--serve 在本机 127.0.0.1 上预览（Ctrl-C 结束）。',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> license verify-site --out 核验网站/',
    '<%= config.bin %> license verify-site --out 核验网站/ --serve --port 8080',
    '<%= config.bin %> license verify-site --out 核验网站/ --public-key 旧公钥.pem',
  ];
  static override flags = {
    out: Flags.string({ summary: '网站输出目录 (output folder)', required: true }),
    date: Flags.string({ summary: '撤销清单日期，默认今天 (list date)' }),
    'public-key': Flags.string({ summary: '以前用过的签名公钥 PEM 文件，可多次给出，换密钥后旧证仍可核验 (former public key, repeatable)', multiple: true }),
    serve: Flags.boolean({ summary: '生成后在 127.0.0.1 上预览 (preview on 127.0.0.1)' }),
    port: Flags.integer({ summary: '预览端口，默认 8080 (preview port)', min: 0, max: 65535, dependsOn: ['serve'] }),
    'key-file': keyFileFlag,
  };

  async run(): Promise<SiteResult & { url?: string }> {
    const { flags } = await this.parse(LicenseVerifySite);
    const date = parseDateFlag(flags.date);
    const r = await this.withDb(flags.db, (db) =>
      writeVerifySite(db, { outDir: flags.out, date, keyFile: resolveKeyFile(flags.db, flags['key-file']), publicKeyFiles: flags['public-key'] }),
    );
    this.log(`已写出核验网站 ${r.outDir}：${r.licences} 张许可证，撤销清单 ${r.revocations.entries} 条（${r.revocations.date}），公钥 ${r.keys.join('、')}`);
    if (r.missingKeys.length) {
      this.warn(`以下签名密钥的公钥不在网站中，用它们签发的许可证将显示“无法核验”：${r.missingKeys.join('、')}。请用 --public-key 给出这些公钥。`);
    }
    if (!flags.serve) return r;
    const server = await serveSite(r.outDir, flags.port ?? 8080);
    this.log(`预览地址：${server.url}（仅本机可访问，按 Ctrl-C 结束）`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    return { ...r, url: server.url };
  }
}
