/**
 * `yiye db status | backup | restore` on a real workspace: a backup taken while another connection
 * holds an open write transaction is consistent (has what was committed, not what was pending); the
 * restored workspace verifies licences and shows the catalog; bad backups and existing targets are
 * refused without touching anything; PostgreSQL gets pg_dump guidance (exit 2).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { connect, migrateLatest, redact, undoMigration } from '../../src/db';
import { migrations } from '../../src/db/migrations';
import { backupDb, dbStatus, restoreDb } from '../../src/db/admin';
import { issueLicenses } from '../../src/license/issue';
import { verifyAudit } from '../../src/audit/service';
import { backends, freshDbUrl } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { BATCH1, licenseWorkspace, tmpDir, type LicenseWorkspace } from '../license/helpers';

/** A command by its id ('audit:verify'), through the real bin/run.js. */
const cli = (id: string, args: string[]) => yiye([...id.split(':'), ...args]);

const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

describe('db backup and restore (SQLite)', () => {
  let ws: LicenseWorkspace;
  let dir: string;
  beforeAll(async () => {
    ws = await licenseWorkspace('sqlite');
    await issueLicenses(ws.db, BATCH1, { date: '2026-03-15', keyFile: ws.keyFile });
    dir = tmpDir('backup-');
  });
  afterAll(async () => {
    await ws.db.destroy();
  });

  it('backs up online while another connection holds an open write transaction, then restores a working workspace', async () => {
    const writer = connect(ws.url);
    const trx = await writer.transaction();
    const backup = path.join(dir, 'sub', 'yiye-backup.db');
    try {
      await trx('uscc_exceptions').insert({ code: 'PENDING-1', reason: '未提交', actor: 't', created_at: '2026-01-01T00:00:00Z' });
      const run = await cli('db:backup', [backup, '--db', ws.url, '--json']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.json).toMatchObject({ file: backup, integrity: 'ok', bytes: fs.statSync(backup).size, sha256: sha(backup) });
      expect(run.json.migrations).toEqual(migrations.map((m) => m.name));
      await trx.commit();
    } finally {
      if (!trx.isCompleted()) await trx.rollback();
      await writer.destroy();
    }
    expect(await ws.db('uscc_exceptions').where({ code: 'PENDING-1' }).first()).toBeDefined();
    expect(fs.readdirSync(path.dirname(backup))).toEqual(['yiye-backup.db']); // no temp file, no -wal beside it

    // an existing backup is kept unless --force
    await expect(backupDb(ws.url, backup)).rejects.toMatchObject({ exitCode: 4, message: expect.stringMatching(/已存在，未覆盖/) });

    const target = path.join(dir, 'restored', 'yiye.db');
    const restored = await cli('db:restore', [backup, '--db', target, '--json']);
    expect(restored.code).toBe(0);
    expect(restored.json).toMatchObject({ target, replaced: false, migrationsApplied: [], counts: { licenses: { valid: 10 }, licenseEvents: 10 } });
    const copy = connect(target);
    try {
      // consistent: the pending row was not in the snapshot
      expect(await copy('uscc_exceptions').where({ code: 'PENDING-1' }).first()).toBeUndefined();
      expect((await verifyAudit(copy)).ok).toBe(true);
    } finally {
      await copy.destroy();
    }
    const verify = await yiye(['license', 'verify', '3101152026PD-01000001', '--db', target, '--date', '2026-03-15', '--json']);
    expect(verify.code).toBe(0);
    expect(verify.json).toMatchObject({ valid: true, status: 'valid' });
    const show = await yiye(['catalog', 'show', '便利店', '--db', target, '--json']);
    expect(show.code).toBe(0);

    // replacing an existing workspace: refused without --force (target untouched), done with it
    const before = sha(target);
    const refused = await restoreDb(target, backup).catch((e) => e);
    expect(refused).toMatchObject({ exitCode: 4, message: expect.stringMatching(/已存在，未覆盖/) });
    expect(sha(target)).toBe(before);
    fs.writeFileSync(`${target}-wal`, 'stale write-ahead log of the replaced workspace');
    const forced = await restoreDb(target, backup, { force: true });
    expect(forced).toMatchObject({ replaced: true });
    expect(fs.existsSync(`${target}-wal`) && fs.readFileSync(`${target}-wal`, 'utf8').startsWith('stale')).toBe(false);
    const status = await dbStatus(target);
    expect(status).toMatchObject({ kind: 'sqlite', initialised: true, migrations: { pending: [] }, counts: { licenses: { valid: 10 } } });
  });

  it('does not replace a workspace another process is writing (exit 4)', async () => {
    const target = path.join(dir, 'busy.db');
    const backup = path.join(dir, 'busy-backup.db');
    await backupDb(ws.url, backup);
    await restoreDb(target, backup);
    const writer = connect(target);
    const trx = await writer.transaction();
    try {
      await trx('uscc_exceptions').insert({ code: 'BUSY-1', reason: '写入中', actor: 't', created_at: '2026-01-01T00:00:00Z' });
      const before = sha(target);
      await expect(restoreDb(target, backup, { force: true })).rejects.toMatchObject({ exitCode: 4, message: expect.stringMatching(/正被其他 yiye 进程使用/) });
      expect(sha(target)).toBe(before);
    } finally {
      await trx.rollback();
      await writer.destroy();
    }
  });

  it('refuses bad backups (exit 3) and leaves the target as it was', async () => {
    const target = path.join(dir, 'target.db');
    fs.copyFileSync(ws.url, target);
    const before = sha(target);
    const text = path.join(dir, 'not-a-db.db');
    fs.writeFileSync(text, '统一社会信用代码,经营者名称\n');
    const good = path.join(dir, 'good.db');
    await backupDb(ws.url, good);
    const truncated = path.join(dir, 'truncated.db');
    fs.writeFileSync(truncated, fs.readFileSync(good).subarray(0, Math.floor(fs.statSync(good).size / 2)));
    const foreign = path.join(dir, 'foreign.db');
    const other = connect(foreign);
    await other.raw('CREATE TABLE t (x)');
    await other.destroy();
    fs.rmSync(`${foreign}-wal`, { force: true });
    fs.rmSync(`${foreign}-shm`, { force: true });

    const run = await cli('db:restore', [text, '--db', target, '--force', '--json']);
    expect(run.code).toBe(3);
    expect(run.json.error).toMatchObject({ code: 'BAD_BACKUP', message: expect.stringMatching(/不是 SQLite 数据库文件/) });
    await expect(restoreDb(target, truncated, { force: true })).rejects.toMatchObject({ exitCode: 3, code: 'BAD_BACKUP' });
    await expect(restoreDb(target, foreign, { force: true })).rejects.toMatchObject({ exitCode: 3, message: expect.stringMatching(/不是 yiye 工作区/) });
    await expect(restoreDb(target, path.join(dir, 'missing.db'), { force: true })).rejects.toMatchObject({ exitCode: 3 });
    expect(sha(target)).toBe(before);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]); // no temp files left
  });
});

describe.each(backends())('db status on %s', (backend) => {
  it('reports pending migrations without applying them, then counts', async () => {
    const url = await freshDbUrl(backend);
    const db = connect(url);
    try {
      await migrateLatest(db);
      const last = migrations[migrations.length - 1].name;
      await undoMigration(db, last);
      const s = await dbStatus(url);
      expect(s).toMatchObject({ kind: backend, initialised: true, migrations: { pending: [last] } });
      expect(s.migrations.applied).toEqual(migrations.slice(0, -1).map((m) => m.name));
      // still pending: status does not migrate
      expect((await dbStatus(url)).migrations.pending).toEqual([last]);
      if (backend === 'sqlite') expect(s.sqlite).toMatchObject({ journalMode: 'WAL', synchronous: 'FULL', bytes: fs.statSync(url).size });
      else {
        expect(s.target).toBe(redact(url));
        expect(s.postgres!.databaseBytes).toBeGreaterThan(0);
      }
      await migrateLatest(db);
      expect((await dbStatus(url)).counts).toEqual({ industries: 0, matters: 0, licenses: {}, tasks: 0, licenseEvents: 0, imports: 0 });
    } finally {
      await db.destroy();
    }
  });
});

(backends().includes('postgres') ? describe : describe.skip)('db backup and restore on PostgreSQL', () => {
  it('refuse with pg_dump / pg_restore guidance (exit 2)', async () => {
    const url = await freshDbUrl('postgres');
    await expect(backupDb(url, path.join(tmpDir('pg-'), 'x.db'))).rejects.toMatchObject({ exitCode: 2, hint: expect.stringContaining('pg_dump') });
    await expect(restoreDb(url, __filename)).rejects.toMatchObject({ exitCode: 2, hint: expect.stringContaining('pg_restore') });
  });
});

describe('db status command', () => {
  it('prints the status as JSON; a missing workspace is a conflict (exit 4)', async () => {
    const ws = await licenseWorkspace('sqlite');
    await ws.db.destroy();
    const ok = await cli('db:status', ['--db', ws.url, '--json']);
    expect(ok.code).toBe(0);
    expect(ok.json).toMatchObject({ kind: 'sqlite', target: ws.url, initialised: true, migrations: { pending: [] }, sqlite: { journalMode: 'WAL', synchronous: 'FULL' } });
    expect(ok.json.counts.industries).toBeGreaterThan(0);
    const nope = path.join(tmpDir('none-'), 'nope.db');
    await expect(dbStatus(nope)).rejects.toMatchObject({ exitCode: 4 });
    expect(fs.existsSync(nope)).toBe(false); // status never creates a database
  });
});
