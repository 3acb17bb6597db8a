/**
 * `yiye db status | backup | restore`: what a workspace database holds and how far its schema is,
 * a consistent copy of a SQLite workspace taken while others may be writing, and putting such a copy
 * back without ever leaving a half-written workspace behind. PostgreSQL workspaces are the DBA's:
 * pg_dump and pg_restore do the same there, and these commands say how.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import sqlite3 from 'sqlite3';
import { ConflictError, InputError, UsageError } from '../cli/errors';
import { spawnSync } from 'node:child_process';
import { withoutPassword } from './url';
import { connect, isPostgresUrl, migrateLatest, migrationStatus, redact, type Db } from './index';
import { findKeyFile, keysDir, resolveKeyFile } from '../license/keys';
import { readPublicKey } from '../settings/service';
import { migrations } from './migrations';
import { diffSchema, expectedSqliteSchema, schemaAlteredError, schemaDiffEmpty, SQLITE_MASTER_QUERY, type SchemaObject } from './schema';
import { ACCEPTABLE_ON_RESTORE, auditBrokenError, verifyAudit } from '../audit/service';

const SYNCHRONOUS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

export interface DbCounts {
  industries: number | null;
  matters: number | null;
  /** Licences by stored status (valid, revoked, cancelled, withdrawn …); null before the licence tables exist. */
  licenses: Record<string, number> | null;
  tasks: number | null;
  licenseEvents: number | null;
  imports: number | null;
}

export interface DbStatus {
  kind: 'sqlite' | 'postgres';
  /** The SQLite file (absolute) or the PostgreSQL URL with its password hidden. */
  target: string;
  /** True once `yiye init` has created the schema. */
  initialised: boolean;
  migrations: { applied: string[]; pending: string[] };
  counts: DbCounts;
  sqlite?: {
    bytes: number;
    /** Size of the write-ahead log beside the file (committed changes not yet copied into it). */
    walBytes: number;
    journalMode: string;
    /** As yiye's connections run (set on every connection). */
    synchronous: string;
  };
  postgres?: {
    serverVersion: string;
    databaseBytes: number;
    /** The server's major version (17 for 17.2). */
    serverMajor: number;
    /** `pg_dump --version` of the pg_dump on the PATH, or null when there is none. */
    pgDumpVersion: string | null;
    /** pg_dump must be at least the server's major version; null without pg_dump. */
    pgDumpUsable: boolean | null;
  };
  /** The workspace's signing key: its id (null before init), where this machine looks for the private key, and whether it is there. */
  key: KeyPresence;
}

export interface KeyPresence {
  keyId: string | null;
  /** Paths searched, in order (the id-based name first for PostgreSQL). */
  searched: string[];
  /** The file found, or null. */
  file: string | null;
  present: boolean;
}

/** Whether this machine has the workspace's private key, looked for as signing does (license/keys findKeyFile). */
async function keyPresence(db: Db, target: string, keyFile: string | undefined, initialised: boolean): Promise<KeyPresence> {
  const registered = initialised && (await db.schema.hasTable('settings')) ? await readPublicKey(db) : null;
  const { found, searched } = findKeyFile(resolveKeyFile(target, keyFile), registered?.keyId);
  return { keyId: registered?.keyId ?? null, searched, file: found, present: !!found };
}

/** The pg_dump on the PATH: its version text and major version, or null. */
export function pgDumpVersion(): { text: string; major: number } | null {
  const r = spawnSync('pg_dump', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) return null;
  const m = /(\d+)(?:\.(\d+))?/.exec(r.stdout);
  return m ? { text: r.stdout.trim(), major: Number(m[1]) } : null;
}

function mustExist(target: string): string {
  const file = path.resolve(target);
  if (!fs.existsSync(file)) {
    throw new ConflictError(`工作区数据库“${target}”不存在。`, '请先运行 `yiye init` 创建工作区，或用 --db / YIYE_DB 指定已有的数据库。');
  }
  return file;
}

async function count(db: Db, table: string): Promise<number | null> {
  if (!(await db.schema.hasTable(table))) return null;
  const row = (await db(table).count({ n: '*' }).first()) as { n: number | string };
  return Number(row.n);
}

async function counts(db: Db): Promise<DbCounts> {
  let licenses: Record<string, number> | null = null;
  if (await db.schema.hasTable('licenses')) {
    licenses = {};
    const rows = (await db('licenses').select('status').count({ n: '*' }).groupBy('status').orderBy('status')) as Array<{ status: string; n: number | string }>;
    for (const r of rows) licenses[r.status] = Number(r.n);
  }
  return {
    industries: await count(db, 'industries'),
    matters: await count(db, 'matters'),
    licenses,
    tasks: await count(db, 'tasks'),
    licenseEvents: await count(db, 'license_events'),
    imports: await count(db, 'import_log'),
  };
}

/**
 * The workspace's kind, schema state (migrations applied and pending, read BEFORE anything is
 * migrated: this opens the database without `openWorkspace`), record counts and, for SQLite, file
 * size, journal mode and synchronous setting. Writes nothing.
 */
export async function dbStatus(target: string, opts: { keyFile?: string } = {}): Promise<DbStatus> {
  const pg = isPostgresUrl(target);
  const file = pg ? '' : mustExist(target);
  if (!pg && fs.statSync(file).size > 0 && !isSqliteFile(file)) {
    throw new InputError(`“${target}”不是 SQLite 数据库文件。`, '请用 --db 指定 yiye 工作区数据库。', undefined, 'BAD_FILE');
  }
  const db = connect(target);
  try {
    // connection and setup failures become Chinese messages at the edge (cli/errors databaseError)
    const m = await migrationStatus(db);
    const initialised = m.applied.length > 0;
    const status: DbStatus = {
      kind: pg ? 'postgres' : 'sqlite',
      target: pg ? redact(target) : file,
      initialised,
      migrations: m,
      counts: await counts(db),
      key: await keyPresence(db, target, opts.keyFile, initialised),
    };
    if (pg) {
      const v = (await db.raw(`SELECT version() AS v, pg_database_size(current_database()) AS s, current_setting('server_version_num') AS n`)) as { rows: Array<{ v: string; s: string; n: string }> };
      const serverMajor = Math.floor(Number(v.rows[0].n) / 10000);
      const dump = pgDumpVersion();
      status.postgres = { serverVersion: v.rows[0].v, databaseBytes: Number(v.rows[0].s), serverMajor, pgDumpVersion: dump?.text ?? null, pgDumpUsable: dump ? dump.major >= serverMajor : null };
    } else {
      const [jm] = (await db.raw('PRAGMA journal_mode')) as Array<{ journal_mode: string }>;
      const [sy] = (await db.raw('PRAGMA synchronous')) as Array<{ synchronous: number }>;
      const wal = `${file}-wal`;
      status.sqlite = {
        bytes: fs.statSync(file).size,
        walBytes: fs.existsSync(wal) ? fs.statSync(wal).size : 0,
        journalMode: jm.journal_mode.toUpperCase(),
        synchronous: SYNCHRONOUS[sy.synchronous] ?? String(sy.synchronous),
      };
      if (m.applied.length) await checkSchema(file, m.applied, (sql) => db.raw(sql) as Promise<SchemaObject[]>);
    }
    return status;
  } finally {
    await db.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// SQLite files opened directly (a backup being checked, a copy being restored): not through
// connect(), which would switch them to WAL and leave -wal/-shm files beside them.
// ---------------------------------------------------------------------------------------------

interface RawDb {
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

function openRaw(file: string, mode: number, busyMs = 10_000): Promise<RawDb> {
  return new Promise((resolve, reject) => {
    const d = new sqlite3.Database(file, mode, (err) => {
      if (err) return reject(err);
      d.configure('busyTimeout', busyMs);
      resolve({
        all: <T>(sql: string, params: unknown[] = []) => new Promise<T[]>((res, rej) => d.all(sql, params, (e: Error | null, rows: T[]) => (e ? rej(e) : res(rows)))),
        close: () => new Promise<void>((res, rej) => d.close((e) => (e ? rej(e) : res()))),
      });
    });
  });
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\u0000', 'latin1');

function isSqliteFile(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    return fs.readSync(fd, buf, 0, 16, 0) === 16 && buf.equals(SQLITE_HEADER);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Checks that `file` is a sound yiye workspace: SQLite, `PRAGMA integrity_check` clean, a
 * yiye_migrations table whose every migration this yiye knows. Leaves it in rollback-journal mode
 * (a single self-contained file). Returns the migrations it has. `label` names the file in messages.
 */
async function checkWorkspaceFile(file: string, label: string): Promise<string[]> {
  if (!isSqliteFile(file)) throw new InputError(`“${label}”不是 SQLite 数据库文件。`, '请指定 `yiye db backup` 生成的备份文件。', undefined, 'BAD_BACKUP');
  let raw: RawDb;
  try {
    raw = await openRaw(file, sqlite3.OPEN_READWRITE);
  } catch (err) {
    throw new InputError(`无法打开“${label}”：${(err as Error).message}`, '请确认文件完整且可读写。', undefined, 'BAD_BACKUP');
  }
  try {
    await raw.all('PRAGMA journal_mode=DELETE');
    const problems = (await raw.all<{ integrity_check: string }>('PRAGMA integrity_check')).map((r) => r.integrity_check);
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new InputError(`“${label}”已损坏（integrity_check：${problems.slice(0, 3).join('；')}）。`, '请换用另一份备份。', { integrity: problems.slice(0, 20) }, 'BAD_BACKUP');
    }
    const hasTable = await raw.all(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'yiye_migrations'`);
    if (hasTable.length === 0) throw new InputError(`“${label}”不是 yiye 工作区（没有 yiye_migrations 表）。`, '请指定 `yiye db backup` 生成的备份文件。', undefined, 'BAD_BACKUP');
    const applied = (await raw.all<{ name: string }>('SELECT name FROM yiye_migrations ORDER BY id')).map((r) => r.name);
    if (applied.length === 0) throw new InputError(`“${label}”是尚未初始化的工作区（没有已执行的迁移）。`, '请指定已初始化工作区的备份。', undefined, 'BAD_BACKUP');
    const known = new Set(migrations.map((m) => m.name));
    const unknown = applied.filter((n) => !known.has(n));
    if (unknown.length) {
      throw new ConflictError(`“${label}”来自更新版本的 yiye（含本版本不认识的迁移：${unknown.join('、')}）。`, '请先升级 yiye，再恢复这份备份。', { unknownMigrations: unknown });
    }
    return applied;
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_NOTADB' || (err as { code?: string }).code === 'SQLITE_CORRUPT') {
      throw new InputError(`“${label}”已损坏或不是 SQLite 数据库（${(err as Error).message}）。`, '请换用另一份备份。', undefined, 'BAD_BACKUP');
    }
    throw err;
  } finally {
    await raw.close();
  }
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes a rename in `dir` durable. Windows cannot open a folder for fsync; NTFS journals the rename. */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // not supported here
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A temporary name beside `file` (same folder, so the final rename is atomic). */
function tempBeside(file: string, what: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${what}-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
}

/**
 * PostgreSQL workspaces are backed up and restored with the server's own tools: a UsageError (exit 2)
 * whose hint is the command to run, with the file name given, the private key file to keep beside
 * the dump (it is not in the database), and pg_dump's version rule.
 */
function refusePostgres(target: string, verb: 'backup' | 'restore', file: string): void {
  if (!isPostgresUrl(target)) return;
  const url = redact(target);
  const bare = withoutPassword(target);
  const q = (f: string) => `"${f.replace(/"/g, '\\"')}"`;
  const keyNote = `签名私钥不在数据库中，须另行备份：本机默认在 ${keysDirNote()}（以工作区密钥编号命名，yiye db status 显示编号、路径及本机是否已有）。`;
  const versionRule = 'pg_dump / pg_restore 的主版本须不低于服务器的主版本（yiye db status 显示两者版本）。';
  throw new UsageError(
    verb === 'backup'
      ? `PostgreSQL 工作区（${url}）请用 PostgreSQL 自带的 pg_dump 备份，yiye db backup 只用于 SQLite 工作区。`
      : `PostgreSQL 工作区（${url}）请用 pg_restore 恢复，yiye db restore 只用于 SQLite 工作区。`,
    verb === 'backup'
      ? `联机一致备份：pg_dump --format=custom --file=${q(file)} "${bare}"（密码用 PGPASSWORD 或 ~/.pgpass 提供；pg_dump 在一个快照中读取，发证可照常进行）；定期试恢复到另一数据库以确认备份可用。${versionRule}${keyNote}`
      : `恢复到空数据库：createdb yiye_restored && pg_restore --no-owner --dbname="postgres://…/yiye_restored" ${q(file)}；覆盖现有数据库：pg_restore --clean --if-exists --dbname="${bare}" ${q(file)}（先停止所有 yiye 进程）。恢复后运行 yiye db status 查看待执行的迁移与本机私钥。${versionRule}${keyNote}`,
  );
}

function keysDirNote(): string {
  return path.join(keysDir(), '<密钥编号>.key.pem');
}

export interface BackupResult {
  source: string;
  file: string;
  bytes: number;
  sha256: string;
  integrity: 'ok';
  migrations: string[];
  /** The private signing key is not in the database and so not in the backup. */
  keyFileNote: string;
}

/**
 * A transactionally consistent copy of a SQLite workspace, taken online (`VACUUM INTO` reads one
 * snapshot; other processes keep reading and writing meanwhile). The copy is written beside its
 * destination under a temporary name, checked (integrity_check, yiye_migrations), flushed to disk
 * and only then renamed into place, so `file` is either a complete verified backup or absent. An
 * existing `file` is kept unless `force`. PostgreSQL: a UsageError (exit 2) with pg_dump guidance.
 */
export async function backupDb(target: string, file: string, opts: { force?: boolean } = {}): Promise<BackupResult> {
  refusePostgres(target, 'backup', file);
  const source = mustExist(target);
  if (!isSqliteFile(source)) throw new InputError(`“${target}”不是 SQLite 数据库文件。`, '请用 --db 指定 yiye 工作区数据库。', undefined, 'BAD_FILE');
  const dest = path.resolve(file);
  if (dest === source) throw new UsageError('备份文件不能是工作区数据库本身。', '请另指定备份文件路径，例如 backups/yiye-2026-11-22.db。');
  if (fs.existsSync(dest) && !opts.force) {
    throw new ConflictError(`备份文件“${file}”已存在，未覆盖。`, '请换一个文件名，或加 --force 覆盖。');
  }
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const db = connect(source);
  const tmp = tempBeside(dest, 'part');
  try {
    const { applied } = await migrationStatus(db);
    if (applied.length === 0) throw new ConflictError(`“${target}”不是已初始化的 yiye 工作区。`, '请用 --db 指定工作区数据库。');
    // Created empty and private first (VACUUM INTO fills an empty file): a backup is as secret as the workspace.
    fs.writeFileSync(tmp, '', { flag: 'wx', mode: 0o600 });
    // A bound parameter: the path is data, never SQL.
    await db.raw('VACUUM INTO ?', [tmp]);
    fs.chmodSync(tmp, 0o600);
    await db.destroy();
    await checkWorkspaceFile(tmp, file);
    fsyncFile(tmp);
    fs.renameSync(tmp, dest);
    fsyncDir(path.dirname(dest));
    return {
      source,
      file: dest,
      bytes: fs.statSync(dest).size,
      sha256: await sha256Of(dest),
      integrity: 'ok',
      migrations: applied,
      keyFileNote: `签名私钥不在数据库中，未包含在备份内；请另行妥善备份私钥文件（默认 ${source}.key.pem）。`,
    };
  } finally {
    await db.destroy();
    fs.rmSync(tmp, { force: true });
  }
}

export interface RestoreResult {
  file: string;
  target: string;
  sha256: string;
  bytes: number;
  /** True when an existing workspace was replaced (--force). */
  replaced: boolean;
  /** Migrations the backup lacked, applied after restoring (a backup from an older yiye). */
  migrationsApplied: string[];
  counts: DbCounts;
}

/**
 * Puts a backup in place as the workspace at `target`. The backup is first copied beside the target
 * under a temporary name and checked there (SQLite, integrity_check, a yiye_migrations table this
 * yiye understands), then flushed to disk; an existing target is refused unless `force`, and is
 * replaced only when no other process has it open (its write-ahead log could be checkpointed
 * completely); its stale -wal and -shm files are removed before the atomic rename, so they can never
 * be replayed into the restored file. Afterwards the schema is migrated to the latest version.
 */
export async function restoreDb(target: string, file: string, opts: { force?: boolean } = {}): Promise<RestoreResult> {
  refusePostgres(target, 'restore', file);
  const src = path.resolve(file);
  const dest = path.resolve(target);
  if (!fs.existsSync(src) || !fs.statSync(src).isFile()) throw new InputError(`找不到备份文件“${file}”。`, '请检查路径。', undefined, 'FILE_NOT_FOUND');
  if (src === dest) throw new UsageError('备份文件与要恢复的工作区是同一个文件。', '请用 --db 指定要恢复到的工作区路径。');
  const srcWal = `${src}-wal`;
  if (fs.existsSync(srcWal) && fs.statSync(srcWal).size > 0) {
    throw new InputError(
      `“${file}”旁有未合并的预写日志（${path.basename(srcWal)}），单独复制该文件会丢失已提交的数据。`,
      `这是一个正在使用的工作区，不是备份：请先运行 yiye db backup 备份文件.db --db "${file}"，再恢复那份备份。`,
      undefined,
      'BAD_BACKUP',
    );
  }
  const replaced = fs.existsSync(dest);
  if (replaced && !opts.force) {
    throw new ConflictError(`工作区“${target}”已存在，未覆盖。`, '确认要用备份替换现有工作区时加 --force（建议先用 yiye db backup 备份现有工作区）。');
  }
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = tempBeside(dest, 'restore');
  let migratedFirst: string[] = [];
  try {
    fs.copyFileSync(src, tmp);
    fs.chmodSync(tmp, 0o600); // private whatever the backup's own mode
    const applied = await checkWorkspaceFile(tmp, file);
    migratedFirst = await checkBackupContent(tmp, file, applied);
    fsyncFile(tmp);
    if (replaced) await releaseTarget(dest, target);
    for (const side of ['-wal', '-shm', '-journal']) fs.rmSync(`${dest}${side}`, { force: true });
    fs.renameSync(tmp, dest);
    fsyncDir(path.dirname(dest));
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  const sha256 = await sha256Of(dest);
  const db = connect(dest);
  try {
    const migrationsApplied = [...migratedFirst, ...(await migrateLatest(db))];
    return { file: src, target: dest, sha256, bytes: fs.statSync(dest).size, replaced, migrationsApplied, counts: await counts(db) };
  } finally {
    await db.destroy();
  }
}

/**
 * Makes sure nobody is using the workspace about to be replaced: a TRUNCATE checkpoint completes
 * only when no other connection reads or writes it. A file that is not a sound database (the reason
 * to restore, often) is simply replaced.
 */
const RELEASE_WAIT_MS = 2_000;

async function releaseTarget(dest: string, label: string): Promise<void> {
  if (!isSqliteFile(dest)) return;
  let raw: RawDb;
  try {
    // a short wait: a command that is merely finishing lets go within it; one that keeps working will not
    raw = await openRaw(dest, sqlite3.OPEN_READWRITE, RELEASE_WAIT_MS);
  } catch {
    return;
  }
  try {
    const [res] = await raw.all<{ busy: number }>('PRAGMA wal_checkpoint(TRUNCATE)');
    if (res && res.busy) {
      throw new ConflictError(`工作区“${label}”正被其他 yiye 进程使用，未恢复。`, '请先结束所有使用该工作区的 yiye 进程，再重试。');
    }
  } catch (err) {
    if (err instanceof ConflictError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new ConflictError(`工作区“${label}”正被其他 yiye 进程使用，未恢复。`, '请先结束所有使用该工作区的 yiye 进程，再重试。');
    }
  } finally {
    await raw.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Schema and audit checks of a workspace file (issue 18): what the migrations create, nothing more
// or less, and an intact audit log, before a backup is accepted.
// ---------------------------------------------------------------------------------------------

/** Compares a SQLite workspace's sqlite_master with what its migrations create; exit 4 naming every difference. */
async function checkSchema(label: string, applied: string[], query: (sql: string) => Promise<SchemaObject[]>): Promise<void> {
  const diff = diffSchema(await query(SQLITE_MASTER_QUERY), await expectedSqliteSchema(applied));
  if (!schemaDiffEmpty(diff)) throw schemaAlteredError(label, diff);
}

/**
 * A backup copy (`tmp`, not yet in place) must have exactly the schema its migrations create and,
 * brought to the current schema (returns the migrations that took), an audit log that verifies: otherwise it is refused (exit 4) and
 * the workspace is left as it was. Opened without connect()'s WAL switch: the copy stays one file.
 */
async function checkBackupContent(tmp: string, label: string, applied: string[]): Promise<string[]> {
  const raw = await openRaw(tmp, sqlite3.OPEN_READONLY);
  try {
    await checkSchema(label, applied, (sql) => raw.all<SchemaObject>(sql));
  } finally {
    await raw.close();
  }
  const db = knexFactory({ client: 'sqlite3', connection: { filename: tmp }, useNullAsDefault: true, pool: { min: 1, max: 1 }, log: { warn() {}, error() {}, deprecate() {}, debug() {} } });
  try {
    const migrated = await migrateLatest(db);
    const report = await verifyAudit(db);
    // a backup from before the signed marks has none: restored, and `audit verify` says so afterwards
    if (report.problems.some((p) => !ACCEPTABLE_ON_RESTORE.has(p.kind))) {
      const err = auditBrokenError(report);
      err.message = `“${label}”的审计日志校验未通过，未恢复：${err.message}`;
      throw err;
    }
    return migrated;
  } finally {
    await db.destroy();
  }
}
