/**
 * Issue 18 item 7: a deleted `audit_heads` row made every later licence write fail with exit 1
 * "意外错误" and the raw SQL. Now the write is refused with exit 4 and a hint, and `audit repair-head`
 * re-derives the head after a verified walk (recorded; `audit verify` lists the repair).
 */
import { issueLicenses } from '../../src/license/issue';
import { backends } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { BATCH1, licenseWorkspace, type LicenseWorkspace } from '../license/helpers';

jest.setTimeout(240_000);

describe.each(backends())('a deleted audit head on %s', (backend) => {
  let ws: LicenseWorkspace;
  beforeAll(async () => {
    ws = await licenseWorkspace(backend);
    await issueLicenses(ws.db, BATCH1, { date: '2026-03-15', keyFile: ws.keyFile });
  });
  afterAll(async () => {
    await ws.db.destroy();
  });

  it('refuses licence writes with exit 4 and a hint; audit repair-head re-derives it and is reported', async () => {
    await ws.db('audit_heads').where({ chain: 'license_events' }).delete();
    let run = await yiye(['license', 'revoke', '3101152026PD-03000002', '--reason', '以欺骗手段取得', '--date', '2026-04-01', '--db', ws.url, '--json']);
    expect(run.code).toBe(4);
    expect(run.json.error).toMatchObject({ code: 'AUDIT_HEAD_MISSING', message: expect.stringMatching(/许可证事件日志（license_events）的链头记录（audit_heads）缺失/), hint: expect.stringMatching(/audit repair-head/) });
    expect(run.stdout + run.stderr).not.toMatch(/insert into|意外错误/i);

    run = await yiye(['audit', 'repair-head', '--actor', '信息科', '--db', ws.url, '--json']);
    expect(run.code).toBe(0);
    expect(run.json.repaired).toEqual([expect.objectContaining({ chain: 'license_events', seq: 10, actor: '信息科' })]);

    run = await yiye(['license', 'revoke', '3101152026PD-03000002', '--reason', '以欺骗手段取得', '--date', '2026-04-01', '--db', ws.url, '--json']);
    expect(run.code).toBe(0);
    // the repaired head is unsigned: a finding until the signature is restored on purpose
    run = await yiye(['audit', 'sign', '--accept-unsigned', '--reason', '链头被删除后重建，已核对', '--db', ws.url, '--key-file', ws.keyFile, '--json']);
    expect(run.code).toBe(0);
    run = await yiye(['audit', 'verify', '--db', ws.url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/由 信息科 按逐条核对后的链重建了 license_events 的链头（序号 10）/);
  });

  it('repair-head refuses while an entry was changed', async () => {
    await ws.db('audit_heads').where({ chain: 'import_log' }).delete();
    if (backend === 'postgres') await ws.db.raw('DROP TRIGGER import_log_sealed ON import_log');
    else await ws.db.raw('DROP TRIGGER import_log_sealed_no_update');
    await ws.db('import_log').where({ seq: 1 }).update({ status: '改' });
    const run = await yiye(['audit', 'repair-head', '--db', ws.url, '--json']);
    expect(run.code).toBe(4);
    expect(run.json.error.code).toBe('AUDIT_BROKEN');
    expect(await ws.db('audit_heads').where({ chain: 'import_log' }).first()).toBeUndefined();
  });
});
