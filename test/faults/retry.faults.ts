/**
 * withWriteRetry (src/license/util.ts) in isolation: contention is retried and, past the attempts,
 * becomes a Chinese ConflictError (exit 4) with a hint — never the driver's SQLITE_BUSY or 40P01;
 * any other error passes through untouched on the first try.
 */
import { ConflictError, ExitCode } from '../../src/cli/errors';
import { withWriteRetry } from '../../src/license/util';

const failing = (err: object) => {
  let calls = 0;
  const fn = async (): Promise<string> => {
    calls++;
    throw Object.assign(new Error((err as { message?: string }).message ?? 'x'), err);
  };
  return { fn, calls: () => calls };
};

describe('withWriteRetry', () => {
  it('returns once the contention is over', async () => {
    let calls = 0;
    const res = await withWriteRetry(async () => {
      if (++calls < 3) throw Object.assign(new Error('SQLITE_BUSY: database is locked'), { code: 'SQLITE_BUSY' });
      return 'done';
    });
    expect(res).toBe('done');
    expect(calls).toBe(3);
  });

  it.each([
    ['SQLITE_BUSY', 'SQLITE_BUSY: database is locked', '工作区数据库正被其他进程占用', 'DB_BUSY'],
    ['40P01', 'deadlock detected', '写入冲突', 'WRITE_CONFLICT'],
    ['23505', 'duplicate key value violates unique constraint', '写入冲突', 'WRITE_CONFLICT'],
  ])('gives up on %s with a Chinese conflict error and a hint', async (code, message, text, reason) => {
    const f = failing({ code, message });
    const err = (await withWriteRetry(f.fn, { attempts: 3 }).catch((e: unknown) => e)) as ConflictError;
    expect(f.calls()).toBe(3);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.exitCode).toBe(ExitCode.conflict);
    expect(err.message).toContain(text);
    expect(err.message).toContain('已尝试 3 次');
    expect(err.message).toContain('本次未作任何修改');
    expect(err.message).not.toMatch(/SQLITE|deadlock|duplicate/);
    expect(err.hint).toContain('重新运行同一命令');
    expect(err.details).toMatchObject({ reason, attempts: 3, driverCode: code });
  });

  it('stops at the time budget', async () => {
    const f = failing({ code: 'SQLITE_BUSY', message: 'SQLITE_BUSY: database is locked' });
    const err = await withWriteRetry(f.fn, { attempts: 100, budgetMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(f.calls()).toBe(1);
  });

  it('passes any other error through on the first try', async () => {
    const f = failing({ code: 'SQLITE_CONSTRAINT', message: 'SQLITE_CONSTRAINT: NOT NULL constraint failed' });
    const err = await withWriteRetry(f.fn).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(ConflictError);
    expect((err as { code: string }).code).toBe('SQLITE_CONSTRAINT');
    expect(f.calls()).toBe(1);
  });
});
