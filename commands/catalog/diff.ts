import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { diffCatalog } from '../../src/catalog/service';
import type { DiffResult } from '../../src/catalog/import';
import { formatDiff } from '../../src/catalog/format';
import { KINDS } from '../../src/catalog/headers';

export default class CatalogDiff extends BaseCommand {
  static override summary = '预览导入将新增、修改（逐字段）和移除的内容，不写入 (preview an import)';
  static override description = '目录会动态调整（清单动态调整）：在导入前查看文件与现有目录的差异。“移除”指现有目录中有、而文件所覆盖范围内没有的条目；导入本身不会删除它们。';
  static override examples = ['<%= config.bin %> catalog diff 附件2-事项目录.xlsx', '<%= config.bin %> catalog diff 附件2-事项目录.xlsx --json'];
  static override strict = false;
  static override args = { files: Args.string({ description: '要比较的文件 (files to compare)', required: true }) };
  static override flags = {
    kind: Flags.string({ summary: '目录类型，默认按表头自动识别 (catalog kind)', options: ['auto', ...KINDS], default: 'auto' }),
    sheet: Flags.string({ summary: '只读取该工作表 (only this worksheet)' }),
  };

  async run(): Promise<DiffResult> {
    const { argv, flags } = await this.parse(CatalogDiff);
    return this.withDb(flags.db, async (db) => {
      const result = await diffCatalog(db, argv as string[], { kind: flags.kind as never, sheet: flags.sheet });
      this.log(formatDiff(result));
      this.exitRejectedIfErrors(result.errors.length);
      return result;
    });
  }
}
