import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { exportCatalog } from '../../src/catalog/service';
import { forceFlag } from '../../src/cli/output-flags';

export default class CatalogExport extends BaseCommand {
  static override summary = '导出整个目录为 .xlsx（或每表一个 .csv），可原样再导入；格式由扩展名决定，已有文件须加 --force 才覆盖 (export the catalog)';
  static override examples = ['<%= config.bin %> catalog export 目录.xlsx', '<%= config.bin %> catalog export 目录.csv --json'];
  static override flags = { force: forceFlag };
  static override args = { file: Args.string({ description: '输出文件 .xlsx 或 .csv (output file)', required: true }) };

  async run(): Promise<Awaited<ReturnType<typeof exportCatalog>>> {
    const { args, flags } = await this.parse(CatalogExport);
    return this.withDb(flags.db, async (db) => {
      const result = await exportCatalog(db, args.file, { force: flags.force });
      this.log(`已导出：试点行业 ${result.industries} 个，事项 ${result.matters} 项，申请材料 ${result.materials} 条，行业事项对应 ${result.links} 条。`);
      for (const f of result.files) this.log(`  ${f}`);
      return result;
    });
  }
}
