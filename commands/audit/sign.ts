import { BaseCommand } from '../../src/cli/base';
import { signAudit, type SignResult } from '../../src/audit/service';
import { formatSignResult } from '../../src/audit/format';
import { keyFileFlag } from '../../src/license/flags';
import { resolveKeyFile } from '../../src/license/keys';

export default class AuditSign extends BaseCommand {
  static override summary = '用工作区私钥为审计日志链头签名 (sign the audit log heads with the workspace key)';
  static override description =
    '先完整校验审计日志，全部无误才签名（退出码 4 表示日志已被改动，不签名）。撤销、注销、目录导入等不需要私钥的操作写入的记录，签名后即受私钥保护：没有私钥的人无法整体改写已签名的部分而不被 audit verify 发现。';
  static override examples = ['<%= config.bin %> audit sign', '<%= config.bin %> audit sign --key-file /secure/yiye.key.pem --json'];
  static override flags = { 'key-file': keyFileFlag };

  async run(): Promise<SignResult> {
    const { flags } = await this.parse(AuditSign);
    return this.withDb(flags.db, async (db) => {
      const result = await signAudit(db, resolveKeyFile(flags.db, flags['key-file']));
      this.log(formatSignResult(result));
      return result;
    });
  }
}
