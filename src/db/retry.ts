/** Retrying a writing transaction when another process holds the database or won a race. */
import type { Knex } from 'knex';
import { ConflictError, connectionLostError, databaseError, isConnectionLost } from '../cli/errors';
import { lockWaitMs, readableApplicationName } from './index';

/**
 * Errors that mean "another process got there first" and go away when the whole transaction runs
 * again: SQLite's lock held past the busy timeout; PostgreSQL's serialization failure, deadlock, lock
 * not available, too many connections, and a unique violation from a concurrent batch (the retry
 * re-validates and then reports the row as already issued or already licensed).
 */
type Contention = 'busy' | 'conflict' | 'lost';
function contention(err: unknown): Contention | null {
  if (isConnectionLost(err)) return 'lost';
  const e = err as { code?: string; message?: string };
  if (e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_LOCKED' || /SQLITE_BUSY|SQLITE_LOCKED/.test(e.message ?? '')) return 'busy';
  if (e.code === '55P03' || e.code === '53300') return 'busy';
  if (e.code === '40001' || e.code === '40P01' || e.code === '23505') return 'conflict';
  return null;
}

export interface RetryOptions {
  /** Tries in all (the first and the retries). */
  attempts?: number;
  /** No new try starts after this long (ms) since the first. */
  budgetMs?: number;
}

/**
 * Runs a writing transaction, retrying it with growing, jittered pauses when a concurrent process
 * holds the lock for longer than the busy timeout or won a race. The function must be safe to run
 * again: everything it does is inside the transaction and rolled back on failure.
 *
 * Used by every batch (catalog import, tasks, licences). Exercised by four processes at once
 * (test/faults/concurrency.faults.ts): on SQLite a waiting
 * batch sits in the busy timeout (10 s) while another holds the write lock, so retries start only
 * past that; on PostgreSQL issuing batches queue on the issuing lock, and concurrent changes of one
 * licence end in a unique violation or a deadlock that the retry absorbs. When contention outlasts
 * the attempts or the time budget (default 12 tries, 90 s), the raw driver error (SQLITE_BUSY, 40P01 …)
 * never reaches the user: a ConflictError (exit 4) says nothing was written and the batch can be
 * run again as it is.
 */
export async function withWriteRetry<T>(fn: () => Promise<T>, opts: RetryOptions | number = {}): Promise<T> {
  const { attempts = 12, budgetMs = 90_000 } = typeof opts === 'number' ? { attempts: opts } : opts;
  const started = Date.now();
  let lost = false;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const kind = contention(err);
      // the server stopped mid-batch and is not back: say what the user needs, that nothing was written
      if (lost && databaseError(err)?.code === 'DB_UNREACHABLE') throw connectionLostError(null);
      if (!kind) throw err;
      lost ||= kind === 'lost';
      // A lost connection is retried once (the server restarting, a DBA ending the session): the
      // transaction was rolled back with it. A second loss means the server is not back yet.
      if (kind === 'lost' && (i >= 2 || Date.now() - started > budgetMs)) throw connectionLostError((err as { code?: string }).code ?? null);
      const pause = Math.min(3000, 50 * 2 ** i) * (0.5 + Math.random());
      if (i >= attempts || Date.now() - started + pause > budgetMs) throw kind === 'lost' ? connectionLostError(null) : gaveUp(kind, i, Date.now() - started, err);
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}

/** The give-up error: what happened, that nothing was written, and what to do. */
function gaveUp(kind: Exclude<Contention, 'lost'>, tries: number, ms: number, cause: unknown): ConflictError {
  const e = cause as { code?: string };
  const after = `已尝试 ${tries} 次（约 ${Math.max(1, Math.round(ms / 1000))} 秒）`;
  // the driver's code only: its message is the server's English, never shown (README “共享 PostgreSQL”)
  const details = { reason: kind === 'busy' ? 'DB_BUSY' : 'WRITE_CONFLICT', attempts: tries, driverCode: e.code ?? null };
  if (kind === 'busy') {
    return new ConflictError(
      `工作区数据库正被其他进程占用，${after}仍未能写入；本次未作任何修改。`,
      '请稍后重新运行同一命令（同一批次可安全重跑，已办理的不会重复办理）。如持续出现，请检查是否有其他 yiye 进程仍在运行大批次，或有数据库工具打开了该数据库未关闭。',
      details,
    );
  }
  return new ConflictError(
    `与同时办理的其他批次发生写入冲突，${after}仍未解决；本次未作任何修改。`,
    '请稍后重新运行同一命令（同一批次可安全重跑，已办理的不会重复办理）；多个窗口同时办理同一批许可证时，建议分批先后提交。',
    details,
  );
}

/** Who holds an advisory lock, as pg_stat_activity shows it (time unknown to a role without pg_read_all_stats). */
export interface LockHolder {
  pid: number;
  applicationName: string;
  since: string | null;
}

async function lockHolder(trx: Knex.Transaction, key: number): Promise<LockHolder | null> {
  const r = (await trx.raw(
    `SELECT a.pid, a.application_name, a.xact_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = ? AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1`,
    [key],
  )) as { rows: Array<{ pid: number; application_name: string | null; xact_start: Date | null }> };
  const h = r.rows[0];
  return h ? { pid: h.pid, applicationName: h.application_name ? readableApplicationName(h.application_name) : '未知程序', since: h.xact_start ? localTime(h.xact_start) : null } : null;
}

function localTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const describeHolder = (h: LockHolder | null) => (h ? `由 ${h.applicationName}${h.since ? ` 于 ${h.since}` : ''} 开始，进程号 ${h.pid}` : '持有者已结束');

/**
 * Takes a transaction-scoped advisory lock on PostgreSQL, waiting at most the lock budget
 * (`lockWaitMs()`, YIYE_LOCK_WAIT) for the batch that holds it: polls pg_try_advisory_xact_lock,
 * tells a terminal user once who holds it and since when, and gives up with a ConflictError (exit 4)
 * that says nothing was written. Never waits unbounded, whatever the holder does (a suspended
 * laptop's session is ended by the server after idle_in_transaction_session_timeout).
 */
export async function waitForLock(trx: Knex.Transaction, key: number, what = '发证批次', budgetMs = lockWaitMs()): Promise<void> {
  const started = Date.now();
  let told = false;
  for (let i = 0; ; i++) {
    const r = (await trx.raw('SELECT pg_try_advisory_xact_lock(?) AS ok', [key])) as { rows: Array<{ ok: boolean }> };
    if (r.rows[0].ok) return;
    const holder = await lockHolder(trx, key);
    const waited = Date.now() - started;
    if (waited >= budgetMs) {
      throw new ConflictError(
        `另一个${what}正在进行（${describeHolder(holder)}），已等待 ${Math.round(waited / 1000)} 秒仍未结束；本批未写入任何内容。`,
        `请待其完成后重新运行同一命令（可安全重跑）。若对方已无响应（如电脑休眠、窗口卡住），服务器会在其空闲约 ${Math.round(Number(process.env.YIYE_PG_IDLE_TIMEOUT) > 0 ? Number(process.env.YIYE_PG_IDLE_TIMEOUT) : 300)} 秒后自动结束它并撤销那一批；管理员也可执行 SELECT pg_terminate_backend(${holder?.pid ?? '<进程号>'}); 立即结束。等待时长可用环境变量 YIYE_LOCK_WAIT（秒）调整。`,
        { reason: 'LOCK_TIMEOUT', waitedMs: waited, holder },
      );
    }
    if (!told && process.stderr.isTTY && holder) {
      process.stderr.write(`另一个${what}正在进行（${describeHolder(holder)}），等待其完成（最多 ${Math.round(budgetMs / 1000)} 秒）……\n`);
      told = true;
    }
    await new Promise((res) => setTimeout(res, Math.min(1000, 50 * 2 ** i, Math.max(10, budgetMs - waited))));
  }
}

/**
 * Runs `fn` in a read-only transaction (PostgreSQL: READ ONLY, so a role with SELECT rights only can
 * run it, and nothing can be written by mistake; SQLite: a deferred transaction, which takes no write
 * lock while it only reads). For dry runs and diffs.
 */
export async function readOnly<T>(db: Knex, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(fn, (db.client.config.client === 'pg' ? { readOnly: true } : {}) as Knex.TransactionConfig);
}
