/**
 * The signed payload printed as the licence's QR code (一码监管):
 *
 *   [verification address#]YY1.<base64url(JSON)>.<base64url(Ed25519 signature)>
 *
 * The signature covers `YY1.<body>`; both base64url parts must be in canonical form, so that every
 * altered byte of the text is rejected (a non-canonical last character can decode to the same bytes).
 * The verification address (`license print` adds the workspace's verify-url and `#`) is not signed:
 * the page it opens checks the payload itself, and a forger could point a QR code at a site of his
 * own with or without a signed address — a reader checks the address is the office's. Licences signed
 * by earlier versions with the address inside the signature still verify (see verifyPayloadSignature).
 */
import crypto, { type KeyObject } from 'node:crypto';

export const PAYLOAD_TAG = 'YY1.';

/** What a licence version's QR code states, in short keys to keep the code small. */
export interface LicensePayload {
  /** 许可证编号 */
  n: string;
  /** version (换发新证 increments it) */
  v: number;
  /** 经营者名称 */
  h: string;
  /** 统一社会信用代码 */
  c: string;
  /** 行业类别 (industry name) */
  i: string;
  /** 许可项目: matter codes (names when a matter has no code) */
  m: string[];
  /** 制证日期 (YYYY-MM-DD) */
  d: string;
  /** 有效期至 (YYYY-MM-DD) */
  u: string;
  /** 发证机关 */
  a: string;
  /** signing key id */
  k: string;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Blanks a scanner, chat or text file adds around a QR text: ASCII and full-width spaces, tabs,
 * CR/LF, a BOM, zero-width spaces. Only at the ends: the signed text itself never contains any of
 * them, and one inside must still fail.
 */
const SURROUNDING_BLANKS = /^[\s\u200B-\u200D\u2060]+|[\s\u200B-\u200D\u2060]+$/g;

/** The QR text as scanned or pasted, without the blanks around it. */
export function cleanPayloadText(text: string): string {
  return text.replace(SURROUNDING_BLANKS, '');
}

/** The signed part of the QR text: the prefix, the tag and the encoded payload. */
export function payloadMessage(p: LicensePayload, prefix = ''): string {
  // Fixed key order: the same licence always gives the same text.
  const json = JSON.stringify({ n: p.n, v: p.v, h: p.h, c: p.c, i: p.i, m: p.m, d: p.d, u: p.u, a: p.a, k: p.k });
  return `${prefix}${PAYLOAD_TAG}${Buffer.from(json, 'utf8').toString('base64url')}`;
}

/** Builds and signs the QR text of one licence version. */
export function signPayload(p: LicensePayload, privateKey: KeyObject, prefix = ''): { text: string; signature: string } {
  const message = payloadMessage(p, prefix);
  const signature = crypto.sign(null, Buffer.from(message, 'utf8'), privateKey).toString('base64url');
  return { text: `${message}.${signature}`, signature };
}

export type DecodeResult =
  | { ok: true; payload: LicensePayload; message: string; signature: Buffer; prefix: string }
  | { ok: false; reason: string };

/**
 * Whether a string is meant as a QR text rather than a licence number: it carries the tag, or is far
 * longer than any number (a QR text with a damaged tag must be judged forged, not looked up).
 */
export function looksLikePayload(input: string): boolean {
  const text = cleanPayloadText(input);
  return text.includes(PAYLOAD_TAG) || text.length > 64;
}

/** Splits and decodes a QR text (blanks around it ignored) without checking the signature. */
export function decodePayload(input: string): DecodeResult {
  const text = cleanPayloadText(input);
  const tagAt = text.lastIndexOf(PAYLOAD_TAG);
  if (tagAt < 0) return { ok: false, reason: '不是 yiye 行业综合许可证二维码内容。' };
  const rest = text.slice(tagAt + PAYLOAD_TAG.length);
  const parts = rest.split('.');
  if (parts.length !== 2) return { ok: false, reason: '二维码内容格式不正确。' };
  const [body, sig] = parts;
  if (!B64URL.test(body) || !B64URL.test(sig)) return { ok: false, reason: '二维码内容含有非法字符。' };
  const bodyBytes = Buffer.from(body, 'base64url');
  const sigBytes = Buffer.from(sig, 'base64url');
  if (bodyBytes.toString('base64url') !== body || sigBytes.toString('base64url') !== sig || sigBytes.length !== 64) {
    return { ok: false, reason: '二维码内容编码不规范，已被改动。' };
  }
  let payload: LicensePayload;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bodyBytes)) as LicensePayload;
  } catch {
    return { ok: false, reason: '二维码内容无法解析，已被改动。' };
  }
  if (typeof payload !== 'object' || payload === null || typeof payload.n !== 'string' || typeof payload.v !== 'number' || !Array.isArray(payload.m)) {
    return { ok: false, reason: '二维码内容缺少必要字段。' };
  }
  return { ok: true, payload, message: text.slice(0, text.length - sig.length - 1), signature: sigBytes, prefix: text.slice(0, tagAt) };
}

/** Decodes and checks the signature with `publicKey`. */
export function verifyPayloadSignature(text: string, publicKey: KeyObject): DecodeResult {
  const d = decodePayload(text);
  if (!d.ok) return d;
  // the payload alone; or, for licences signed with the address inside, the whole text before the signature
  const signedTexts = d.prefix ? [d.message.slice(d.prefix.length), d.message] : [d.message];
  const good = signedTexts.some((m) => {
    try {
      return crypto.verify(null, Buffer.from(m, 'utf8'), publicKey, d.signature);
    } catch {
      return false;
    }
  });
  return good ? d : { ok: false, reason: '签名无效：内容被改动，或并非本发证机关签发。' };
}
