import crypto, { type KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Db } from '../db';
import { ConflictError } from '../cli/errors';
import { readPublicKey, readSettings } from '../settings/service';
import { loadWorkspaceKey, parsePublicKey } from './keys';
import { payloadMessage, signPayload, type LicensePayload } from './payload';

export interface Signer {
  keyId: string;
  authorityName: string;
  sign(p: Omit<LicensePayload, 'k' | 'a'>): { text: string; signature: string };
  /**
   * Many payloads at once, same results as `sign`, in order. Large batches are signed on a thread of
   * their own (started on first use, ended by `close`), so that signing overlaps the main thread's
   * reading and checking and the database's writing.
   */
  signMany(ps: Array<Omit<LicensePayload, 'k' | 'a'>>): Promise<Array<{ text: string; signature: string }>>;
  /** A detached signature (base64url) of other signed documents, e.g. the revocation list. */
  signBytes(data: Buffer): string;
  /** Ends the signing thread, if `signMany` started one. */
  close(): Promise<void>;
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
  const key = loadWorkspaceKey(keyFile, registered.keyId);
  const settings = await readSettings(db);
  // The verification address is not signed: `license print` puts it before the payload (print.ts
  // qrText), so that it can be set or changed without reissuing licences.
  const prefix = '';
  let thread: SigningThread | undefined;
  const messageOf = (p: Omit<LicensePayload, 'k' | 'a'>) => payloadMessage({ ...p, a: settings.authorityName, k: key.keyId }, prefix);
  return {
    keyId: key.keyId,
    authorityName: settings.authorityName,
    sign: (p) => signPayload({ ...p, a: settings.authorityName, k: key.keyId }, key.privateKey, prefix),
    signBytes: (data) => crypto.sign(null, data, key.privateKey).toString('base64url'),
    signMany: async (ps) => {
      const messages = ps.map(messageOf);
      if (!thread && messages.length < THREAD_MIN) return messages.map((m) => signed(m, signMessage(m, key.privateKey)));
      thread ??= new SigningThread(key.privateKey);
      const signatures = await thread.sign(messages);
      return messages.map((m, i) => signed(m, signatures[i]));
    },
    close: async () => {
      await thread?.close();
      thread = undefined;
    },
  };
}

/** The workspace's public key, parsed once. */
export async function workspacePublicKey(db: Db): Promise<{ key: KeyObject; keyId: string } | null> {
  const pk = await readPublicKey(db);
  return pk ? { key: parsePublicKey(pk.pem), keyId: pk.keyId } : null;
}

function signMessage(message: string, privateKey: KeyObject): string {
  return crypto.sign(null, Buffer.from(message, 'utf8'), privateKey).toString('base64url');
}

const signed = (message: string, signature: string) => ({ text: `${message}.${signature}`, signature });

/**
 * Below this many payloads a batch is signed on the main thread: starting a thread costs more.
 * Measured on 100k licences: signing on the main thread added ~6 s to it (the main thread became
 * the bottleneck), and signing each payload as a job on libuv's pool (crypto.sign with a callback)
 * cost the main thread ~23 µs per licence in job and promise overhead; one thread signing 500 at a
 * time costs it one message per chunk.
 */
const THREAD_MIN = 200;

/**
 * The signing thread's code, given as source (not a file beside this one) so that it runs the same
 * from the build and under the test runner. The private key arrives as a KeyObject (cloned into the
 * thread, never written anywhere).
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
parentPort.on('message', ({ id, messages }) => {
  try {
    const signatures = messages.map((m) => crypto.sign(null, Buffer.from(m, 'utf8'), workerData.key).toString('base64url'));
    parentPort.postMessage({ id, signatures });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  }
});
`;

class SigningThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (s: string[]) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private closing = false;
  private dead: Error | undefined;

  constructor(privateKey: KeyObject) {
    this.worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { key: privateKey } });
    // Keeps the process alive only while a request is outstanding (see `sign`).
    this.worker.unref();
    this.worker.on('message', (m: { id: number; signatures?: string[]; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.settled(m.id);
      if (m.signatures) p.resolve(m.signatures);
      else p.reject(new Error(`签名失败：${m.error}`));
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', (code) => {
      this.dead = new Error(`signing thread exited with code ${code}`);
      this.failAll(this.dead);
    });
  }

  sign(messages: string[]): Promise<string[]> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<string[]>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, messages });
    });
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  private failAll(err: Error): void {
    if (this.closing && this.pending.size === 0) return;
    for (const [id, p] of [...this.pending]) {
      this.settled(id);
      p.reject(err);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}
