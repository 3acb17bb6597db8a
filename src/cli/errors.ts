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
