import type { CellValue } from '../io/types';
import { isCellError } from '../io/types';

const NEEDS_NORMALIZING = /[\u200B-\u200D\uFEFF\u3000\u00A0\u2002-\u200A\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\r\n\t]|^\s|\s$| {2}/;

/**
 * Text clean-up for values typed by many departments: full-width letters and digits become ASCII,
 * ideographic and non-breaking spaces become plain spaces, invisible characters go, runs of spaces
 * fold, and each line is trimmed. Chinese punctuation (（）、：) is kept: it belongs to the names.
 */
export function normalizeText(s: string): string {
  // Most cells are already clean: skip the rewriting when there is nothing to rewrite.
  if (!NEEDS_NORMALIZING.test(s)) return s;
  const half = s
    .replace(/[\u200B-\u200D\uFEFF]/g, '')
    .replace(/[\u3000\u00A0\u2002-\u200A]/g, ' ')
    .replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\r\n?/g, '\n');
  // blank lines go (at the ends and between lines alike); a filter, not /\n+$/, which backtracks
  // quadratically over many blank lines (200 000 took 88 s)
  return half
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

/** Every full-width ASCII form (letters, digits and punctuation) to ASCII: for codes, numbers, dates. */
export function toHalfWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** A header cell reduced to what identifies it: half width, no spaces, quotes, `*`, colons, brackets or punctuation. */
export function headerKey(s: string): string {
  return toHalfWidth(s)
    .replace(/[\s\u3000*＊:：()（）\[\]【】〔〕{}<>《》"“”'‘’·•、，,。.;；/／\\_\-—－]/g, '')
    .toLowerCase();
}

/** ISO date (YYYY-MM-DD) of a Date's UTC calendar fields: spreadsheet dates carry no time zone. */
export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * A cell as trimmed text, or null when empty. Numbers print without a trailing ".0"; dates as
 * YYYY-MM-DD; Excel error cells as their code (#N/A) — callers that care check `isCellError` first.
 */
export function cellText(v: CellValue): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') {
    const t = normalizeText(v);
    return t === '' ? null : t;
  }
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(15)));
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : isoDate(v);
  if (isCellError(v)) return v.error;
  return null;
}

const TRUE_WORDS = new Set(['是', '√', '✓', '✔', 'y', 'yes', 'true', '1', '有', '需要', '需', '要', '适用', '可', '可以', '涉及', '实行']);
const FALSE_WORDS = new Set(['否', '×', '✗', '✘', 'x', 'n', 'no', 'false', '0', '无', '不需要', '不需', '不', '不适用', '不可', '不涉及', '不实行', '/', '—', '-']);

/** 是/否, √/×, Y/N and their relatives. `undefined` means "not a yes/no" (a validation error); null means empty. */
export function parseBool(v: CellValue): boolean | null | undefined {
  if (typeof v === 'boolean') return v;
  const t = cellText(v);
  if (t === null) return null;
  const k = toHalfWidth(t).trim().toLowerCase();
  if (TRUE_WORDS.has(k)) return true;
  if (FALSE_WORDS.has(k)) return false;
  return undefined;
}

export interface TimeLimit {
  days: number;
  unit: '工作日' | '自然日';
  /** The cell itself named the unit (20个工作日, 20个自然日); a bare number or 即办 did not. */
  explicit?: boolean;
}

/**
 * A time limit: 20, "２０", "20个工作日", "20天", "30个自然日", "即办"/"当场办结" (0).
 * Returns null when empty and undefined when it is not a time limit at all.
 */
export function parseTimeLimit(v: CellValue): TimeLimit | null | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v < 10000 ? { days: v, unit: '工作日' } : undefined;
  const t = cellText(v);
  if (t === null) return null;
  const s = toHalfWidth(t).replace(/\s/g, '');
  if (/^(即办|即时办结|即时办理|当场办结|当场办理|立即办结|立即办理|即来即办|当即办结|现场办结)(件)?$/.test(s)) return { days: 0, unit: '工作日' };
  const m = /^(\d{1,4})(个)?(工作日|自然日|日历日|日|天)?(内|以内)?$/.exec(s);
  if (!m) return undefined;
  // 天/日 count as working days (行政许可法第八十二条: 行政许可的期限以工作日计算); only 自然日 is natural days
  return { days: Number(m[1]), unit: m[3] === '自然日' || m[3] === '日历日' ? '自然日' : '工作日', explicit: m[3] === '工作日' || m[3] === '自然日' || m[3] === '日历日' };
}

/**
 * Splits a list kept in one cell: "1.…\n2.…", "（1）…（2）…", "①…②…", "1、…", or items separated by
 * ；/; or line breaks, or 、 when the cell has no other structure (inside a numbered list a 、
 * belongs to the item: "营业执照、身份证复印件"). With `commas`, always 、，, (departments).
 */
export function splitList(text: string | null, opts: { commas?: boolean } = {}): string[] {
  if (!text) return [];
  let s = normalizeText(text);
  // Put every numbering marker on its own line start, then split on line breaks and semicolons.
  s = s.replace(/\s*[①-⑳]\s*/g, '\n');
  // "（1）…（2）…（3）…" run together: markers counting up from 1 split wherever they stand
  if (/^\s*[（(]\s*1\s*[)）]/.test(text.trim())) {
    let expect = 1;
    s = s.replace(/[（(]\s*(\d{1,2})\s*[)）]\s*/g, (m, n: string) => (Number(n) === expect ? (expect++, '\n') : m));
  }
  s = s.replace(/(^|[\n；;。])\s*[（(]\s*\d{1,2}\s*[)）]\s*/g, '$1\n');
  // "1." at a line start is always a marker; after ；/。 only when no digit follows (not "第3.5条")
  s = s.replace(/(^|\n)\s*\d{1,2}\s*[.、．)）]\s*/g, '$1\n');
  s = s.replace(/([；;。])\s*\d{1,2}\s*[.、．)）]\s*(?!\d)/g, '$1\n');
  // A cell with no other structure is a plain 、-list; inside a numbered list 、 belongs to a name.
  const structured = /[\n；;]/.test(s.trim());
  const sep = opts.commas ? /[\n；;、，,]+/ : structured ? /[\n；;]+/ : /[\n；;、]+/;
  return s
    .split(sep)
    .map((x) => x.replace(/^[\s。.]+|[\s。；;，,]+$/g, '').trim())
    .filter((x) => x !== '');
}
