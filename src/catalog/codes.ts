/**
 * Codes of the industry catalog: GB/T 4754-2017 codes in the forms offices write, and the office's
 * own 行业编码 — assigned by a stable rule when a department's list has none.
 */
import type { Knex } from 'knex';
import { toHalfWidth } from '../text/normalize';

/** 门类 letter of each 大类 range (GB/T 4754-2017; DOMAIN.md "Codes"). */
const SECTIONS: Array<[string, number, number]> = [
  ['A', 1, 5], ['B', 6, 12], ['C', 13, 43], ['D', 44, 46], ['E', 47, 50], ['F', 51, 52], ['G', 53, 60],
  ['H', 61, 62], ['I', 63, 65], ['J', 66, 69], ['K', 70, 70], ['L', 71, 72], ['M', 73, 75], ['N', 76, 79],
  ['O', 80, 82], ['P', 83, 83], ['Q', 84, 85], ['R', 86, 90], ['S', 91, 96], ['T', 97, 97],
];

/** The 门类 letter of a 2-digit 大类, or undefined when no such 大类 exists (00, 98, 99 …). */
export function sectionOf(division: number): string | undefined {
  return SECTIONS.find(([, lo, hi]) => division >= lo && division <= hi)?.[0];
}

export type GbParse = { ok: true; codes: string[] } | { ok: false; message: string };

/**
 * GB/T 4754 codes as offices write them: 4-digit 小类 (5213), 3-digit 中类 (521) or 2-digit 大类 (52),
 * with or without the 门类 letter (F5213, F 5213, f5213), followed by the name (5213便利店零售), several
 * in a cell (、，,;；／/ or line breaks), or a number cell. Each is stored as letter + digits, the letter
 * derived from the 大类. A letter that contradicts the 大类, a 大类 that does not exist, or text with no
 * code is an error.
 */
export function parseGbCodes(cell: string | number | null): GbParse {
  if (cell === null) return { ok: true, codes: [] };
  const text = toHalfWidth(String(cell)).trim();
  if (text === '') return { ok: true, codes: [] };
  const parts = text.split(/[、，,;；/\n]+|(?<![A-Za-z])\s+(?=[A-Za-z]?\s?\d{2,4}(?!\d))/).map((p) => p.trim()).filter(Boolean);
  const codes: string[] = [];
  for (const part of parts) {
    // a name without a code of its own ("F5213 便利店零售" split on spaces leaves "便利店零售")
    const m = /^([A-Za-z])?\s*(\d{2,4})(?!\d)\s*([^\d].*)?$/.exec(part);
    if (!m) {
      if (!/\d/.test(part) && codes.length > 0) continue; // the name after a code, separated by a comma
      return { ok: false, message: `“${part}”不是国民经济行业分类代码（GB/T 4754-2017，如 5213、F5213、521 或 52）` };
    }
    const digits = m[2];
    const section = sectionOf(Number(digits.slice(0, 2)));
    if (!section) return { ok: false, message: `“${part}”中的大类“${digits.slice(0, 2)}”在 GB/T 4754-2017 中不存在` };
    if (m[1] && m[1].toUpperCase() !== section) {
      return { ok: false, message: `“${part}”的门类字母“${m[1].toUpperCase()}”与大类“${digits.slice(0, 2)}”不符（应为 ${section}${digits}）` };
    }
    const code = section + digits;
    if (!codes.includes(code)) codes.push(code);
  }
  return { ok: true, codes };
}

/** Settings key of the next number the assignment rule hands out (never goes down: codes are never reused). */
export const NEXT_ASSIGNED_CODE = 'catalog.nextAssignedIndustryCode';

/** Two digits (01–99), then as many as needed: the form of an assigned 行业编码. */
export const assignedCodeText = (n: number): string => String(n).padStart(2, '0');

/**
 * Hands out `count` new assigned codes: the next free two-digit numbers from a counter kept in
 * settings, skipping codes the office already uses. The counter only goes up, so a number once
 * handed out is never handed out again (not even after the industry is renamed or given the
 * office's own code with `catalog set-code`).
 */
export async function reserveCodes(db: Knex, count: number): Promise<string[]> {
  if (count === 0) return [];
  const row = (await db('settings').where({ key: NEXT_ASSIGNED_CODE }).first()) as { value: string } | undefined;
  let next = row ? Number(row.value) : 1;
  const taken = new Set(((await db('industries').whereNotNull('code').pluck('code')) as string[]).map((c) => c.toUpperCase()));
  const out: string[] = [];
  while (out.length < count) {
    const code = assignedCodeText(next++);
    if (!taken.has(code)) out.push(code);
  }
  if (row) await db('settings').where({ key: NEXT_ASSIGNED_CODE }).update({ value: String(next) });
  else await db('settings').insert({ key: NEXT_ASSIGNED_CODE, value: String(next) });
  return out;
}

/**
 * Gives a 行业编码 to every industry without one, in id order (the order they were imported).
 * Returns how many industries got a code.
 */
export async function assignMissingCodes(db: Knex): Promise<number> {
  const missing = (await db('industries').whereNull('code').orderBy('id').pluck('id')) as number[];
  const codes = await reserveCodes(db, missing.length);
  for (const [i, id] of missing.entries()) await db('industries').where({ id }).update({ code: codes[i], code_assigned: true });
  return missing.length;
}
