/**
 * `license verify-site`, `settings set|show` and the QR text, through the real CLI on both databases
 * (the page itself runs in Chromium in browser.test.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { backends, freshDbUrl } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { PUDONG_BASE } from '../helpers/workspace';
import { BATCH1, tmpDir } from '../license/helpers';
import { qrText } from '../../src/license/print';
import { signPayload, verifyPayloadSignature, type LicensePayload } from '../../src/license/payload';
import { recordName } from '../../src/verify-site/site';
import { setSetting } from '../../src/settings/service';
import { connect } from '../../src/db';

// every step spawns the real CLI, several seconds each on a busy machine
jest.setTimeout(300_000);

const INIT = ['--region', '310115', '--authority', '浦东新区人民政府'];
const URL_ = 'https://zwfw.example.gov.cn/yyyz/';

function get(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    }).on('error', reject);
  });
}

describe('QR text', () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const P: LicensePayload = { n: '3101152026PD-01000001', v: 1, h: '上海张江便利店有限公司', c: '91330100716105852F', i: '便利店', m: ['310115-SC-001'], d: '2026-03-15', u: '2031-03-14', a: '浦东新区人民政府', k: 'abc' };

  it('is <verify-url>#<payload> with an address, the payload alone without; the address is not signed', () => {
    const { text } = signPayload(P, privateKey);
    expect(qrText(text, '')).toBe(text);
    expect(qrText(text, URL_)).toBe(`${URL_}#${text}`);
    const ok = verifyPayloadSignature(qrText(text, URL_), publicKey);
    expect(ok.ok && ok.payload).toEqual(P);
    // a payload signed with an address inside (earlier versions) is printed and verified as signed
    const old = signPayload(P, privateKey, 'https://old.example/?p=').text;
    expect(qrText(old, URL_)).toBe(old);
    expect(verifyPayloadSignature(old, publicKey).ok).toBe(true);
  });
});

describe.each(backends())('license verify-site and settings on %s', (backend) => {
  let db: string;
  let payload: string;
  const sqliteOnly = backend === 'sqlite' ? it : ((() => undefined) as unknown as typeof it);

  beforeAll(async () => {
    db = await freshDbUrl(backend);
    expect((await yiye(['init', '--db', db, ...INIT, '--verify-url', ` ${URL_}# `])).code).toBe(0);
    expect((await yiye(['catalog', 'import', ...PUDONG_BASE, '--db', db])).code).toBe(0);
    expect((await yiye(['license', 'issue', BATCH1, '--db', db, '--date', '2026-03-15'])).code).toBe(0);
    payload = (await yiye(['license', 'show', '3101152026PD-02000001', '--db', db, '--json'])).json.current.payload;
  });

  it('settings show lists the address init stored (blanks and a trailing # dropped); set changes it, refuses a bad one, clears it', async () => {
    const shown = await yiye(['settings', 'show', '--db', db, '--json']);
    expect(shown.code).toBe(0);
    expect(shown.json.settings).toContainEqual({ name: 'verify-url', label: '核验网址', value: URL_, settable: true });
    expect(shown.json.settings.map((s: { name: string }) => s.name)).toEqual(['region', 'authority', 'number-pattern', 'verify-url', 'validity-years', 'time-zone']);
    expect(shown.json.keyId).toMatch(/^[0-9a-f]{16}$/);
    const bad = await yiye(['settings', 'set', 'verify-url', 'https://x.example/a#b', '--db', db, '--json']);
    expect([bad.code, bad.json.error.message]).toEqual([3, expect.stringContaining('核验网址')]);
    expect((await yiye(['settings', 'set', 'region', '310101', '--db', db])).code).toBe(2);
    const set = await yiye(['settings', 'set', 'verify-url', 'https://v.example.gov.cn/yz/', '--db', db, '--json']);
    expect([set.code, set.json]).toEqual([0, { name: 'verify-url', from: URL_, to: 'https://v.example.gov.cn/yz/', changed: true }]);
    const k = connect(db);
    try {
      for (const typed of ['ftp://x.example/', 'https://x.example/a#b', 'zwfw.example.gov.cn/yyyz/', 'https://x.example/a b', 'https://']) {
        await expect(setSetting(k, 'verify-url', typed)).rejects.toThrow(/核验网址/);
      }
      await expect(setSetting(k, 'region', '310101')).rejects.toThrow(/不能用 settings set 修改/);
      expect(await setSetting(k, 'verify-url', '')).toMatchObject({ to: '', changed: true });
      expect(await setSetting(k, 'verify-url', `　${URL_}#`)).toMatchObject({ to: URL_, changed: true });
      expect(await setSetting(k, 'verify-url', URL_)).toMatchObject({ changed: false });
    } finally {
      await k.destroy();
    }
    // re-running init with the same settings still changes nothing
    expect((await yiye(['init', '--db', db, ...INIT, '--verify-url', URL_, '--json'])).json).toMatchObject({ created: false, updated: false });
  });

  it('license verify reads a scanned address: the payload after # is checked against the register', async () => {
    const r = await yiye(['license', 'verify', `${URL_}#${payload}`, '--db', db, '--json', '--date', '2026-03-20']);
    expect([r.code, r.json.status, r.json.number]).toEqual([0, 'valid', '3101152026PD-02000001']);
    const other = await yiye(['license', 'verify', `https://evil.example/#${payload.slice(0, -2)}AA`, '--db', db, '--json']);
    expect([other.code, other.json.status]).toEqual([3, 'forged']);
  });

  it('writes index.html, one script, one stylesheet, the public key by id, the signed list and signed item records', async () => {
    const out = tmpDir('site-');
    const r = await yiye(['license', 'verify-site', '--out', out, '--db', db, '--date', '2026-03-16', '--json']);
    expect(r.code).toBe(0);
    const keyId = (await yiye(['settings', 'show', '--db', db, '--json'])).json.keyId;
    expect(r.json).toMatchObject({ keys: [keyId], licences: 10, missingKeys: [], noble: '3.2.0', revocations: { entries: 0, date: '2026-03-16' } });
    expect(fs.readdirSync(out).sort()).toEqual(['app.js', 'index.html', 'keys', 'l', 'revocations.json', 'style.css']);
    const pem = fs.readFileSync(path.join(out, 'keys', `${keyId}.pem`), 'utf8');
    expect(pem).toBe((await yiye(['keys', 'export-public', '--db', db])).stdout);

    // no external request: the page names only its own files
    const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    expect([...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])).toEqual(['style.css', 'app.js']);
    expect(html).toContain("connect-src 'self'");
    expect(html).toContain('浦东新区人民政府');
    const css = fs.readFileSync(path.join(out, 'style.css'), 'utf8');
    expect(css).not.toMatch(/url\(|@import/);
    const app = fs.readFileSync(path.join(out, 'app.js'), 'utf8');
    expect(app).toContain('@noble/ed25519 3.2.0 — MIT License');
    expect(app).not.toMatch(/@@NOBLE|^export \{/m);
    expect(app).not.toMatch(/fetch\(['"`]https?:|import\(/);

    // the same signed list the offline verifier reads: license verify --public-key … --revocations …
    const offline = await yiye(['license', 'verify', payload, '--public-key', path.join(out, 'keys', `${keyId}.pem`), '--revocations', path.join(out, 'revocations.json'), '--db', path.join(out, 'no-workspace.db'), '--date', '2026-03-20', '--json']);
    expect([offline.code, offline.json.status, offline.json.revocationListDate]).toEqual([0, 'valid', '2026-03-16']);

    // each licence's item record is signed with the workspace key and names its version
    const rec = JSON.parse(fs.readFileSync(path.join(out, 'l', `${recordName('3101152026PD-02000001')}.json`), 'utf8'));
    expect(crypto.verify(null, Buffer.from(rec.body, 'utf8'), crypto.createPublicKey(pem), Buffer.from(rec.sig, 'base64url'))).toBe(true);
    expect(JSON.parse(rec.body)).toEqual({
      n: '3101152026PD-02000001',
      v: 1,
      k: keyId,
      items: [
        { name: '食品经营许可', code: '310115-SC-001', no: 'JY1310115000728', until: '2031-09-28' },
        { name: '酒类商品零售许可', code: '310115-SW-001', no: 'SW3101150000729', until: '2029-10-28' },
        { name: '药品经营许可（零售）', code: '310115-SC-002', no: 'HY3101150000730', until: '2030-11-28' },
      ],
    });

    // running it again refreshes the list in place
    expect((await yiye(['license', 'revoke', '3101152026PD-01000001', '--reason', '以欺骗手段取得许可', '--date', '2026-04-01', '--db', db])).code).toBe(0);
    const again = await yiye(['license', 'verify-site', '--out', out, '--db', db, '--date', '2026-04-02', '--json']);
    expect(again.json.revocations).toEqual({ entries: 1, date: '2026-04-02' });
    expect(JSON.parse(fs.readFileSync(path.join(out, 'revocations.json'), 'utf8')).entries).toEqual([{ n: '3101152026PD-01000001', v: 0, s: 'revoked', d: '2026-04-01', r: '以欺骗手段取得许可' }]);
  });

  it('refuses a public key file that is not one, and a key file in the site whose name is not its id', async () => {
    const out = tmpDir('site-bad-');
    const notKey = path.join(out, 'x.pem');
    fs.writeFileSync(notKey, 'not a key');
    const r = await yiye(['license', 'verify-site', '--out', out, '--public-key', notKey, '--db', db, '--json']);
    expect([r.code, r.json.error.message]).toEqual([3, expect.stringContaining('不是有效的公钥文件')]);
    fs.mkdirSync(path.join(out, 'keys'));
    const { publicKey } = crypto.generateKeyPairSync('ed25519');
    fs.writeFileSync(path.join(out, 'keys', '0123456789abcdef.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    const named = await yiye(['license', 'verify-site', '--out', out, '--db', db, '--json']);
    expect([named.code, named.json.error.message, named.json.error.reason]).toEqual([3, expect.stringContaining('不是其文件名（密钥标识）所示的公钥'), 'KEY_MISMATCH']);
  });

  sqliteOnly('--serve previews the site on 127.0.0.1 only, nothing outside it, until stopped', async () => {
    const out = tmpDir('site-serve-');
    const child = spawn(process.execPath, [path.resolve(__dirname, '../../bin/run.js'), 'license', 'verify-site', '--out', out, '--serve', '--port', '0', '--db', db], {
      env: { ...process.env, CI: 'true', YIYE_DB: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        const m = /预览地址：(http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
        if (m) resolve(m[1]);
      });
      child.on('close', (code) => reject(new Error(`exited ${code}: ${stdout}`)));
    });
    try {
      const index = await get(url);
      expect([index.status, index.type]).toEqual([200, 'text/html; charset=utf-8']);
      expect(index.body).toContain('行业综合许可证核验');
      expect((await get(`${url}app.js`)).type).toBe('text/javascript; charset=utf-8');
      expect((await get(`${url}revocations.json`)).status).toBe(200);
      expect((await get(`${url}..%2f..%2fetc%2fpasswd`)).status).toBe(404);
      expect((await get(`${url}nothing.html`)).status).toBe(404);
    } finally {
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
