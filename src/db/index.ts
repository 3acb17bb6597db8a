import path from 'node:path';
import fs from 'node:fs';
import knexFactory, { Knex } from 'knex';
import { migrations } from './migrations';
import { ConflictError, InputError } from '../cli/errors';

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

export function connect(target: string): Db {
  if (isPostgresUrl(target)) {
    return knexFactory({ client: 'pg', connection: target, pool: { min: 0, max: 4 }, log: KNEX_LOG });
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
    if ((err as { code?: string }).code === 'ECONNREFUSED') {
      throw new InputError(`无法连接数据库“${redact(target)}”。`, '请检查 PostgreSQL 服务是否运行、地址与端口是否正确。', undefined, 'DB_UNREACHABLE');
    }
    throw err;
  }
}

/** A URL safe to print: the password replaced. */
export function redact(target: string): string {
  return target.replace(/(postgres(?:ql)?:\/\/[^:/@]+:)[^@]*@/i, '$1***@');
}

/** Current time as stored: ISO-8601 text, the same on both databases. */
export function nowIso(): string {
  return new Date().toISOString();
}
