import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { backupDb, type BackupResult } from '../../src/db/admin';
import { formatBackup } from '../../src/db/format';

export default class DbBackup extends BaseCommand {
  static override summary = '联机备份 SQLite 工作区 (consistent online backup of a SQLite workspace)';
  static override description =
    '用 SQLite 的 VACUUM INTO 取得事务一致的副本，其他进程可同时发证；副本经 integrity_check 校验后才以原子改名落盘，并报告大小与 SHA-256。已存在的文件不覆盖（加 --force 覆盖）。签名私钥不在数据库中，须另行备份。PostgreSQL 工作区请用 pg_dump（本命令退出码 2 并给出用法）。';
  static override examples = ['<%= config.bin %> db backup backups/yiye-2026-11-22.db', '<%= config.bin %> db backup /mnt/usb/yiye.db --force --json'];
  static override args = { file: Args.string({ description: '备份文件路径 (backup file)', required: true }) };
  static override flags = { force: Flags.boolean({ summary: '覆盖已存在的备份文件 (overwrite an existing file)', default: false }) };

  async run(): Promise<BackupResult> {
    const { args, flags } = await this.parse(DbBackup);
    const result = await backupDb(flags.db, args.file, { force: flags.force });
    this.log(formatBackup(result));
    return result;
  }
}
