/**
 * The workspace's Ed25519 signing key. The private key lives in a file only the office's account can
 * read (0600), never in the database, so that whoever can read or copy the database still cannot
 * forge a licence; the public key is a workspace setting, so any copy of the database (and any
 * inspector given `yiye keys export-public`) can verify.
 *
 * Keys are parsed once into KeyObjects: passing PEM text to every sign call re-parses it each time
 * (DOMAIN.md: ~2.6k signs/s against ~38k/s).
 */
import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConflictError } from '../cli/errors';
import { isPostgresUrl } from '../db';

export const KEY_FILE_ENV = 'YIYE_KEY_FILE';

/**
 * Where the workspace's private key is, unless --key-file or YIYE_KEY_FILE says otherwise: beside a
 * SQLite file (`yiye.db` → `yiye.db.key.pem`); for PostgreSQL, in the user's configuration folder,
 * one file per server and database (a database has no "beside").
 */
export function defaultKeyFile(target: string): string {
  if (!isPostgresUrl(target)) return `${path.resolve(target)}.key.pem`;
  const url = new URL(target);
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  const name = `${url.hostname || 'localhost'}_${url.port || '5432'}_${decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres'}`.replace(/[^\w.-]/g, '_');
  return path.join(base, 'yiye', 'keys', `${name}.key.pem`);
}

export function resolveKeyFile(target: string, explicit?: string): string {
  return path.resolve(explicit || process.env[KEY_FILE_ENV] || defaultKeyFile(target));
}

/** A short, stable name for a public key: the first 16 hex digits of the SHA-256 of its DER form. */
export function keyIdOf(publicKey: KeyObject): string {
  return crypto.createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

export function publicPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

export interface LoadedPrivateKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
}

/** Reads and parses a private key file; refuses one that others can read, as ssh does. */
export function loadPrivateKey(file: string): LoadedPrivateKey {
  if (!fs.existsSync(file)) {
    throw new ConflictError(
      `找不到工作区签名私钥文件“${file}”。`,
      `发证与换证须用工作区私钥签名：请把 yiye init 生成的私钥文件放到该位置，或用 --key-file / 环境变量 ${KEY_FILE_ENV} 指明其路径。`,
    );
  }
  if (process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0) {
    throw new ConflictError(`签名私钥文件“${file}”的权限过宽（其他用户可读）。`, `请执行 chmod 600 "${file}" 后重试。`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = crypto.createPrivateKey(fs.readFileSync(file));
  } catch {
    throw new ConflictError(`文件“${file}”不是有效的私钥。`, '请确认该文件是 yiye init 生成的 Ed25519 私钥（PEM 格式）。');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new ConflictError(`私钥“${file}”不是 Ed25519 密钥。`, '请使用 yiye init 生成的私钥。');
  const publicKey = crypto.createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/**
 * Writes a new key pair's private half to `file` (0600, never overwriting an existing file) and
 * returns both halves.
 */
export function createPrivateKeyFile(file: string): LoadedPrivateKey {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  // 'wx': fail rather than replace a key that may already have signed licences.
  fs.writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  fs.chmodSync(file, 0o600); // the umask may have narrowed, never widened, but be exact
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

export function parsePublicKey(pem: string): KeyObject {
  return crypto.createPublicKey(pem);
}
