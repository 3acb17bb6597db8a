/**
 * The verification site in a real headless Chromium (test/site/chromium.ts: no download at run time).
 * One browser and one workspace (SQLite) for the whole file; the site's generation and the commands
 * around it run on both databases in site.test.ts.
 *
 * The page's clock is pinned (Date.now) so that no result depends on the day the tests run.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import jsQR from 'jsqr';
import QRCode from 'qrcode';
import { freshDbUrl } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { PUDONG_BASE } from '../helpers/workspace';
import { BATCH1, tmpDir } from '../license/helpers';
import { serveSite, type SiteServer } from '../../src/verify-site/serve';
import { connect } from '../../src/db';
import { launchBrowser } from './chromium';

// pngjs ships no types; the one call used here
const { PNG } = require('pngjs') as { PNG: { sync: { read(b: Buffer): { width: number; height: number; data: Buffer } } } };

jest.setTimeout(300_000);

const INIT = ['--region', '310115', '--authority', '浦东新区人民政府'];
const OUT = path.resolve(__dirname, '../../out');
/** 2026-03-20 12:00 in China. */
const DAY = Date.UTC(2026, 2, 20, 4, 0, 0);

interface PageResult {
  status: string;
  label: string;
  ms: number;
  engine: string;
  text: string;
}

describe('verification site in Chromium', () => {
  let browser: Browser;
  let db: string;
  let site: string;
  let server: SiteServer;
  const requests: string[] = [];
  const timings: number[] = [];

  const run = async (...args: string[]) => {
    const r = await yiye([...args, '--db', db]);
    if (r.code !== 0) throw new Error(`yiye ${args.join(' ')} → ${r.code}\n${r.stderr}`);
    return r;
  };
  /** The signed payload of a licence's current version, read from the register. */
  const payloadOf = async (number: string): Promise<string> => {
    const k = connect(db);
    try {
      return (await k('license_versions as v').join('licenses as l', 'l.id', 'v.license_id').where('l.number', number).whereNull('v.superseded_at').first('v.payload')).payload;
    } finally {
      await k.destroy();
    }
  };

  /** Opens the site with `fragment` on a phone-sized page whose clock reads `now`. */
  async function open(fragment: string, opts: { now?: number; query?: string; base?: string; keep?: boolean } = {}): Promise<PageResult & { page: Page }> {
    const page = await browser.newPage();
    await page.setViewport({ width: 360, height: 780, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const now = opts.now ?? DAY;
    await page.evaluateOnNewDocument((t: number) => {
      Date.now = () => t;
    }, now);
    page.on('request', (req) => requests.push(req.url()));
    page.on('pageerror', (e) => requests.push(`pageerror: ${(e as Error).message}`));
    await page.goto(`${opts.base ?? server.url}${opts.query ?? ''}#${fragment}`);
    await page.waitForFunction('window.__yiye', { timeout: 30_000 });
    const r = (await page.evaluate('({ ...window.__yiye, text: document.body.innerText })')) as PageResult;
    timings.push(r.ms);
    if (!opts.keep) await page.close();
    return { ...r, page };
  }

  beforeAll(async () => {
    db = await freshDbUrl('sqlite');
    await run('init', ...INIT, '--verify-url', 'https://zwfw.example.gov.cn/yyyz/');
    await run('catalog', 'import', ...PUDONG_BASE);
    await run('license', 'issue', BATCH1, '--date', '2026-03-15');
    site = tmpDir('site-');
    await run('license', 'verify-site', '--out', site, '--date', '2026-03-16');
    server = await serveSite(site, 0);
    ({ browser } = await launchBrowser());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (timings.length) {
      const sorted = [...timings].sort((a, b) => a - b);
      fs.mkdirSync(OUT, { recursive: true });
      const m = { pages: sorted.length, medianMs: sorted[Math.floor(sorted.length / 2)], maxMs: sorted[sorted.length - 1] };
      fs.writeFileSync(path.join(OUT, 'site-verify-timing.json'), `${JSON.stringify(m, null, 1)}\n`);
      console.log(`verification page: ${JSON.stringify(m)}`);
    }
  });

  it('a genuine licence reads 有效 with every field, each item with its own number and validity', async () => {
    const r = await open(await payloadOf('3101152026PD-02000001'));
    expect([r.status, r.label]).toEqual(['valid', '有效']);
    for (const s of ['上海前滩曹路超市有限公司', '91310115X27LJ56C3C', '超市', '3101152026PD-02000001（第 1 版）', '2029年10月28日', '浦东新区人民政府', '2026年3月15日', '许可项目（3 项）']) expect(r.text).toContain(s);
    for (const s of ['食品经营许可', 'JY1310115000728', '2031年9月28日', '酒类商品零售许可', 'SW3101150000729', '药品经营许可（零售）', 'HY3101150000730', '2030年11月28日']) expect(r.text).toContain(s);
    expect(r.engine).toBe('WebCrypto');
    // everything the page loaded came from the site itself
    expect(requests.filter((u) => !u.startsWith(server.url))).toEqual([]);
  });

  it('a phone-sized screenshot (360 px) is written to out/site-screenshot.png', async () => {
    const r = await open(await payloadOf('3101152026PD-02000001'), { keep: true });
    fs.mkdirSync(OUT, { recursive: true });
    await r.page.screenshot({ path: path.join(OUT, 'site-screenshot.png'), fullPage: true });
    // nothing wider than the phone: no sideways scrolling
    expect(await r.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    const labelSize = (await r.page.evaluate("parseFloat(getComputedStyle(document.querySelector('#status .label')).fontSize)")) as number;
    expect(labelSize).toBeGreaterThanOrEqual(32);
    await r.page.close();
  });

  it('one changed character, a foreign key, a bare page: 无法核验 or the scanning hint, never a field', async () => {
    const good = await payloadOf('3101152026PD-02000001');
    const at = Math.floor(good.length / 2);
    const changed = good.slice(0, at) + (good[at] === 'A' ? 'B' : 'A') + good.slice(at + 1);
    const r = await open(changed);
    expect([r.status, r.label]).toEqual(['forged', '无法核验']);
    expect(r.text).toContain('内容被改动或不是本机关签发');
    expect(r.text).not.toContain('上海前滩曹路超市有限公司');
    // signed by another office's key (a key id this site does not publish)
    const other = crypto.generateKeyPairSync('ed25519');
    const body = JSON.parse(Buffer.from(good.split('.')[1], 'base64url').toString('utf8'));
    const msg = `YY1.${Buffer.from(JSON.stringify({ ...body, k: '0123456789abcdef' })).toString('base64url')}`;
    const foreign = await open(`${msg}.${crypto.sign(null, Buffer.from(msg), other.privateKey).toString('base64url')}`);
    expect([foreign.status, foreign.label]).toEqual(['forged', '无法核验']);
    expect(foreign.text).toContain('0123456789abcdef');
    const bare = await open('');
    expect(bare.status).toBe('none');
    expect(bare.text).toContain('请扫描许可证上的二维码');
  });

  it('without WebCrypto Ed25519 the inlined @noble/ed25519 decides the same (async, and sync with the built-in SHA-512)', async () => {
    const good = await payloadOf('3101152026PD-02000001');
    const changed = good.slice(0, -3) + (good.at(-3) === 'A' ? 'B' : 'A') + good.slice(-2);
    for (const engine of ['noble', 'noble-sync']) {
      const ok = await open(good, { query: `?engine=${engine}` });
      expect([ok.status, ok.engine]).toEqual(['valid', engine === 'noble' ? '@noble/ed25519' : '@noble/ed25519（内置 SHA-512）']);
      expect((await open(changed, { query: `?engine=${engine}` })).status).toBe('forged');
    }
  });

  it('past its validity → 已过期; an item past its own date is marked', async () => {
    const p = await payloadOf('3101152026PD-02000001');
    const r = await open(p, { now: Date.UTC(2029, 10, 1, 4) });
    expect([r.status, r.label]).toEqual(['expired', '已过期']);
    expect(r.text).toContain('2029年10月28日');
    expect(r.text).toContain('已超过 7 天未更新'); // the list is of 2026-03-16
    const item = await open(p, { now: Date.UTC(2029, 9, 1, 4) }); // the 酒类 permit ends 2029-10-28, 食品 2031
    expect(item.status).toBe('valid');
    expect(item.text).not.toContain('（已过期）');
  });

  it('revoked, then the site regenerated → 已撤销 with date and reason', async () => {
    const p = await payloadOf('3101152026PD-01000001');
    await run('license', 'revoke', '3101152026PD-01000001', '--reason', '以欺骗手段取得许可', '--date', '2026-04-01');
    expect((await open(p)).status).toBe('valid'); // the published list does not know yet
    await run('license', 'verify-site', '--out', site, '--date', '2026-04-02');
    const r = await open(p);
    expect([r.status, r.label]).toEqual(['revoked', '已撤销']);
    expect(r.text).toContain('2026年4月1日');
    expect(r.text).toContain('以欺骗手段取得许可');
  });

  it('changed (new version) → the old QR reads 已换发新版（第 2 版起失效）, the new one 有效', async () => {
    const old = await payloadOf('3101152026PD-01000002');
    await run('license', 'change', '3101152026PD-01000002', '--premises', '上海市浦东新区航头镇航都路 18 号', '--date', '2026-04-03');
    const now = await payloadOf('3101152026PD-01000002');
    await run('license', 'verify-site', '--out', site, '--date', '2026-04-03');
    const r = await open(old);
    expect([r.status, r.label]).toEqual(['superseded', '已换发新版']);
    expect(r.text).toContain('第 2 版起失效');
    expect((await open(now)).status).toBe('valid');
  });

  it('a revocation list altered on the server → 无法核验, the licence fields still shown as signed', async () => {
    const copy = tmpDir('site-altered-');
    fs.cpSync(site, copy, { recursive: true });
    const listFile = path.join(copy, 'revocations.json');
    const list = JSON.parse(fs.readFileSync(listFile, 'utf8'));
    list.entries = list.entries.filter((e: { n: string }) => e.n !== '3101152026PD-01000001');
    fs.writeFileSync(listFile, JSON.stringify(list));
    const altered = await serveSite(copy, 0);
    try {
      const r = await open(await payloadOf('3101152026PD-01000001'), { base: altered.url });
      expect([r.status, r.label]).toEqual(['unchecked', '无法核验']);
      expect(r.text).toContain('撤销清单签名无效');
    } finally {
      await altered.close();
    }
  });

  it('the whole chain: print → screenshot → decode the QR (25 mm) → open the address → 有效', async () => {
    await run('settings', 'set', 'verify-url', server.url);
    const printed = tmpDir('print-');
    const out = await run('license', 'print', '3101152026PD-03000001', '--out', printed, '--date', '2026-03-20', '--json');
    const file = out.json.files[0].file as string;
    const page = await browser.newPage();
    // ≈ 288 dpi: a 25 mm code seen about as sharply as a phone camera sees print
    await page.setViewport({ width: 900, height: 1200, deviceScaleFactor: 3 });
    await page.goto(`file://${file}`);
    await page.addStyleTag({ content: '.qr svg { width: 25mm !important; height: 25mm !important; }' });
    const svg = await page.$('.qr svg');
    const png = PNG.sync.read(Buffer.from(await svg!.screenshot({ type: 'png' })));
    await page.close();
    const code = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
    expect(code).not.toBeNull();
    const address = code!.data;
    expect(address.startsWith(`${server.url}#YY1.`)).toBe(true);
    expect(address.slice(server.url.length + 1)).toBe(await payloadOf('3101152026PD-03000001'));

    // the QR version and error-correction level, and the module size when printed 25 mm wide
    const qr = QRCode.create(address, { errorCorrectionLevel: 'M' });
    const published = QRCode.create(`https://zwfw.example.gov.cn/yyyz/#${address.slice(server.url.length + 1)}`, { errorCorrectionLevel: 'M' });
    const modules = (q: typeof qr) => q.modules.size;
    const m = { version: published.version, modules: modules(published), level: 'M', moduleMmAt25: +(25 / (modules(published) + 2)).toFixed(3), testVersion: qr.version, chars: address.length };
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(path.join(OUT, 'site-qr.json'), `${JSON.stringify(m, null, 1)}\n`);
    console.log(`QR: ${JSON.stringify(m)}`);
    expect(m.moduleMmAt25).toBeGreaterThanOrEqual(0.25);

    const r = await open(address.slice(server.url.length + 1), { base: address.slice(0, server.url.length) });
    expect([r.status, r.label]).toEqual(['valid', '有效']);
    expect(r.text).toContain('上海外高桥金桥餐饮有限公司');
    expect(r.text).toContain('公众聚集场所投入使用、营业前消防安全检查');
  });

  it('key rotated: licences signed with the old key still verify, the list is signed with the new one', async () => {
    const old = await payloadOf('3101152026PD-02000001');
    const oldPub = path.join(tmpDir('oldkey-'), 'old.pem');
    await run('keys', 'export-public', '--out', oldPub);
    // A key change as an office would make one (yiye has no rotate command): a new key pair, its
    // public half registered in the workspace's settings.
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    const newKeyFile = path.join(tmpDir('newkey-'), 'new.key.pem');
    fs.writeFileSync(newKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const newId = crypto.createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
    const k = connect(db);
    await k('settings').where({ key: 'license_public_key' }).update({ value: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    await k('settings').where({ key: 'license_key_id' }).update({ value: newId });
    await k.destroy();

    // a fresh folder without the old key: the command names the key it lacks, the old licence fails
    const fresh = tmpDir('site-fresh-');
    const warned = await yiye(['license', 'verify-site', '--out', fresh, '--date', '2026-04-05', '--db', db, '--key-file', newKeyFile, '--json']);
    expect(warned.code).toBe(0);
    expect(warned.json.missingKeys).toHaveLength(1);
    const freshServer = await serveSite(fresh, 0);
    try {
      expect((await open(old, { base: freshServer.url })).status).toBe('forged');
    } finally {
      await freshServer.close();
    }
    // the published folder keeps the old key; --public-key adds it to a new one
    await run('license', 'verify-site', '--out', site, '--date', '2026-04-05', '--key-file', newKeyFile);
    await run('license', 'verify-site', '--out', fresh, '--date', '2026-04-05', '--key-file', newKeyFile, '--public-key', oldPub);
    expect(JSON.parse(fs.readFileSync(path.join(site, 'revocations.json'), 'utf8')).keyId).toBe(newId);
    for (const base of [server.url]) {
      const r = await open(old, { base });
      expect([r.status, r.label]).toEqual(['valid', '有效']);
    }
    const again = await serveSite(fresh, 0);
    try {
      expect((await open(old, { base: again.url })).status).toBe('valid');
      expect((await open(await payloadOf('3101152026PD-01000001'), { base: again.url })).status).toBe('revoked');
    } finally {
      await again.close();
    }
  });
});
