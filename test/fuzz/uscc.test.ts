/**
 * 统一社会信用代码 (GB 32100-2015) properties: codes built with correct check characters always
 * validate; any single-character change and any swap of two neighbouring characters is caught;
 * validateUscc answers every input without throwing.
 */
import fc from 'fast-check';
import { generateUscc, orgCheckChar, usccCheckChar, USCC_CHARSET, validateUscc } from '../../src/license/uscc';
import { params } from './arbitraries';

const charsetChar = fc.constantFrom(...USCC_CHARSET);
const digit = fc.constantFrom(...'0123456789');

/** A valid code from its parts: the two check characters computed, never guessed. */
const validCode = fc
  .tuple(charsetChar, charsetChar, fc.string({ unit: digit, minLength: 6, maxLength: 6 }), fc.string({ unit: charsetChar, minLength: 8, maxLength: 8 }))
  .map(([dept, kind, region, body]) => {
    const first17 = `${dept}${kind}${region}${body}${orgCheckChar(body)}`;
    return first17 + usccCheckChar(first17);
  });

describe('validateUscc', () => {
  test('a code with correct check characters validates, and round-trips unchanged', () => {
    fc.assert(
      fc.property(validCode, (code) => {
        expect(validateUscc(code)).toEqual({ ok: true, code });
      }),
      params(71001),
    );
  });

  test('generateUscc gives a valid code for every seed', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(validateUscc(generateUscc(seed)).ok).toBe(true);
      }),
      params(71002),
    );
  });

  test('any single-character change is detected', () => {
    fc.assert(
      fc.property(validCode, fc.integer({ min: 0, max: 17 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), (code, at, ch) => {
        fc.pre(ch !== code[at]);
        const changed = code.slice(0, at) + ch + code.slice(at + 1);
        expect(validateUscc(changed).ok).toBe(false);
      }),
      params(71003),
    );
  });

  test('a change to another legal character is named by the rule that catches it', () => {
    fc.assert(
      fc.property(validCode, fc.integer({ min: 0, max: 17 }), charsetChar, (code, at, ch) => {
        fc.pre(ch !== code[at]);
        const res = validateUscc(code.slice(0, at) + ch + code.slice(at + 1));
        expect(res.ok).toBe(false);
        if (!res.ok) {
          expect(['region', 'org-check', 'check']).toContain(res.rule);
          expect(res.message).toMatch(/^统一社会信用代码/);
        }
      }),
      params(71004),
    );
  });

  test('swapping two different neighbouring characters is detected', () => {
    fc.assert(
      fc.property(validCode, fc.integer({ min: 0, max: 16 }), (code, at) => {
        fc.pre(code[at] !== code[at + 1]);
        const swapped = code.slice(0, at) + code[at + 1] + code[at] + code.slice(at + 2);
        expect(validateUscc(swapped).ok).toBe(false);
      }),
      params(71005),
    );
  });

  test('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: charsetChar, minLength: 18, maxLength: 18 })), (input) => {
        const res = validateUscc(input);
        expect(typeof res.ok).toBe('boolean');
        if (!res.ok) expect(res.message).toMatch(/统一社会信用代码/);
      }),
      params(71006),
    );
  });
});
