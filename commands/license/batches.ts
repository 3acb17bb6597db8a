import { BaseCommand } from '../../src/cli/base';
import { listBatches, type BatchSummary } from '../../src/license/batches';
import { formatBatches } from '../../src/license/format';

export default class LicenseBatches extends BaseCommand {
  static override summary = '列出发证批次和变更办理批次 (list licence batches and their numbers)';
  static override description =
    '每个写入了许可证的批次一行：批次号、类型（发证 / 变更/延续/撤销等）、文件、经办人、时间、涉及许可证张数。批次号用于 `yiye license print --batch 批次号`。重复运行未发新证的批次、单张办理的变更/延续/撤销不占批次号。\n\n--json 输出：{"batches":[{"id","kind","kindLabel","file","actor","startedAt","finishedAt","licenses","counts"}]}（时间为带时区偏移的 ISO 8601）。';
  static override examples = ['<%= config.bin %> license batches', '<%= config.bin %> license batches --json'];

  async run(): Promise<{ batches: BatchSummary[] }> {
    const { flags } = await this.parse(LicenseBatches);
    return this.withDb(flags.db, async (db) => {
      const r = await listBatches(db);
      this.log(formatBatches(r.batches));
      return r;
    });
  }
}
