import crypto, { type KeyObject } from 'node:crypto';
import type { Db } from '../db';
import { ConflictError } from '../cli/errors';
import { readPublicKey, readSettings } from '../settings/service';
import { loadPrivateKey, parsePublicKey } from './keys';
import { payloadMessage, signPayload, type LicensePayload } from './payload';

export interface Signer {
  keyId: string;
  authorityName: string;
  sign(p: Omit<LicensePayload, 'k' | 'a'>): { text: string; signature: string };
  /**
   * Many payloads at once, signed on libuv's thread pool (crypto.sign with a callback) so that
   * signing uses every core and overlaps the database's work; same results as `sign`, in order.
   */
  signMany(ps: Array<Omit<LicensePayload, 'k' | 'a'>>): Promise<Array<{ text: string; signature: string }>>;
  /** A detached signature (base64url) of other signed documents, e.g. the revocation list. */
  signBytes(data: Buffer): string;
}

/**
 * The workspace's signer: the private key parsed once from `keyFile`, checked against the public key
 * the workspace registered at init (a key from another workspace would sign licences nobody can verify).
 */
export async function openSigner(db: Db, keyFile: string): Promise<Signer> {
  const registered = await readPublicKey(db);
  if (!registered) {
    throw new ConflictError('本工作区还没有签名密钥。', '请运行 `yiye init`（与原设置相同）生成签名密钥后再发证。');
  }
  const key = loadPrivateKey(keyFile);
  if (key.keyId !== registered.keyId) {
    throw new ConflictError(`私钥文件“${keyFile}”不是本工作区的签名私钥（工作区公钥 ${registered.keyId}，该私钥 ${key.keyId}）。`, '请用 --key-file 或 YIYE_KEY_FILE 指明本工作区 yiye init 时生成的私钥文件。');
  }
  const settings = await readSettings(db);
  const prefix = settings.verifyUrlPrefix;
  return {
    keyId: key.keyId,
    authorityName: settings.authorityName,
    sign: (p) => signPayload({ ...p, a: settings.authorityName, k: key.keyId }, key.privateKey, prefix),
    signBytes: (data) => crypto.sign(null, data, key.privateKey).toString('base64url'),
    signMany: (ps) => signManyAsync(ps.map((p) => payloadMessage({ ...p, a: settings.authorityName, k: key.keyId }, prefix)), key.privateKey),
  };
}

/** The workspace's public key, parsed once. */
export async function workspacePublicKey(db: Db): Promise<{ key: KeyObject; keyId: string } | null> {
  const pk = await readPublicKey(db);
  return pk ? { key: parsePublicKey(pk.pem), keyId: pk.keyId } : null;
}

const IN_FLIGHT = 64;

async function signManyAsync(messages: string[], privateKey: KeyObject): Promise<Array<{ text: string; signature: string }>> {
  const out = new Array<{ text: string; signature: string }>(messages.length);
  let next = 0;
  const worker = async () => {
    while (next < messages.length) {
      const i = next++;
      const sig = await new Promise<Buffer>((resolve, reject) => crypto.sign(null, Buffer.from(messages[i], 'utf8'), privateKey, (err, s) => (err ? reject(err) : resolve(s))));
      const signature = sig.toString('base64url');
      out[i] = { text: `${messages[i]}.${signature}`, signature };
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, messages.length) }, worker));
  return out;
}
