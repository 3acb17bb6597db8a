import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { guideMetrics } from '../../src/guide/service';
import { formatMetrics } from '../../src/guide/format';
import type { GuideMetrics } from '../../src/guide/types';

export default class GuideMetricsCommand extends BaseCommand {
  static override summary = '改革成效：减材料、减时限、减环节、减跑动 (per-industry reform metrics)';
  static override description =
    '按行业统计合并前后的申请材料份数、串联与并联办理时限（工作日）、现场核查次数、审批环节和办理窗口数。所有关联事项都计入（即勾选全部经营情形），已直接取消审批的事项不计入。';
  static override examples = ['<%= config.bin %> guide metrics', '<%= config.bin %> guide metrics --industry 便利店 --json'];
  static override flags = {
    industry: Flags.string({ summary: '只统计该行业 (only this industry)' }),
  };

  async run(): Promise<GuideMetrics[]> {
    const { flags } = await this.parse(GuideMetricsCommand);
    return this.withDb(flags.db, async (db) => {
      const rows = await guideMetrics(db, { industry: flags.industry });
      this.log(formatMetrics(rows));
      return rows;
    });
  }
}
