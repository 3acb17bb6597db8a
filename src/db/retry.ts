/** Retrying a writing transaction when another process holds the database or won a race. */
import { ConflictError } from '../cli/errors';

/**
 * Errors that mean "another process got there first" and go away when the whole transaction runs
 * again: SQLite's lock held past the busy timeout; PostgreSQL's serialization failure, deadlock, lock
 * not available, too many connections, and a unique violation from a concurrent batch (the retry
 * re-validates and then reports the row as already issued or already licensed).
 */
type Contention = 'busy' | 'conflict';
function contention(err: unknown): Contention | null {
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
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const kind = contention(err);
      if (!kind) throw err;
      const pause = Math.min(3000, 50 * 2 ** i) * (0.5 + Math.random());
      if (i >= attempts || Date.now() - started + pause > budgetMs) throw gaveUp(kind, i, Date.now() - started, err);
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}

/** The give-up error: what happened, that nothing was written, and what to do. */
function gaveUp(kind: Contention, tries: number, ms: number, cause: unknown): ConflictError {
  const e = cause as { code?: string; message?: string };
  const after = `已尝试 ${tries} 次（约 ${Math.max(1, Math.round(ms / 1000))} 秒）`;
  const details = { reason: kind === 'busy' ? 'DB_BUSY' : 'WRITE_CONFLICT', attempts: tries, driverCode: e.code ?? null, driverMessage: e.message ?? String(cause) };
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
