import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { issueLicenses, type IssueResult } from '../../src/license/issue';
import { formatIssue } from '../../src/license/format';
import { resolveKeyFile } from '../../src/license/keys';
import { dateFlag } from '../../src/license/util';
import { keyFileFlag } from '../../src/license/flags';

export default class LicenseIssue extends BaseCommand {
  static override summary = '按批发放行业综合许可证 (issue licences from an application batch, xlsx/csv)';
  static override description =
    '逐行校验申请（统一社会信用代码、必填项、行业与许可项目、必办事项、重复申请、已持证），按编号规则分配连续编号，签名并整批写入：任何一行有错则全部不发（退出码 3）。按申请编号幂等：重复运行同一批次不会重复发证。';
  static override examples = [
    '<%= config.bin %> license issue 发证申请.xlsx --date 2026-03-15 --actor 窗口张三',
    '<%= config.bin %> license issue 发证申请.csv --results 发证结果.xlsx --json',
    '<%= config.bin %> license issue 发证申请.xlsx --skip-invalid --results 发证结果.xlsx',
  ];
  static override args = { file: Args.string({ description: '发证申请文件 (.xlsx/.csv)', required: true }) };
  static override flags = {
    date: Flags.string({ summary: '制证日期 YYYY-MM-DD，默认今天 (issue date)' }),
    actor: Flags.string({ summary: '经办人，记入审计日志 (who issues; default $USER)' }),
    'dry-run': Flags.boolean({ summary: '只校验，不发证 (validate only)' }),
    'skip-invalid': Flags.boolean({ summary: '为有效行发证，跳过并报告错误行 (issue the good rows)' }),
    results: Flags.string({ summary: '把每行的处理结果、许可证编号、错误原因写入此 .xlsx/.csv (results file)' }),
    'key-file': keyFileFlag,
  };

  async run(): Promise<IssueResult> {
    const { args, flags } = await this.parse(LicenseIssue);
    const date = dateFlag(flags.date);
    const progress = this.progress('读取申请');
    return this.withDb(flags.db, async (db) => {
      progress.start(0);
      try {
        const result = await issueLicenses(db, args.file, {
          date,
          actor: flags.actor,
          dryRun: flags['dry-run'],
          skipInvalid: flags['skip-invalid'],
          resultsPath: flags.results,
          keyFile: resolveKeyFile(flags.db, flags['key-file']),
          onRows: (n) => progress.increment(n),
        });
        progress.stop();
        this.log(formatIssue(result));
        return result;
      } finally {
        progress.stop();
      }
    });
  }
}
