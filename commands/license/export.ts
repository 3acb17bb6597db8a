import { Args } from '@oclif/core';
import { forceFlag } from '../../src/cli/output-flags';
import { checkOutput } from '../../src/io/output';
import { BaseCommand } from '../../src/cli/base';
import { exportLicenses, type ExportResult } from '../../src/license/service';
import { registerFilter, registerFilterFlags } from '../../src/license/flags';

export default class LicenseExport extends BaseCommand {
  static override summary = '导出许可证台账 (export the licence register: xlsx, csv or json)';
  static override description =
    '.xlsx/.csv 为台账（以 = + - @ 开头的内容加前导单引号，防止被当作公式执行）；.json 为电子证照库格式（许可证编号、证照类型、持证主体及代码、发证机关、日期、许可项目、状态、二维码内容）。';
  static override examples = ['<%= config.bin %> license export 台账.xlsx --status valid', '<%= config.bin %> license export 证照库.json --issued-from 2026-01-01 --issued-to 2026-12-31'];
  static override args = { file: Args.string({ description: '输出文件 .xlsx/.csv/.json', required: true }) };
  static override flags = { ...registerFilterFlags, force: forceFlag };

  async run(): Promise<ExportResult> {
    const { args, flags } = await this.parse(LicenseExport);
    const filter = registerFilter(flags);
    checkOutput(args.file, { what: '许可证台账', formats: ['.xlsx', '.csv', '.json'], force: flags.force });
    const progress = this.progress('导出许可证', '张');
    return this.withDb(flags.db, async (db) => {
      const r = await exportLicenses(db, args.file, filter, { onTotal: (n) => progress.start(n), onRows: (n) => progress.increment(n) }).finally(() => progress.stop());
      this.log(`已导出 ${r.licenses} 张许可证至 ${r.file}`);
      return r;
    });
  }
}
