/**
 * Issue 18 item 2: a backup whose schema was altered — a planted `AFTER UPDATE OF status ON licenses`
 * trigger that quietly keeps revoked licences valid, or the audit log's append-only triggers dropped
 * — used to restore with exit 0. Now `db restore` and `db status` compare sqlite_master with what the
 * migrations create and refuse (exit 4, naming the objects), and a backup whose audit log does not
 * verify is refused too; the workspace being replaced is left as it was.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import { issueLicenses } from '../../src/license/issue';
import { yiye } from '../helpers/cli';
import { BATCH1, licenseWorkspace, tmpDir, type LicenseWorkspace } from '../license/helpers';

jest.setTimeout(240_000);

const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

/** Edits a backup file as an attacker with a SQLite shell would (no WAL: the file stays self-contained). */
async function tamper(file: string, sql: string[]): Promise<void> {
  const db = knexFactory({ client: 'sqlite3', connection: { filename: file }, useNullAsDefault: true });
  try {
    for (const s of sql) await db.raw(s);
  } finally {
    await db.destroy();
  }
}

describe('db restore / db status refuse an altered schema (SQLite)', () => {
  let ws: LicenseWorkspace;
  let dir: string;
  let good: string;
  beforeAll(async () => {
    ws = await licenseWorkspace('sqlite');
    await issueLicenses(ws.db, BATCH1, { date: '2026-03-15', keyFile: ws.keyFile });
    dir = tmpDir('schema-');
    good = path.join(dir, 'good.db');
    expect((await yiye(['db', 'backup', good, '--db', ws.url])).code).toBe(0);
  });
  afterAll(async () => {
    await ws.db.destroy();
  });

  const variant = async (name: string, sql: string[]) => {
    const f = path.join(dir, name);
    fs.copyFileSync(good, f);
    await tamper(f, sql);
    return f;
  };

  it('refuses a planted trigger, dropped append-only triggers and a tampered audit log; restores the untouched backup', async () => {
    const target = path.join(dir, 'target.db');
    fs.copyFileSync(ws.url, target);
    const before = sha(target);

    const planted = await variant('planted.db', [`CREATE TRIGGER keep_valid AFTER UPDATE OF status ON licenses BEGIN UPDATE licenses SET status = OLD.status WHERE id = NEW.id; END`]);
    let run = await yiye(['db', 'restore', planted, '--db', target, '--force', '--json']);
    expect(run.code).toBe(4);
    expect(run.json.error.code).toBe('SCHEMA_ALTERED');
    expect(run.json.error.message).toMatch(/多出 触发器 keep_valid（表 licenses）/);

    const dropped = await variant('dropped.db', ['DROP TRIGGER license_events_no_update', 'DROP TRIGGER license_events_no_delete']);
    run = await yiye(['db', 'restore', dropped, '--db', target, '--force', '--json']);
    expect(run.code).toBe(4);
    expect(run.json.error.message).toMatch(/缺少 触发器 license_events_no_delete（表 license_events）、触发器 license_events_no_update（表 license_events）/);

    // the schema put back as it was, but an event edited meanwhile: the audit log does not verify
    const edited = await variant('edited.db', [
      'DROP TRIGGER license_events_no_update',
      `UPDATE license_events SET actor = '冒名顶替' WHERE seq = 2`,
      `CREATE TRIGGER license_events_no_update BEFORE UPDATE ON license_events
      BEGIN SELECT RAISE(ABORT, 'license_events is append-only'); END`,
    ]);
    run = await yiye(['db', 'restore', edited, '--db', target, '--force', '--json']);
    expect(run.code).toBe(4);
    expect(run.json.error.code).toBe('AUDIT_BROKEN');
    expect(run.json.error.message).toMatch(/审计日志校验未通过，未恢复/);

    expect(sha(target)).toBe(before);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);

    run = await yiye(['db', 'restore', good, '--db', target, '--force', '--json']);
    expect(run.code).toBe(0);
    expect((await yiye(['audit', 'verify', '--db', target])).code).toBe(0);
  });

  it('db status names a planted trigger in a live workspace (exit 4)', async () => {
    const live = await variant('live.db', []);
    expect((await yiye(['db', 'status', '--db', live, '--json'])).code).toBe(0);
    await tamper(live, [`CREATE VIEW everything AS SELECT * FROM licenses`, `CREATE INDEX licenses_sneaky ON licenses (holder_name)`]);
    const run = await yiye(['db', 'status', '--db', live, '--json']);
    expect(run.code).toBe(4);
    expect(run.json.error.message).toMatch(/多出 索引 licenses_sneaky（表 licenses）、视图 everything（表 everything）/);
  });
});
