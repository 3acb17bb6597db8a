import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base';
import { ExitCode } from '../../src/cli/errors';
import { checkGuides, type CheckResult } from '../../src/guide/service';
import { formatCheck } from '../../src/guide/format';

export default class GuideCheck extends BaseCommand {
  static override summary = '检查已生成的文书是否与当前目录一致 (list documents made from an older catalog)';
  static override description =
    '读取目录中每个文书记录的行业目录指纹，与当前目录比较：行业目录已变更或行业已删除的文书列为过期。没有过期文书时退出码为 0，否则为 3。';
  static override examples = ['<%= config.bin %> guide check 文书', '<%= config.bin %> guide check 文书 --json'];
  static override args = { dir: Args.string({ description: '`guide generate --out` 写入的目录 (the folder generate wrote)', required: true }) };

  async run(): Promise<CheckResult> {
    const { args, flags } = await this.parse(GuideCheck);
    return this.withDb(flags.db, async (db) => {
      const result = await checkGuides(db, args.dir);
      this.log(formatCheck(result));
      // the result is still printed (and is the --json output); only the exit code says "stale"
      if (result.stale.length) process.exitCode = ExitCode.inputRejected;
      return result;
    });
  }
}
