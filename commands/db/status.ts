import { BaseCommand } from '../../src/cli/base';
import { dbStatus, type DbStatus } from '../../src/db/admin';
import { formatDbStatus } from '../../src/db/format';
import { keyFileFlag } from '../../src/license/flags';

export default class DbStatusCommand extends BaseCommand {
  static override summary = '查看工作区数据库状态 (workspace database status: schema migrations, counts, SQLite settings)';
  static override description =
    '显示数据库类型（SQLite 文件或隐去密码的 PostgreSQL 地址）、已执行与待执行的迁移、行业/事项/许可证（按状态）/任务等数量，SQLite 的文件大小、日志模式与同步设置，PostgreSQL 服务器与本机 pg_dump 的版本，以及签名密钥编号、本机查找私钥的路径和是否找到。只读：不会执行待执行的迁移。';
  static override examples = ['<%= config.bin %> db status', '<%= config.bin %> db status --db postgres://yiye@db.example/yiye --json'];

  static override flags = { 'key-file': keyFileFlag };

  async run(): Promise<DbStatus> {
    const { flags } = await this.parse(DbStatusCommand);
    const status = await dbStatus(flags.db, { keyFile: flags['key-file'] });
    this.log(formatDbStatus(status));
    return status;
  }
}
