import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { signAudit, type SignResult } from '../../src/audit/service';
import { formatSignResult } from '../../src/audit/format';
import { keyFileFlag } from '../../src/license/flags';
import { resolveKeyFile } from '../../src/license/keys';
import { defaultActor } from '../../src/settings/actor';

export default class AuditSign extends BaseCommand {
  static override summary = '用工作区私钥为审计日志链头签名 (sign the audit log heads with the workspace key)';
  static override description =
    '先完整校验审计日志，全部无误才签名（退出码 4 表示日志已被改动，不签名）。撤销、注销、目录导入等不需要私钥的操作写入的记录，签名后即受私钥保护：没有私钥的人无法整体改写已签名的部分而不被 audit verify 发现。从未被签名覆盖的记录（链头签名被删除，或由旧版升级的工作区）不会被自动签名：核对无误后须加 --accept-unsigned --reason，接受记录写入签名高水位，此后每次 audit verify 都会列出。';
  static override examples = [
    '<%= config.bin %> audit sign',
    '<%= config.bin %> audit sign --key-file /secure/yiye.key.pem --json',
    '<%= config.bin %> audit sign --accept-unsigned --reason "由旧版升级，已与纸质台账核对"',
  ];
  static override flags = {
    'key-file': keyFileFlag,
    'accept-unsigned': Flags.boolean({ summary: '接受从未被签名覆盖的记录并为其签名，须同时给出 --reason (sign over entries no signature ever covered)' }),
    reason: Flags.string({ summary: '接受未签名记录的理由，记入签名高水位 (why the unsigned entries are accepted)' }),
    actor: Flags.string({ summary: '经办人 (who)' }),
  };

  async run(): Promise<SignResult> {
    const { flags } = await this.parse(AuditSign);
    return this.withDb(flags.db, async (db) => {
      const result = await signAudit(db, resolveKeyFile(flags.db, flags['key-file']), {
        acceptUnsigned: flags['accept-unsigned'],
        reason: flags.reason,
        actor: flags.actor ?? defaultActor(),
      });
      this.log(formatSignResult(result));
      return result;
    });
  }
}
