import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { UsageError } from '../../src/cli/errors';
import { parseRatios, parseShare, runDraw, type DrawResult } from '../../src/inspect/service';
import { formatDraw } from '../../src/inspect/format';
import { defaultActor } from '../../src/settings/actor';
import { parseDateFlag } from '../../src/license/flags';

export default class InspectDraw extends BaseCommand {
  static override summary = '“双随机”抽取检查对象和联合检查组 (draw inspection targets and joint teams)';
  static override description = [
    '从 --date 当天有效的行业综合许可证中，按行业 × 信用风险分类分层随机抽取检查对象（每层 四舍五入(户数 × 比例)，比例大于 0 的非空层至少 1 户；--count 时按户数 × 比例分配总数），再为每户随机选派一个联合检查组：覆盖该证全部许可项目的审批部门，每部门至少 1 人、全组不少于 --team-size 人，回避人员不派，同部门内优先派任务最少者。',
    '同一种子、同一登记簿和名录、同样的选项，结果逐字节相同；种子应在抽取前公布（如当期彩票开奖号码或会议日期）。抽取参数、输入摘要和结果摘要记入审计日志（yiye audit verify 校验）。同一编号（--id，默认为日期）不能重抽，除非加 --replace --reason。',
    '--json 输出：{"draw":{"id","date","seed","population","drawn","ratio","count","ratios","teamSize","industries","inputsSha256","method","strata"},"targets":[{"licence","holder","uscc","industry","riskClass","departments","team":[{"name","badge","department"}]}],"unassigned":[{"licence","reason"}],"resultSha256","replaced","dryRun","files"}。',
  ].join('\n\n');
  static override examples = [
    '<%= config.bin %> inspect draw --date 2026-12-06 --seed 2026140 --ratio 5% --out 抽查/',
    '<%= config.bin %> inspect draw --date 2026-12-06 --seed 2026140 --ratios A=3%,B=5%,C=10%,D=20% --industry 便利店 --industry 饭店',
    '<%= config.bin %> inspect draw --date 2026-12-06 --seed 2026140 --count 20 --team-size 3 --json',
  ];
  static override flags = {
    date: Flags.string({ summary: '抽查日期：抽取当天有效的许可证，默认今天 (draw date)' }),
    seed: Flags.string({ summary: '随机种子，抽取前公布 (the announced seed)', required: true }),
    id: Flags.string({ summary: '抽查编号，默认为抽查日期 (draw id; default the date)' }),
    industry: Flags.string({ summary: '只抽此行业，可重复 (only this industry; repeatable)', multiple: true }),
    ratio: Flags.string({ summary: '抽取比例，如 5% (share drawn of each stratum)' }),
    count: Flags.integer({ summary: '共抽取户数 (number drawn in all)' }),
    ratios: Flags.string({ summary: '按信用风险分类的比例，如 A=3%,B=5%,C=10%,D=20% (share per risk class)' }),
    'team-size': Flags.integer({ summary: '每个检查组至少几人，默认 2 (team size)', default: 2 }),
    out: Flags.string({ summary: '把抽查计划（xlsx）和结果公告（md、html）写入此文件夹 (write plan and notice here)' }),
    replace: Flags.boolean({ summary: '重抽已有编号的抽查（须给 --reason） (replace a recorded draw)' }),
    reason: Flags.string({ summary: '重抽原因，记入审计日志 (reason for --replace)' }),
    'dry-run': Flags.boolean({ summary: '只计算并显示，不记录 (compute, record nothing)' }),
    actor: Flags.string({ summary: '经办人，记入审计日志 (who; default $USER)' }),
  };

  async run(): Promise<DrawResult> {
    const { flags } = await this.parse(InspectDraw);
    if (flags.replace && !flags.reason?.trim()) throw new UsageError('--replace 须同时给出 --reason（重抽原因）。', '例如 --replace --reason "名录有误，经局务会同意重抽"。');
    const req = {
      id: flags.id,
      date: parseDateFlag(flags.date),
      seed: flags.seed,
      industries: flags.industry ?? [],
      ratio: flags.ratio === undefined ? undefined : parseShare(flags.ratio, '--ratio'),
      count: flags.count,
      ratios: flags.ratios === undefined ? {} : parseRatios(flags.ratios),
      teamSize: flags['team-size'],
      actor: flags.actor ?? defaultActor(),
      replace: flags.replace ? { reason: flags.reason!.trim() } : undefined,
      out: flags.out,
      dryRun: flags['dry-run'],
    };
    return this.withDb(flags.db, async (db) => {
      const r = await runDraw(db, req);
      this.log(formatDraw(r));
      return r;
    });
  }
}
