import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { restoreDb, type RestoreResult } from '../../src/db/admin';
import { formatRestore } from '../../src/db/format';

export default class DbRestore extends BaseCommand {
  static override summary = '从备份恢复 SQLite 工作区 (restore a SQLite workspace from a backup)';
  static override description =
    '先校验备份（SQLite、integrity_check、yiye 迁移表），再在目标旁写入临时文件、落盘、原子改名，绝不留下写了一半的工作区；目标已存在时须加 --force，且不能有其他进程正在使用。恢复后自动执行待执行的迁移。损坏或非 yiye 的文件退出码 3。PostgreSQL 工作区请用 pg_restore（退出码 2 并给出用法）。';
  static override examples = ['<%= config.bin %> db restore backups/yiye-2026-11-22.db --db yiye.db --force'];
  static override args = { file: Args.string({ description: '备份文件 (backup file)', required: true }) };
  static override flags = { force: Flags.boolean({ summary: '替换已存在的工作区 (replace an existing workspace)', default: false }) };

  async run(): Promise<RestoreResult> {
    const { args, flags } = await this.parse(DbRestore);
    const result = await restoreDb(flags.db, args.file, { force: flags.force });
    this.log(formatRestore(result));
    return result;
  }
}
