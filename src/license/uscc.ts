/**
 * 统一社会信用代码 (GB 32100-2015), as ../shared/DOMAIN.md states it:
 *
 *   1 登记管理部门代码 · 2 机构类别代码 · 3–8 行政区划码 (digits) · 9–17 主体标识码 (the GB 11714
 *   organisation code: 8 body characters + its check character) · 18 校验码.
 *
 * The code is checked in a fixed order and the first rule broken is reported, so a window clerk
 * learns exactly which character to look at. Nothing here throws: every string, however odd, gets
 * an answer.
 */
import { normalizeText } from '../text/normalize';

/** The 31 characters of the code, in value order (no I, O, Z, S, V). */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

export type UsccRule = 'empty' | 'length' | 'lowercase' | 'charset' | 'region' | 'org-check' | 'check';

export type UsccResult =
  | { ok: true; code: string; exception?: boolean }
  | { ok: false; code: string; rule: UsccRule; message: string };

/** GB 11714 value of a character: 0–9 are themselves, A–Z are 10–35. */
function orgValue(c: string): number {
  const n = c.charCodeAt(0);
  return n <= 57 ? n - 48 : n - 55;
}

/** The GB 11714 check character (position 17) for the 8 body characters at positions 9–16. */
export function orgCheckChar(body8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += orgValue(body8[i]) * ORG_WEIGHTS[i];
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** The 18th check character for the first 17 characters (all from the 31-character set). */
export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(first17[i]) * USCC_WEIGHTS[i];
  const c = 31 - (sum % 31);
  return USCC_CHARSET[c === 31 ? 0 : c];
}

/**
 * A code as typed into a spreadsheet, made comparable: upper case, and no spaces (ASCII, full-width
 * or non-breaking) anywhere in it — clerks type “9131 0115 …” in groups or with lowercase letters.
 * Full-width digits and letters are left to `cellText`. Nothing else is touched: a wrong character
 * stays wrong for `validateUscc` to report.
 */
export function normalizeUscc(text: string): string {
  // JavaScript's \s covers the full-width space U+3000 and the non-breaking U+00A0 too
  return /[a-z\s]/.test(text) ? text.replace(/\s+/g, '').toUpperCase() : text;
}

/** A code typed at a prompt or on the command line, cleaned like a spreadsheet cell (full-width, spaces, case). */
export function typedUscc(text: string): string {
  return normalizeUscc(normalizeText(text));
}

/**
 * Checks a code exactly as given: callers normalise spreadsheet cells first (`cellText` turns
 * full-width digits and letters into ASCII, `normalizeUscc` upper-cases and removes spaces);
 * lowercase given here is refused, because a printed licence must carry the code as registered.
 * `exceptions` are codes the office has accepted although they fail a check (early pilot codes such
 * as 91350100M0001TGQXM; `yiye license allow-code`).
 */
export function validateUscc(input: unknown, exceptions?: ReadonlySet<string>): UsccResult {
  const code = typeof input === 'string' ? input : '';
  if (code === '') return { ok: false, code, rule: 'empty', message: '统一社会信用代码不能为空。' };
  if (exceptions?.has(code)) return { ok: true, code, exception: true };
  if (code.length !== 18) {
    return { ok: false, code, rule: 'length', message: `统一社会信用代码应为 18 位，实为 ${code.length} 位。` };
  }
  if (/[a-z]/.test(code)) {
    return { ok: false, code, rule: 'lowercase', message: '统一社会信用代码中的字母应为大写。' };
  }
  for (let i = 0; i < 18; i++) {
    if (!USCC_CHARSET.includes(code[i])) {
      const c = code[i];
      const why = /[IOZSV]/.test(c) ? `（代码不使用 I、O、Z、S、V）` : '';
      return { ok: false, code, rule: 'charset', message: `统一社会信用代码第 ${i + 1} 位“${c}”不是合法字符${why}。` };
    }
  }
  if (!/^\d{6}$/.test(code.slice(2, 8))) {
    return { ok: false, code, rule: 'region', message: `统一社会信用代码第 3–8 位应为行政区划码（6 位数字），实为“${code.slice(2, 8)}”。` };
  }
  const org = orgCheckChar(code.slice(8, 16));
  if (code[16] !== org) {
    return { ok: false, code, rule: 'org-check', message: `统一社会信用代码第 17 位（组织机构代码校验位）应为“${org}”，实为“${code[16]}”。` };
  }
  const check = usccCheckChar(code.slice(0, 17));
  if (code[17] !== check) {
    return { ok: false, code, rule: 'check', message: `统一社会信用代码第 18 位（校验码）应为“${check}”，实为“${code[17]}”。` };
  }
  return { ok: true, code };
}

/**
 * A valid code made from `seed` (deterministic): for fixtures, tests and the benchmark. The
 * organisation body is drawn from the 31-character set, so every character is legal in both
 * standards.
 */
export function generateUscc(seed: number, opts: { dept?: string; kind?: string; region?: string } = {}): string {
  let s = (seed >>> 0) ^ 0x9e3779b9;
  const next = () => {
    // xorshift32: small, fast and the same on every machine
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const region = opts.region ?? '310115';
  let body = '';
  for (let i = 0; i < 8; i++) body += USCC_CHARSET[next() % USCC_CHARSET.length];
  const first17 = `${opts.dept ?? '9'}${opts.kind ?? '1'}${region}${body}${orgCheckChar(body)}`;
  return first17 + usccCheckChar(first17);
}
