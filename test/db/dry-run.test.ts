/**
 * `license issue --dry-run` only reads, in a read-only transaction (readOnly in src/db/retry.ts): it
 * neither waits for nor takes the write lock (SQLite) or the issuing lock (PostgreSQL), and leaves no
 * batch row behind.
 */
import { issueLicenses } from '../../src/license/issue';
import { connect } from '../../src/db';
import { readOnly } from '../../src/db/retry';
import { backends } from '../helpers/db';
import { BATCH1, licenseWorkspace, type LicenseWorkspace } from '../license/helpers';

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

  it('readOnly refuses a write on PostgreSQL (25006) and passes a read through on both', async () => {
    expect(await readOnly(ws.db, async (trx) => Number((await trx('settings').count({ n: '*' }).first())!.n))).toBeGreaterThan(0);
    if (backend === 'postgres') {
      await expect(readOnly(ws.db, (trx) => trx('license_batches').insert({ kind: 'issue', actor: 'x', started_at: 'x' }))).rejects.toMatchObject({ code: '25006' });
    }
  });
});
