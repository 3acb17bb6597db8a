/**
 * Issue 18 item 1: an attacker with database write access but no key drops the append-only
 * trigger, edits a licence event, re-links every later entry, and sets the head's signature to NULL
 * (a head that was "never signed"). Before the signed high-water marks, `audit verify --public-key`
 * passed and the next signed write (or `audit sign`) signed the forged chain. Now: the stripped
 * signature is a finding, no signed write vouches for it, and `audit sign` signs over entries no
 * signature covered only with --accept-unsigned --reason, which `audit verify` reports afterwards.
 */
import path from 'node:path';
import type { Db } from '../../src/db';
import { issueLicenses } from '../../src/license/issue';
import { entryHash, GENESIS, LICENSE_EVENTS_CHAIN } from '../../src/audit/chain';
import { signAudit, verifyAudit } from '../../src/audit/service';
import { backends, type Backend } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { BATCH1, licenseWorkspace, tmpDir, type LicenseWorkspace } from '../license/helpers';

async function dropEventTriggers(db: Db, backend: Backend): Promise<void> {
  if (backend === 'postgres') await db.raw('DROP TRIGGER license_events_no_change ON license_events');
  else {
    await db.raw('DROP TRIGGER license_events_no_update');
    await db.raw('DROP TRIGGER license_events_no_delete');
  }
}

/** Edits entry 2 (or none), re-links the chain after it, moves the head and strips its signature. */
async function forge(db: Db, edit: boolean): Promise<void> {
  const rows = (await db('license_events').orderBy('seq').select()) as Array<Record<string, unknown>>;
  if (edit) rows[1].actor = '冒名顶替';
  let prev = GENESIS;
  for (const r of rows) {
    const hash = entryHash(prev, LICENSE_EVENTS_CHAIN, Number(r.seq), r);
    await db('license_events').where({ id: r.id }).update({ actor: r.actor, prev_hash: prev, hash });
    prev = hash;
  }
  await db('audit_heads').where({ chain: 'license_events' }).update({ hash: prev, signature: null, signed_seq: null, signed_hash: null, key_id: null });
}

jest.setTimeout(300_000); // a dozen spawns of the real CLI on a shared machine

const kinds = (run: { json: any }) => (run.json.error?.problems ?? []).map((p: { kind: string }) => p.kind); // eslint-disable-line @typescript-eslint/no-explicit-any

describe.each(backends())('a stripped audit signature on %s', (backend) => {
  let ws: LicenseWorkspace;
  let pub: string;
  beforeEach(async () => {
    ws = await licenseWorkspace(backend);
    await issueLicenses(ws.db, BATCH1, { date: '2026-03-15', keyFile: ws.keyFile });
    pub = path.join(tmpDir('pub-'), 'pub.pem');
    expect((await yiye(['keys', 'export-public', '--db', ws.url, '--out', pub])).code).toBe(0);
    await dropEventTriggers(ws.db, backend);
  });
  afterEach(async () => {
    await ws.db.destroy();
  });

  it('is a finding, and neither a signed write nor audit sign launders the forged chain', async () => {
    await forge(ws.db, true);
    let run = await yiye(['audit', 'verify', '--db', ws.url, '--public-key', pub, '--json']);
    expect(run.code).toBe(4);
    expect(kinds(run)).toEqual(expect.arrayContaining(['signature-stripped', 'signed-rewritten']));
    expect(run.json.error.problems.map((p: { message: string }) => p.message).join('\n')).toMatch(/链头没有签名，而工作区密钥曾签名至序号 10（签名高水位）/);

    // the next signed write does not sign the forged chain
    run = await yiye(['license', 'change', '3101152026PD-01000001', '--legal-rep', '王五', '--date', '2026-04-02', '--db', ws.url, '--key-file', ws.keyFile, '--json']);
    expect(run.code).toBe(0);
    const head = await ws.db('audit_heads').where({ chain: 'license_events' }).first();
    expect(head.signature).toBeNull();
    // nor does audit sign, not even with --accept-unsigned: entry 10 changed under the signed mark
    await expect(signAudit(ws.db, ws.keyFile)).rejects.toMatchObject({ exitCode: 4 });
    run = await yiye(['audit', 'sign', '--db', ws.url, '--key-file', ws.keyFile, '--accept-unsigned', '--reason', '核对过', '--json']);
    expect(run.code).toBe(4);
    expect(kinds(run)).toContain('signed-rewritten');

    // the marks deleted as well: their absence is a finding, and the exported key file still holds them
    await ws.db('settings').where({ key: 'audit_signed_marks' }).delete();
    expect((await verifyAudit(ws.db)).problems.map((p) => p.kind)).toEqual(['marks-missing']);
    expect((await verifyAudit(ws.db, { publicKeyFile: pub })).problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['marks-missing', 'signature-stripped', 'signed-rewritten']));
    // an operator who accepts without checking against the key file: the key file still catches it
    await signAudit(ws.db, ws.keyFile, { acceptUnsigned: true, reason: '未核对' });
    run = await yiye(['audit', 'verify', '--db', ws.url, '--public-key', pub, '--json']);
    expect(run.code).toBe(4);
    expect(kinds(run)).toEqual(['signed-rewritten']);
  });

  it('a stripped but unchanged chain is signed again only with --accept-unsigned --reason, reported by audit verify', async () => {
    await forge(ws.db, false);
    await ws.db('settings').where({ key: 'audit_signed_marks' }).delete();
    let run = await yiye(['audit', 'sign', '--db', ws.url, '--key-file', ws.keyFile, '--json']);
    expect(run.code).toBe(4);
    expect(run.json.error.hint).toMatch(/--accept-unsigned --reason/);
    await expect(signAudit(ws.db, ws.keyFile, { acceptUnsigned: true })).rejects.toMatchObject({ exitCode: 2 });
    run = await yiye(['audit', 'sign', '--db', ws.url, '--key-file', ws.keyFile, '--accept-unsigned', '--reason', '签名被清除，已与备份核对', '--actor', '科长', '--json']);
    expect(run.code).toBe(0);
    expect(run.json.accepted).toEqual(expect.arrayContaining([expect.objectContaining({ chain: 'license_events', fromSeq: 1, toSeq: 10, reason: '签名被清除，已与备份核对', actor: '科长' })]));
    run = await yiye(['audit', 'verify', '--db', ws.url, '--public-key', pub]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/注意：许可证事件日志（license_events）序号 1–10：.* 由 科长 以“签名被清除，已与备份核对”接受为未经签名核对的记录/);
  });
});
