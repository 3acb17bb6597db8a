import { BaseCommand } from '../../../src/cli/base';
import { listTaughtHeaders, type TaughtHeader } from '../../../src/catalog/header-store';

export default class CatalogHeadersList extends BaseCommand {
  static override summary = '列出已记住的表头及其字段 (list taught headers)';
  static override examples = ['<%= config.bin %> catalog headers list --json'];

  async run(): Promise<TaughtHeader[]> {
    const { flags } = await this.parse(CatalogHeadersList);
    return this.withDb(flags.db, async (db) => {
      const rows = await listTaughtHeaders(db);
      this.log(rows.length ? rows.map((r) => `${r.header} → ${r.label}（${r.field}）`).join('\n') : '还没有记住的表头。用 yiye catalog headers add <表头> <字段> 添加。');
      return rows;
    });
  }
}
