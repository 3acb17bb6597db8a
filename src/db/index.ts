import path from 'node:path';
import fs from 'node:fs';
import knexFactory, { Knex } from 'knex';
import { migrations } from './migrations';
import { ConflictError, databaseError } from '../cli/errors';
import { checkPgUrl, maskPgUrl, splitPgUrl } from './url';
import { defaultActor } from '../settings/actor';

export type Db = Knex;
export type Dialect = 'sqlite' | 'postgres';

/** SQLite binds at most 999 variables per statement on older builds; 500 rows × few columns stays safe. */
export const SQLITE_CHUNK = 500;

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

export function dialectOf(db: Db): Dialect {
  return db.client.config.client === 'pg' ? 'postgres' : 'sqlite';
}

/**
 * Opens the workspace database (a SQLite file path or a postgres:// URL) without touching its schema.
 * SQLite runs in WAL mode with synchronous=FULL: a committed licence or import survives a power cut.
 */
/**
 * knex writes its own warnings ("Acquire connection error: …") to stdout, ahead of a --json result;
 * the same failure reaches the command as an error, which says it in Chinese. YIYE_DEBUG shows them.
 */
const debugLog = (m: unknown) => {
  if (process.env.YIYE_DEBUG) process.stderr.write(`[knex] ${typeof m === 'string' ? m : JSON.stringify(m)}\n`);
};
const KNEX_LOG = { warn: debugLog, error: debugLog, deprecate: debugLog, debug: debugLog };

/** Seconds from an environment variable, or the default when unset or not a positive number. */
function seconds(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * How long a batch waits for another office's batch (the issuing lock, a row another batch holds)
 * before giving up with exit 4: YIYE_LOCK_WAIT seconds, 90 by default (README “共享 PostgreSQL”).
 */
export function lockWaitMs(): number {
  return Math.round(seconds('YIYE_LOCK_WAIT', 90) * 1000);
}

/**
 * How long the server lets one of yiye's sessions sit idle inside a transaction (a suspended laptop,
 * a frozen terminal) before ending it and rolling its batch back, so that it releases the issuing
 * lock: YIYE_PG_IDLE_TIMEOUT seconds, 300 by default. Longer than any pause a working batch makes.
 */
export function idleInTransactionMs(): number {
  return Math.round(seconds('YIYE_PG_IDLE_TIMEOUT', 300) * 1000);
}

/**
 * What DBAs see in pg_stat_activity.application_name: “yiye <command> <actor>”, e.g.
 * “yiye license issue 窗口甲”, so a lock's holder can be named. The server shows each non-ASCII byte
 * as `\xNN` and keeps 63 characters, so the name is cut to fit that (readableApplicationName reads it back).
 */
export function applicationName(argv = process.argv.slice(2)): string {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-')) break;
    if (words.length === 2 || /[./\\]/.test(a)) break;
    words.push(...a.split(':'));
  }
  const at = argv.findIndex((a) => a === '--actor' || a.startsWith('--actor='));
  const actor = at < 0 ? defaultActor() : argv[at].includes('=') ? argv[at].slice(8) : (argv[at + 1] ?? '');
  let name = ['yiye', ...words.slice(0, 2), actor].filter(Boolean).join(' ');
  while (escapedLength(name) > 63) name = name.slice(0, -1);
  return name;
}

/** The server keeps application_name in ASCII: every other byte becomes `\xNN` (4 characters). */
const escapedLength = (s: string) => [...Buffer.from(s)].reduce((n, b) => n + (b >= 32 && b < 127 ? 1 : 4), 0);

/** application_name as pg_stat_activity shows it, with the server's `\xNN` escapes turned back into UTF-8 (窗口甲). */
export function readableApplicationName(shown: string): string {
  return shown.replace(/(?:\\x[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.replace(/\\x/g, ''), 'hex').toString('utf8').replace(/\uFFFD/g, ''));
}

/** The database the process last connected to, for error messages that name it (src/cli/errors.ts). */
let lastTarget: string | undefined;

/** The current PostgreSQL address's parts (password never included), or undefined. */
export function currentPgTarget(): { url: string; user: string; host: string; port: string; database: string } | undefined {
  const a = lastTarget ? splitPgUrl(lastTarget) : null;
  if (!a || !lastTarget) return undefined;
  const user = a.user ? decodeURIComponent(a.user) : process.env.PGUSER || defaultActor();
  return { url: maskPgUrl(lastTarget), user, host: a.host || 'localhost', port: a.port || '5432', database: a.database || user };
}

export function connect(target: string): Db {
  if (isPostgresUrl(target)) {
    checkPgUrl(target);
    lastTarget = target;
    return knexFactory({
      client: 'pg',
      connection: {
        connectionString: target,
        application_name: applicationName(),
        idle_in_transaction_session_timeout: idleInTransactionMs(),
        // a row another batch holds (a licence being changed, the audit chain) is waited for as long
        // as the issuing lock, then the batch gives up (55P03) instead of hanging
        lock_timeout: lockWaitMs(),
        connectionTimeoutMillis: 15_000,
      } as Knex.PgConnectionConfig,
      pool: { min: 0, max: 4 },
      acquireConnectionTimeout: 30_000,
      log: KNEX_LOG,
    });
  }
  const filename = path.resolve(target);
  return knexFactory({
    log: KNEX_LOG,
    client: 'sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: { exec(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) {
        conn.exec(
          'PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;',
          (err) => done(err, conn),
        );
      },
    },
  });
}

const migrationConfig = (): Knex.MigratorConfig => ({
  migrationSource: {
    getMigrations: async () => migrations.map((m) => m.name),
    getMigrationName: (name: string) => name,
    getMigration: async (name: string) => migrations.find((m) => m.name === name)!,
  },
  tableName: 'yiye_migrations',
});

/** Brings the schema to the newest version (used by `yiye init`). */
export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(migrationConfig())) as [number, string[]];
  return applied;
}

/** Undoes one applied migration by name (tests of a migration's backfill; a support rollback). */
export async function undoMigration(db: Db, name: string): Promise<void> {
  await db.migrate.down({ ...migrationConfig(), name });
}

/** Undoes every migration (tests prove each one reverses cleanly). */
export async function migrateDownAll(db: Db): Promise<void> {
  await db.migrate.rollback(migrationConfig(), true);
}

export async function migrationStatus(db: Db): Promise<{ applied: string[]; pending: string[] }> {
  const [completed, pending] = (await db.migrate.list(migrationConfig())) as [Array<{ name: string }>, Array<{ file: string } | string>];
  return {
    applied: completed.map((c) => c.name),
    pending: pending.map((p) => (typeof p === 'string' ? p : p.file)),
  };
}

/**
 * Opens a workspace that `yiye init` has created, bringing its schema up to date (a newer yiye may
 * add migrations). A SQLite path that does not exist is refused rather than silently created.
 */
export async function openWorkspace(target: string): Promise<Db> {
  if (!isPostgresUrl(target) && !fs.existsSync(path.resolve(target))) {
    throw new ConflictError(`工作区数据库“${target}”不存在。`, '请先运行 `yiye init` 创建工作区，或用 --db / YIYE_DB 指定已有的数据库。');
  }
  const db = connect(target);
  try {
    const { applied, pending } = await migrationStatus(db);
    if (applied.length === 0) {
      throw new ConflictError(`数据库“${redact(target)}”尚未初始化为 yiye 工作区。`, '请先运行 `yiye init --db …`。');
    }
    // Only when something is pending: knex's migration lock is a write, and on SQLite it would make
    // every command — a read-only listing too — wait behind a long issuing batch and then fail.
    if (pending.length > 0) await migrateLatest(db);
    return db;
  } catch (err) {
    await db.destroy();
    throw databaseError(err, currentPgTarget()) ?? err;
  }
}

/** A URL safe to print: the password replaced, whatever characters it holds (see ./url). */
export function redact(target: string): string {
  return maskPgUrl(target);
}

/** Current time as stored: ISO-8601 text, the same on both databases. */
export function nowIso(): string {
  return new Date().toISOString();
}
