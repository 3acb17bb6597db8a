/**
 * `yiye license verify-site`: the static site a licence's QR code opens (扫码查看, seed 001 十).
 *
 *   index.html, app.js, style.css   the page (templates/verify-site/), no external request
 *   keys/<key id>.pem               every public key licences were signed with (old keys too)
 *   revocations.json                the signed revocation list (`license revocations`)
 *   l/<number>.json                 per licence, signed: each item's 单项许可证号 and 有效期
 *                                   (not in the QR code, which would grow too large to print)
 *
 * The page verifies in the phone's browser: the Ed25519 signature of the payload after `#`
 * (WebCrypto where it has Ed25519, else @noble/ed25519 inlined into app.js here), the list's
 * signature, then the licence's state. Re-running refreshes the list and the records in place.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db';
import { readPublicKey, readSettings } from '../settings/service';
import { parsePublicKey, publicPem, readPublicKeyFile } from '../license/keys';
import { openSigner } from '../license/signer';
import { writeRevocations } from '../license/service';
import { CatalogIndex, loadLicenses, type LicenseRow } from '../license/store';
import { packageTemplatesDir } from '../render/engine';
import { chineseDate, escapeHtml } from '../license/print';

export interface SiteOptions {
  outDir: string;
  /** The revocation list's date and the day the records are read for (YYYY-MM-DD). */
  date: string;
  keyFile: string;
  /** Former public keys (PEM files) whose licences must keep verifying after a key change. */
  publicKeyFiles?: string[];
}

export interface SiteResult {
  outDir: string;
  keys: string[];
  revocations: { entries: number; date: string };
  licences: number;
  /** Key ids licence versions were signed with that the site has no public key for (those licences read 无法核验). */
  missingKeys: string[];
  noble: string;
}

/** The file name (under l/) of a licence's record; app.js computes the same. */
export function recordName(number: string): string {
  return number.replace(/[^A-Za-z0-9-]/g, (ch) => `_${ch.codePointAt(0)!.toString(16)}`);
}

/** Record item as the page reads it. */
export interface RecordItem {
  name: string;
  code: string | null;
  no: string | null;
  until: string | null;
}

const RECORD_CHUNK = 1000;
const NOBLE = '@noble/ed25519';
const NOBLE_MARK = '/*@@NOBLE_ED25519@@*/';

/** @noble/ed25519's single ES module as a function body returning its API, with its licence note. */
export function nobleSource(): { source: string; version: string } {
  const pkgFile = require.resolve(`${NOBLE}/package.json`);
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { version: string; license: string };
  const code = fs.readFileSync(path.join(path.dirname(pkgFile), 'index.js'), 'utf8');
  const exportAt = code.lastIndexOf('\nexport {');
  if (exportAt < 0 || /^\s*import\s/m.test(code.replace(/\/\*[\s\S]*?\*\//g, ''))) throw new Error(`${NOBLE} ${pkg.version}: unexpected module shape (expected one file ending in export {…})`);
  const source = `/*! ${NOBLE} ${pkg.version} — ${pkg.license} License, (c) Paul Miller (paulmillr.com) */\n${code.slice(0, exportAt)}\nreturn { verify, verifyAsync, hashes };`;
  return { source, version: pkg.version };
}

/** Writes (or refreshes) the verification site into `opts.outDir`. */
export async function writeVerifySite(db: Db, opts: SiteOptions): Promise<SiteResult> {
  const signer = await openSigner(db, opts.keyFile);
  try {
    const settings = await readSettings(db);
    const out = path.resolve(opts.outDir);
    const keysDir = path.join(out, 'keys');

    // Public keys by id: the workspace's, those given, and those an earlier run published (a key,
    // once published, stays: licences it signed must keep verifying). All read before anything is written.
    const keys = new Map<string, string>();
    const current = await readPublicKey(db);
    if (current) keys.set(current.keyId, publicPem(parsePublicKey(current.pem)));
    for (const f of opts.publicKeyFiles ?? []) {
      const k = readPublicKeyFile(f);
      keys.set(k.keyId, publicPem(k.key));
    }
    for (const f of fs.existsSync(keysDir) ? fs.readdirSync(keysDir) : []) {
      const m = /^([0-9a-f]{16})\.pem$/.exec(f);
      if (!m || keys.has(m[1])) continue;
      const k = readPublicKeyFile(path.join(keysDir, f), { keyId: m[1], what: '其文件名（密钥标识）所示的公钥', hint: '这是网站中已发布的公钥：请删除该文件，或用 --public-key 给出正确的公钥。' });
      keys.set(m[1], publicPem(k.key));
    }
    await fs.promises.mkdir(keysDir, { recursive: true });
    for (const [id, pem] of keys) await fs.promises.writeFile(path.join(keysDir, `${id}.pem`), pem);
    const used = (await db('license_versions').distinct('key_id').pluck('key_id')) as string[];
    const missingKeys = used.filter((id) => id && !keys.has(id)).sort();

    const list = await writeRevocations(db, path.join(out, 'revocations.json'), { date: opts.date, keyFile: opts.keyFile });

    // Item details of every licence's current version, signed (body as signed, then signature).
    const recordsDir = path.join(out, 'l');
    await fs.promises.mkdir(recordsDir, { recursive: true });
    const catalog = await CatalogIndex.load(db);
    let licences = 0;
    for (let lastId = 0; ; ) {
      const rows = (await db('licenses').where('id', '>', lastId).orderBy('id').limit(RECORD_CHUNK)) as LicenseRow[];
      if (rows.length === 0) break;
      lastId = rows[rows.length - 1].id;
      for (const l of await loadLicenses(db, rows, catalog, opts.date)) {
        const items: RecordItem[] = l.current.items.map((i) => ({ name: i.matterName, code: i.matterCode, no: i.permitNo, until: i.validUntil }));
        const body = JSON.stringify({ n: l.number, v: l.current.version, k: signer.keyId, items });
        const sig = signer.signBytes(Buffer.from(body, 'utf8'));
        await fs.promises.writeFile(path.join(recordsDir, `${recordName(l.number)}.json`), `${JSON.stringify({ body, sig })}\n`);
        licences++;
      }
    }

    const templates = path.join(packageTemplatesDir(), 'verify-site');
    const noble = nobleSource();
    const app = fs.readFileSync(path.join(templates, 'app.js'), 'utf8');
    if (!app.includes(NOBLE_MARK)) throw new Error('templates/verify-site/app.js lacks the @noble/ed25519 placeholder');
    await fs.promises.writeFile(path.join(out, 'app.js'), app.replace(NOBLE_MARK, () => noble.source));
    await fs.promises.copyFile(path.join(templates, 'style.css'), path.join(out, 'style.css'));
    const html = fs
      .readFileSync(path.join(templates, 'index.html'), 'utf8')
      .replace(/\{\{issuer\}\}/g, escapeHtml(settings.authorityName))
      .replace(/\{\{generated\}\}/g, escapeHtml(chineseDate(opts.date)));
    await fs.promises.writeFile(path.join(out, 'index.html'), html);

    return { outDir: out, keys: [...keys.keys()], revocations: { entries: list.entries, date: opts.date }, licences, missingKeys, noble: noble.version };
  } finally {
    await signer.close();
  }
}

