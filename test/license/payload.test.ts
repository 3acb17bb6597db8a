import crypto from 'node:crypto';
import fc from 'fast-check';
import { cleanPayloadText, decodePayload, looksLikePayload, signPayload, verifyPayloadSignature, type LicensePayload } from '../../src/license/payload';

const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
const other = crypto.generateKeyPairSync('ed25519');
const P: LicensePayload = { n: '3101152026PD-01000001', v: 1, h: '上海张江便利店有限公司', c: '91330100716105852F', i: '便利店', m: ['310115-SC-001', '310115-SW-001'], d: '2026-03-15', u: '2031-03-14', a: '浦东新区人民政府', k: 'abc' };

describe('signed QR payload', () => {
  it('round-trips and verifies with the right key only', () => {
    const { text } = signPayload(P, privateKey, 'https://zwfw.example.gov.cn/verify?p=');
    const ok = verifyPayloadSignature(text, publicKey);
    expect(ok.ok && ok.payload).toEqual(P);
    expect(ok.ok && ok.prefix).toBe('https://zwfw.example.gov.cn/verify?p=');
    expect(verifyPayloadSignature(text, other.publicKey).ok).toBe(false);
    expect(signPayload(P, privateKey).text).toBe(signPayload(P, privateKey).text); // Ed25519 is deterministic
  });

  it('rejects every single altered byte, at every position (prefix, body and signature)', () => {
    const { text } = signPayload(P, privateKey, 'https://v.example/?p=');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=/+ ';
    for (let pos = 0; pos < text.length; pos++) {
      for (const c of [alphabet[(alphabet.indexOf(text[pos]) + 1) % alphabet.length], alphabet[(alphabet.indexOf(text[pos]) + 37) % alphabet.length]]) {
        if (c === text[pos]) continue;
        const altered = text.slice(0, pos) + c + text.slice(pos + 1);
        expect(verifyPayloadSignature(altered, publicKey).ok).toBe(false);
      }
    }
  });

  it('rejects any altered character, truncation or extension (property)', () => {
    const { text } = signPayload(P, privateKey);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length - 1 }), fc.string({ minLength: 1, maxLength: 1 }), (pos, c) => {
        fc.pre(text[pos] !== c);
        return !verifyPayloadSignature(text.slice(0, pos) + c + text.slice(pos + 1), publicKey).ok;
      }),
      { numRuns: 3000 },
    );
    expect(verifyPayloadSignature(text.slice(0, -1), publicKey).ok).toBe(false);
    expect(verifyPayloadSignature(`${text}A`, publicKey).ok).toBe(false);
    expect(decodePayload('not a payload').ok).toBe(false);
  });

  it('ignores blanks around the text (a line break from a scanner, a pasted space, a BOM), never inside it', () => {
    const { text } = signPayload(P, privateKey, 'https://v.example/?p=');
    for (const [before, after] of [['', ' '], ['', '\n'], ['', '\r\n'], [' ', ''], ['\t', '\t'], ['\u3000', '\u3000'], ['\uFEFF', ''], ['\u200B', '\u00A0'], [' \r\n', '\n\n']]) {
      const pasted = `${before}${text}${after}`;
      expect(cleanPayloadText(pasted)).toBe(text);
      expect(looksLikePayload(pasted)).toBe(true);
      const ok = verifyPayloadSignature(pasted, publicKey);
      expect(ok.ok && ok.payload).toEqual(P);
      expect(ok.ok && ok.prefix).toBe('https://v.example/?p=');
    }
    for (const blank of [' ', '\n', '\r\n', '\t', '\u3000', '\uFEFF']) {
      for (const pos of [1, 20, text.indexOf('YY1.') + 2, text.lastIndexOf('.'), text.length - 1]) {
        expect(verifyPayloadSignature(text.slice(0, pos) + blank + text.slice(pos), publicKey).ok).toBe(false);
      }
    }
  });

  it('stays small enough for a QR code', () => {
    expect(signPayload(P, privateKey).text.length).toBeLessThan(600);
  });
});
