import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { listTasks, parseAsOf, type TaskListItem } from '../../src/progress/service';
import { formatTaskList } from '../../src/progress/format';

export default class TasksList extends BaseCommand {
  static override summary = '列出改革任务及其截至某日的状态 (list tasks and where they stand)';
  static override description =
    '按截至日期（--as-of，默认今天）计算每项任务的状态：按时完成、逾期完成、已逾期、临期（30 日内到期）、推进中；未到期任务同时给出剩余工作日（按国家法定节假日及调休安排）。--due-within N 只列 N 日内到期的任务，加 --working-days 按 N 个工作日计。--unit 按牵头或配合单位筛选（“区市场监管局”与“浦东新区市场监督管理局”视为同一单位，见 `yiye tasks aliases`）。';
  static override examples = [
    '<%= config.bin %> tasks list --overdue --as-of 2021-04-01',
    '<%= config.bin %> tasks list --due-within 30 --unit 浦东新区政府 --json',
    '<%= config.bin %> tasks list --due-within 20 --working-days --as-of 2021-09-20',
  ];
  static override flags = {
    overdue: Flags.boolean({ summary: '只列已逾期未完成的任务 (only overdue tasks)' }),
    'due-within': Flags.integer({ summary: '只列此天数内到期、尚未完成的任务 (only open tasks due within DAYS)', min: 0 }),
    'working-days': Flags.boolean({ summary: '--due-within 按工作日计（国家法定节假日及调休） (count --due-within in working days)', dependsOn: ['due-within'] }),
    unit: Flags.string({ summary: '只列该单位牵头或配合的任务 (only tasks of this unit)' }),
    plan: Flags.string({ summary: '只列该计划的任务 (only this plan)' }),
    'as-of': Flags.string({ summary: '截至日期，默认今天 (as-of date, YYYY-MM-DD)' }),
  };

  async run(): Promise<TaskListItem[]> {
    const { flags } = await this.parse(TasksList);
    const asOf = parseAsOf(flags['as-of']);
    return this.withDb(flags.db, async (db) => {
      const items = await listTasks(db, { asOf, overdue: flags.overdue, dueWithin: flags['due-within'], workdays: flags['working-days'], unit: flags.unit, plan: flags.plan });
      this.log(formatTaskList(items, asOf));
      return items;
    });
  }
}
