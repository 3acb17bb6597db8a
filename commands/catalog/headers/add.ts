import { Args } from '@oclif/core';
import { BaseCommand } from '../../../src/cli/base';
import { addTaughtHeader, type TaughtHeader } from '../../../src/catalog/header-store';

export default class CatalogHeadersAdd extends BaseCommand {
  static override summary = '记住一个表头对应的字段，以后每次导入都使用 (teach a header once)';
  static override examples = ["<%= config.bin %> catalog headers add 计划发证时间 targetDate", '<%= config.bin %> catalog headers add 办结时限（承诺） 承诺时限'];
  static override args = {
    header: Args.string({ description: '部门表格中的表头 (the header as departments write it)', required: true }),
    field: Args.string({ description: '字段名或中文名称，见 catalog headers fields (field name or label)', required: true }),
  };

  async run(): Promise<TaughtHeader & { replaced: boolean }> {
    const { args, flags } = await this.parse(CatalogHeadersAdd);
    return this.withDb(flags.db, async (db) => {
      const r = await addTaughtHeader(db, args.header, args.field);
      this.log(`${r.replaced ? '已更新' : '已记住'}：表头“${r.header}” → ${r.label}（${r.field}）`);
      return r;
    });
  }
}
