import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { importTasks, type ImportTasksResult } from '../../src/progress/service';
import { formatImportTasks } from '../../src/progress/format';

export default class TasksImport extends BaseCommand {
  static override summary = '导入任务分工表 (import a task spreadsheet)';
  static override description =
    '读取任务分工表或工作台账（.xlsx/.csv），列名可为 序号、任务编号、任务/主要任务、重点内容/具体内容、牵头单位、配合单位/责任单位、完成时限/时间节点；合并的“主要任务”单元格自动向下填充；只有“责任单位”列时第一个单位视为牵头单位。整表在一个事务中导入：任何一行有错则全部不写入（退出码 3），可用 --report 导出错误清单；加 --skip-invalid 则只导入有效行、错误行写入错误清单（退出码 0）；重复导入同一文件不会改变任务。';
  static override examples = [
    '<%= config.bin %> tasks import 任务分工.xlsx --plan 普陀区审批服务便民化实施方案',
    '<%= config.bin %> tasks import 工作台账.xlsx --year 2021 --report 错误清单.xlsx',
    '<%= config.bin %> tasks import 工作台账.xlsx --skip-invalid --report 错误清单.xlsx',
  ];
  static override args = { file: Args.string({ description: '任务表 .xlsx/.xls/.et/.ods/.csv (task sheet)', required: true }) };
  static override flags = {
    plan: Flags.string({ summary: '计划名称，默认取文件名 (plan name; default the file name)' }),
    year: Flags.integer({ summary: '计划年份：无年份的时限（如“6月底前”）按此年计算 (plan year for year-less deadlines)', min: 1900, max: 2200 }),
    'dry-run': Flags.boolean({ summary: '只检查并统计，不写入 (validate and count, write nothing)' }),
    'skip-invalid': Flags.boolean({ summary: '跳过错误行，导入其余有效行 (write the valid rows, report the rest)' }),
    report: Flags.string({ summary: '把被拒绝的行及错误原因写入此 .xlsx/.csv (rejected rows with reasons)' }),
    actor: Flags.string({ summary: '操作人，记入任务历史 (who; default $USER)' }),
  };

  async run(): Promise<ImportTasksResult> {
    const { args, flags } = await this.parse(TasksImport);
    return this.withDb(flags.db, async (db) => {
      const result = await importTasks(db, args.file, { plan: flags.plan, year: flags.year, dryRun: flags['dry-run'], skipInvalid: flags['skip-invalid'], reportPath: flags.report, actor: flags.actor });
      this.log(formatImportTasks(result));
      if (result.dryRun) this.exitRejectedIfErrors(result.errors.length, flags['skip-invalid']);
      return result;
    });
  }
}
