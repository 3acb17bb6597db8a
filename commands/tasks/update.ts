import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { updateTasks, type UpdateTasksResult } from '../../src/progress/service';
import { formatUpdate } from '../../src/progress/format';

export default class TasksUpdate extends BaseCommand {
  static override summary = '登记各单位报送的任务进展 (apply a progress return)';
  static override description =
    '读取进展反馈表（.xlsx/.csv），列名：任务编号、进展情况、状态（未启动/推进中/已完成/受阻）、完成时间、填报单位，可选 完成进度、备注。先逐行校验（任务编号不存在、状态无法识别、已完成却无完成时间等），有错则全部不写入（退出码 3；加 --skip-invalid 则只登记有效行，错误行写入 --report 错误清单，退出码 0）；无错则在一个事务中更新，每项变化连同填报单位、文件和行号记入任务历史。重复登记同一文件不会改变任务。';
  static override examples = ['<%= config.bin %> tasks update 进展反馈-区市场监管局.xlsx', '<%= config.bin %> tasks update 进展反馈.csv --dry-run --json'];
  static override args = { file: Args.string({ description: '进展反馈表 .xlsx/.xls/.et/.ods/.csv (progress return)', required: true }) };
  static override flags = {
    'dry-run': Flags.boolean({ summary: '只检查，不写入 (validate, write nothing)' }),
    'skip-invalid': Flags.boolean({ summary: '跳过错误行，登记其余有效行 (apply the valid rows, report the rest)' }),
    report: Flags.string({ summary: '把被拒绝的行及错误原因写入此 .xlsx/.csv (rejected rows with reasons)' }),
    actor: Flags.string({ summary: '填报单位缺失时记入历史的操作人 (who, when 填报单位 is empty)' }),
  };

  async run(): Promise<UpdateTasksResult> {
    const { args, flags } = await this.parse(TasksUpdate);
    return this.withDb(flags.db, async (db) => {
      const result = await updateTasks(db, args.file, { dryRun: flags['dry-run'], skipInvalid: flags['skip-invalid'], reportPath: flags.report, actor: flags.actor });
      this.log(formatUpdate(result));
      if (result.dryRun) this.exitRejectedIfErrors(result.errors.length, flags['skip-invalid']);
      return result;
    });
  }
}
