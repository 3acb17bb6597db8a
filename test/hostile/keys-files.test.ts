/**
 * Issue 18 items 6 and 9. `init` used to adopt silently a key file already at `<db>.key.pem` on a new
 * database, so two workspaces could share one signing key: now refused (exit 4) unless --reuse-key or
 * --key-file says so. The SQLite database, its WAL/SHM and `db backup` output used to be created
 * 0644 (readable by every local user): now 0600; the key is 0600 in a 0700 folder.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { yiye } from '../helpers/cli';
import { scratch } from './helpers';

jest.setTimeout(180_000);

const INIT = ['--region', '310115', '--authority', '浦东新区人民政府', '--json'];
const mode = (f: string) => fs.statSync(f).mode & 0o777;

describe('workspace key and file modes (sqlite)', () => {
  it('init does not silently adopt an existing key file', async () => {
    const dir = scratch('keys-');
    const a = path.join(dir, 'a.db');
    const b = path.join(dir, 'b.db');
    const first = await yiye(['init', '--db', a, ...INIT]);
    expect(first.code).toBe(0);
    fs.copyFileSync(`${a}.key.pem`, `${b}.key.pem`);
    fs.chmodSync(`${b}.key.pem`, 0o600);
    let run = await yiye(['init', '--db', b, ...INIT]);
    expect(run.code).toBe(4);
    expect(run.json.error.message).toMatch(/已存在，而本工作区还没有签名密钥：沿用它会让两个工作区共用同一把签名密钥/);
    expect(run.json.error.hint).toMatch(/--reuse-key/);
    run = await yiye(['init', '--db', b, ...INIT, '--reuse-key']);
    expect(run.code).toBe(0);
    expect(run.json.keys).toMatchObject({ keyId: first.json.keys.keyId, created: false });
  });

  (process.platform === 'win32' ? it.skip : it)('database, WAL/SHM and backups are 0600; the key 0600 in a 0700 folder', async () => {
    const dir = scratch('modes-');
    const db = path.join(dir, 'ws', 'yiye.db');
    const keyDir = path.join(dir, 'secret');
    fs.mkdirSync(path.dirname(db));
    const old = process.umask(0o022);
    try {
      expect((await yiye(['init', '--db', db, ...INIT, '--key-file', path.join(keyDir, 'k.pem')])).code).toBe(0);
      expect(mode(db)).toBe(0o600);
      expect(mode(path.join(keyDir, 'k.pem'))).toBe(0o600);
      expect(mode(keyDir)).toBe(0o700);
      for (const side of ['-wal', '-shm']) if (fs.existsSync(db + side)) expect(mode(db + side)).toBe(0o600);
      const backup = path.join(dir, 'backups', 'b.db');
      expect((await yiye(['db', 'backup', backup, '--db', db, '--json'])).code).toBe(0);
      expect(mode(backup)).toBe(0o600);
      const restored = path.join(dir, 'restored.db');
      expect((await yiye(['db', 'restore', backup, '--db', restored, '--json'])).code).toBe(0);
      expect(mode(restored)).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });
});

/**
 * Every command that reads a key file reads it through the one reader for its half
 * (src/license/keys.ts readPublicKeyFile / readPrivateKeyFile), so each problem gets one message:
 * a public key file given with --public-key is refused with exit 3, the workspace's private key
 * with exit 4, each naming the file and the fix, never Node's own words.
 */
describe('key files: one reader, one set of messages (sqlite)', () => {
  const dir = scratch('keyfiles-');
  const db = path.join(dir, 'yiye.db');
  const bad: Record<string, string> = {};
  let keyId = '';

  beforeAll(async () => {
    const init = await yiye(['init', '--db', db, ...INIT]);
    expect(init.code).toBe(0);
    keyId = init.json.keys.keyId;
    const write = (name: string, text: string | Buffer, mode = 0o600) => {
      bad[name] = path.join(dir, name);
      fs.writeFileSync(bad[name], text, { mode });
      fs.chmodSync(bad[name], mode);
    };
    bad.missing = path.join(dir, '不存在.pem');
    bad.folder = path.join(dir, '文件夹.pem');
    fs.mkdirSync(bad.folder);
    write('notKey', '这不是密钥\n');
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
    write('rsaPublic', rsa.publicKey.export({ type: 'spki', format: 'pem' }));
    write('rsaPrivate', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const other = crypto.generateKeyPairSync('ed25519');
    write('otherPrivate', other.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    write('wideOpen', other.privateKey.export({ type: 'pkcs8', format: 'pem' }), 0o644);
  });

  const PUBLIC_CASES: Array<[string, string, RegExp]> = [
    ['missing', 'KEY_MISSING', /^找不到公钥文件“.+不存在\.pem”。$/],
    ['folder', 'KEY_UNREADABLE', /^无法读取公钥文件“.+文件夹\.pem”：这是一个文件夹，不是文件。$/],
    ['notKey', 'NOT_A_KEY', /^“.+notKey”不是有效的公钥文件。$/],
    ['rsaPublic', 'NOT_ED25519', /^公钥文件“.+rsaPublic”不是 Ed25519 密钥。$/],
    ['otherPrivate', 'NOT_A_KEY', /^“.+otherPrivate”是私钥文件，不是公钥文件。$/],
  ];
  const PUBLIC_COMMANDS = [
    ['license', 'verify', '3101152026PD-01000001'],
    ['audit', 'verify'],
    ['license', 'verify-site', '--out', path.join(dir, 'site')],
  ];

  it.each(PUBLIC_CASES)('--public-key %s: every command that reads it says the same (exit 3)', async (name, reason, message) => {
    const runs = await Promise.all(PUBLIC_COMMANDS.map((cmd) => yiye([...cmd, '--public-key', bad[name], '--db', db, '--json'])));
    for (const r of runs) {
      expect(r.code).toBe(3);
      expect(r.json.error).toMatchObject({ reason, message: expect.stringMatching(message), hint: expect.any(String) });
      expect(r.stderr).toBe('');
    }
    expect(new Set(runs.map((r) => r.json.error.message)).size).toBe(1);
  });

  const PRIVATE_CASES: Array<[string, string, RegExp]> = [
    ['folder', 'KEY_UNREADABLE', /^无法读取签名私钥文件“.+文件夹\.pem”：这是一个文件夹，不是文件。$/],
    ['notKey', 'NOT_A_KEY', /^“.+notKey”不是有效的签名私钥文件。$/],
    ['rsaPrivate', 'NOT_ED25519', /^签名私钥文件“.+rsaPrivate”不是 Ed25519 密钥。$/],
    ['otherPrivate', 'KEY_MISMATCH', /^签名私钥文件“.+otherPrivate”不是本工作区的签名私钥：其密钥编号为 [0-9a-f]{16}，应为 KEYID。$/],
    ['wideOpen', 'KEY_PERMISSIONS', /^签名私钥文件“.+wideOpen”的权限过宽（其他用户可读）。$/],
  ];

  (process.platform === 'win32' ? it.skip : it).each(PRIVATE_CASES)('--key-file %s: signing and init say the same (exit 4)', async (name, reason, message) => {
    const expected = new RegExp(message.source.replace('KEYID', keyId));
    const runs = await Promise.all([
      yiye(['audit', 'sign', '--key-file', bad[name], '--db', db, '--json']),
      yiye(['license', 'verify-site', '--out', path.join(dir, 'site-private'), '--key-file', bad[name], '--db', db, '--json']),
      yiye(['init', '--db', db, ...INIT, '--key-file', bad[name]]),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(4);
      expect(r.json.error).toMatchObject({ reason, message: expect.stringMatching(expected), hint: expect.any(String) });
    }
  });
});
