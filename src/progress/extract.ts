import { parseDeadline, type Deadline } from '../text/deadline';
import { parseDateValue } from '../text/dates';
import type { DeadlineEntry, ReportingDate, TaskDraft } from './types';
import { findFlatTable } from './flat-table';
import { splitUnits } from './units';
import { LABEL_LINE, readUnitClause, takeBracketClauses, type UnitClause } from './unit-clause';

/**
 * Reads the tasks out of a plan's own text, as plans are written (issue 5 item 3):
 *
 * - numbered items on three levels — 一、 / （一） / 1. — also when a PDF ran them into one line;
 * - units after an item in parentheses, "（牵头单位：…。配合单位：…）" or "(牵头单位:…;责任单位:…)",
 *   or on lines of their own under it, "牵头部门：…" / "责任部门：…";
 * - a task-division table flattened into text (序号 主要任务 重点内容 责任单位, seed 003's
 *   attachment): one task per "N." row, the merged 主要任务 carried down, the units after the last "。",
 *   the first unit the lead (the convention of such tables) and the others co-operating;
 * - deadlines anywhere in the item, each read by `parseDeadline` with the plan's year. An item may
 *   name several ("2021年2月底前，…；2021年6月底前，…"): all are kept in order in `deadlines`, and the
 *   task's deadline is the first dated one. A date before the plan's own date is a reference to the
 *   past ("对2019年12月31日前出台的政策措施进行清理"), not a deadline, and is ignored;
 * - the reporting calendar: sentences that set 报送 dates ("于6月20日、9月20日前报送市审改办").
 *
 * Which items are tasks: those that name units. A plan that names no units anywhere (a 工作要点)
 * yields its lowest-level items, without units. Text in, drafts out: nothing here touches storage.
 */
export interface ExtractedPlan {
  title: string | null;
  planDate: string | null;
  planYear: number | null;
  tasks: TaskDraft[];
  reportingDates: ReportingDate[];
  /** Items that look numbered but were not taken as tasks are not listed; these are text problems. */
  warnings: string[];
}

const CN_NUM = '[一二三四五六七八九十]{1,3}';
const L1 = new RegExp(`^(${CN_NUM})、\\s*(.*)$`);
const L2 = new RegExp(`^[（(](${CN_NUM})[)）]\\s*(.*)$`);
const L3 = /^(\d{1,2})\s*[.．、](?!\d)\s*(.*)$/;
/** Level 4: （1） (1); level 5: ① (NFKC has turned ⑴ into (1)). */
const L4 = /^[（(](\d{1,2})[)）]\s*(.*)$/;
const L5 = /^([\u2460-\u2473])\s*(.*)$/;
/** A line that is a bracketed clause and nothing else: "（市工商质监局牵头负责）". */
const BRACKET_LINE = /^[（(〔【[][^\n]*[)）〕】\]][。.；;]?$/;
/** The plan's own convention for 责任单位 lists: "列第一位的为牵头单位", "第一责任单位为牵头单位", "排在首位的为牵头单位". */
export const FIRST_IS_LEAD = /(?:列第一位|排第一位|列首位|排在首位|第一责任单位|第一个单位)的?(?:责任)?(?:单位)?[为是](?:牵头|主要责任)/;
const TABLE_HEADER_WORDS = ['序号', '主要任务', '重点内容', '具体内容', '任务', '责任单位', '牵头单位', '配合单位', '完成时限', '时间节点'];
/** Words that start a sentence: where a run-on heading ("强化制度保障各相关部门应…") ends. */
const SENTENCE_STARTS = ['根据', '按照', '依托', '健全', '坚持', '围绕', '结合', '通过', '各', '对', '为', '在'];

interface Node {
  level: 1 | 2 | 3 | 4 | 5;
  num: number;
  label: string;
  ref: string;
  lines: string[];
  /** True when the last line was added as a continuation (it may be an unreadable heading). */
  lastIsContinuation: boolean;
  lead: string[];
  co: string[];
  category: string | null;
  children: number;
  parent?: Node | null;
  kids?: Node[];
  /** Unit clause lines of its own under the item ("牵头单位：…", "时限要求：…", "（X牵头负责）"). */
  clauseLines?: string[];
  /** A deadline written inside the unit clause ("6月底完成"). */
  deadlineText?: string | null;
  /** The item's text as read (for --dry-run). */
  source?: string[];
}

interface TableRow {
  num: number;
  group: string | null;
  text: string;
}

const CN_DIGITS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };
function cnNum(s: string): number {
  if (s.length === 1) return CN_DIGITS[s] ?? NaN;
  if (s.startsWith('十')) return 10 + (CN_DIGITS[s.slice(1)] ?? NaN);
  if (s.length === 2) return (CN_DIGITS[s[0]] ?? NaN) * 10;
  return (CN_DIGITS[s[0]] ?? NaN) * 10 + (CN_DIGITS[s[2]] ?? NaN);
}
const CN_LABELS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
function cnLabel(n: number): string {
  if (n <= 10) return CN_LABELS[n];
  if (n < 20) return '十' + CN_LABELS[n - 10];
  return CN_LABELS[Math.floor(n / 10)] + '十' + (n % 10 ? CN_LABELS[n % 10] : '');
}

/** The plan's date line: "2021年1月7日" alone on a line, or "发布日期 | 2020-10-12". */
export function findPlanDate(lines: string[]): string | null {
  for (const line of lines) {
    const alone = /^(\d{4}年\d{1,2}月\d{1,2}日)$/.exec(line.replace(/\s+/g, ''));
    if (alone) return parseDateValue(alone[1]);
    const labelled = /(?:发布日期|成文日期|印发日期)[\s|:：]*(\d{4}\s*[-年./]\s*\d{1,2}\s*[-月./]\s*\d{1,2}\s*日?)/.exec(line);
    if (labelled) return parseDateValue(labelled[1]);
  }
  return null;
}

/** The plan's title: the first short line naming a kind of plan (…实施方案, …工作要点, …方案(试行)). */
export function findPlanTitle(lines: string[]): string | null {
  for (const raw of lines.slice(0, 40)) {
    const line = raw.replace(/\.(docx?|pdf|txt|md)$/i, '').trim();
    if (line.length > 60 || line.includes('《')) continue;
    if (/(方案|要点|意见|办法|规划|计划|细则)([（(]试行[)）])?$/.test(line)) return line;
  }
  return null;
}

/** Puts numbered markers that a PDF ran into the previous sentence back at a line start. */
function splitRunOn(line: string): string[] {
  return line
    .replace(new RegExp(`([。；！？”)）])(${CN_NUM}、)`, 'g'), '$1\n$2')
    .replace(new RegExp(`([。；！？)）])([（(]${CN_NUM}[)）])`, 'g'), '$1\n$2')
    .replace(/([^\n])([（(]一[)）])/g, '$1\n$2')
    .replace(/([。；])(\d{1,2}\s*[.．](?!\d))/g, '$1\n$2')
    .replace(/([。；;)）])([（(]\d{1,2}[)）])/g, '$1\n$2')
    .replace(/([。；;)）])([\u2460-\u2473])/g, '$1\n$2')
    .split('\n');
}

/** A heading and the rest of an item's text. */
function splitTitle(lines: string[], fromTable: boolean): { title: string; content: string } {
  const text = lines.join('\n').trim();
  if (!fromTable && lines.length > 1 && lines[0].length <= 40 && !/。./.test(lines[0])) {
    return { title: lines[0].replace(/[。；：:]$/, ''), content: lines.slice(1).join('\n').trim() };
  }
  const flat = text.replace(/\n/g, '');
  const stop = flat.indexOf('。');
  const head = stop < 0 ? flat : flat.slice(0, stop);
  if (head.length <= 40) return { title: head, content: flat };
  if (fromTable) {
    // a table row's long first sentence: its first clause names the task ("70%以上政务服务事项进驻政务服务大厅")
    const first = head.split(/[，,；;]/)[0];
    return { title: first.length >= 6 ? first : head, content: flat };
  }
  // A heading a PDF ran into its paragraph: "建立改革行业清单制度2023年11月25前,根据…"
  const clause = head.split(/[，,；;]/)[0];
  let cut = clause.search(/\d{4}\s*年|\d{1,2}\s*月/);
  for (const w of SENTENCE_STARTS) {
    let i = clause.indexOf(w, 4);
    // 以X为Y is one construction ("着力创建以生物岛为核心区"): its 为 starts no sentence
    while (w === '为' && i >= 4 && clause.lastIndexOf('以', i) >= 0) i = clause.indexOf(w, i + 1);
    if (i >= 4 && (cut < 4 || i < cut)) cut = i;
  }
  const title = cut >= 4 && cut <= 30 ? clause.slice(0, cut) : clause.length <= 40 ? clause : clause.slice(0, 40);
  return { title, content: flat };
}

const sameDeadline = (a: Deadline, b: Deadline) => a.kind === b.kind && a.date === b.date;

/**
 * The shortest part of a clause that still reads as the same deadline: "2021年2月底前". The clause is
 * narrowed from each side by halving steps (a clause is read O(log n) times, not O(n): a long line
 * without punctuation stays linear-ish).
 */
function phraseOf(clause: string, want: Deadline, planYear: number | null): string {
  // shrink with no plan year when the clause names its year, so the year is kept in the phrase
  const py = parseDeadline(clause, null).date === want.date ? null : planYear;
  const same = (t: string) => t.length > 0 && sameDeadline(parseDeadline(t, py), want);
  let s = clause;
  for (let step = highBit(s.length); step >= 1; step = Math.floor(step / 2)) {
    while (s.length > step && same(s.slice(step))) s = s.slice(step);
  }
  for (let step = highBit(s.length); step >= 1; step = Math.floor(step / 2)) {
    while (s.length > step && same(s.slice(0, -step))) s = s.slice(0, -step);
  }
  // keep what completes the phrase as written: 2023年12月10|日前
  const tail = /^日?(?:之前|以前|前|止)?/.exec(clause.slice(clause.indexOf(s) + s.length));
  return s + (tail ? tail[0] : '');
}

function highBit(n: number): number {
  let b = 1;
  while (b * 2 <= n) b *= 2;
  return b;
}

/** 每年/每季度/每月/每半年: the period of a recurring deadline. */
const PERIOD = /(每年|每半年|每季度|按季度|每月|按月|每周)/;
const RECURRING_BODY = /每季度|每月|每半年|每年|每周|(?<!一)定期|按季度|按月/;
/** "长期坚持" / "持续推进" / "长期" standing alone as a clause (or as a clause's 时限): no end date, kept going. */
const STANDING = /^(?:长期坚持|持续推进|长期|持续开展|常态化推进)(?:实施|落实)?$/;
/** Verbs after a bare month ("7月份建成"): by that month's end. */
const MONTH_VERB = /(\d{1,2})\s*月份?\s*(?=(?:前|之前)?(?:完成|建成|实现|出台|印发|上线|落地|启动|完工|投用|投入使用|投运|运营|见效|到位|办结|动工|开工|竣工))/g;

/** Body phrases the deadline rules do not read themselves: 明年/今年 with the plan's year, "7月份建成". */
function bodyPhrases(clause: string, planYear: number | null): string {
  let c = clause;
  if (planYear !== null) c = c.replace(/明年/g, `${planYear + 1}年`).replace(/今年|本年(?!度)/g, `${planYear}年`);
  return c.replace(MONTH_VERB, '$1月底前');
}

/**
 * Every deadline an item names, in reading order. Clauses are read one at a time (parseDeadline reads
 * one). `inClause`: the text is a unit clause's own deadline ("6月底完成", 时限要求：长期坚持), where a
 * standing phrase is a recurring deadline too.
 */
export function findDeadlines(text: string, planYear: number | null, planDate: string | null, inClause = false): DeadlineEntry[] {
  const out: DeadlineEntry[] = [];
  let recurring: DeadlineEntry | null = null;
  for (const raw of text.split(/[，,。；;：:\n]/)) {
    const clause = bodyPhrases(raw, planYear);
    const trimmed = raw.trim();
    if (!recurring && (STANDING.test(trimmed) || (inClause && /^(?:长期|持续)/.test(trimmed)))) {
      recurring = { date: null, text: trimmed, kind: 'recurring' };
      continue;
    }
    if (!/\d|[一二三四]季度|[上下]半年|年底|年内|每季度|每月|每年|定期/.test(clause)) continue;
    const d = parseDeadline(clause, planYear);
    if ((d.kind === 'date' || d.kind === 'fuzzy') && d.date) {
      if (planDate && d.date < planDate) continue;
      out.push({ date: d.date, text: clause === raw ? phraseOf(clause, d, planYear) : raw.trim(), kind: d.kind });
    } else if (!recurring && RECURRING_BODY.test(clause)) {
      const period = PERIOD.exec(clause)?.[1].replace('按', '每');
      recurring = { date: null, text: raw.trim(), kind: 'recurring', ...(period ? { period } : {}) };
    }
  }
  return out.length ? out : recurring ? [recurring] : [];
}

/** "各区、各部门的工作推进落实情况要分别于6月20日、9月20日前报送市审改办": one entry per date. */
export function findReportingDates(lines: string[], planYear: number | null): { dates: ReportingDate[]; lineIdx: Set<number> } {
  const dates: ReportingDate[] = [];
  const lineIdx = new Set<number>();
  lines.forEach((line, idx) => {
    if (!/报送|上报/.test(line) || !/\d{1,2}\s*月\s*\d{1,2}\s*日/.test(line)) return;
    lineIdx.add(idx);
    for (const clause of line.split(/[，,。；;]/)) {
      if (!/报送|上报/.test(clause)) continue;
      const found = [...clause.matchAll(/(?:\d{4}\s*年)?\d{1,2}\s*月\s*\d{1,2}\s*日/g)];
      if (!found.length) continue;
      const before = clause.slice(0, found[0].index).replace(/(?:要|应)?(?:分别)?(?:于|在)?$/, '');
      const what = before.replace(/^(?:各区、?各部门|各单位|各部门|各区)的?/, '').trim() || '工作进展情况';
      const recipient = /(?:报送|上报)(?:至|给)?(.+)$/.exec(clause)?.[1]?.trim() || null;
      for (const m of found) {
        const d = parseDeadline(`${m[0]}前`, planYear);
        dates.push({ date: d.date, text: m[0], what, recipient });
      }
    }
  });
  return { dates, lineIdx };
}

function isTableHeader(line: string): boolean {
  const s = line.replace(/\s+/g, '');
  if (s.length > 40) return false;
  return TABLE_HEADER_WORDS.filter((w) => s.includes(w)).length >= 3;
}

/**
 * "1全面推行…1.公布实施…": a group number, its heading, then the row number `next` and a dot. Scans
 * once (the regex it replaces, /^(\d{1,2})([^\d].*?)\s*(N)\s*[.．]/, backtracked on long blank runs).
 */
function groupedRow(line: string, next: number): { group: string; text: string } | null {
  let i = 0;
  while (i < line.length && i < 3 && line[i] >= '0' && line[i] <= '9') i++;
  if (i === 0 || i > 2 || i >= line.length) return null;
  const n = String(next);
  for (let at = line.indexOf(n, i + 1); at > i; at = line.indexOf(n, at + 1)) {
    if (line[at - 1] >= '0' && line[at - 1] <= '9') continue;
    let j = at + n.length;
    while (line[j] === ' ') j++;
    if (line[j] !== '.' && line[j] !== '．') continue;
    j++;
    while (line[j] === ' ') j++;
    return { group: line.slice(i, at).trim(), text: line.slice(j) };
  }
  return null;
}

/** Rows of a flattened task table: "1全面推行…1.公布实施…。区编办(区审改办)", continuations joined. */
function readTable(lines: string[]): TableRow[] {
  const rows: TableRow[] = [];
  let group: string | null = null;
  let cur: TableRow | null = null;
  const complete = (r: TableRow) => {
    const i = r.text.lastIndexOf('。');
    return i >= 0 && r.text.slice(i + 1).trim() !== '' && !/[、，,]$/.test(r.text);
  };
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    const next: number = (cur?.num ?? 0) + 1;
    // "24.70%以上…": a digit may follow the dot, so the number must be the next one expected
    const plain = /^(\d{1,3})\s*[.．]\s*(.*)$/.exec(line);
    const grouped = groupedRow(line, next);
    if (plain && Number(plain[1]) === next) {
      cur = { num: next, group, text: plain[2] };
      rows.push(cur);
    } else if (grouped) {
      group = grouped.group;
      cur = { num: next, group, text: grouped.text };
      rows.push(cur);
    } else if (cur && !complete(cur)) {
      cur.text += line;
    } else if (cur) {
      break; // the table is over: page furniture below it
    }
  }
  return rows;
}

/** The plan's year: its date's, else the year its title names ("2021年…工作要点"). */
function planYearOf(planDate: string | null, title: string | null, lines: string[]): number | null {
  if (planDate) return Number(planDate.slice(0, 4));
  for (const l of [title ?? '', ...lines.slice(0, 12)]) {
    const m = /(20\d{2})\s*年/.exec(l);
    if (m && l.length <= 80) return Number(m[1]);
  }
  return null;
}

/**
 * Extracts tasks and the reporting calendar from a plan's normalised text (see normalizePlanText).
 */
export function extractPlan(text: string): ExtractedPlan {
  const rawLines = text.split('\n');
  const planDate = findPlanDate(rawLines);
  const title = findPlanTitle(rawLines);
  const planYear = planYearOf(planDate, title, rawLines);
  const warnings: string[] = [];
  const clauseOpts = { firstIsLead: FIRST_IS_LEAD.test(text) };

  const tableAt = rawLines.findIndex(isTableHeader);
  // a table flattened one cell a line, with " |" cells, or one row a line under a one-line header
  const flat = tableAt < 0 ? findFlatTable(rawLines, clauseOpts) : null;
  const bodyEnd = tableAt >= 0 ? tableAt : flat ? flat.at : rawLines.length;
  const bodyLines = rawLines.slice(0, bodyEnd).flatMap(splitRunOn).map((l) => l.trim());
  const reporting = findReportingDates(bodyLines, planYear);

  const nodes: Node[] = [];
  let l1: Node | null = null;
  let l2: Node | null = null;
  let l3: Node | null = null;
  let l4: Node | null = null;
  let last: Node | null = null;
  let lastL3Num = 0;
  let implicitGroups = 0;
  const newNode = (level: Node['level'], num: number, label: string, parent: Node | null, first: string, line: string): Node => {
    if (parent) parent.children++;
    const node: Node = {
      level,
      num,
      label,
      ref: parent ? `${parent.ref}.${label}` : label,
      lines: [first],
      lastIsContinuation: false,
      lead: [],
      co: [],
      category: parent ? headingOf(parent) : null,
      children: 0,
      parent,
      kids: [],
      clauseLines: [],
      source: [line],
    };
    if (parent) parent.kids!.push(node);
    nodes.push(node);
    return node;
  };
  /** Where an own-line clause belongs: the last item, or the heading of sub-items that have none of their own. */
  const clauseTarget = (node: Node): Node => {
    if (node.level < 4 || !node.parent) return node;
    const siblings = node.parent.kids!.filter((n) => n !== node);
    const anyOwn = siblings.some((n) => n.clauseLines!.length || hasBracketClause(n));
    return anyOwn || siblings.length === 0 ? node : node.parent;
  };

  /** Whether an item's text has a bracketed clause, read once per item and length of its text. */
  const bracketSeen = new Map<Node, [number, boolean]>();
  const hasBracketClause = (n: Node): boolean => {
    const seen = bracketSeen.get(n);
    if (seen && seen[0] === n.lines.length) return seen[1];
    const has = takeBracketClauses(n.lines.join('\n'), clauseOpts).clauses.length > 0;
    bracketSeen.set(n, [n.lines.length, has]);
    return has;
  };

  bodyLines.forEach((line, idx) => {
    if (!line || reporting.lineIdx.has(idx)) return;
    let m: RegExpExecArray | null;
    if ((m = L1.exec(line)) && !Number.isNaN(cnNum(m[1]))) {
      l1 = newNode(1, cnNum(m[1]), m[1], null, m[2], line);
      l2 = l3 = l4 = null;
      last = l1;
      lastL3Num = 0;
      return;
    }
    if ((m = L2.exec(line)) && !Number.isNaN(cnNum(m[1]))) {
      l2 = newNode(2, cnNum(m[1]), `（${m[1]}）`, l1, m[2], line);
      l3 = l4 = null;
      last = l2;
      lastL3Num = 0;
      return;
    }
    if ((m = L3.exec(line))) {
      const n = Number(m[1]);
      const headingLike = !!last && last.lastIsContinuation && isHeadingLike(last.lines[last.lines.length - 1]);
      if (n === 1 && last && (lastL3Num >= 1 || (last.level === 1 && headingLike))) {
        // numbering restarts (or starts under 一、 after a heading line) without a readable （二）
        // heading: a new group; its heading is the line just before, which was taken as the
        // previous item's continuation
        const heading = headingLike ? stripGarble(last.lines.pop()!) : null;
        const prevNum = (l2 as Node | null)?.num ?? 0;
        implicitGroups++;
        l2 = newNode(2, prevNum + 1, `（${cnLabel(prevNum + 1)}）`, l1, heading ?? '', heading ?? '');
      }
      if (n === 1 || n === lastL3Num + 1 || (lastL3Num === 0 && last && last.level <= 2)) {
        l3 = newNode(3, n, `${n}`, (l2 ?? l1) as Node | null, m[2], line);
        l4 = null;
        last = l3;
        lastL3Num = n;
        return;
      }
    }
    const parent4 = (l3 ?? l2 ?? l1) as Node | null;
    if ((m = L4.exec(line)) && parent4) {
      const n = Number(m[1]);
      const prev = (l4 as Node | null)?.level === 4 ? (l4 as Node).num : 0;
      if (n === 1 || n === prev + 1) {
        l4 = newNode(4, n, `(${n})`, parent4, m[2], line);
        last = l4;
        return;
      }
    }
    if ((m = L5.exec(line)) && last) {
      const n = m[1].charCodeAt(0) - 0x2460 + 1;
      const parent = ((l4 as Node | null) ?? parent4) as Node | null;
      if (parent) {
        last = newNode(5, n, m[1], parent, m[2], line);
        return;
      }
    }
    const bracketed = BRACKET_LINE.test(line) ? line.replace(/[。.；;]$/, '').slice(1, -1) : null;
    if (last && (LABEL_LINE.test(line) || (bracketed !== null && readUnitClause(bracketed, clauseOpts)))) {
      const target = clauseTarget(last);
      target.clauseLines!.push(bracketed ?? line);
      target.source!.push(line);
      last.lastIsContinuation = false;
      return;
    }
    if (last) {
      last.lines.push(line);
      last.source!.push(line);
      last.lastIsContinuation = true;
    }
  });
  if (implicitGroups) warnings.push(`有 ${implicitGroups} 个（二）级标题无法识别（原文疑有乱码），已按编号重新从 1 开始推断分组。`);

  // each item's units: bracketed clauses in its text, and clause lines of its own
  const paragraphs = new Map<Node, Array<{ lines: string[]; clause: UnitClause }>>();
  for (const node of nodes) {
    const perLine = node.lines.map((l) => takeBracketClauses(l, clauseOpts));
    const withClause = perLine.filter((r) => r.clauses.length).length;
    if (withClause >= 2 && !node.clauseLines!.length) {
      // unnumbered paragraphs under one heading, each closing with a clause of its own: a task each
      const paras: Array<{ lines: string[]; clause: UnitClause }> = [];
      let cur: string[] = [];
      perLine.forEach((r, i) => {
        if (i === 0 && !r.clauses.length && node.lines[0].length <= 40) return; // the heading
        cur.push(r.text);
        if (r.clauses.length) {
          paras.push({ lines: cur, clause: mergeClauses(r.clauses) });
          cur = [];
        }
      });
      paragraphs.set(node, paras);
      continue;
    }
    const clauses = perLine.flatMap((r) => r.clauses);
    if (node.clauseLines!.length) {
      const own = readUnitClause(node.clauseLines!.join('；'), clauseOpts);
      if (own) clauses.push(own);
    }
    const merged = mergeClauses(clauses);
    node.lead.push(...merged.lead);
    node.co.push(...merged.co);
    node.deadlineText = merged.deadlineText;
    node.lines = perLine.map((r) => r.text);
  }
  const annotated = nodes.some((n) => n.lead.length || n.co.length || paragraphs.has(n));
  const hasUnits = (n: Node) => n.lead.length > 0 || n.co.length > 0;
  const descendantsWithUnits = new Set<Node>();
  for (const n of nodes) {
    if (!hasUnits(n) && !paragraphs.has(n)) continue;
    for (let p = n.parent; p; p = p.parent) descendantsWithUnits.add(p);
  }
  const inherited = (n: Node): Node | null => {
    for (let p = n.parent; p; p = p.parent) if (hasUnits(p)) return p;
    return null;
  };
  const tableRows = tableAt >= 0 ? readTable(rawLines.slice(tableAt + 1)) : [];
  const drafts: TaskDraft[] = [];
  /** Numbered items of an annotated plan that name no unit, not even through a heading: reported, not taken. */
  const unread: string[] = [];
  for (const node of nodes) {
    const paras = paragraphs.get(node);
    if (paras) {
      paras.forEach((para, i) => {
        const { title, content } = splitTitle(para.lines.filter((l) => l !== ''), false);
        const d = draft(`${node.ref}-${i + 1}`, headingOf(node), title, content, para.clause.lead, para.clause.co, planYear, planDate, para.clause.deadlineText);
        d.sourceLines = para.lines;
        drafts.push(d);
      });
      continue;
    }
    let units: Node | null = node;
    if (annotated) {
      if (descendantsWithUnits.has(node)) continue;
      // a heading with a clause and sub-items without one: the sub-items are the tasks (they inherit)
      if (hasUnits(node) && node.children > 0) continue;
      if (!hasUnits(node)) {
        // a sub-item without a clause of its own inherits its heading's units (a leaf only)
        units = node.children === 0 ? inherited(node) : null;
        if (!units) {
          if (node.children === 0 && node.level >= 2) unread.push(node.ref);
          continue;
        }
      }
    } else if (!(tableRows.length === 0 && !flat?.rows.length && node.level >= 2 && node.children === 0)) continue;
    const { title, content } = splitTitle(node.lines.filter((l) => l !== ''), false);
    const d = draft(node.ref, node.category, title, content, units.lead, units.co, planYear, planDate, node.deadlineText ?? units.deadlineText ?? null);
    d.sourceLines = node.source;
    drafts.push(d);
  }
  if (unread.length) {
    const shown = unread.slice(0, 10).join('、') + (unread.length > 10 ? ` 等 ${unread.length} 条` : '');
    warnings.push(`编号条目 ${shown} 未写明责任单位（本条及其上级条目都没有“牵头单位：…”或“X牵头”），未作为任务提取；如是任务，请补写单位后重新提取。`);
  }
  for (const row of tableRows) {
    const stop = row.text.lastIndexOf('。');
    const body = stop >= 0 ? row.text.slice(0, stop + 1) : row.text;
    const units = stop >= 0 ? splitUnits(row.text.slice(stop + 1)) : [];
    const { title, content } = splitTitle([body], true);
    const d = draft(`附表.${row.num}`, row.group, title, content, units.slice(0, 1), units.slice(1), planYear, planDate, null);
    d.sourceLines = [row.text];
    drafts.push(d);
  }
  if (flat) {
    for (const row of flat.rows) {
      const { title, content } = splitTitle([row.task], true);
      const full = [content, ...row.other].filter((t) => t !== '').join('\n');
      const d = draft(`附表.${row.ref}`, row.group, title, full, row.lead, row.co, planYear, planDate, row.deadlineText);
      d.sourceLines = row.source;
      drafts.push(d);
    }
    warnings.push(...flat.warnings);
  }
  for (const d of drafts) {
    if (/[?？\uFFFD]/.test(d.title)) {
      d.warnings = [...(d.warnings ?? []), '标题含无法识别的字符（原文疑有乱码），请人工核对'];
      warnings.push(`${d.ref}“${d.title}”：标题含无法识别的字符（原文疑有乱码），请人工核对。`);
    }
  }
  return { title, planDate, planYear, tasks: drafts, reportingDates: reporting.dates, warnings };
}

function mergeClauses(clauses: UnitClause[]): UnitClause {
  const lead = dedupe(clauses.flatMap((c) => c.lead));
  const co = dedupe(clauses.flatMap((c) => c.co)).filter((u) => !lead.includes(u));
  return { lead, co, deadlineText: clauses.find((c) => c.deadlineText)?.deadlineText ?? null };
}

/** A line that reads as a heading rather than a paragraph: short, not a finished sentence. */
function isHeadingLike(line: string | undefined): boolean {
  return !!line && line.length <= 40 && !/[。；：:]$/.test(line);
}

/** What is readable of a heading whose start was garbled ("?。ǘ﹦?新和加强事中事后监管"). */
function stripGarble(line: string): string {
  const i = Math.max(line.lastIndexOf('?'), line.lastIndexOf('\uFFFD'));
  return (i >= 0 ? line.slice(i + 1) : line).replace(/^[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)/, '');
}

function headingOf(node: Node): string | null {
  const first = node.lines.find((l) => l !== '');
  if (!first) return null;
  return splitTitle([first], false).title || null;
}

function draft(ref: string, category: string | null, title: string, content: string, lead: string[], co: string[], planYear: number | null, planDate: string | null, clauseDeadline: string | null): TaskDraft {
  const body = findDeadlines(content.includes(title) ? content : `${title}。${content}`, planYear, planDate);
  const fromClause = clauseDeadline ? findDeadlines(clauseDeadline, planYear, planDate, true) : [];
  const deadlines = [...fromClause, ...body.filter((d) => !fromClause.some((c) => c.date === d.date && c.kind === d.kind))];
  return { ref, category, title, content: content || null, lead: dedupe(lead), co: dedupe(co).filter((u) => !lead.includes(u)), deadlines };
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}
