/**
 * `catalog diff`: an entry whose row in the file was rejected (one invalid cell, e.g. 现场核查 = 待定)
 * is not "no longer listed" — the file lists it, wrongly. Such an entry must not appear under 移除,
 * the list an office reads to decide deletions; it is reported as held back because of that row's
 * error instead. Rows are recognised by the entry's name (or a matter's code) in one of their cells.
 */
import type { Knex } from 'knex';
import type { CellValue } from '../io/types';
import { cellText, normalizeText } from '../text/normalize';
import type { CatalogChange } from './writer';

export interface RejectedRows {
  file: string;
  sheet: string;
  rows: Array<{ row: number; cells: CellValue[]; reasons: string[] }>;
}

/** A would-be removal kept off the 移除 list because the file has a rejected row for it. */
export interface HeldBackRemoval {
  kind: CatalogChange['kind'];
  key: string;
  file: string;
  sheet: string;
  row: number;
  message: string;
}

/** Splits `removed` into the real removals and those a rejected row of the files names. */
export async function holdBackRejected(db: Knex, removed: CatalogChange[], rejected: RejectedRows[]): Promise<{ removed: CatalogChange[]; heldBack: HeldBackRemoval[] }> {
  if (removed.length === 0 || rejected.every((s) => s.rows.length === 0)) return { removed, heldBack: [] };
  // every rejected row's cells, normalised as names are
  const rows = rejected.flatMap((s) => s.rows.map((r) => ({ s, r, texts: new Set(r.cells.map((c) => normalizeText(cellText(c) ?? '')).filter(Boolean)) })));
  const matterNames = removed.filter((c) => c.kind === 'matters').map((c) => c.key);
  const codes = new Map<string, string[]>();
  for (let i = 0; i < matterNames.length; i += 500) {
    for (const m of (await db('matters').whereIn('name', matterNames.slice(i, i + 500)).whereNotNull('code').select('name', 'code')) as Array<{ name: string; code: string }>) {
      codes.set(m.name, [...(codes.get(m.name) ?? []), m.code]);
    }
  }
  const keep: CatalogChange[] = [];
  const heldBack: HeldBackRemoval[] = [];
  for (const c of removed) {
    const names = c.kind === 'links' ? c.key.split(' → ').slice(1) : [c.key, ...(c.kind === 'matters' ? (codes.get(c.key) ?? []) : [])];
    const hit = rows.find((x) => names.some((n) => x.texts.has(normalizeText(n))));
    if (!hit) keep.push(c);
    else heldBack.push({ kind: c.kind, key: c.key, file: hit.s.file, sheet: hit.s.sheet, row: hit.r.row, message: `文件中此条所在行有错误（${hit.r.reasons.join('；')}），未列入“移除”；改正该行后再比较。` });
  }
  return { removed: keep, heldBack };
}
