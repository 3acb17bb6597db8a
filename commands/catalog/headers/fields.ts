import { BaseCommand } from '../../../src/cli/base';
import { catalogFields } from '../../../src/catalog/header-store';
import { FIELD_HEADERS, type Field } from '../../../src/catalog/headers';

export default class CatalogHeadersFields extends BaseCommand {
  static override summary = '列出目录字段、中文名称及已认识的表头写法 (list fields and their Chinese labels)';
  static override examples = ['<%= config.bin %> catalog headers fields', '<%= config.bin %> catalog headers fields --json'];

  async run(): Promise<Array<{ field: Field; label: string; headers: readonly string[] }>> {
    await this.parse(CatalogHeadersFields);
    const rows = catalogFields().map((f) => ({ ...f, headers: FIELD_HEADERS[f.field] }));
    this.log(rows.map((r) => `${r.field.padEnd(20)} ${r.label}    （也认：${r.headers.join('、')}）`).join('\n'));
    return rows;
  }
}
