import { Command, Flags, Errors } from '@oclif/core';
import { YiyeError, UsageError, databaseError, errorJson, ExitCode, rowErrorLines, rowErrorsOf } from './errors';
import { Progress, createProgress } from './progress';
import { currentPgTarget, openWorkspace, type Db } from '../db';
import { setWorkspaceTimeZone } from '../text/time';
import { terminalSafe } from '../text/controls';

/** Times are shown in the workspace's time zone (`yiye init --time-zone`; src/text/time.ts). */
async function useWorkspaceTimeZone(db: Db): Promise<void> {
  try {
    const row = (await db('settings').where({ key: 'time_zone' }).first('value')) as { value: string } | undefined;
    setWorkspaceTimeZone(row?.value);
  } catch {
    // a workspace whose settings cannot be read is reported by the command itself
  }
}

/** Where the workspace lives unless --db or YIYE_DB says otherwise. */
export const DEFAULT_DB = './yiye.db';

/**
 * Base of every yiye command: the global --db flag, --json, and the single place where errors become
 * exit codes. Commands only parse flags and call a service.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    // replaces oclif's own --json flag (same name and behaviour), whose description is English only
    json: Flags.boolean({ description: '以 JSON 格式输出 (format output as json)', helpGroup: 'GLOBAL' }),
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

  /**
   * A trial run (--dry-run, diff) that found rows the real run would reject exits 3 like the real run
   * would, after printing its result: a "check first" script must not pass a bad file.
   */
  protected exitRejectedIfErrors(errors: number, skipInvalid = false): void {
    if (errors > 0 && !skipInvalid) process.exitCode = ExitCode.inputRejected;
  }

  /** Every line printed goes through `terminalSafe`: a name carrying ESC or U+202E is shown escaped, never obeyed. */
  override log(message = '', ...args: unknown[]): void {
    super.log(terminalSafe(message), ...args);
  }

  /** Runs `fn` on the opened workspace and always closes the connection (the process must exit). */
  protected async withDb<T>(target: string, fn: (db: Db) => Promise<T>): Promise<T> {
    const db = await openWorkspace(target);
    try {
      await useWorkspaceTimeZone(db);
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
    process.stderr.write(`错误：${terminalSafe(known.message)}\n`);
    // a rejected batch: every row error, not only the first one the message names
    const rows = rowErrorsOf(known.details);
    if (rows.errors.length > 1) process.stderr.write(`全部错误：\n${rowErrorLines(rows.errors, 20, rows.notListed, this.id?.startsWith('license') ? '--results' : '--report').join('\n')}\n`);
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
    return new UsageError(`命令用法有误：${usageMessage(err.message)}`, '运行 `yiye help <命令>` 或在命令后加 --help 查看用法。');
  }
  const coded = err as Error & { code?: string };
  if (coded.code && INPUT_CODES.has(coded.code)) {
    return new YiyeError(err.message, coded.code, ExitCode.inputRejected, '请检查文件后重试。');
  }
  const at = (err as Error & { path?: string }).path;
  const fsProblem: Record<string, [string, string]> = {
    EACCES: [`没有权限访问“${at}”。`, '请检查该文件或文件夹的权限，或换一个有权限的位置。'],
    EPERM: [`没有权限访问“${at}”。`, '请检查该文件或文件夹的权限，或换一个有权限的位置。'],
    EISDIR: [`“${at}”是文件夹，不是文件。`, '请指定一个文件名。'],
    ENOTDIR: [`路径“${at}”中有一段不是文件夹。`, '请检查路径。'],
    // mkdir of an output's folder where a file of that name already stands
    EEXIST: [`“${at}”已是一个文件，不能作为文件夹。`, '请检查输出路径，或换一个位置。'],
    EROFS: [`“${at}”所在位置是只读的。`, '请换一个可写的位置。'],
    ENOSPC: ['磁盘空间不足，未能写完。', '请清理磁盘空间后重新运行。'],
  };
  if (coded.code && fsProblem[coded.code] && (at || coded.code === 'ENOSPC')) {
    return new YiyeError(fsProblem[coded.code][0], coded.code, ExitCode.inputRejected, fsProblem[coded.code][1]);
  }
  // SQLite refusing the workspace file itself (not a database, unreadable, read-only)
  const sqlite: Record<string, [string, string]> = {
    SQLITE_CANTOPEN: ['无法打开工作区数据库文件。', '请检查 --db 路径所在的文件夹是否存在、是否有权限。'],
    SQLITE_NOTADB: ['--db 指向的文件不是 yiye 工作区数据库（SQLite）。', '请检查 --db 路径；新建工作区用 `yiye init`。'],
    SQLITE_READONLY: ['工作区数据库是只读的，无法写入。', '请检查数据库文件及其所在文件夹的写权限（多人共用请使用 PostgreSQL）。'],
  };
  if (coded.code && sqlite[coded.code]) return new YiyeError(sqlite[coded.code][0], coded.code, ExitCode.conflict, sqlite[coded.code][1]);
  const pg = databaseError(err, currentPgTarget());
  if (pg) return pg;
  if (coded.code === 'ECONNREFUSED' || coded.code === 'ENOTFOUND' || coded.code === 'ETIMEDOUT') {
    return new YiyeError(`无法连接 PostgreSQL 数据库（${coded.code}）。`, 'DB_UNREACHABLE', ExitCode.conflict, '请检查 --db 地址、数据库服务是否在运行、网络与防火墙。');
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

/**
 * oclif's parser messages (English, @oclif/core 4) in Chinese, the English kept in brackets so the
 * message can still be searched for. A message not listed here is shown as oclif wrote it.
 */
const USAGE_MESSAGES: Array<[RegExp, (...m: string[]) => string]> = [
  [/^Missing required flag:?\s*-*(\S+)/, (f) => `缺少必填选项 --${f}`],
  [/^Missing (\d+) required args?/, (n) => `缺少 ${n} 个必填参数`],
  [/^Nonexistent flags?: (.+)/, (f) => `没有这个选项：${f}`],
  [/^Unexpected arguments?: (.+)/, (a) => `多余的参数：${a}`],
  [/^Expected an integer but received: (.*)/, (v) => `应为整数，实为“${v}”`],
  [/^Expected --([\w-]+)=(.*) to be one of: (.+)/, (f, v, o) => `选项 --${f} 的值“${v}”无效，可选值：${o}`],
  [/^Expected (.*) to be one of: (.+)/, (v, o) => `参数值“${v}”无效，可选值：${o}`],
  [/^--([\w-]+) cannot also be provided when using (.+)/, (f, o) => `选项 --${f} 不能与 ${o} 同时使用`],
  [/^All of the following must be provided when using --([\w-]+): (.+)/, (f, o) => `使用 --${f} 时必须同时提供：${o}`],
  [/^Exactly one of the following must be provided: (.+)/, (o) => `以下选项必须且只能提供一个：${o}`],
  [/^Flag --([\w-]+) expects a value/, (f) => `选项 --${f} 需要一个值`],
  [/^Flag --([\w-]+) can only be specified once/, (f) => `选项 --${f} 只能给一次`],
];

export function usageMessage(message: string): string {
  const lines = message
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^See more help with --help$/.test(l) && !/^The following errors? occurred:$/.test(l));
  let out = '';
  for (const line of lines) {
    const parsing = /^Parsing (--[\w-]+)$/.exec(line);
    if (parsing) {
      out += `${out ? '；' : ''}选项 ${parsing[1]}：`;
      continue;
    }
    const arg = /^(\S+)\s{2,}(.+)$/.exec(line); // a missing argument, listed as "name  description"
    let text = arg ? `${arg[1]}（${arg[2]}）` : line;
    for (const [re, zh] of USAGE_MESSAGES) {
      const m = re.exec(line);
      if (m) {
        text = `${zh(...m.slice(1))}（${line.replace(/:$/, '')}）${line.endsWith(':') ? '：' : ''}`;
        break;
      }
    }
    out += out && !out.endsWith('：') ? `；${text}` : text;
  }
  return out;
}
