import fc from 'fast-check';
import { generateUscc, normalizeUscc, orgCheckChar, USCC_CHARSET, usccCheckChar, validateUscc } from '../../src/license/uscc';

describe('统一社会信用代码 (GB 32100-2015)', () => {
  it('accepts real codes and names the rule each invalid code breaks, in Chinese', () => {
    for (const real of ['91330100716105852F', '91440300708461136T', '91110108551385082Q']) expect(validateUscc(real)).toEqual({ ok: true, code: real });
    const cases: Array<[string, string, RegExp]> = [
      ['', 'empty', /不能为空/],
      ['9133010071610585', 'length', /应为 18 位，实为 16 位/],
      ['91330100716105852f', 'lowercase', /大写/],
      ['91330100716I05852F', 'charset', /第 12 位“I”.*不使用 I、O、Z、S、V/],
      ['9133010071610585２F', 'charset', /第 17 位/],
      ['91A30100716105852F', 'region', /行政区划码/],
      ['91330100716105853F', 'org-check', /第 17 位（组织机构代码校验位）应为“2”/],
      ['91330100716105852G', 'check', /第 18 位（校验码）应为“F”，实为“G”/],
      ['91350100M0001TGQXM', 'check', /第 18 位/],
    ];
    for (const [code, rule, message] of cases) {
      const r = validateUscc(code);
      expect(r).toMatchObject({ ok: false, rule });
      if (!r.ok) expect(r.message).toMatch(message);
    }
  });

  it('normalises a typed code (lowercase, spaces in groups) before the strict check, and nothing else', () => {
    for (const typed of ['91330100716105852f', '9133 0100 7161 0585 2F', '9133\u30000100\u00A0716105852f', ' 913301007161\t05852F ']) {
      expect(normalizeUscc(typed)).toBe('91330100716105852F');
      expect(validateUscc(normalizeUscc(typed))).toEqual({ ok: true, code: '91330100716105852F' });
    }
    expect(normalizeUscc('91330100716105852F')).toBe('91330100716105852F');
    // the check characters stay strict: a wrong one is still wrong once normalised
    expect(validateUscc(normalizeUscc('9133 0100 7161 0585 2g'))).toMatchObject({ ok: false, rule: 'check' });
    expect(validateUscc(normalizeUscc('9133 0100 716i 0585 2f'))).toMatchObject({ ok: false, rule: 'charset' });
    expect(validateUscc(normalizeUscc('9133-0100-7161-0585-2F'))).toMatchObject({ ok: false, rule: 'length' });
  });

  it('accepts a listed exception (an early pilot code that fails the check)', () => {
    expect(validateUscc('91350100M0001TGQXM', new Set(['91350100M0001TGQXM']))).toEqual({ ok: true, code: '91350100M0001TGQXM', exception: true });
  });

  it('computes the GB 11714 check with X for 10 and 0 for 11', () => {
    expect(orgCheckChar('71610585')).toBe('2');
    expect(orgCheckChar('10001280')).toBe('X');
    expect(orgCheckChar('00000000')).toBe('0');
  });

  it('never throws, whatever it is given', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom(null, undefined, 42, {})), (s) => {
      const r = validateUscc(s as unknown);
      expect(typeof r.ok).toBe('boolean');
    }));
  });

  it('generated codes always validate', () => {
    fc.assert(fc.property(fc.nat(), (seed) => validateUscc(generateUscc(seed)).ok));
  });

  it('any single-character change of a valid code is rejected', () => {
    const anyChar = fc.oneof(fc.constantFrom(...USCC_CHARSET.split('')), fc.constantFrom(...'IOZSVabcxyz -_０Ａ一'), fc.string({ minLength: 1, maxLength: 1 }));
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 17 }), anyChar, (seed, pos, c) => {
        const code = generateUscc(seed);
        fc.pre(code[pos] !== c);
        const changed = code.slice(0, pos) + c + code.slice(pos + 1);
        return !validateUscc(changed).ok;
      }),
      { numRuns: 2000 },
    );
  });

  it('the check character follows the weights of DOMAIN.md', () => {
    expect(usccCheckChar('91330100716105852')).toBe('F');
  });
});
