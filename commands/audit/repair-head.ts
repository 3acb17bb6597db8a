import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { repairHeads, type RepairResult } from '../../src/audit/service';
import { formatRepairResult } from '../../src/audit/format';
import { defaultActor } from '../../src/settings/actor';

export default class AuditRepairHead extends BaseCommand {
  static override summary = '重建被删除的审计日志链头 (re-derive a deleted audit chain head)';
  static override description =
    '链头记录（audit_heads）被删除后，发证、撤销等写入会被拒绝（退出码 4）。本命令先逐条核对整条链，除链头缺失与签名问题外全部无误时，才按最后一条记录重建链头；重建会被记录，audit verify 此后都会列出。链中有被改动或删除的记录时拒绝（退出码 4）。重建的链头未签名。';
  static override examples = ['<%= config.bin %> audit repair-head', '<%= config.bin %> audit repair-head --actor 信息科张三 --json'];
  static override flags = { actor: Flags.string({ summary: '经办人 (who)' }) };

  async run(): Promise<RepairResult> {
    const { flags } = await this.parse(AuditRepairHead);
    return this.withDb(flags.db, async (db) => {
      const result = await repairHeads(db, flags.actor ?? defaultActor());
      this.log(formatRepairResult(result));
      return result;
    });
  }
}
