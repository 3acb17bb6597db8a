/**
 * Migration 004 on a workspace that already holds licence events and catalog imports: it chains
 * them in id order (and its `down` removes the chain again, keeping the events' append-only
 * triggers), so a workspace upgraded from before the audit chain verifies.
 */
import { undoMigration, migrateLatest } from '../../src/db';
import { issueLicenses } from '../../src/license/issue';
import { applyOperation } from '../../src/license/service';
import { signAudit, verifyAudit } from '../../src/audit/service';
import { backends } from '../helpers/db';
import { BATCH1, licenseWorkspace } from '../license/helpers';

describe.each(backends())('audit migration on %s', (backend) => {
  it('backfills the chains of existing rows, and goes down and up again', async () => {
    const ws = await licenseWorkspace(backend);
    try {
      await issueLicenses(ws.db, BATCH1, { date: '2026-03-15', keyFile: ws.keyFile });
      await applyOperation(ws.db, { number: '3101152026PD-03000002', kind: 'revoke', reason: '以欺骗手段取得' }, { date: '2026-04-01', actor: 't' });

      await undoMigration(ws.db, '20261206_014_inspect'); // the newer chains first, as a rollback would
      await undoMigration(ws.db, '20261122_005_task_audit');
      await undoMigration(ws.db, '20261122_004_audit');
      expect(await ws.db.schema.hasTable('audit_heads')).toBe(false);
      expect(await ws.db.schema.hasColumn('license_events', 'hash')).toBe(false);
      await expect(ws.db('license_events').update({ actor: 'x' })).rejects.toThrow(/append-only/);
      expect(await ws.db('license_events').count({ n: '*' }).first()).toMatchObject({ n: backend === 'postgres' ? '11' : 11 });

      await migrateLatest(ws.db);
      // the backfilled chains are unsigned, though the key had signed them: a finding until accepted
      const upgraded = await verifyAudit(ws.db);
      expect(upgraded.problems.map((p) => [p.chain, p.kind])).toEqual([
        ['license_events', 'signature-stripped'],
        ['import_log', 'signature-stripped'],
        ['task_updates', 'signature-stripped'],
        ['inspection_log', 'signature-stripped'],
      ]);
      // a workspace from before the signed marks (none stored): also a finding until accepted
      await ws.db('settings').where({ key: 'audit_signed_marks' }).delete();
      expect((await verifyAudit(ws.db)).problems.map((p) => p.kind)).toEqual(['marks-missing']);
      await expect(signAudit(ws.db, ws.keyFile)).rejects.toMatchObject({ exitCode: 4 });
      const signedAt = await ws.db('audit_heads').whereNotNull('signature').count({ n: '*' }).first();
      expect(Number(signedAt!.n)).toBe(0);
      const report = await verifyAudit(ws.db);
      expect(report.ok).toBe(false);
      expect(report.chains.map((c) => [c.chain, c.entries, c.headSeq, c.signature])).toEqual([
        ['license_events', 11, 11, 'none'],
        ['import_log', 3, 3, 'none'],
        ['task_updates', 0, 0, 'none'],
        ['inspection_log', 0, 0, 'none'],
      ]);
      const accepted = await signAudit(ws.db, ws.keyFile, { acceptUnsigned: true, reason: '由旧版升级', actor: 't' });
      expect(accepted.accepted.map((a) => [a.chain, a.fromSeq, a.toSeq])).toEqual([
        ['license_events', 1, 11],
        ['import_log', 1, 3],
        ['task_updates', 1, 0],
        ['inspection_log', 1, 0],
      ]);
      expect((await verifyAudit(ws.db)).ok).toBe(true);
      const events = (await ws.db('license_events').orderBy('id').select('id', 'seq')) as Array<{ id: number; seq: number }>;
      expect(events.map((e) => Number(e.seq))).toEqual(events.map((_, i) => i + 1));
      // the triggers are back after the backfill
      await expect(ws.db('license_events').update({ actor: 'x' })).rejects.toThrow(/append-only/);
      await expect(ws.db('import_log').update({ actor: 'x' })).rejects.toThrow(/append-only/);
    } finally {
      await ws.db.destroy();
    }
  });
});
