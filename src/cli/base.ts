import { Command, Flags, Errors } from '@oclif/core';
import { YiyeError, UsageError, errorJson, ExitCode } from './errors';
import { Progress, createProgress } from './progress';
import { openWorkspace, type Db } from '../db';

/** Where the workspace lives unless --db or YIYE_DB says otherwise. */
export const DEFAULT_DB = './yiye.db';

/**
 * Base of every yiye command: the global --db flag, --json, and the single place where errors become
 * exit codes. Commands only parse flags and call a service.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    db: Flags.string({
      summary: '工作区数据库：SQLite 文件路径或 postgres:// 地址 (workspace database: SQLite path or PostgreSQL URL)',
      env: 'YIYE_DB',
      default: DEFAULT_DB,
      helpGroup: 'GLOBAL',
    }),
  };

  /** A progress display that stays silent under --json, in CI and when stderr is not a terminal. */
  protected progress(label: string, unit = '行'): Progress {
    return createProgress(label, { quiet: this.jsonEnabled(), unit });
  }

  /** Runs `fn` on the opened workspace and always closes the connection (the process must exit). */
  protected async withDb<T>(target: string, fn: (db: Db) => Promise<T>): Promise<T> {
    const db = await openWorkspace(target);
    try {
      return await fn(db);
    } finally {
      await db.destroy();
    }
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    const known = toYiyeError(err);
    process.exitCode = known.exitCode;
    if (this.jsonEnabled()) {
      this.logJson(errorJson(known));
      return;
    }
    process.stderr.write(`错误：${known.message}\n`);
    if (known.hint) process.stderr.write(`提示：${known.hint}\n`);
    if (known.exitCode === ExitCode.unexpected && process.env.YIYE_DEBUG) process.stderr.write(`${err.stack}\n`);
  }
}

/** Error codes the readers give a file they cannot read: the input is rejected (exit 3). */
const INPUT_CODES = new Set(['SHEET_NOT_FOUND', 'BAD_WORKBOOK', 'BAD_FILE', 'FILE_NOT_FOUND', 'FILE_UNREADABLE']);

/** Anything thrown becomes a YiyeError: ours as they are, oclif parse errors as usage, the rest as unexpected. */
function toYiyeError(err: Error & { oclif?: { exit?: number } }): YiyeError {
  if (err instanceof YiyeError) return err;
  if (err instanceof Errors.CLIError && err.oclif?.exit === 2) {
    return new UsageError(`命令用法有误：${err.message}`, '运行 `yiye help <命令>` 查看用法。');
  }
  const coded = err as Error & { code?: string };
  if (coded.code && INPUT_CODES.has(coded.code)) {
    return new YiyeError(err.message, coded.code, ExitCode.inputRejected, '请检查文件后重试。');
  }
  if (coded.code === 'ENOENT') {
    return new YiyeError(`找不到文件：${(err as Error & { path?: string }).path ?? err.message}`, 'FILE_NOT_FOUND', ExitCode.inputRejected, '请检查路径。');
  }
  return new YiyeError(
    `意外错误：${err.message}`,
    'UNEXPECTED',
    ExitCode.unexpected,
    '这可能是软件缺陷；设置环境变量 YIYE_DEBUG=1 重新运行可看到详细堆栈，请附上后报告问题。',
  );
}
