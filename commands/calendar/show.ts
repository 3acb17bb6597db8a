import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { calendarYear, type CalendarYear } from '../../src/calendar/service';
import { formatCalendarYear } from '../../src/calendar/format';

export default class CalendarShow extends BaseCommand {
  static override summary = '查看某年的节假日安排与工作日数 (show a year\'s holidays, make-up working days and working-day count)';
  static override description =
    '列出该年不按周末规律的日子：放假的工作日（休息日）和调休上班的周末（调休上班日），以及全年工作日数。数据来源依次为：本工作区导入的安排（yiye calendar import）、内置数据（2004—2026 年）；都没有时说明只能按周末推算。\n\n--json 输出：{"year","source":"imported|bundled|none","importedFrom","importedAt","workdays","days":[{"date","kind":"off|work","kindLabel","name"}]}';
  static override examples = ['<%= config.bin %> calendar show --year 2027', '<%= config.bin %> calendar show --year 2026 --json'];
  static override flags = {
    year: Flags.integer({ summary: '年份 (year)', required: true }),
  };

  async run(): Promise<CalendarYear> {
    const { flags } = await this.parse(CalendarShow);
    return this.withDb(flags.db, async (db) => {
      const r = await calendarYear(db, flags.year);
      this.log(formatCalendarYear(r));
      return r;
    });
  }
}
