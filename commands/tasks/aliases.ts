import { forceFlag } from '../../src/cli/output-flags';
import { checkOutput } from '../../src/io/output';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { UsageError } from '../../src/cli/errors';
import { exportAliases, importAliases, listAliases, type AliasesResult } from '../../src/progress/service';
import { formatAliases } from '../../src/progress/format';

export default class TasksAliases extends BaseCommand {
  static override summary = '单位简称对照表：查看、导出、导入 (the unit-alias mapping)';
  static override description =
    '任务中的单位按“市/区”前缀和简称对照表归一后与目录中的部门匹配（如“区市场监管局”≈“浦东新区市场监督管理局”）。不带参数列出现行对照表；--export 导出为 .csv/.xlsx（列：写法、统一为），修改后用 --import 导入替换本工作区的对照表并重新匹配全部任务单位；--reset 恢复默认对照表。';
  static override examples = [
    '<%= config.bin %> tasks aliases --export 单位简称对照.csv',
    '<%= config.bin %> tasks aliases --import 单位简称对照.csv',
  ];
  static override flags = {
    export: Flags.string({ summary: '导出现行对照表到此文件 (write the mapping to FILE)', exclusive: ['import', 'reset'] }),
    import: Flags.string({ summary: '把此文件的写法加入现行对照表（同一写法以文件为准） (add FILE\'s pairs to the mapping)', exclusive: ['export', 'reset'] }),
    replace: Flags.boolean({ summary: '与 --import 同用：以文件替换整个对照表 (with --import: the file becomes the whole mapping)', dependsOn: ['import'] }),
    force: forceFlag,
    reset: Flags.boolean({ summary: '恢复默认对照表 (back to the defaults)', exclusive: ['export', 'import'] }),
  };

  async run(): Promise<AliasesResult> {
    const { flags } = await this.parse(TasksAliases);
    if (flags.import === '') throw new UsageError('--import 需要文件路径。');
    if (flags.export) checkOutput(flags.export, { what: '单位简称对照表', formats: ['.xlsx', '.csv'], force: flags.force, flag: '--export' });
    return this.withDb(flags.db, async (db) => {
      const result = flags.export ? await exportAliases(db, flags.export) : flags.import ? await importAliases(db, flags.import, { replace: flags.replace }) : flags.reset ? await importAliases(db, null) : await listAliases(db);
      this.log(formatAliases(result));
      return result;
    });
  }
}
