import fs from 'node:fs';
import path from 'node:path';
import { backends, freshDbUrl } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { PUDONG_BASE } from '../helpers/workspace';
import { BATCH1, BATCH2, lic, tmpDir } from './helpers';

const INIT = ['--region', '310115', '--authority', '浦东新区人民政府'];
const GOLDEN = path.join(__dirname, 'golden');

describe.each(backends())('license commands on %s', (backend) => {
  let db: string;
  beforeAll(async () => {
    db = await freshDbUrl(backend);
    const init = await yiye(['init', '--db', db, ...INIT, '--json']);
    expect(init.code).toBe(0);
    expect(init.json.keys).toMatchObject({ keyId: expect.stringMatching(/^[0-9a-f]{16}$/), created: true, privateKeyPresent: true });
    expect(fs.statSync(init.json.keys.privateKeyFile).mode & 0o777).toBe(0o600);
    if (backend === 'sqlite') expect(init.json.keys.privateKeyFile).toBe(`${path.resolve(db)}.key.pem`);
    expect((await yiye(['catalog', 'import', ...PUDONG_BASE, '--db', db])).code).toBe(0);
  });

  // Each spawn costs a Node start-up; the lifecycle itself is covered on both databases in lifecycle.test.ts.
  const sqliteOnly = backend === 'sqlite' ? it : ((() => undefined) as unknown as typeof it);

  sqliteOnly('re-running init keeps the key; keys export-public prints it', async () => {
    const again = await yiye(['init', '--db', db, ...INIT, '--json']);
    expect(again.json).toMatchObject({ created: false, updated: false, keys: { created: false, privateKeyPresent: true } });
    const pub = await yiye(['keys', 'export-public', '--db', db]);
    expect(pub.code).toBe(0);
    expect(pub.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('issue --json prints the documented shape; a bad batch exits 3 with the rejected rows', async () => {
    const ok = await yiye(['license', 'issue', BATCH1, '--db', db, '--date', '2026-03-15', '--actor', '窗口张三', '--json']);
    expect(ok.code).toBe(0);
    expect(ok.json.issued).toHaveLength(10);
    expect(ok.json.issued[0]).toMatchObject({ row: 4, applicationNo: 'PD20260315001', number: '3101152026PD-01000001' });
    expect(ok.json).toMatchObject({ existing: [], rejected: [] });
    const bad = await yiye(['license', 'issue', lic('bad/bad-check-char.xlsx'), '--db', db, '--date', '2026-03-15', '--json']);
    expect(bad.code).toBe(3);
    expect(bad.json.error.rejected[0]).toMatchObject({ row: 5, column: '统一社会信用代码', message: expect.stringMatching(/第 18 位/) });
    if (backend !== 'sqlite') return; // the human form does not depend on the database
    const human = await yiye(['license', 'issue', lic('bad/bad-check-char.xlsx'), '--db', db, '--date', '2026-03-15']);
    expect(human.stderr).toMatch(/第 5 行，D列“统一社会信用代码”/);
    expect(human.stderr).not.toMatch(/\n\s+at /);
  });

  it('verify exits 0 only for a valid licence; revoke, then change, exits 4', async () => {
    const show = await yiye(['license', 'show', '3101152026PD-14000001', '--db', db, '--json']);
    const payload: string = show.json.current.payload;
    const good = await yiye(['license', 'verify', payload, '--db', db, '--json']);
    expect([good.code, good.json.valid, good.json.status]).toEqual([0, true, 'valid']);
    const altered = payload.slice(0, 30) + (payload[30] === 'x' ? 'y' : 'x') + payload.slice(31);
    const forged = await yiye(['license', 'verify', altered, '--db', db, '--json']);
    expect([forged.code, forged.json.valid, forged.json.status]).toEqual([3, false, 'forged']);
    expect((await yiye(['license', 'revoke', '3101152026PD-14000001', '--reason', '以欺骗手段取得许可', '--db', db])).code).toBe(0);
    const revoked = await yiye(['license', 'verify', payload, '--db', db, '--json']);
    expect([revoked.code, revoked.json.status]).toEqual([4, 'revoked']);
    const change = await yiye(['license', 'change', '3101152026PD-14000001', '--holder', '新名称', '--db', db, '--json']);
    expect(change.code).toBe(4);
    expect(change.json.error.message).toMatch(/撤销，不能再变更换证/);
    if (backend !== 'sqlite') return;
    const history = await yiye(['license', 'history', '3101152026PD-14000001', '--db', db]);
    expect(history.stdout).toMatch(/撤销（第 1 版）.*原因：以欺骗手段取得许可/);
  });
});

describe('license commands: dates, pasted payloads, offline verification (sqlite)', () => {
  let db: string;
  beforeAll(async () => {
    db = await freshDbUrl('sqlite');
    expect((await yiye(['init', '--db', db, ...INIT])).code).toBe(0);
    expect((await yiye(['catalog', 'import', ...PUDONG_BASE, '--db', db])).code).toBe(0);
    // license issue's --date takes the same forms as the lifecycle commands'
    expect((await yiye(['license', 'issue', BATCH1, '--db', db, '--date', '2026年3月15日'])).code).toBe(0);
  });

  it('date flags take the forms the files take, and refuse a non-date or a future lifecycle date', async () => {
    for (const d of ['2026/5/1', '2026年5月1日', '2026.5.1']) {
      const r = await yiye(['license', 'show', '3101152026PD-01000001', '--date', d, '--db', db, '--json']);
      expect([r.code, r.json.statusLabel, r.json.current.issueDate]).toEqual([0, '有效', '2026-03-15']);
    }
    const exp = await yiye(['license', 'export', path.join(tmpDir('cli-export-'), 'x.csv'), '--issued-from', '2026年3月15日', '--issued-to', '2026/3/15', '--db', db, '--json']);
    expect([exp.code, exp.json.licenses]).toEqual([0, 10]);
    const bad = await yiye(['license', 'show', '3101152026PD-01000001', '--date', '2026/2/30', '--db', db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--date 的值“2026\/2\/30”不是实际存在的日期：2026 年 2 月没有 30 日/);
    const renew = await yiye(['license', 'renew', '3101152026PD-01000001', '--until', '2036年3月14日', '--date', '2026/5/1', '--db', db, '--json']);
    expect([renew.code, renew.json.validUntil]).toEqual([0, '2036-03-14']);
    const before = await yiye(['license', 'revoke', '3101152026PD-01000001', '--reason', '以欺骗手段取得许可', '--date', '2026-04-01', '--db', db, '--json']);
    expect([before.code, before.json.error.code]).toEqual([4, 'CONFLICT']);
    expect(before.json.error.message).toMatch(/办理日期 2026-04-01 早于.*2026-05-01/);
    const tomorrow = new Date(Date.now() + 2 * 86400000).toISOString().slice(0, 10);
    const future = await yiye(['license', 'revoke', '3101152026PD-01000001', '--reason', '以欺骗手段取得许可', '--date', tomorrow, '--db', db, '--json']);
    expect([future.code, future.json.error.code]).toEqual([2, 'USAGE']);
  });

  it('license list finds a holder by part of the name, in text and --json; a negative --limit is a usage error', async () => {
    const shown = (await yiye(['license', 'show', '3101152026PD-02000001', '--db', db, '--json'])).json;
    const part = shown.current.holderName.slice(2, 6);
    const json = await yiye(['license', 'list', '--holder', part, '--date', '2026-03-15', '--db', db, '--json']);
    expect(json.code).toBe(0);
    expect(json.json.licenses).toEqual(expect.arrayContaining([expect.objectContaining({ number: '3101152026PD-02000001', statusLabel: '有效', industry: shown.current.industry })]));
    const text = await yiye(['license', 'list', '--uscc', shown.current.uscc.toLowerCase(), '--date', '2026-03-15', '--db', db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/符合条件的许可证 \d+ 张（状态按 2026-03-15 判断）：\n  3101152026PD-02000001  有效  /);
    const neg = await yiye(['license', 'list', '--limit', '-1', '--db', db]);
    expect([neg.code, neg.stderr]).toEqual([2, expect.stringMatching(/--limit 的值 -1 不能为负数/)]);
  });

  it('issue --dry-run says what it would issue; a future --date or --results naming the input exits 2', async () => {
    const text = await yiye(['license', 'issue', BATCH2, '--dry-run', '--date', '2026-03-16', '--db', db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/试运行：可发证 5 张（编号在正式发证时分配）\n  第 2 行  /);
    const json = await yiye(['license', 'issue', BATCH2, '--dry-run', '--date', '2026-03-16', '--db', db, '--json']);
    expect([json.code, json.json.issued, json.json.wouldIssue.length]).toEqual([0, [], 5]);
    expect(json.json.wouldIssue[0]).toEqual({ row: 2, sheet: expect.any(String), applicationNo: expect.any(String) });
    const tomorrow = new Date(Date.now() + 2 * 86400000).toISOString().slice(0, 10);
    const future = await yiye(['license', 'issue', BATCH2, '--date', tomorrow, '--db', db, '--json']);
    expect([future.code, future.json.error.code]).toEqual([2, 'USAGE']);
    expect(future.json.error.message).toMatch(/晚于今天/);
    const copy = path.join(tmpDir('cli-same-'), '申请.csv');
    fs.copyFileSync(BATCH2, copy);
    const same = await yiye(['license', 'issue', copy, '--results', copy, '--date', '2026-03-16', '--db', db, '--json']);
    expect([same.code, same.json.error.code]).toEqual([2, 'USAGE']);
    expect(fs.readFileSync(copy)).toEqual(fs.readFileSync(BATCH2));
  });

  it('verify accepts a payload with a line break or spaces around it; offline, it says the status was not checked', async () => {
    const show = await yiye(['license', 'show', '3101152026PD-02000001', '--db', db, '--json']);
    const payload: string = show.json.current.payload;
    for (const pasted of [`${payload}\n`, ` ${payload} `, `\u3000${payload}\r\n`]) {
      const r = await yiye(['license', 'verify', pasted, '--db', db, '--json']);
      expect([r.code, r.json.status, r.json.statusChecked]).toEqual([0, 'valid', true]);
    }
    const pub = path.join(tmpDir('cli-pub-'), 'pub.pem');
    expect((await yiye(['keys', 'export-public', '--out', pub, '--db', db])).code).toBe(0);
    const nowhere = path.join(tmpDir('cli-nodb-'), 'none.db');
    const json = await yiye(['license', 'verify', `${payload}\n`, '--public-key', pub, '--db', nowhere, '--json']);
    expect([json.code, json.json.valid, json.json.statusChecked, json.json.checked]).toEqual([0, true, false, ['signature', 'validity-date']]);
    const text = await yiye(['license', 'verify', payload, '--public-key', pub, '--db', nowhere]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/✓ 有效\n[\s\S]*仅核验签名与有效期，未查询许可证当前状态（撤销、注销、吊销、换发）/);
  });
});

describe('license print', () => {
  it('writes one self-contained A4 HTML page per licence, identical to the golden file', async () => {
    const db = await freshDbUrl('sqlite');
    // the fixed test key makes the signature, and so the QR code, the same on every run
    fs.copyFileSync(lic('test-signing-key.pem'), `${db}.key.pem`);
    fs.chmodSync(`${db}.key.pem`, 0o600);
    expect((await yiye(['init', '--db', db, ...INIT, '--reuse-key', '--verify-url', 'https://zwfw.pudong.example/yiye/verify?p='])).code).toBe(0);
    expect((await yiye(['catalog', 'import', ...PUDONG_BASE, '--db', db])).code).toBe(0);
    expect((await yiye(['license', 'issue', BATCH1, '--db', db, '--date', '2026-03-15'])).code).toBe(0);
    const out = tmpDir('print-');
    const r = await yiye(['license', 'print', '3101152026PD-03000001', '--out', out, '--db', db, '--date', '2026-03-15', '--json']);
    expect(r.code).toBe(0);
    const html = fs.readFileSync(r.json.files[0].file, 'utf8');
    for (const field of ['许可证编号', '经营者名称', '统一社会信用代码', '法定代表人（负责人）', '行业类别', '经营场所', '许可项目', '发证机关', '制证日期', '有效期至', '<svg']) expect(html).toContain(field);
    expect(html).toContain('公众聚集场所投入使用、营业前消防安全检查');
    expect(html).not.toMatch(/<script|<link|src="http/);
    const golden = path.join(GOLDEN, '3101152026PD-03000001.html');
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(golden, html);
    expect(html).toBe(fs.readFileSync(golden, 'utf8'));
  });
});
