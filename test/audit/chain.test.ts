/**
 * The hash-chained audit log on both databases: licences issued, changed and revoked and a catalog
 * imported leave intact chains; then an attacker with SQL access (append-only triggers dropped)
 * edits an event, deletes one in the middle, deletes the last one, edits a catalog import, and
 * rewrites the whole chain consistently without the key — `yiye audit verify` names each.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/db';
import { importCatalog } from '../../src/catalog/service';
import { issueLicenses } from '../../src/license/issue';
import { applyOperation, exportPublicKey } from '../../src/license/service';
import { entryHash, GENESIS, LICENSE_EVENTS_CHAIN } from '../../src/audit/chain';
import { auditBrokenError, signAudit, verifyAudit } from '../../src/audit/service';
import { formatAuditReport } from '../../src/audit/format';
import { backends, type Backend } from '../helpers/db';
import { PUDONG_BASE } from '../helpers/workspace';
import { BATCH1, licenseWorkspace, tmpDir, type LicenseWorkspace } from '../license/helpers';
import { yiye } from '../helpers/cli';

/** A command by its id ('audit:verify'), through the real bin/run.js. */
const cli = (id: string, args: string[]) => yiye([...id.split(':'), ...args]);

async function dropEventTriggers(db: Db, backend: Backend): Promise<void> {
  if (backend === 'postgres') await db.raw('DROP TRIGGER license_events_no_change ON license_events');
  else {
    await db.raw('DROP TRIGGER license_events_no_update');
    await db.raw('DROP TRIGGER license_events_no_delete');
  }
}

async function dropImportTriggers(db: Db, backend: Backend): Promise<void> {
  if (backend === 'postgres') await db.raw('DROP TRIGGER import_log_sealed ON import_log');
  else {
    await db.raw('DROP TRIGGER import_log_sealed_no_update');
    await db.raw('DROP TRIGGER import_log_sealed_no_delete');
  }
}

describe.each(backends())('hash-chained audit log on %s', (backend) => {
  let ws: LicenseWorkspace;
  let publicKeyFile: string;
  const opts = () => ({ date: '2026-04-01', keyFile: ws.keyFile, actor: '窗口李四' });
  beforeAll(async () => {
    ws = await licenseWorkspace(backend);
    await issueLicenses(ws.db, BATCH1, { date: '2026-03-15', keyFile: ws.keyFile });
    await applyOperation(ws.db, { number: '3101152026PD-01000001', kind: 'change', legalRep: '王五', reason: '法定代表人变更' }, opts());
    await applyOperation(ws.db, { number: '3101152026PD-03000002', kind: 'revoke', reason: '以欺骗手段取得' }, opts());
    await importCatalog(ws.db, PUDONG_BASE, { actor: '目录管理员' });
    publicKeyFile = path.join(tmpDir('pub-'), 'pub.pem');
    await exportPublicKey(ws.db, publicKeyFile);
  });
  afterAll(async () => {
    await ws.db.destroy();
  });

  it('an untouched workspace verifies: every entry chained, heads match, signatures valid', async () => {
    const report = await verifyAudit(ws.db, { publicKeyFile });
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([]);
    const events = report.chains.find((c) => c.chain === 'license_events')!;
    // 10 issued (signed by the batch), a change (signed with the key it was signed with), a revocation (no key needed: not yet signed)
    expect(events).toMatchObject({ entries: 12, headSeq: 12, signature: 'valid', signedSeq: 11, unsignedEntries: 1 });
    const imports = report.chains.find((c) => c.chain === 'import_log')!;
    // signed at its start when the workspace got its key (init), the imports after it not yet
    expect(imports).toMatchObject({ entries: 6, headSeq: 6, signature: 'valid', signedSeq: 0, unsignedEntries: 6 });
    const seqs = (await ws.db('license_events').orderBy('id').pluck('seq')).map(Number);
    expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));

    // audit sign covers the tail written without the key
    const signed = await signAudit(ws.db, ws.keyFile);
    expect(signed.signed).toEqual([
      expect.objectContaining({ chain: 'license_events', seq: 12 }),
      expect.objectContaining({ chain: 'import_log', seq: 6 }),
      expect.objectContaining({ chain: 'task_updates', seq: 0 }),
      expect.objectContaining({ chain: 'inspection_log', seq: 0 }),
    ]);
    const after = await verifyAudit(ws.db, { publicKeyFile });
    expect(after.chains.map((c) => [c.signature, c.unsignedEntries])).toEqual([['valid', 0], ['valid', 0], ['valid', 0], ['valid', 0]]);
  });

  it('the database itself refuses to change a chained import_log entry', async () => {
    const id = (await ws.db('import_log').min({ id: 'id' }).first())!.id as number;
    await expect(ws.db('import_log').where({ id }).update({ actor: 'x' })).rejects.toThrow(/append-only/);
    await expect(ws.db('import_log').where({ id }).delete()).rejects.toThrow(/append-only/);
  });

  it('names the edited, the deleted and the truncated entries; audit verify (real CLI) exits 4', async () => {
    await dropEventTriggers(ws.db, backend);
    const rows = (await ws.db('license_events').orderBy('seq').select('id', 'seq')) as Array<{ id: number; seq: number }>;
    const edited = rows[2];
    await ws.db('license_events').where({ id: edited.id }).update({ actor: '冒名顶替' });

    const run = await cli('audit:verify', ['--db', ws.url, '--json']);
    expect(run.code).toBe(4);
    expect(run.json.error).toMatchObject({ code: 'AUDIT_BROKEN', exitCode: 4, ok: false });
    expect(run.json.error.problems).toEqual([expect.objectContaining({ table: 'license_events', kind: 'content', id: edited.id, seq: 3 })]);
    expect(run.json.error.message).toContain(`license_events）id ${edited.id}（序号 3）：内容被改动`);
    if (backend === 'sqlite') {
      // the human report (one spawn is enough: the text does not depend on the database)
      const human = await cli('audit:verify', ['--db', ws.url]);
      expect(human.code).toBe(4);
      expect(human.stdout).toContain(`许可证事件日志（license_events）id ${edited.id}（序号 3）：内容被改动`);
    }

    const middle = rows[6];
    await ws.db('license_events').where({ id: middle.id }).delete();
    let report = await verifyAudit(ws.db);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'gap', seq: 8, id: rows[7].id }),
        expect.objectContaining({ kind: 'link', seq: 8, id: rows[7].id }),
      ]),
    );
    expect(report.problems.find((p) => p.kind === 'gap')!.message).toMatch(/序号 7 的记录缺失（已被删除）/);

    const last = rows[rows.length - 1];
    await ws.db('license_events').where({ id: last.id }).delete();
    report = await verifyAudit(ws.db);
    expect(report.problems).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'head-mismatch', table: 'license_events' })]));
    expect(report.problems.find((p) => p.kind === 'head-mismatch')!.message).toMatch(/链尾 1 条记录被删除（截断）/);
    // the signature reached the deleted entry
    expect(report.problems).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'signed-rewritten' })]));
  });

  it('names an edited catalog import entry', async () => {
    await dropImportTriggers(ws.db, backend);
    const row = (await ws.db('import_log').orderBy('seq').first()) as { id: number };
    await ws.db('import_log').where({ id: row.id }).update({ status: '成功（改）' });
    const report = await verifyAudit(ws.db);
    expect(report.problems).toEqual(expect.arrayContaining([expect.objectContaining({ table: 'import_log', kind: 'content', id: row.id, seq: 1 })]));
  });
});

describe.each(backends())('rewriting a whole chain without the key on %s', (backend) => {
  it('is caught by the head signature; a substituted workspace key only by --public-key', async () => {
    const ws = await licenseWorkspace(backend);
    try {
      await issueLicenses(ws.db, BATCH1, { date: '2026-03-15', keyFile: ws.keyFile });
      const publicKeyFile = path.join(tmpDir('pub-'), 'pub.pem');
      await exportPublicKey(ws.db, publicKeyFile);
      await dropEventTriggers(ws.db, backend);
      // The attacker knows the algorithm (it is open source): edits entry 2, re-links every entry, moves the head.
      const rows = (await ws.db('license_events').orderBy('seq').select()) as Array<Record<string, unknown>>;
      rows[1].actor = '冒名顶替';
      let prev = GENESIS;
      for (const r of rows) {
        const hash = entryHash(prev, LICENSE_EVENTS_CHAIN, Number(r.seq), r);
        await ws.db('license_events').where({ id: r.id }).update({ actor: r.actor, prev_hash: prev, hash });
        prev = hash;
      }
      await ws.db('audit_heads').where({ chain: 'license_events' }).update({ hash: prev });
      const report = await verifyAudit(ws.db);
      expect(report.problems).toEqual([expect.objectContaining({ table: 'license_events', kind: 'signed-rewritten' })]);
      expect(report.problems[0].message).toMatch(/序号 10 的哈希.*与签名时.*不同——已签名的部分被整体改写/);

      // Re-signing with a key of their own and swapping the workspace's public key fools only a check against the database's own key.
      const crypto = await import('node:crypto');
      const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
      const { keyIdOf, publicPem } = await import('../../src/license/keys');
      const { headMessage } = await import('../../src/audit/chain');
      const keyId = keyIdOf(publicKey);
      await ws.db('settings').where({ key: 'license_public_key' }).update({ value: publicPem(publicKey) });
      await ws.db('settings').where({ key: 'license_key_id' }).update({ value: keyId });
      await ws.db('audit_heads')
        .where({ chain: 'license_events' })
        .update({ signed_hash: prev, signature: crypto.sign(null, headMessage('license_events', 10, prev), privateKey).toString('base64url'), key_id: keyId });
      // the signed high-water marks were signed by the workspace's real key: the substitution shows
      // (and so do the other chains' heads, signed at init)
      expect((await verifyAudit(ws.db)).problems).toEqual(
        expect.arrayContaining([expect.objectContaining({ kind: 'key-mismatch', table: 'settings' }), expect.objectContaining({ kind: 'key-mismatch', table: 'import_log' })]),
      );
      // … unless the attacker re-signs the marks too (and strips the other heads, which the forged marks do not mention)
      await ws.db('audit_heads').whereNot({ chain: 'license_events' }).update({ signature: null, signed_seq: null, signed_hash: null, key_id: null });
      const { marksMessage } = await import('../../src/audit/marks');
      const forged = { v: 1 as const, keyId, marks: { license_events: { seq: 10, hash: prev } }, accepted: [] };
      await ws.db('settings').where({ key: 'audit_signed_marks' }).update({ value: JSON.stringify({ ...forged, signature: crypto.sign(null, marksMessage(forged), privateKey).toString('base64url') }) });
      expect((await verifyAudit(ws.db)).ok).toBe(true);
      const independent = await verifyAudit(ws.db, { publicKeyFile });
      // the key file and the head's signature disagree: a wrong key file, or a replaced signature; and
      // the marks exported with the key file name the signed entry that changed
      expect(independent.problems).toEqual(
        expect.arrayContaining([expect.objectContaining({ kind: 'key-mismatch', table: 'license_events' }), expect.objectContaining({ kind: 'signed-rewritten', table: 'license_events' })]),
      );
      expect(auditBrokenError(independent).hint).toMatch(/审计日志记录已被绕过 yiye 改动/);
      expect(formatAuditReport(independent)).not.toMatch(/yiye audit sign/);
      expect(fs.existsSync(publicKeyFile)).toBe(true);
    } finally {
      await ws.db.destroy();
    }
  });
  it('a later signed write does not vouch for an unsigned entry tampered with meanwhile', async () => {
    const ws = await licenseWorkspace(backend);
    try {
      await issueLicenses(ws.db, BATCH1, { date: '2026-03-15', keyFile: ws.keyFile });
      await applyOperation(ws.db, { number: '3101152026PD-03000002', kind: 'revoke', reason: '以欺骗手段取得' }, { date: '2026-04-01', actor: 't' });
      await dropEventTriggers(ws.db, backend);
      await ws.db('license_events').where({ seq: 11 }).update({ reason: '经营者申请' });
      // a change is written with the key: it must not extend the signature over entry 11
      await applyOperation(ws.db, { number: '3101152026PD-01000001', kind: 'change', legalRep: '王五' }, { date: '2026-04-02', actor: 't', keyFile: ws.keyFile });
      const report = await verifyAudit(ws.db);
      expect(report.problems).toEqual([expect.objectContaining({ kind: 'content', seq: 11 })]);
      expect(report.chains[0]).toMatchObject({ headSeq: 12, signature: 'valid', signedSeq: 10, unsignedEntries: 2 });
      await expect(signAudit(ws.db, ws.keyFile)).rejects.toMatchObject({ code: 'AUDIT_BROKEN', exitCode: 4 });
    } finally {
      await ws.db.destroy();
    }
  });
});
