/**
 * `license issue --dry-run` only reads, in a read-only transaction (readOnly in src/db/retry.ts); the
 * other batches' dry runs run the real code on a scratch copy (src/db/scratch.ts). Neither waits for
 * nor takes the write lock (SQLite) or the issuing lock (PostgreSQL), and nothing is left behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importCatalog } from '../../src/catalog/import';
import { applyBatch } from '../../src/license/lifecycle';
import { importTasks } from '../../src/progress/service';
import { inScratch } from '../../src/db/scratch';
import { issueLicenses } from '../../src/license/issue';
import { connect } from '../../src/db';
import { readOnly } from '../../src/db/retry';
import { backends } from '../helpers/db';
import { BATCH1, licenseWorkspace, OPS, tmpDir, type LicenseWorkspace } from '../license/helpers';

describe.each(backends())('dry runs on %s', (backend) => {
  let ws: LicenseWorkspace;
  beforeAll(async () => {
    ws = await licenseWorkspace(backend);
  });
  afterAll(async () => {
    await ws.db.destroy();
  });

  it('a dry run completes while another batch holds the write or issuing lock, and writes nothing', async () => {
    const other = connect(ws.url);
    const trx = await other.transaction();
    try {
      // the other batch: SQLite's write lock (its first write), PostgreSQL's issuing lock
      if (backend === 'postgres') await trx.raw('SELECT pg_advisory_xact_lock(?)', [0x7969_7965]);
      await trx('license_batches').insert({ kind: 'issue', actor: 'other', started_at: new Date().toISOString() });
      const r = await issueLicenses(ws.db, BATCH1, { date: '2026-03-15', keyFile: ws.keyFile, dryRun: true });
      expect(r.wouldIssue.length).toBeGreaterThan(0);
      expect(r.committed).toBe(false);
    } finally {
      await trx.rollback();
      await other.destroy();
    }
    expect(Number((await ws.db('license_batches').count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('catalog import, license apply and tasks import dry runs work on a scratch copy while another batch holds the write lock; nothing written or left behind', async () => {
    await issueLicenses(ws.db, BATCH1, { date: '2026-03-15', keyFile: ws.keyFile });
    const csv = path.join(tmpDir('dry-scratch-'), 'industries.csv');
    fs.writeFileSync(csv, '序号,试点行业,牵头部门\n1,社区团购自提点,区商务委\n');
    const tables = ['import_log', 'industries', 'settings', 'license_batches', 'license_events', 'license_versions', 'plans', 'tasks'];
    const counts = async () => Promise.all(tables.map(async (t) => Number((await ws.db(t).count({ n: '*' }).first())!.n)));
    const before = await counts();
    const scratchDirs = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('yiye-dry-run-')).length;
    const leftBefore = scratchDirs();
    const other = connect(ws.url);
    const trx = await other.transaction();
    try {
      await trx('license_batches').insert({ kind: 'issue', actor: 'other', started_at: new Date().toISOString() }); // holds SQLite's write lock
      const cat = await importCatalog(ws.db, [csv], { dryRun: true, actor: 'test' });
      expect(cat).toMatchObject({ dryRun: true, committed: false, industries: { inserted: 1 } });
      const ops = await applyBatch(ws.db, OPS, { date: '2026-06-01', keyFile: ws.keyFile, dryRun: true });
      expect(ops.applied).toHaveLength(6);
      const tasks = await importTasks(ws.db, path.resolve(__dirname, '../../fixtures/tasks/2021年工作台账.xlsx'), { dryRun: true, actor: 'test' });
      expect(tasks.counts.inserted).toBe(10);
    } finally {
      await trx.rollback();
      await other.destroy();
    }
    expect(await counts()).toEqual(before);
    expect(scratchDirs()).toBe(leftBefore);
    // an error inside the scratch run reaches the caller, and the copy is discarded all the same
    await expect(inScratch(ws.db, ['settings'], async (t) => {
      await t('settings').insert({ key: 'scratch-only', value: 'x' });
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await ws.db('settings').where({ key: 'scratch-only' }).first()).toBeUndefined();
    expect(scratchDirs()).toBe(leftBefore);
  });

  it('readOnly refuses a write on PostgreSQL (25006) and passes a read through on both', async () => {
    expect(await readOnly(ws.db, async (trx) => Number((await trx('settings').count({ n: '*' }).first())!.n))).toBeGreaterThan(0);
    if (backend === 'postgres') {
      await expect(readOnly(ws.db, (trx) => trx('license_batches').insert({ kind: 'issue', actor: 'x', started_at: 'x' }))).rejects.toMatchObject({ code: '25006' });
    }
  });
});
