import { Args } from '@oclif/core';
import { BaseCommand } from '../../../src/cli/base';
import { NotFoundError } from '../../../src/cli/errors';
import { removeTaughtHeader } from '../../../src/catalog/header-store';

export default class CatalogHeadersRemove extends BaseCommand {
  static override summary = '删除一个已记住的表头 (forget a taught header)';
  static override examples = ['<%= config.bin %> catalog headers remove 计划发证时间'];
  static override args = { header: Args.string({ description: '表头 (the header)', required: true }) };

  async run(): Promise<{ header: string; removed: boolean }> {
    const { args, flags } = await this.parse(CatalogHeadersRemove);
    return this.withDb(flags.db, async (db) => {
      if (!(await removeTaughtHeader(db, args.header))) throw new NotFoundError(`没有记住表头“${args.header}”。`, '运行 yiye catalog headers list 查看已记住的表头。');
      this.log(`已删除：表头“${args.header}”`);
      return { header: args.header, removed: true };
    });
  }
}
