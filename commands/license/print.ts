import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { printLicenses, type PrintResult } from '../../src/license/print';
import { parseDateFlag } from '../../src/license/flags';

export default class LicensePrint extends BaseCommand {
  static override summary = '生成可打印的许可证（A4 HTML，含二维码） (print licences as self-contained A4 HTML)';
  static override description = '每张许可证一页 HTML，载明许可证编号、经营者名称、统一社会信用代码、法定代表人（负责人）、行业类别、经营场所、许可项目、发证机关、制证日期和有效期，二维码为内嵌 SVG；任何浏览器可直接打印。\n\n--out：只打印一张许可证且以 .html 结尾时，就是写入的文件；否则（多张、--batch，或不以 .html 结尾）是目录，其中每张许可证一个“<许可证编号>.html”。已存在的目录总按目录处理。不直接生成 PDF：用浏览器“打印 → 另存为 PDF”。';
  static override examples = ['<%= config.bin %> license print 3101152026PD-01000001 --out 打印/', '<%= config.bin %> license print 3101152026PD-01000001 --out 许可证.html', '<%= config.bin %> license print --batch 3 --out 打印/2026-03-15/'];
  static override strict = false;
  static override args = { numbers: Args.string({ description: '许可证编号，可多个 (licence numbers)' }) };
  static override flags = {
    batch: Flags.integer({ summary: '打印该批次的全部许可证（现行版本；已撤销等标注状态），批次号见 yiye license batches (every licence of a batch)' }),
    out: Flags.string({ summary: '一张许可证且以 .html 结尾：写入该文件；否则为输出目录 (one licence + .html: that file; otherwise a folder)', required: true }),
    date: Flags.string({ summary: '按此日期判断是否过期，默认今天 (as-of date)' }),
  };

  async run(): Promise<PrintResult> {
    const { argv, flags } = await this.parse(LicensePrint);
    const asOf = parseDateFlag(flags.date);
    return this.withDb(flags.db, async (db) => {
      const r = await printLicenses(db, { numbers: argv as string[], batch: flags.batch, outDir: flags.out, asOf });
      this.log(r.files.length === 1 ? `已生成 1 张许可证：${r.files[0].file}` : `已生成 ${r.files.length} 张许可证：${r.outDir}`);
      if (r.batch) {
        const ended = r.batch.notValid;
        this.log(
          `  批次 ${r.batch.id} 的 ${r.batch.licenses} 张许可证，均按现行版本打印（此后变更、延续过的为最新一版）${ended.length ? `；其中 ${ended.length} 张已不再有效，页面上标注其状态：${ended.map((e) => `${e.number}（${e.statusLabel}）`).join('、')}` : '；全部有效'}。`,
        );
      }
      return r;
    });
  }
}
