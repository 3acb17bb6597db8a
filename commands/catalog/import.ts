import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { importCatalog, type ImportResult } from '../../src/catalog/service';
import { formatImportSummary } from '../../src/catalog/format';
import { KINDS } from '../../src/catalog/headers';

export default class CatalogImport extends BaseCommand {
  static override summary = '导入试点行业、许可事项、申请材料及行业事项对应表 (import catalogs from xlsx/csv)';
  static override description =
    '读取部门报送的 .xlsx、.xls、.et、.ods 或 .csv（按文件内容识别格式；CSV 的 UTF-8/GBK/UTF-16 自动识别），自动查找表头、识别目录类型、填充合并单元格。整批在一个事务中导入：任何一行有错则全部不写入（退出码 3），可用 --report 导出错误清单退回部门；重复导入同一文件不会改变目录。';
  static override examples = [
    '<%= config.bin %> catalog import fixtures/catalog/pudong/*.xlsx fixtures/catalog/pudong/*.csv',
    '<%= config.bin %> catalog import 事项目录.xlsx --dry-run --json',
    '<%= config.bin %> catalog import 事项目录.xlsx --report 错误清单.xlsx',
  ];
  static override strict = false;
  static override args = { files: Args.string({ description: '要导入的文件 (files to import)', required: true }) };

  static override flags = {
    kind: Flags.string({ summary: '目录类型，默认按表头自动识别 (catalog kind)', options: ['auto', ...KINDS], default: 'auto' }),
    sheet: Flags.string({ summary: '只读取该工作表 (only this worksheet)' }),
    'dry-run': Flags.boolean({ summary: '只检查并统计，不写入 (validate and count, write nothing)' }),
    'skip-invalid': Flags.boolean({ summary: '跳过错误行，导入其余有效行 (write the valid rows, report the rest)' }),
    report: Flags.string({ summary: '把被拒绝的行及错误原因写入此 .xlsx/.csv (rejected rows with reasons)' }),
    actor: Flags.string({ summary: '操作人，记入导入日志 (who imports; default $USER)' }),
    map: Flags.string({ summary: "本次导入指定表头对应的字段，可重复，如 --map '计划发证时间=targetDate' (header=field for this run)", multiple: true }),
    strict: Flags.boolean({ summary: '有未识别的列时拒绝导入（退出码 3，不写入）(reject when a column is not understood)' }),
  };

  async run(): Promise<ImportResult> {
    const { argv, flags } = await this.parse(CatalogImport);
    const progress = this.progress('导入中');
    return this.withDb(flags.db, async (db) => {
      progress.start(0);
      try {
        const result = await importCatalog(db, argv as string[], {
          kind: flags.kind as never,
          sheet: flags.sheet,
          dryRun: flags['dry-run'],
          skipInvalid: flags['skip-invalid'],
          reportPath: flags.report,
          actor: flags.actor,
          map: flags.map,
          strict: flags.strict,
          onRows: (n) => progress.increment(n),
        });
        progress.stop();
        this.log(formatImportSummary(result));
        if (result.dryRun) this.exitRejectedIfErrors(result.errors.length + result.errorsNotListed, flags['skip-invalid']);
        return result;
      } finally {
        progress.stop();
      }
    });
  }
}
