import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { extractTasks } from '../../src/progress/service';
import { formatExtract } from '../../src/progress/format';
import type { ExtractedTaskJson } from '../../src/progress/types';

export type TasksExtractJson = Array<ExtractedTaskJson & { code: string | null }>;

export default class TasksExtract extends BaseCommand {
  static override summary = '从计划文本中提取改革任务 (extract the tasks of a plan from its text)';
  static override description =
    '读取实施方案、工作要点、任务分工方案等计划文本（.txt/.md/.docx；繁体或带拼音注音的文本先转为简体），识别编号条目（一、（一）1.（1）①）及其责任单位：括号（（）()〔〕【】）中或单独成行的“牵头单位：…；配合单位：…”“责任单位：…”“部门分工：X牵头，Y配合”，以及不带标签的“X牵头”“X牵头，Y按职责分工负责”“各区政府负责”；子条目没有写单位时沿用上级条目的单位。条目和单位中的时限（如“2021年2月底前”“6月底完成”“明年7月份建成”；“长期坚持”“每季度”为长期/周期性）全部保留，以第一个为任务时限；并识别报送日期。--dry-run 逐项显示单位、时限和所依据的原文行。超过 16 MB 的文本、超过 32 MB 或解压后超过 128 MB 的 .docx、超过 100 万字符的单行会被拒绝（退出码 3）。不加 --dry-run 时按计划名称保存；重复提取同一计划不会改变任务。';
  static override examples = [
    '<%= config.bin %> tasks extract 实施方案.txt --plan 浦东一业一证实施方案',
    '<%= config.bin %> tasks extract 工作要点.docx --dry-run --json',
  ];
  static override args = { file: Args.string({ description: '计划文件 .txt/.md/.docx (plan file)', required: true }) };
  static override flags = {
    plan: Flags.string({ summary: '计划名称，默认取文中标题或文件名 (plan name)' }),
    'dry-run': Flags.boolean({ summary: '只提取并显示，不保存 (extract and show, store nothing)' }),
    actor: Flags.string({ summary: '操作人，记入任务历史 (who; default $USER)' }),
  };

  async run(): Promise<TasksExtractJson> {
    const { args, flags } = await this.parse(TasksExtract);
    return this.withDb(flags.db, async (db) => {
      const result = await extractTasks(db, args.file, { plan: flags.plan, dryRun: flags['dry-run'], actor: flags.actor });
      this.log(formatExtract(result));
      return result.tasks;
    });
  }
}
