import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { importCalendar, type CalendarImportResult } from '../../src/calendar/service';
import { formatCalendarImport } from '../../src/calendar/format';

export default class CalendarImport extends BaseCommand {
  static override summary = '导入某年的节假日安排（国务院办公厅通知） (import a year of official holiday arrangements)';
  static override description =
    '内置节假日数据只到 2026 年；之后的年份，办理日期只能按仅扣除周末推算。导入国务院办公厅公布的当年《部分节假日安排的通知》后，文书中的办理日期按导入的安排计算，且优先于内置数据。\n\n' +
    '文件可以是：\n  表格（.xlsx/.csv）：“日期”“类型”两列，类型为“休息日”或“调休上班日”（也认“放假”“上班”“补班”），可另有“名称”列（元旦、春节……）；\n  通知原文（.txt）：标题含“20XX年部分节假日安排”，每个节日一行，如“一、元旦：1月1日（周五）放假，与周末连休。”“二、春节：2月6日至14日放假调休，共9天。1月31日（周日）、2月20日（周六）上班。”\n\n' +
    '按年整体替换：文件涉及的年份，原先导入的安排被替换；同一文件再次导入不作修改。有任何一行无法识别则整份不导入（退出码 3）。\n\n--json 输出：{"file","form","dryRun","years":[{"year","offDays","workDays","status"}],"outside"}';
  static override examples = ['<%= config.bin %> calendar import 2027年节假日安排.xlsx', '<%= config.bin %> calendar import 国务院办公厅关于2027年部分节假日安排的通知.txt --dry-run'];
  static override args = { file: Args.string({ description: '节假日安排：.xlsx/.csv 表格或通知原文 .txt', required: true }) };
  static override flags = {
    actor: Flags.string({ summary: '经办人 (who imports; default $USER)' }),
    'dry-run': Flags.boolean({ summary: '只检查，不导入 (check only)' }),
  };

  async run(): Promise<CalendarImportResult> {
    const { args, flags } = await this.parse(CalendarImport);
    return this.withDb(flags.db, async (db) => {
      const r = await importCalendar(db, args.file, { actor: flags.actor, dryRun: flags['dry-run'] });
      this.log(formatCalendarImport(r));
      return r;
    });
  }
}
