import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { formatInspect, inspectCatalog, type InspectResult } from '../../src/catalog/inspect';
import { KINDS } from '../../src/catalog/headers';

export default class CatalogInspect extends BaseCommand {
  static override summary = '导入前查看：每个工作表的表头、类型、各列对应字段及示例值 (inspect files before importing)';
  static override description = '不写入任何内容。每列显示识别出的字段（或“未识别”）、表头中的单位，以及前三行按导入规则解析后的值。';
  static override examples = ['<%= config.bin %> catalog inspect 附件1-试点行业清单.xlsx', '<%= config.bin %> catalog inspect *.xlsx --json'];
  static override strict = false;
  static override args = { files: Args.string({ description: '要查看的文件 (files to inspect)', required: true }) };
  static override flags = {
    kind: Flags.string({ summary: '目录类型，默认按表头自动识别 (catalog kind)', options: ['auto', ...KINDS], default: 'auto' }),
    sheet: Flags.string({ summary: '只读取该工作表 (only this worksheet)' }),
    map: Flags.string({ summary: "指定表头对应的字段，可重复，如 --map '计划发证时间=targetDate' (header=field)", multiple: true }),
  };

  async run(): Promise<InspectResult> {
    const { argv, flags } = await this.parse(CatalogInspect);
    return this.withDb(flags.db, async (db) => {
      const r = await inspectCatalog(db, argv as string[], { kind: flags.kind as never, sheet: flags.sheet, map: flags.map });
      this.log(formatInspect(r));
      return r;
    });
  }
}
