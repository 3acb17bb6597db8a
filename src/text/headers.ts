/**
 * The one header engine of every import (catalog, licence applications, task tables, progress
 * returns). A header cell is normalised first (full width, line breaks, leading numbering, `*`,
 * trailing colons, brackets holding units or notes), then matched in ranked tiers:
 *   1. a mapping the office taught (`--map`, `catalog headers add`),
 *   2. an exact synonym (the earlier in its list, the better),
 *   3. a keyword rule (a header holding 法定 and 时限 is the legal limit …).
 * Columns are assigned to fields best match first, so an exact synonym beats a keyword rule and
 * one column never serves two fields (nor one field two columns). Every non-empty header cell that
 * got no field is returned in `unmapped`, never dropped silently.
 */
import type { CellValue } from '../io/types';
import { columnName } from '../io/limits';
import { cellText, headerKey, toHalfWidth } from './normalize';

export type HeaderUnit = '工作日' | '自然日';

export interface NormalizedHeader {
  /** The header as written, with line breaks folded (for messages). */
  text: string;
  /** The key with bracket text kept (法定代表人（负责人） → 法定代表人负责人). */
  full: string;
  /** The key with bracketed units and notes removed (法定时限（工作日） → 法定时限). */
  bare: string;
  /** A unit stated in the header: （工作日）/（自然日）; （天）/（日） read as 工作日 (行政许可法第八十二条). */
  unit: HeaderUnit | null;
  /** Every bracket held a unit or a note (名称, 选填, 必填 …): the bare key is the header's meaning. */
  notesOnly: boolean;
}

/** Bracket text that says how to fill the column, not what it holds. */
const NOTE = /^(个)?(工作日|自然日|日历日|天|日|元|万元|个|件|份|项|名称|全称|简称|选填|必填|非必填|可选|如有|若有|单位.*|注.*|说明.*|如.*|含.*|多.*分隔.*|以.*分隔.*|可多选|可多填|GB\/?T.*|\d.*|YYYY.*|年月日|格式.*)$/i;

const BRACKETS = /[（(［\[【〔{｛<＜《]([^）)］\]】〕}｝>＞》]*)[）)］\]】〕}｝>＞》]?/g;
const LEADING_NUMBER = /^(?:[(（]?\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]|\d{1,2}(?:\.\d{1,2})*\s*[.、．]|[一二三四五六七八九十]{1,3}\s*[、.．]|[①-⑳])\s*/;

export { headerKey };

/** Which unit a header's words name, if any. 天/日 alone count as working days (行政许可法第八十二条). */
export function unitOfText(s: string): HeaderUnit | null {
  if (/自然日|日历日/.test(s)) return '自然日';
  if (/工作日|^\s*(个)?(天|日)\s*$/.test(s)) return '工作日';
  return null;
}

/**
 * Normalises a header cell: full-width forms, line breaks inside the cell, leading numbering
 * ("1.", "（一）", "①"), `*` marking required columns, trailing colons, and text in brackets of any
 * kind — a unit (工作日/自然日/天/日/个/元) is kept as data, a note (选填/必填/如有/单位/名称) dropped.
 */
export function normalizeHeader(raw: string): NormalizedHeader {
  const text = toHalfWidth(raw).replace(/\s*[\r\n]+\s*/g, '').replace(/\s+/g, ' ').trim();
  let s = text.replace(/[*＊]/g, '').trim();
  s = s.replace(LEADING_NUMBER, '');
  s = s.replace(/[:：]+\s*$/, '');
  let unit: HeaderUnit | null = null;
  let notesOnly = true;
  const bareText = s.replace(BRACKETS, (_, inner: string) => {
    unit = unit ?? unitOfText(inner);
    if (!NOTE.test(inner.replace(/\s/g, ''))) notesOnly = false;
    return '';
  });
  // a unit written after the name without brackets: 法定时限/工作日, 承诺办结时限天
  if (!unit) {
    const tail = /(?:[/／]|\s)(工作日|自然日|天|日)$/.exec(bareText);
    if (tail) unit = unitOfText(tail[1]);
    else if (/自然日/.test(bareText)) unit = '自然日';
  }
  return { text, full: headerKey(s), bare: headerKey(bareText.replace(/(?:[/／]\s*)(工作日|自然日|天|日)$/, '')), unit, notesOnly };
}

/** A keyword rule: every pattern of `all` found in the (bare) key, none of `not`. */
export interface KeywordRule<F extends string> {
  field: F;
  all: RegExp[];
  not?: RegExp;
}

export interface Vocabulary<F extends string> {
  /** field → header texts that mean it, most specific first. */
  synonyms: Record<F, readonly string[]>;
  /** Tried after every synonym, in order: the earlier rule ranks higher. */
  keywords?: ReadonlyArray<KeywordRule<F>>;
}

export type MatchHow = 'map' | 'synonym' | 'keyword';

export interface HeaderMatch<F extends string> {
  field: F;
  how: MatchHow;
  /** Lower is better; compares across tiers (map < synonym < keyword). */
  score: number;
}

export interface MappedColumn<F extends string> {
  /** 0-based column index. */
  index: number;
  /** Column letter (A, B, …). */
  column: string;
  /** The header as written (the two rows of a two-row header joined). */
  header: string;
  field: F | null;
  how: MatchHow | null;
  unit: HeaderUnit | null;
}

export interface HeaderMapping<F extends string> {
  /** field → 0-based column index */
  columns: Partial<Record<F, number>>;
  /** 0-based column index → header text as written (for error messages) */
  labels: string[];
  /** 0-based column index → the unit its header states */
  units: Array<HeaderUnit | null>;
  /** Every column with a non-empty header, mapped or not, in sheet order. */
  all: Array<MappedColumn<F>>;
  /** Non-empty header cells that name no field. */
  unmapped: Array<{ column: string; index: number; header: string }>;
}

/**
 * A vocabulary compiled for matching, with the office's own mappings (header → field) on top.
 * Build one per import run; `match` is cheap enough to call on every row while looking for a header.
 */
export class HeaderEngine<F extends string> {
  private readonly synonyms = new Map<string, { field: F; rank: number }>();
  private readonly taught = new Map<string, F>();
  private readonly keywords: ReadonlyArray<KeywordRule<F>>;

  constructor(vocab: Vocabulary<F>, taught: Iterable<[string, F]> = []) {
    for (const [field, names] of Object.entries(vocab.synonyms) as Array<[F, readonly string[]]>) {
      names.forEach((name, rank) => {
        const h = normalizeHeader(name);
        for (const k of [h.full, h.bare]) if (k && !this.synonyms.has(k)) this.synonyms.set(k, { field, rank });
      });
    }
    for (const [header, field] of taught) {
      const h = normalizeHeader(header);
      // a later mapping (this run's --map after the stored ones) wins
      this.taught.set(h.full, field);
      this.taught.set(h.bare, field);
    }
    this.keywords = vocab.keywords ?? [];
  }

  /** Every field a header could mean, best first (a taught mapping, then synonyms, then keywords). */
  candidates(raw: string): Array<HeaderMatch<F>> {
    const h = normalizeHeader(raw);
    if (!h.bare && !h.full) return [];
    const out: Array<HeaderMatch<F>> = [];
    const seen = new Set<F>();
    const add = (m: HeaderMatch<F>) => {
      if (!seen.has(m.field)) {
        seen.add(m.field);
        out.push(m);
      }
    };
    for (const k of [h.full, h.bare]) {
      const t = this.taught.get(k);
      if (t) add({ field: t, how: 'map', score: 0 });
    }
    // 申请材料（名称） is 申请材料 (a note in brackets); 法定代表人（负责人） is read whole first
    const order = h.notesOnly ? [[h.bare, 0], [h.full, 0.5]] as const : [[h.full, 0], [h.bare, 0.5]] as const;
    for (const [k, penalty] of order) {
      const s = this.synonyms.get(k);
      if (s) add({ field: s.field, how: 'synonym', score: 1 + penalty + s.rank / 100 });
    }
    // keyword rules read long headers too, but not a paragraph (a title or a note row)
    if (h.bare.length <= 24) {
      this.keywords.forEach((rule, i) => {
        if (rule.all.every((re) => re.test(h.bare)) && !(rule.not && rule.not.test(h.bare))) add({ field: rule.field, how: 'keyword', score: 3 + i / 1000 });
      });
    }
    return out;
  }

  /** The best field of one header cell, ignoring the other columns. */
  match(raw: string): HeaderMatch<F> | undefined {
    return this.candidates(raw)[0];
  }

  /** How many distinct fields a row's cells name: the header row is the first row with enough. */
  score(cells: CellValue[], opts: { exactOnly?: boolean } = {}): number {
    const seen = new Set<F>();
    for (const v of cells) {
      const t = cellText(v ?? null);
      if (!t || t.length > 40) continue;
      const m = this.candidates(t).find((c) => !opts.exactOnly || c.how !== 'keyword');
      if (m) seen.add(m.field);
    }
    return seen.size;
  }

  /**
   * Maps the columns of a header (one row, or two rows: a group cell such as 办理时限 merged over
   * 法定 / 承诺 below it). Best matches are assigned first; a column keeps one field, a field one column.
   * `allowed` limits the fields (a sheet kind's own), the rest count as not understood.
   */
  map(rows: CellValue[][], allowed?: ReadonlySet<F>): HeaderMapping<F> {
    const width = Math.max(0, ...rows.map((r) => r.length));
    if (rows.length === 2) rows = [spreadGroups(rows[0], rows[1], width), rows[1]];
    const labels: string[] = [];
    const units: Array<HeaderUnit | null> = [];
    const options: Array<{ index: number; read?: string; m: HeaderMatch<F> }> = [];
    for (let c = 0; c < width; c++) {
      const parts = rows.map((r) => cellText(r[c] ?? null)?.replace(/\s*\n\s*/g, '')).filter((x): x is string => !!x);
      // a merged group cell repeats over its sub-columns: 办理时限 | 办理时限 above 法定 | 承诺
      const distinct = parts.filter((p, i) => parts.indexOf(p) === i);
      const last = distinct[distinct.length - 1];
      labels[c] = distinct.join('');
      if (!last) {
        units[c] = null;
        continue;
      }
      // the lower cell alone, the group + the lower cell (办理时限 + 法定 → 法定办理时限), the group alone
      const reads = [last, ...(distinct.length > 1 ? [last + distinct[0], distinct[0] + last, distinct.join('')] : [])];
      units[c] = reads.map((r) => normalizeHeader(r).unit).find((u) => u) ?? normalizeHeader(distinct.join('')).unit;
      let order = 0;
      for (const r of reads) {
        for (const m of this.candidates(r)) {
          if (allowed && !allowed.has(m.field)) continue;
          options.push({ index: c, read: distinct.length > 1 ? r : undefined, m: { ...m, score: m.score + order / 10_000 } });
        }
        order++;
      }
    }
    options.sort((a, b) => a.m.score - b.m.score || a.index - b.index);
    const columns: Partial<Record<F, number>> = {};
    const taken = new Map<number, HeaderMatch<F>>();
    for (const o of options) {
      if (taken.has(o.index) || columns[o.m.field] !== undefined) continue;
      columns[o.m.field] = o.index;
      taken.set(o.index, o.m);
      if (o.read) labels[o.index] = o.read;
    }
    const all: Array<MappedColumn<F>> = [];
    const unmapped: HeaderMapping<F>['unmapped'] = [];
    for (let c = 0; c < width; c++) {
      if (!labels[c]) continue;
      const m = taken.get(c);
      all.push({ index: c, column: columnName(c), header: labels[c], field: m?.field ?? null, how: m?.how ?? null, unit: units[c] });
      if (!m) unmapped.push({ column: columnName(c), index: c, header: labels[c] });
    }
    return { columns, labels, units, all, unmapped };
  }

  /**
   * Whether `next` is the lower row of a two-row header under `top`: at least two of its short,
   * non-numeric cells name a field only when read with the group cell above them.
   */
  isSecondRow(top: CellValue[], next: CellValue[], allowed?: ReadonlySet<F>): boolean {
    // a lower header cell sits under a group cell (merged across, or blank to its right in a csv),
    // under a blank, or repeats a cell merged down; a data row has a value under every heading
    const width = Math.max(top.length, next.length);
    const spread = spreadGroups(top, next, width);
    const t = (c: number) => cellText(spread[c] ?? null);
    for (let c = 0; c < width; c++) {
      const lower = cellText(next[c] ?? null);
      if (!lower || !t(c) || lower === t(c)) continue;
      const group = (c > 0 && t(c - 1) === t(c)) || (c + 1 < width && t(c + 1) === t(c));
      if (!group) return false;
    }
    const one = this.map([top], allowed);
    const two = this.map([top, next], allowed);
    let gained = 0;
    for (let c = 0; c < next.length; c++) {
      const t = cellText(next[c] ?? null);
      if (!t || t.length > 16 || /^[\d.\s-]+$/.test(t)) continue;
      const f2 = (Object.keys(two.columns) as F[]).find((f) => two.columns[f] === c);
      const f1 = (Object.keys(one.columns) as F[]).find((f) => one.columns[f] === c);
      if (f2 && f2 !== f1) gained++;
    }
    return gained >= 2;
  }
}

/**
 * The upper row of a two-row header with each group cell carried over the blank cells to its right
 * that have a lower cell (a csv has no merged ranges: 办理时限 | (blank) over 法定 | 承诺).
 */
function spreadGroups(top: CellValue[], lower: CellValue[], width: number): CellValue[] {
  const out = top.slice();
  for (let c = 1; c < width; c++) {
    if (cellText(out[c] ?? null) === null && cellText(lower[c] ?? null) !== null && cellText(out[c - 1] ?? null) !== null && cellText(lower[c - 1] ?? null) !== null) out[c] = out[c - 1];
  }
  return out;
}

/** One column of an inspected sheet (catalog inspect, license issue --dry-run, tasks import --dry-run). */
export interface ColumnReport {
  column: string;
  header: string;
  /** The field it is read as; null: 未识别. */
  field: string | null;
  /** The field's Chinese label. */
  label: string | null;
  unit: HeaderUnit | null;
  /** The first values as parsed. */
  samples: string[];
}

/** 0-based index of a column letter (A → 0, AA → 26): the inverse of `columnName`. */
export function columnIndex(column: string): number {
  let n = 0;
  for (const ch of column) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** The column table every import's dry run shows: 列 表头 → 字段（单位） 示例值. */
export function formatColumnTable(columns: ColumnReport[]): string[] {
  return columns.map((c) => {
    const target = c.field ? `${c.label ?? c.field}（${c.field}）${c.unit ? `，单位：${c.unit}` : ''}` : '未识别（不导入）';
    const samples = c.samples.length ? `  示例：${c.samples.map((x) => (x.length > 30 ? `${x.slice(0, 30)}…` : x)).join(' | ')}` : '';
    return `${c.column}列 “${c.header}” → ${target}${samples}`;
  });
}
