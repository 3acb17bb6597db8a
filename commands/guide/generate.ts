import { parseDateFlag } from '../../src/license/flags';
import { ConflictError } from '../../src/cli/errors';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { generateGuides, type GenerateResult } from '../../src/guide/service';
import { formatGenerate } from '../../src/guide/format';
import { GUIDE_FORMATS, GUIDE_TYPES, type GuideFormat, type GuideType } from '../../src/guide/types';

export default class GuideGenerate extends BaseCommand {
  static override summary = '生成行业文书：实施细则、办事指南、一次告知单、告知承诺书、一表申请 (generate per-industry documents)';
  static override description =
    '从行业事项目录计算文书内容（事项、部门、设定依据、合并后的材料清单、条件、联合核查、告知承诺、串联与并联时限），用模板生成 Markdown、HTML 和 Word（docx）文件，写入 --out/<行业>/<类型>.<扩展名>。每个文件记录所用目录的指纹，供 `yiye guide check` 检查是否过期。';
  static override examples = [
    '<%= config.bin %> guide generate --industry 便利店 --out 文书',
    '<%= config.bin %> guide generate --all --type guide --type notice --format docx --out 文书',
    '<%= config.bin %> guide generate --all --templates 我的模板 --date 2021-03-31 --out 文书 --strict --json',
  ];
  static override flags = {
    industry: Flags.string({ summary: '行业名称或编码，可重复 (industry name or code; repeatable)', multiple: true }),
    all: Flags.boolean({ summary: '全部试点行业 (every industry)' }),
    type: Flags.string({ summary: '文书类型，可重复，默认全部五种 (document type; repeatable)', options: [...GUIDE_TYPES], multiple: true }),
    format: Flags.string({ summary: '输出格式，可重复，默认全部 (output format; repeatable)', options: [...GUIDE_FORMATS], multiple: true }),
    templates: Flags.string({ summary: '自定义模板目录，同名文件覆盖内置模板 (template overrides)' }),
    out: Flags.string({ summary: '输出目录 (output folder)', required: true }),
    date: Flags.string({ summary: '成文日期及示例受理日期，如 2021-03-31、2021/3/31 或 2021年3月31日，默认今天 (document date)' }),
    strict: Flags.boolean({ summary: '有警告即失败（退出码 3），不写入任何文件 (warnings are errors)' }),
  };

  async run(): Promise<GenerateResult> {
    const { flags } = await this.parse(GuideGenerate);
    // the same date forms as the licence commands (2021-03-31, 2021/3/31, 2021年3月31日); 2021-02-30 is no date
    const date = flags.date === undefined ? undefined : parseDateFlag(flags.date);
    const progress = this.progress('生成文书', '个行业');
    return this.withDb(flags.db, async (db) => {
      try {
        let started = false;
        const result = await generateGuides(db, {
          industries: flags.industry,
          all: flags.all,
          types: flags.type as GuideType[] | undefined,
          formats: flags.format as GuideFormat[] | undefined,
          templatesDir: flags.templates,
          out: flags.out,
          date,
          strict: flags.strict,
          onIndustry: (done, total) => {
            if (!started) progress.start(total), (started = true);
            progress.increment();
          },
        });
        progress.stop();
        if (flags.all && result.industries === 0) {
          throw new ConflictError('试点行业目录为空，--all 没有可生成文书的行业。', '请先用 `yiye catalog import` 导入试点行业清单、事项目录和行业事项对应表，再生成文书。');
        }
        this.log(formatGenerate(result));
        return result;
      } finally {
        progress.stop();
      }
    });
  }
}
