/**
 * Typed errors and the one mapping to exit codes (README "退出码"). Services throw these; the base
 * command turns them into a Chinese message (or `{"error":…}` under --json) and an exit code, never
 * a stack trace.
 */

export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  inputRejected: 3,
  conflict: 4,
} as const;

export class YiyeError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly exitCode: number,
    /** What the user should do next, in Chinese. */
    readonly hint?: string,
    /** Extra machine-readable detail (e.g. the rejected rows) for --json. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags or arguments: exit 2. */
export class UsageError extends YiyeError {
  constructor(message: string, hint?: string) {
    super(message, 'USAGE', ExitCode.usage, hint);
  }
}

/** The input (a file, a row, a name) was rejected and nothing was written: exit 3. */
export class InputError extends YiyeError {
  constructor(message: string, hint?: string, details?: Record<string, unknown>, code = 'INPUT_REJECTED') {
    super(message, code, ExitCode.inputRejected, hint, details);
  }
}

/** Something named does not exist: an input problem, exit 3. */
export class NotFoundError extends YiyeError {
  constructor(message: string, hint?: string) {
    super(message, 'NOT_FOUND', ExitCode.inputRejected, hint);
  }
}

/** The workspace is in a state that forbids the operation (not initialised, already exists …): exit 4. */
export class ConflictError extends YiyeError {
  constructor(message: string, hint?: string, details?: Record<string, unknown>) {
    super(message, 'CONFLICT', ExitCode.conflict, hint, details);
  }
}

/** The JSON shape of a failure: `{"error":{code,message,exitCode,hint?,…details}}`. */
export function errorJson(err: YiyeError): { error: Record<string, unknown> } {
  return {
    error: {
      code: err.code,
      message: err.message,
      exitCode: err.exitCode,
      ...(err.hint ? { hint: err.hint } : {}),
      ...(err.details ?? {}),
    },
  };
}

/** A rejected row as every batch reports it (catalog import, tasks, licences). */
export interface RowErrorRef {
  file: string;
  sheet: string;
  row: number;
  /** The column's header as written, or '' for a whole-row problem. */
  column: string;
  /** Column letter (A, B, …) or ''. */
  columnLetter: string;
  message: string;
}

export function describeRowError(e: RowErrorRef): string {
  const col = e.column ? `，${e.columnLetter ? `${e.columnLetter}列` : ''}“${e.column}”` : '';
  return `文件“${e.file}”工作表“${e.sheet}”第 ${e.row} 行${col}：${e.message}`;
}

/** Up to `limit` row errors as indented lines, and how many more there are (the rest are in the results file or --json). */
/** `fileFlag`: the flag of the command's own results file (licence batches --results, imports --report). */
export function rowErrorLines(errors: RowErrorRef[], limit = 20, notListed = 0, fileFlag = '--report'): string[] {
  const more = errors.length - Math.min(errors.length, limit) + notListed;
  return [...errors.slice(0, limit).map((e) => `  - ${describeRowError(e)}`), ...(more > 0 ? [`  …… 其余 ${more} 处见 ${fileFlag} 文件或 --json 输出`] : [])];
}

/** The row errors a rejected batch carries in its details (`errors` or `rejected`), if any. */
export function rowErrorsOf(details: Record<string, unknown> | undefined): { errors: RowErrorRef[]; notListed: number } {
  const list = details?.errors ?? details?.rejected;
  const isRow = (x: unknown): x is RowErrorRef => typeof x === 'object' && x !== null && typeof (x as RowErrorRef).row === 'number' && typeof (x as RowErrorRef).message === 'string';
  const errors = Array.isArray(list) ? list.filter(isRow) : [];
  return { errors, notListed: typeof details?.errorsNotListed === 'number' ? details.errorsNotListed : 0 };
}
