import { forceFlag } from '../../src/cli/output-flags';
import { checkOutput } from '../../src/io/output';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { exportPublicKey, type PublicKeyExport } from '../../src/license/service';

export default class KeysExportPublic extends BaseCommand {
  static override summary = '导出工作区签名公钥，供离线核验 (export the workspace public key, PEM)';
  static override description = '公钥可交给检查人员或其他系统，用 `yiye license verify --public-key 文件` 离线核验许可证二维码；私钥不会导出。';
  static override examples = ['<%= config.bin %> keys export-public --out 浦东新区发证公钥.pem', '<%= config.bin %> keys export-public --json'];
  static override flags = { out: Flags.string({ summary: '写入此 .pem 文件，否则打印到标准输出 (write to this file)' }), force: forceFlag };

  async run(): Promise<PublicKeyExport> {
    const { flags } = await this.parse(KeysExportPublic);
    if (flags.out) checkOutput(flags.out, { what: '公钥', formats: ['.pem'], force: flags.force, flag: '--out' });
    return this.withDb(flags.db, async (db) => {
      const result = await exportPublicKey(db, flags.out);
      this.log(flags.out ? `已导出公钥 ${result.keyId} 至 ${flags.out}` : result.pem.trimEnd());
      return result;
    });
  }
}
