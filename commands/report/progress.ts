import { forceFlag } from '../../src/cli/output-flags';
import { checkOutput } from '../../src/io/output';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { parseAsOf } from '../../src/progress/service';
import { formatReport } from '../../src/progress/format';
import { reportFormatFor, reportPath, writeProgressReport, type WriteReportResult } from '../../src/report/progress';

export default class ReportProgress extends BaseCommand {
  static override summary = '生成改革任务进展报告 (write the progress report)';
  static override description =
    '按截至日期汇总：任务总数、按时/逾期完成、推进中、已逾期、30 日内及下一报送日前到期；各牵头单位的任务情况及逾期任务；逾期及临期任务清单（按逾期天数排列）；报送日历及各期到期任务；试点行业落地情况（首证日期对照落地时限）及本期发证数。逾期天数按自然日计，未到期任务另给出剩余工作日（国家法定节假日及调休）；--due-soon N --working-days 把“临期”改为 N 个工作日内到期。未写年份的报送日期（如“6月20日前报送”）每年适用，按截至日期所在年份列出、已过的列下一年。格式：xlsx（每部分一个工作表，首行冻结、筛选、按状态红黄绿底色、日期为日期单元格）、html（单个自包含文件，内嵌 SVG 图表，可打印）、md（便于粘贴进书面报告）。';
  static override examples = [
    '<%= config.bin %> report progress --as-of 2021-04-01 --format xlsx',
    '<%= config.bin %> report progress --as-of 2021-04-01 --format md --out 进展报告.md --json',
    '<%= config.bin %> report progress --as-of 2021-09-01 --format html --due-soon 15 --working-days',
  ];
  static override flags = {
    'as-of': Flags.string({ summary: '截至日期 (as-of date, YYYY-MM-DD)', required: true }),
    format: Flags.string({ summary: '报告格式，默认按 --out 的扩展名，否则 xlsx (report format; default from the --out extension, else xlsx)', options: ['xlsx', 'html', 'md'] }),
    out: Flags.string({ summary: '输出文件，默认“改革任务进展报告-<日期>.<格式>” (output file)' }),
    'due-soon': Flags.integer({ summary: '“临期”的天数，默认 30 (size of the due-soon window)', min: 0, default: 30 }),
    'working-days': Flags.boolean({ summary: '临期天数按工作日计（国家法定节假日及调休） (count the due-soon window in working days)' }),
    force: forceFlag,
    since: Flags.string({ summary: '发证统计起始日，默认上一报送日次日或当年 1 月 1 日 (period start for licences issued)' }),
  };

  async run(): Promise<WriteReportResult> {
    const { flags } = await this.parse(ReportProgress);
    const asOf = parseAsOf(flags['as-of']);
    const since = flags.since ? parseAsOf(flags.since, '--since') : undefined;
    const format = reportFormatFor(flags.format, flags.out);
    const out = reportPath(asOf, format, flags.out);
    checkOutput(out, { what: '进展报告', formats: ['.xlsx', '.html', '.htm', '.md'], force: flags.force, flag: '--out' });
    return this.withDb(flags.db, async (db) => {
      const result = await writeProgressReport(db, { asOf, since, format, out, dueSoon: flags['due-soon'], workdays: flags['working-days'] });
      this.log(formatReport(result));
      return result;
    });
  }
}
