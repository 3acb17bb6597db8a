import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { listRoster } from '../../src/inspect/roster';
import type { Inspector } from '../../src/inspect/draw';
import { formatRoster } from '../../src/inspect/format';

export default class InspectRosterList extends BaseCommand {
  static override summary = '列出执法人员 (list the inspectors)';
  static override description = '按部门、执法证号排序。--json 输出：{"inspectors":[{"badge","name","department","industries","avoid"}]}。';
  static override flags = { department: Flags.string({ summary: '只列此部门 (only this department)' }) };

  async run(): Promise<{ inspectors: Inspector[] }> {
    const { flags } = await this.parse(InspectRosterList);
    return this.withDb(flags.db, async (db) => {
      const inspectors = await listRoster(db, { department: flags.department });
      this.log(formatRoster(inspectors));
      return { inspectors };
    });
  }
}
