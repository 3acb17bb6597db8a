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
import { ConflictError, InputError, type YiyeError } from '../cli/errors';
import { isPostgresUrl } from '../db';
import { splitPgUrl } from '../db/url';

export const KEY_FILE_ENV = 'YIYE_KEY_FILE';

/** The user's folder of PostgreSQL workspaces' private keys: ~/.config/yiye/keys (XDG_CONFIG_HOME). */
export function keysDir(): string {
  return path.resolve(process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'yiye', 'keys');
}

/**
 * A PostgreSQL workspace's key file named by its key id (`<keyid>.key.pem` in keysDir()): the same
 * name on every machine, whatever spelling of the server's address (127.0.0.1, localhost, a host
 * name, PGHOST) each office uses, so a key copied from the init machine is found as it is.
 */
export function keyFileForId(keyId: string): string {
  return path.join(keysDir(), `${keyId}.key.pem`);
}

/**
 * Where the workspace's private key is, unless --key-file or YIYE_KEY_FILE says otherwise: beside a
 * SQLite file (`yiye.db` → `yiye.db.key.pem`); for PostgreSQL, in keysDir(). This returns the older
 * PostgreSQL name (server, port and database as typed), still found; a key in keysDir() is looked up
 * by the workspace's key id first (findKeyFile), and init writes new keys under that name.
 */
export function defaultKeyFile(target: string): string {
  if (!isPostgresUrl(target)) return `${path.resolve(target)}.key.pem`;
  const a = splitPgUrl(target);
  const name = `${a?.host.toLowerCase() || 'localhost'}_${a?.port || '5432'}_${a?.database || 'postgres'}`.replace(/[^\w.-]/g, '_');
  return path.join(keysDir(), `${name}.key.pem`);
}

/**
 * The files tried, in order, for the key `keyId` when `file` was asked for: a file inside keysDir()
 * (the PostgreSQL default, or a path in that folder given explicitly) also stands for the key's
 * id-based name there, tried first; any other path is taken as it is.
 */
export function keyCandidates(file: string, keyId?: string | null): string[] {
  const f = path.resolve(file);
  if (!keyId || path.dirname(f) !== keysDir()) return [f];
  return [...new Set([keyFileForId(keyId), f])];
}

/** The first of keyCandidates that exists (or null), and every path searched. */
export function findKeyFile(file: string, keyId?: string | null): { found: string | null; searched: string[] } {
  const searched = keyCandidates(file, keyId);
  return { found: searched.find((f) => fs.existsSync(f)) ?? null, searched };
}

/**
 * The workspace's private key (id `keyId`), looked for as findKeyFile does; the error names the id and
 * the paths searched. Another workspace's key is refused (it would sign licences nobody can verify).
 */
export function loadWorkspaceKey(file: string, keyId: string): LoadedPrivateKey & { file: string } {
  const { found, searched } = findKeyFile(file, keyId);
  if (!found) {
    throw new ConflictError(
      `找不到本工作区的签名私钥（密钥编号 ${keyId}）；已查找：${searched.map((f) => `“${f}”`).join('、')}。`,
      `发证与换证须用工作区私钥签名：请把 yiye init 时生成的私钥文件复制为“${searched[0]}”（权限 600），或用 --key-file / 环境变量 ${KEY_FILE_ENV} 指明其路径。yiye db status 可查看本机是否已有该私钥。`,
      { reason: 'KEY_MISSING', keyId, searched },
    );
  }
  return { ...readPrivateKeyFile(found, workspaceKey(keyId)), file: found };
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

// ---------------------------------------------------------------------------------------------
// Reading key files: one reader for each half, one set of messages. A private key is the
// workspace's own (exit 4, ConflictError: signing cannot go on); a public key file is input the
// user gave (exit 3, InputError). `details.reason` tells the cases apart under --json.

type KeyFileKind = 'public' | 'private';

const KEY_FILE: Record<KeyFileKind, { name: string; key: string; source: string; missingHint: string }> = {
  public: {
    name: '公钥文件',
    key: '公钥',
    source: '请使用发证机关用 `yiye keys export-public` 导出的 PEM 文件。',
    missingHint: '请检查路径；公钥文件由发证机关用 `yiye keys export-public` 导出。',
  },
  private: {
    name: '签名私钥文件',
    key: '私钥',
    source: '请使用 yiye init 生成的 Ed25519 私钥（PEM 格式）。',
    missingHint: `发证与换证须用工作区私钥签名：请把 yiye init 生成的私钥文件放到该位置，或用 --key-file / 环境变量 ${KEY_FILE_ENV} 指明其路径。`,
  },
};

export type KeyFileProblem = 'KEY_MISSING' | 'KEY_UNREADABLE' | 'KEY_PERMISSIONS' | 'NOT_A_KEY' | 'NOT_ED25519' | 'KEY_MISMATCH';

function keyFileError(kind: KeyFileKind, reason: KeyFileProblem, file: string, message: string, hint: string, extra: Record<string, unknown> = {}): YiyeError {
  const details = { reason, file, ...extra };
  return kind === 'private' ? new ConflictError(message, hint, details) : new InputError(message, hint, details);
}

/** The file's bytes; a missing file or one that cannot be read (a folder, no permission) is reported as such. */
function readKeyBytes(kind: KeyFileKind, file: string): Buffer {
  const k = KEY_FILE[kind];
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw keyFileError(kind, 'KEY_MISSING', file, `找不到${k.name}“${file}”。`, k.missingHint);
    const why = code === 'EISDIR' ? '这是一个文件夹，不是文件' : code === 'EACCES' || code === 'EPERM' ? '没有读取权限' : `系统错误 ${code ?? '未知'}`;
    throw keyFileError(kind, 'KEY_UNREADABLE', file, `无法读取${k.name}“${file}”：${why}。`, '请检查路径指向的是密钥文件本身，且当前用户有读取权限。');
  }
}

/** Refuses a key that is not Ed25519, or (with `expect`) whose id is not the expected one. */
function checkKey(kind: KeyFileKind, file: string, key: KeyObject, expect?: ExpectedKey): string {
  const k = KEY_FILE[kind];
  if (key.asymmetricKeyType !== 'ed25519') throw keyFileError(kind, 'NOT_ED25519', file, `${k.name}“${file}”不是 Ed25519 密钥。`, k.source);
  const keyId = keyIdOf(kind === 'private' ? crypto.createPublicKey(key) : key);
  if (expect && keyId !== expect.keyId) {
    throw keyFileError(kind, 'KEY_MISMATCH', file, `${k.name}“${file}”不是${expect.what}：其密钥编号为 ${keyId}，应为 ${expect.keyId}。`, expect.hint, { keyId, expectedKeyId: expect.keyId });
  }
  return keyId;
}

/** The key id a key file must have, what that key is called in the message, and what to do. */
export interface ExpectedKey {
  keyId: string;
  what: string;
  hint: string;
}

/** The expectation for the workspace's own private key (registered at init as `keyId`). */
export function workspaceKey(keyId: string): ExpectedKey {
  return { keyId, what: '本工作区的签名私钥', hint: `请用 --key-file 或环境变量 ${KEY_FILE_ENV} 指明本工作区 yiye init 时生成的私钥文件。` };
}

/**
 * Reads and parses a private key file; refuses one that others can read, as ssh does, one that is
 * no Ed25519 private key, and (with `expect`) another workspace's key.
 */
export function readPrivateKeyFile(file: string, expect?: ExpectedKey): LoadedPrivateKey {
  const k = KEY_FILE.private;
  const bytes = readKeyBytes('private', file);
  if (process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0) {
    throw keyFileError('private', 'KEY_PERMISSIONS', file, `${k.name}“${file}”的权限过宽（其他用户可读）。`, `请执行 chmod 600 "${file}" 后重试。`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = crypto.createPrivateKey(bytes);
  } catch {
    throw keyFileError('private', 'NOT_A_KEY', file, `“${file}”不是有效的${k.name}。`, k.source);
  }
  const keyId = checkKey('private', file, privateKey, expect);
  return { privateKey, publicKey: crypto.createPublicKey(privateKey), keyId };
}

/**
 * Reads a public key file (`yiye keys export-public`, which may carry signed marks after the key:
 * `text`); refuses one that is no Ed25519 public key — a private key given in its place too (only
 * the public half is ever handed out) — and (with `expect`) one whose id is not the expected one.
 */
export function readPublicKeyFile(file: string, expect?: ExpectedKey): { key: KeyObject; keyId: string; text: string } {
  const k = KEY_FILE.public;
  const text = readKeyBytes('public', file).toString('utf8');
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw keyFileError('public', 'NOT_A_KEY', file, `“${file}”是私钥文件，不是公钥文件。`, '核验只需公钥：请用 `yiye keys export-public` 导出公钥文件；私钥不应离开发证机关。');
  }
  let key: KeyObject;
  try {
    key = parsePublicKey(text);
  } catch {
    throw keyFileError('public', 'NOT_A_KEY', file, `“${file}”不是有效的${k.name}。`, k.source);
  }
  return { key, keyId: checkKey('public', file, key, expect), text };
}

/**
 * Writes a new key pair's private half to `file` (0600, never overwriting an existing file) and
 * returns both halves and the file written: a `file` inside keysDir() (a PostgreSQL workspace's
 * default) is written under the key's id-based name instead (keyFileForId).
 */
export function createPrivateKeyFile(requested: string): LoadedPrivateKey & { file: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const file = path.dirname(path.resolve(requested)) === keysDir() ? keyFileForId(keyIdOf(publicKey)) : requested;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  // 'wx': fail rather than replace a key that may already have signed licences.
  fs.writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  fs.chmodSync(file, 0o600); // the umask may have narrowed, never widened, but be exact
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), file };
}

export function parsePublicKey(pem: string): KeyObject {
  return crypto.createPublicKey(pem);
}
