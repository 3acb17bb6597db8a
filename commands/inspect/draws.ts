import { BaseCommand } from '../../src/cli/base';
import { listDraws, type DrawListing } from '../../src/inspect/service';
import { formatDraws } from '../../src/inspect/format';

export default class InspectDraws extends BaseCommand {
  static override summary = '列出已记录的抽查 (list recorded draws)';
  static override description = '--json 输出：{"draws":[{"id","date","seed","population","drawn","actor","recordedAt","replacedCount","resultSha256","done","problems"}]}。';

  async run(): Promise<DrawListing> {
    const { flags } = await this.parse(InspectDraws);
    return this.withDb(flags.db, async (db) => {
      const r = await listDraws(db);
      this.log(formatDraws(r));
      return r;
    });
  }
}
