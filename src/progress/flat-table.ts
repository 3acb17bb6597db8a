import { parseDeadlineCell } from '../text/deadline';
import { isUnitName, readUnitList } from './unit-clause';

/**
 * Task tables copied out of a web page or a PDF into text (held-out corpus: sc-dazhu-2016,
 * sn-yangxian-2024, ah-nanling-2024, js-changshu-2018). Three layouts are read:
 *
 *   cells    one cell a line: a header of one column name a line (序号 / 民生实事 / 责任单位 / 完成时限),
 *            then per row its 序号 alone on a line and its cells, a long cell possibly over several
 *            lines and a units cell as one unit a line;
 *   pipes    the same with every cell closed by " |" (a line of "|" alone between rows);
 *   rows     one row a line: "7 任务…。发改委、经信委" under a header written on one line
 *            ("序号 名称 工作任务 牵头责任单位", the blanks often lost).
 *
 * The header names the columns; each is given a kind by its name: 序号; the task (任务, 实事, 事项,
 * 项目名称 …); units (牵头… → lead; 配合/协办… → co; 责任单位 → lead, or co when there is a lead
 * column too); a person (…领导, 责任人: names, never units); the deadline (时限, 时间, 节点, 期限); any
 * other column is kept as text. A row's cells are mapped to the columns by position when there are
 * exactly as many cells as columns, otherwise by content: a units cell is a list of unit names, a
 * deadline cell reads as a deadline, the task takes free text. Text after a row's last column (a merged
 * 序号/单位 cell spanning two task lines) starts a second task of the same row that shares the cells it
 * lacks. What cannot be placed is reported, never guessed.
 */
export type ColumnKind = 'seq' | 'task' | 'lead' | 'unit' | 'co' | 'person' | 'deadline' | 'other';

export interface FlatColumn {
  name: string;
  kind: ColumnKind;
}

export interface FlatRow {
  /** The row's 序号 as written, and `-2`, `-3` … for the further tasks of a merged row. */
  ref: string;
  seq: number;
  group: string | null;
  task: string;
  /** Text of the other (non-unit, non-deadline) columns, in column order. */
  other: string[];
  lead: string[];
  co: string[];
  deadlineText: string | null;
  source: string[];
}

export interface FlatTable {
  /** Index of the line where the header starts (the table's first line). */
  at: number;
  layout: 'cells' | 'pipes' | 'rows';
  columns: FlatColumn[];
  rows: FlatRow[];
  warnings: string[];
}

/** Column names as headers write them; the longest first, for a header whose blanks were lost. */
const HEADER_TERMS = [
  '序号', '编号', '名称', '项目名称', '工作任务', '主要任务', '重点任务', '目标任务', '目标与任务', '任务', '具体任务', '工作内容', '重点内容', '具体内容',
  '主要内容', '建设内容', '工作措施', '具体措施', '民生实事', '事项', '牵头单位', '牵头部门', '牵头责任单位', '责任单位', '责任部门', '配合单位', '配合部门',
  '重点项目', '重点工作', '协办单位', '责任领导', '分管领导', '牵头领导', '责任人', '完成时限', '完成时间', '时间节点', '时限要求', '建设时间', '备注',
].sort((a, b) => b.length - a.length);

/** The kind of a column by its name. */
export function columnKind(name: string): ColumnKind {
  const s = name.replace(/\s+/g, '');
  if (/^(?:序号|编号)$/.test(s)) return 'seq';
  if (/领导|责任人|联系人|负责人/.test(s)) return 'person';
  if (/^(?:总)?牵头/.test(s) && /单位|部门/.test(s)) return 'lead';
  if (/^(?:配合|协办|协助|协同|参与)/.test(s) && /单位|部门/.test(s)) return 'co';
  if (/(?:单位|部门)$/.test(s)) return 'unit';
  if (/时限|时间|期限|节点/.test(s)) return 'deadline';
  if (/任务|实事|事项|项目|措施|工作内容|重点内容|具体内容|主要内容|重点工作|工作事项/.test(s)) return 'task';
  return 'other';
}

/** The header's columns, the task column chosen: the first named as one, else the first 名称/内容 column. */
function columnsOf(names: string[]): FlatColumn[] | null {
  const cols = names.map((name) => ({ name, kind: columnKind(name) }));
  let task = cols.findIndex((c) => c.kind === 'task');
  cols.forEach((c, i) => {
    if (c.kind === 'task' && i !== task) c.kind = 'other';
  });
  if (task < 0) {
    task = cols.findIndex((c) => c.kind === 'other' && /名称|内容/.test(c.name));
    if (task >= 0) cols[task].kind = 'task';
  }
  if (cols[0]?.kind !== 'seq' || task < 0 || !cols.some((c) => c.kind === 'lead' || c.kind === 'unit' || c.kind === 'co')) return null;
  return cols;
}

const PIPE_END = /\s*\|+$/;
/** A cell line with its closing " |" taken off. */
const cellText = (line: string) => line.trim().replace(PIPE_END, '').replace(/^\|+\s*/, '').trim();
const isNumber = (s: string) => /^\d{1,3}$/.test(s);

/** A cell that is a list of units, one or several (县水务局 / 发改委、经信委、科技局). */
export function isUnitCell(cell: string): boolean {
  const s = cell.replace(/\s+/g, '');
  if (s === '' || /[。:：]$/.test(s) || s.length > 80) return false;
  const { units, deadline } = readUnitList(s);
  return deadline === null && units.length > 0 && units.every(isUnitName);
}

/** A cell that is a deadline (12月底前, 9月投入使用, 2024). */
export function isDeadlineCell(cell: string): boolean {
  const s = deadlineCellText(cell);
  if (s.length > 30 || /[。]/.test(s)) return false;
  const d = parseDeadlineCell(s.replace(MONTH_VERB_CELL, '$1月底前'), 2000);
  return d.kind === 'date' || d.kind === 'fuzzy' || d.kind === 'recurring' || /^(?:长期坚持|持续推进|长期|常态化)/.test(s);
}

/** A deadline cell as the deadline rules read it: a year alone (建设时间 2024) is that year's end. */
export function deadlineCellText(cell: string): string {
  const s = cell.replace(/\s+/g, '');
  const year = /^(\d{4})年?$/.exec(s);
  return year ? `${year[1]}年底` : s;
}

/** "9月投入使用", "5月动工": by that month's end (as the extractor reads such phrases in a sentence). */
const MONTH_VERB_CELL = /^((?:\d{4}年)?\d{1,2})月份?(?:前|之前)?(?=投入使用|投用|动工|开工|建成|完工|竣工|完成|启动|运行|运营)/;

/** Names of people (俞悦, 陆明俞悦): Han characters only, short, not ending like a unit. */
const isPersonCell = (cell: string) => /^[\u4e00-\u9fff·]{2,12}$/.test(cell.replace(/\s+/g, '')) && !isUnitCell(cell);

function fits(kind: ColumnKind, cell: string): boolean {
  switch (kind) {
    case 'lead':
    case 'unit':
    case 'co':
      return isUnitCell(cell);
    case 'deadline':
      return isDeadlineCell(cell);
    case 'person':
      return isPersonCell(cell);
    case 'seq':
      return isNumber(cell);
    default:
      return cell !== '';
  }
}
/** Columns whose content can only be some things: a cell is moved on to them when it is one. */
const TYPED = new Set<ColumnKind>(['lead', 'unit', 'co', 'deadline', 'person']);
/** Columns one cell fills. */
const SINGLE = new Set<ColumnKind>(['deadline', 'person', 'seq']);

/** Where a table's header starts: "序号" on a line of its own (cells, pipes) or at the end of a line (rows). */
export function findFlatTable(lines: string[], opts: { firstIsLead?: boolean } = {}): FlatTable | null {
  for (let i = 0; i < lines.length; i++) {
    const cell = cellText(lines[i]);
    if (cell.replace(/\s+/g, '') === '序号' || cell === '编号') {
      const t = readCellTable(lines, i, opts);
      if (t) return t;
    } else if (lines[i].includes('序号')) {
      const t = readRowTable(lines, i, opts);
      if (t) return t;
    }
  }
  return null;
}

interface Sub {
  cells: Map<number, string[]>;
  source: string[];
}

/** Cells and pipes: the header one name a line, rows started by their 序号 alone on a line. */
function readCellTable(lines: string[], at: number, opts: { firstIsLead?: boolean }): FlatTable | null {
  const names: string[] = [];
  let i = at;
  let pipes = 0;
  for (; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (PIPE_END.test(raw)) pipes++;
    const c = cellText(raw);
    if (c === '') continue;
    if (isNumber(c)) break;
    if (c.length > 16 || /[。；;，,]/.test(c)) return null;
    names.push(c);
  }
  const columns = columnsOf(names);
  if (!columns || i >= lines.length) return null;
  const warnings: string[] = [];
  const rows: FlatRow[] = [];
  // the row's cells, from its 序号 line to the next
  let seq: number | null = null;
  let cells: Array<{ text: string; line: string }> = [];
  const flush = () => {
    if (seq !== null) rows.push(...placeCells(columns, seq, cells, warnings, opts));
    cells = [];
  };
  const perRow = columns.length - 1;
  for (; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (PIPE_END.test(raw)) pipes++;
    const c = cellText(raw);
    if (c === '') continue;
    const n = isNumber(c) ? Number(c) : NaN;
    // a number is the next row's 序号 unless the row has cells still to come (an amount, a year)
    const unitSeen = cells.some((x) => isUnitCell(x.text));
    if (!Number.isNaN(n) && (seq === null || (n === seq + 1 && (cells.length >= perRow || unitSeen)))) {
      flush();
      seq = n;
      continue;
    }
    cells.push({ text: c, line: raw });
  }
  flush();
  if (!rows.length) return null;
  return { at, layout: pipes > names.length ? 'pipes' : 'cells', columns, rows, warnings };
}

/** A row's cells placed in the columns: by position when they match one to one, else by content. */
function placeCells(columns: FlatColumn[], seq: number, cells: Array<{ text: string; line: string }>, warnings: string[], opts: { firstIsLead?: boolean }): FlatRow[] {
  const cols = columns.slice(1);
  const subs: Sub[] = [];
  const positional = cells.length === cols.length && cols.every((c, j) => !TYPED.has(c.kind) || fits(c.kind, cells[j].text) || cells[j].text === '');
  if (positional) {
    subs.push({ cells: new Map(cells.map((c, j) => [j, [c.text]])), source: cells.map((c) => c.line) });
  } else {
    const taskAt = cols.findIndex((c) => c.kind === 'task');
    let cur: Sub = { cells: new Map(), source: [] };
    subs.push(cur);
    let p = taskAt;
    for (const cell of cells) {
      let placed = false;
      let restarted = false;
      while (!placed) {
        if (p >= cols.length) {
          if (restarted || !cur.cells.has(taskAt)) break;
          // past the last column: a further task of a row whose other cells are merged
          cur = { cells: new Map(), source: [] };
          subs.push(cur);
          p = taskAt;
          restarted = true;
        }
        const kind = cols[p].kind;
        const have = cur.cells.get(p);
        const later = cols.findIndex((c, q) => q > p && TYPED.has(c.kind) && fits(c.kind, cell.text));
        const takes = fits(kind, cell.text) && (TYPED.has(kind) || !have || later < 0) && !(have && SINGLE.has(kind));
        // a free-text column other than the task's takes a cell only when no typed column after it would
        if (takes && (kind !== 'other' || later < 0)) {
          if (have) have.push(cell.text);
          else cur.cells.set(p, [cell.text]);
          cur.source.push(cell.line);
          placed = true;
          if (SINGLE.has(kind)) p++;
        } else p++;
      }
      if (!placed) warnings.push(`附表第 ${seq} 行的“${cell.text.slice(0, 30)}”不能对应到表头的任何一栏（${columns.map((c) => c.name).join('、')}），未读取，请人工核对。`);
    }
  }
  const out: FlatRow[] = [];
  subs.forEach((sub, k) => {
    const prev = k > 0 ? subs[k - 1].cells : null;
    const get = (j: number): string[] => sub.cells.get(j) ?? (prev && cols[j].kind !== 'task' ? (prev.get(j) ?? []) : []);
    if (prev) for (let j = 0; j < cols.length; j++) if (!sub.cells.has(j) && cols[j].kind !== 'task' && prev.has(j)) sub.cells.set(j, prev.get(j)!);
    const row = rowOf(columns, cols.map((_, j) => get(j).join('')), cols.map((_, j) => get(j)), seq, k, opts);
    row.source = sub.source;
    if (!row.task) warnings.push(`附表第 ${seq} 行没有“${columns.find((c) => c.kind === 'task')!.name}”一栏的内容，未作为任务提取。`);
    else {
      if (!row.lead.length && !row.co.length) warnings.push(`附表第 ${seq} 行“${row.task.slice(0, 20)}”没有读到责任单位，请人工核对。`);
      out.push(row);
    }
  });
  return out;
}

/** A row from its columns' text (`lists`: a cell's lines, for a units cell of one unit a line). */
function rowOf(columns: FlatColumn[], text: string[], lists: string[][], seq: number, k: number, opts: { firstIsLead?: boolean }): FlatRow {
  const cols = columns.slice(1);
  const units = (j: number) => lists[j].flatMap((l) => readUnitList(l).units);
  const hasLeadCol = cols.some((c) => c.kind === 'lead');
  const lead: string[] = [];
  const co: string[] = [];
  const other: string[] = [];
  let task = '';
  let deadlineText: string | null = null;
  cols.forEach((c, j) => {
    if (!text[j]) return;
    if (c.kind === 'task') task = text[j];
    else if (c.kind === 'lead') lead.push(...units(j));
    else if (c.kind === 'co') co.push(...units(j));
    else if (c.kind === 'unit') {
      const us = units(j);
      if (hasLeadCol) co.push(...us);
      else if (opts.firstIsLead) lead.push(...us.slice(0, 1)), co.push(...us.slice(1));
      else lead.push(...us);
    } else if (c.kind === 'deadline') deadlineText ??= deadlineCellText(text[j]);
    else if (c.kind === 'other') other.push(text[j]);
  });
  return { ref: k === 0 ? String(seq) : `${seq}-${k + 1}`, seq, group: null, task, other, lead: [...new Set(lead)], co: [...new Set(co)].filter((u) => !lead.includes(u)), deadlineText, source: [] };
}

/** Splits a header whose blanks were lost ("序号名称工作任务牵头责任单位") into column names. */
function segmentHeader(s: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === ' ') {
      i++;
      continue;
    }
    const term = HEADER_TERMS.find((t) => s.startsWith(t, i));
    if (!term) return null;
    out.push(term);
    i += term.length;
  }
  return out;
}

const L1_HEADING = /^[一二三四五六七八九十]{1,3}、|^[（(][一二三四五六七八九十]{1,3}[)）]/;

/** Rows: the header on one line (at its end, after the preamble a copy ran into it), one row a line. */
function readRowTable(lines: string[], at: number, opts: { firstIsLead?: boolean }): FlatTable | null {
  const line = lines[at];
  const from = line.lastIndexOf('序号');
  const names = segmentHeader(line.slice(from));
  if (!names || names.length < 3) return null;
  const columns = columnsOf(names);
  if (!columns) return null;
  const cols = columns.slice(1);
  const taskAt = cols.findIndex((c) => c.kind === 'task');
  // the typed columns after the task, read from the row's end
  const trailing = cols.map((c, j) => ({ c, j })).filter(({ c, j }) => j > taskAt && TYPED.has(c.kind));
  const warnings: string[] = [];
  const rows: FlatRow[] = [];
  let group: string | null = null;
  let cur: { seq: number; text: string; source: string[] } | null = null;
  const raws: Array<{ seq: number; text: string; source: string[]; group: string | null }> = [];
  for (let i = at + 1; i < lines.length; i++) {
    const l = lines[i].trim();
    if (!l) continue;
    const m = /^(\d{1,3})(?![\d年月日号.．%])\s*(\S.*)$/.exec(l);
    if (m && (cur === null || Number(m[1]) === cur.seq + 1)) {
      cur = { seq: Number(m[1]), text: m[2], source: [l] };
      raws.push({ ...cur, group });
      continue;
    }
    if (L1_HEADING.test(l) && l.length <= 60) {
      group = l.replace(L1_HEADING, '').replace(/[（(]\d+项[)）]$/, '').trim();
      continue;
    }
    if (cur) {
      const last = raws[raws.length - 1];
      last.text += l;
      last.source.push(l);
    }
  }
  for (const r of raws) {
    let rest = r.text.trim();
    const text: string[] = cols.map(() => '');
    const lists: string[][] = cols.map(() => []);
    for (const { c, j } of [...trailing].reverse()) {
      const cut = lastCellBreak(rest);
      const tail = rest.slice(cut).trim();
      if (tail && fits(c.kind, tail)) {
        text[j] = tail;
        lists[j] = [tail];
        rest = rest.slice(0, cut).trim();
      } else warnings.push(`附表第 ${r.seq} 行末尾读不出“${c.name}”一栏，请人工核对。`);
    }
    // a copy that wrote the sentence ends half-width ("增长8%以上."): 。 again, decimals kept
    rest = rest.replace(/(?<![\dA-Za-z])[.．](?![\dA-Za-z])|(?<=[\d%])[.．](?![\dA-Za-z])|[.．]$/g, '。');
    text[taskAt] = rest;
    lists[taskAt] = [rest];
    const row = rowOf(columns, text, lists, r.seq, 0, opts);
    row.group = r.group;
    row.source = r.source;
    if (!row.lead.length && !row.co.length) warnings.push(`附表第 ${r.seq} 行“${rest.slice(0, 20)}”没有读到责任单位，请人工核对。`);
    rows.push(row);
  }
  if (!rows.length) return null;
  return { at, layout: 'rows', columns, rows, warnings };
}

/** Where a row's last cell starts: after its last blank or sentence end (a "." between digits is a decimal point). */
function lastCellBreak(s: string): number {
  for (let i = s.length - 1; i > 0; i--) {
    const ch = s[i];
    if (ch === ' ' || ch === '。' || ch === '；' || ch === ';') return i + 1;
    if ((ch === '.' || ch === '．') && !(/\d/.test(s[i - 1] ?? '') && /\d/.test(s[i + 1] ?? ''))) return i + 1;
  }
  return 0;
}
