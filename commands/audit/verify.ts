import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { auditBrokenError, verifyAudit, type AuditReport } from '../../src/audit/service';
import { formatAuditReport } from '../../src/audit/format';

export default class AuditVerify extends BaseCommand {
  static override summary = '校验审计日志的哈希链 (verify the hash-chained audit log)';
  static override description =
    '逐条核对许可证事件日志与目录导入日志的哈希链、链头及链头签名，点名每一条被改动、删除或截断的记录（表、id、序号、问题）。完整时退出码 0；发现问题时退出码 4（错误代码 AUDIT_BROKEN，--json 时完整报告在 error 中）。用 --public-key 指定另行保存的公钥，可防止有数据库写权限的人连同公钥一起替换。';
  static override examples = ['<%= config.bin %> audit verify', '<%= config.bin %> audit verify --public-key 浦东新区发证公钥.pem --json'];
  static override flags = {
    'public-key': Flags.string({ summary: '核验链头签名所用的公钥 PEM 文件，默认用工作区登记的公钥 (public key for head signatures)' }),
  };

  async run(): Promise<AuditReport> {
    const { flags } = await this.parse(AuditVerify);
    return this.withDb(flags.db, async (db) => {
      const report = await verifyAudit(db, { publicKeyFile: flags['public-key'] });
      this.log(formatAuditReport(report));
      if (!report.ok) throw auditBrokenError(report);
      return report;
    });
  }
}
