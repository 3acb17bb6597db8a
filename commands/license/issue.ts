import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { issueLicenses, type IssueResult } from '../../src/license/issue';
import { formatIssue } from '../../src/license/format';
import { resolveKeyFile } from '../../src/license/keys';
import { refuseFutureDate } from '../../src/license/util';
import { keyFileFlag, parseDateFlag } from '../../src/license/flags';
import { askApplication, saveApplication } from '../../src/license/interactive';
import { canPrompt, inquirerAsker } from '../../src/cli/prompt';
import { UsageError } from '../../src/cli/errors';

export default class LicenseIssue extends BaseCommand {
  static override summary = '按批发放行业综合许可证 (issue licences from an application batch, xlsx/csv)';
  static override description =
    '逐行校验申请（统一社会信用代码、必填项、行业与许可项目、必办事项、重复申请、已持证），按编号规则分配连续编号，签名并整批写入：任何一行有错则全部不发（退出码 3）。按申请编号幂等：重复运行同一批次不会重复发证（申请编号相同而统一社会信用代码或行业不同的行被拒绝）。制证日期不能晚于今天，--results 不能是申请文件本身（退出码 2）。结果文件在原有列后加 原工作表（多个工作表时）、原行号、处理结果、许可证编号、错误原因，改正后可直接再用。\n\n--json 输出：{"file","date","issued":[{"row","sheet","applicationNo","number"}],"wouldIssue":[{"row","sheet","applicationNo"}],"existing":[{"row","sheet","applicationNo","number"}],"rejected":[{"file","sheet","row","column","columnLetter","message"}],"warnings":[{"row","sheet","applicationNo","uscc","holderName","otherHolderName","otherNumber","message"}],"dryRun","committed","batchId","resultsPath","controlsRemoved":[{"file","sheet","row","column"}]}；batchId 为批次号（yiye license batches；未发新证时为 null）；统一社会信用代码已以其他经营者名称持证的行照常发证并列入 warnings；controlsRemoved 列出读取时删除了控制字符或不可见排版/方向控制符的单元格。--dry-run 时 wouldIssue 列出可发证的行（试运行不分配编号），issued 为空；有错误行时 wouldExit 为 3，命令也以 3 退出（与正式运行相同）。';
  static override examples = [
    '<%= config.bin %> license issue 发证申请.xlsx --date 2026-03-15 --actor 窗口张三',
    '<%= config.bin %> license issue 发证申请.csv --results 发证结果.xlsx --json',
    '<%= config.bin %> license issue 发证申请.xlsx --skip-invalid --results 发证结果.xlsx',
    '<%= config.bin %> license issue --interactive --save-dir 窗口受理',
  ];
  static override args = { file: Args.string({ description: '发证申请文件 (.xlsx/.xls/.et/.ods/.csv)；--interactive 时不需要' }) };
  static override flags = {
    date: Flags.string({ summary: '制证日期，如 2026-05-01、2026/5/1 或 2026年5月1日，默认今天 (issue date)' }),
    actor: Flags.string({ summary: '经办人，记入审计日志 (who issues; default $USER)' }),
    'dry-run': Flags.boolean({ summary: '只校验，不发证；有错误行时与正式运行一样退出 3 (validate only; exits as the real run would)' }),
    'skip-invalid': Flags.boolean({ summary: '为有效行发证，跳过并报告错误行 (issue the good rows)' }),
    results: Flags.string({ summary: '把每行的处理结果、许可证编号、错误原因写入此 .xlsx/.csv (results file)' }),
    'key-file': keyFileFlag,
    interactive: Flags.boolean({ char: 'i', summary: '窗口逐项受理一份申请后发证 (walk a clerk through one application)', exclusive: ['skip-invalid'] }),
    'save-dir': Flags.string({ summary: '--interactive 时申请表的保存目录 (where the application file is kept)', default: '窗口受理' }),
  };

  async run(): Promise<IssueResult> {
    const { args, flags } = await this.parse(LicenseIssue);
    const date = parseDateFlag(flags.date);
    refuseFutureDate(date, '制证日期');
    if (flags.interactive && args.file) throw new UsageError('--interactive 与申请文件只能二选一。', '窗口受理一份申请用 --interactive；按批发证给出文件。');
    if (!flags.interactive && !args.file) throw new UsageError('缺少发证申请文件。', '用法：yiye license issue 发证申请.xlsx，或 yiye license issue --interactive 窗口受理一份申请。');
    if (flags.interactive && !canPrompt(this.jsonEnabled())) {
      throw new UsageError('--interactive 需要在交互式终端中运行（且不能与 --json 同用）。', '批量发证请把申请填入表格，用 yiye license issue 申请.xlsx。');
    }
    const progress = this.progress('读取申请');
    return this.withDb(flags.db, async (db) => {
      let file = args.file!;
      if (flags.interactive) {
        const app = await askApplication(db, await inquirerAsker('已取消，未发证。'), { date, saveDir: flags['save-dir'] });
        if (!app) throw new UsageError('已取消，未发证。');
        file = await saveApplication(app, flags['save-dir']);
        this.log(`申请已保存：${file}`);
      }
      progress.start(0);
      try {
        const result = await issueLicenses(db, file, {
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
        if (result.wouldExit) process.exitCode = result.wouldExit; // a dry run exits as the real run would
        return result;
      } finally {
        progress.stop();
      }
    });
  }
}
