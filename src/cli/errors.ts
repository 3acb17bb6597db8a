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

// ---------------------------------------------------------------------------------------------
// PostgreSQL: SQLSTATEs and connection failures → exit codes and Chinese messages with the fix
// (README “共享 PostgreSQL”). The server's English text is never shown; its SQLSTATE is kept in --json.
// ---------------------------------------------------------------------------------------------

/** The connection being used, as src/db knows it (never the password). */
export interface PgTargetInfo {
  url: string;
  user: string;
  host: string;
  port: string;
  database: string;
}

/** Lost after connecting: the server stopped, restarted, or a DBA ended the session. */
const LOST = /Connection terminated|Client has encountered a connection error|connection (?:was )?(?:closed|ended)|server closed the connection|terminating connection/i;
const LOST_CODES = new Set(['57P01', '57P02', '08006', '08003', '08007', 'ECONNRESET', 'EPIPE']);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', '08001', '08004', '57P03']);
const TLS_CODES = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER']);

/** The error, or what it wraps (knex wraps a failed ROLLBACK's cause; AggregateError from dual-stack connects). */
function causes(err: unknown): Array<{ code?: string; message?: string }> {
  const out: Array<{ code?: string; message?: string }> = [];
  let e = err as { code?: string; message?: string; cause?: unknown; errors?: unknown[] } | undefined;
  for (let i = 0; e && typeof e === 'object' && i < 4; i++) {
    out.push(e);
    if (Array.isArray(e.errors) && e.errors.length) out.push(...(e.errors as Array<{ code?: string; message?: string }>));
    e = e.cause as typeof e;
  }
  return out;
}

/** True when the connection to the server was lost after it had been made (the batch was rolled back). */
export function isConnectionLost(err: unknown): boolean {
  return causes(err).some((e) => (e.code && LOST_CODES.has(e.code)) || LOST.test(e.message ?? ''));
}

/** The message and hint for a connection lost during a batch: nothing was committed, run it again. */
export function connectionLostError(sqlstate: string | null): YiyeError {
  return new YiyeError(
    '与数据库的连接中断，本批未写入任何内容，可直接重新运行。',
    'DB_CONNECTION_LOST',
    ExitCode.conflict,
    '连接在事务提交前中断时，数据库会自动撤销整批。请确认 PostgreSQL 服务正常后重新运行同一命令（同一批次可安全重跑，已办理的不会重复办理）。',
    { sqlstate },
  );
}

/**
 * A PostgreSQL or connection error as the user should see it, or null when `err` is not one. Every
 * setup and connection problem exits 4 (the database is not in a state to do the work; nothing was
 * written), with the fix named: the command to run, the GRANT to give, the setting to change.
 */
export function databaseError(err: unknown, t?: PgTargetInfo): YiyeError | null {
  if (err instanceof YiyeError) return err;
  const all = causes(err);
  const coded = all.find((e) => typeof e.code === 'string' && e.code.length > 0);
  const code = coded?.code ?? '';
  const msg = all.map((e) => e.message ?? '').join(' ');
  const where = t ? `“${t.url}”` : '';
  const role = t?.user ?? '<角色>';
  const dbName = t?.database ?? '<数据库>';
  const make = (message: string, reason: string, hint: string) => new YiyeError(message, reason, ExitCode.conflict, hint, { sqlstate: /^[0-9A-Z]{5}$/.test(code) ? code : null, driverCode: code || null });

  if (code === '28P01' || (code === '28000' && !/pg_hba/.test(msg))) {
    return make(
      `无法登录数据库${where}：用户名或密码不正确（或该角色不存在、不允许登录）。`,
      'DB_AUTH',
      `请核对 --db 地址中的用户名“${role}”与密码（密码中的 @ # % / 须写成 %40 %23 %25 %2F）；角色须有 LOGIN 权限，可由管理员执行 ALTER ROLE "${role}" WITH LOGIN PASSWORD '…';`,
    );
  }
  if (code === '28000') {
    return make(
      `数据库服务器拒绝了来自本机的连接${where}（pg_hba.conf 中没有允许本机、该用户或该数据库的条目，或要求加密连接）。`,
      'DB_AUTH',
      `请管理员在 pg_hba.conf 中为角色“${role}”、数据库“${dbName}”和本机地址加一行（如 hostssl ${dbName} ${role} <本机网段> scram-sha-256），然后执行 SELECT pg_reload_conf();；服务器只接受加密连接时，在地址末尾加 ?sslmode=require。`,
    );
  }
  if (code === '3D000') {
    return make(
      `数据库“${dbName}”不存在${t ? `（服务器 ${t.host}:${t.port}）` : ''}。`,
      'DB_MISSING',
      `请检查 --db 地址中的数据库名是否拼写正确；新建工作区：由管理员执行 createdb -h ${t?.host ?? '<主机>'} -p ${t?.port ?? '5432'} -U postgres -O ${role} ${dbName}，再运行 yiye init --db …。`,
    );
  }
  if (code === '42501' && /temporary/i.test(msg)) {
    return make(
      `角色“${role}”没有在数据库“${dbName}”中建临时表的权限；试运行（--dry-run）与 catalog diff 在临时副本上演算，需要此权限。`,
      'DB_PERMISSION',
      `请管理员执行：GRANT TEMPORARY ON DATABASE "${dbName}" TO "${role}";（PostgreSQL 默认授予所有角色，此处应是被收回过），再重新运行。`,
    );
  }
  if (code === '42501') {
    const onSchema = /schema/i.test(msg);
    return make(
      onSchema
        ? `角色“${role}”没有在数据库“${dbName}”的 public 模式中建表的权限（PostgreSQL 15 起，GRANT ALL ON DATABASE 不再包括它）。`
        : `角色“${role}”没有执行此操作所需的权限（可能是只读角色在写入）。`,
      'DB_PERMISSION',
      onSchema
        ? `请管理员以数据库所有者身份执行：GRANT USAGE, CREATE ON SCHEMA public TO "${role}";（或 ALTER DATABASE "${dbName}" OWNER TO "${role}"; ALTER SCHEMA public OWNER TO "${role}";），再重新运行。`
        : `查询、核对、catalog diff 与各命令的 --dry-run 只需只读权限；导入、发证等写入须用读写角色。如需授权，请管理员执行：GRANT USAGE ON SCHEMA public TO "${role}"; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "${role}"; GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO "${role}";`,
    );
  }
  if (code === '25006') {
    return make(
      '当前连接只读（只读事务或只读备用服务器），无法写入。',
      'DB_READ_ONLY',
      '写入（导入、发证等）请连接主服务器并使用读写角色；核对与查询命令可在只读连接上运行。',
    );
  }
  if (/^53/.test(code)) {
    const what: Record<string, string> = { '53100': '数据库服务器磁盘已满', '53200': '数据库服务器内存不足', '53300': '数据库服务器的连接数已满', '53400': '超出数据库服务器的配置限制' };
    return make(
      `${what[code] ?? '数据库服务器资源不足'}，本次未写入任何内容。`,
      'DB_RESOURCES',
      code === '53300'
        ? '请稍后重试；如经常出现，请管理员调大 max_connections 或减少同时运行的程序。'
        : '请管理员清理磁盘或增加内存后，重新运行同一命令（可安全重跑）。',
    );
  }
  if (TLS_CODES.has(code) || /does not support SSL|self[- ]signed certificate|unable to verify|certificate has expired|altnames|wrong version number|SSL routines/i.test(msg)) {
    const noTls = /does not support SSL/i.test(msg);
    return make(
      noTls ? `数据库服务器${where}不支持加密连接，但地址要求加密（sslmode）。` : `与数据库服务器${where}的加密连接未能建立（证书无法验证或协议不符）。`,
      'DB_TLS',
      noTls
        ? '请去掉地址中的 sslmode=require（或 ssl=true），或请管理员在服务器上启用 ssl = on 并配置证书。'
        : '服务器使用自签名证书时，可在地址末尾加 ?sslmode=no-verify（仍加密但不核验证书），或把签发该证书的 CA 配置为受信任；证书中的主机名须与 --db 地址中的主机一致。',
    );
  }
  if (isConnectionLost(err)) return connectionLostError(/^[0-9A-Z]{5}$/.test(code) ? code : null);
  if (UNREACHABLE_CODES.has(code) || /Timeout acquiring a connection|timeout expired|Connection terminated due to connection timeout/i.test(msg)) {
    const hostProblem = code === 'ENOTFOUND' || code === 'EAI_AGAIN';
    return make(
      hostProblem ? `找不到数据库服务器“${t?.host ?? ''}”（主机名无法解析）。` : `无法连接数据库${where}（服务器没有响应或未在该端口监听）。`,
      'DB_UNREACHABLE',
      hostProblem
        ? '请检查 --db 地址中的主机名；若密码中含 # 或 @，须写成 %23、%40，否则地址会被截断成错误的主机名。'
        : '请检查 PostgreSQL 服务是否在运行、地址与端口是否正确，以及防火墙和服务器的 listen_addresses 设置。',
    );
  }
  return null;
}
