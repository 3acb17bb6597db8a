import { forceFlag } from '../../src/cli/output-flags';
import { checkOutput } from '../../src/io/output';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { writeRevocations } from '../../src/license/service';
import { resolveKeyFile } from '../../src/license/keys';
import { keyFileFlag, parseDateFlag } from '../../src/license/flags';

export default class LicenseRevocations extends BaseCommand {
  static override summary = '生成签名的撤销清单，供离线核验 (write the signed list of revoked, cancelled and superseded versions)';
  static override description = '清单列出已撤销、注销、吊销的许可证及已被换发的旧版本，并以工作区私钥签名；检查人员用 `yiye license verify --public-key … --revocations 清单` 离线核验。';
  static override examples = ['<%= config.bin %> license revocations --out 撤销清单.json'];
  static override flags = {
    out: Flags.string({ summary: '输出文件 (.json)', required: true }),
    date: Flags.string({ summary: '清单日期，默认今天 (list date)' }),
    'key-file': keyFileFlag,
    force: forceFlag,
  };

  async run(): Promise<{ file: string; entries: number; keyId: string }> {
    const { flags } = await this.parse(LicenseRevocations);
    const date = parseDateFlag(flags.date);
    checkOutput(flags.out, { what: '撤销清单', formats: ['.json'], force: flags.force, flag: '--out' });
    return this.withDb(flags.db, async (db) => {
      const r = await writeRevocations(db, flags.out, { date, keyFile: resolveKeyFile(flags.db, flags['key-file']) });
      this.log(`已写出撤销清单 ${r.file}：${r.entries} 条，签名密钥 ${r.keyId}`);
      return r;
    });
  }
}
