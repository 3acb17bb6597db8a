/**
 * Issue 18 items 6 and 9. `init` used to adopt silently a key file already at `<db>.key.pem` on a new
 * database, so two workspaces could share one signing key: now refused (exit 4) unless --reuse-key or
 * --key-file says so. The SQLite database, its WAL/SHM and `db backup` output used to be created
 * 0644 (readable by every local user): now 0600; the key is 0600 in a 0700 folder.
 */
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
