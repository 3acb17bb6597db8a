import { parseDeadline } from '../text/deadline';

/**
 * The grammar of unit clauses, as 任务分工 documents write them (issue 13 item 2):
 *
 *   labelled    牵头单位：A、B；配合单位：C        (any separator between labels: ；;，,。 or a space)
 *               牵头单位:X,责任单位:Y,各街道(功能区)    责任单位：A、B牵头，C、D     部门分工：X牵头，各地配合
 *               …,6月底完成 (a deadline inside the clause)   时限要求：2022年12月底前
 *   unlabelled  X牵头 / X牵头负责 / X牵头，Y配合 / X、Y牵头，Z按职责分工负责 / X负责 / 各区政府负责
 *
 * Lead labels: 牵头/主责/主办/总牵头; co labels: 配合/协办/协同/协助/参与/参加. 责任单位/责任部门 are
 * co-operating when the same clause (or item) names a lead, otherwise they are the responsible (lead)
 * units — or, when the plan declares "列第一位的为牵头单位", the first is the lead and the rest co.
 * Units are kept as written (各有关部门, 各区); lists split on 、，,；; and on 和/及 only where the part
 * before ends like a unit name (州委编办及州直相关单位, not 文化和旅游局). A remark in parentheses
 * inside a list (除标注为“牵头”单位外，…) is dropped. Every pattern here is a plain alternation of
 * literals or a character class without nested quantifiers: linear in the clause's length.
 */
export interface UnitClause {
  lead: string[];
  co: string[];
  /** A deadline written inside the clause ("6月底完成", 时限要求：…), as written. */
  deadlineText: string | null;
}

export interface ClauseOptions {
  /** The plan declares that the first unit of a 责任单位 list is the lead (列第一位的为牵头单位). */
  firstIsLead?: boolean;
}

const LEAD_LABELS = ['总牵头单位', '总牵头部门', '牵头单位', '牵头部门', '牵头责任单位', '主责单位', '主责部门', '主办单位', '主办部门'];
const RESP_LABELS = ['责任单位', '责任部门', '落实单位', '实施单位', '承办单位'];
const CO_LABELS = ['配合单位', '配合部门', '协办单位', '协办部门', '协同单位', '协同部门', '协助单位', '参与单位', '参与部门', '参加单位'];
const TIME_LABELS = ['完成时限', '时限要求', '完成时间', '时间节点', '时间要求', '进度安排', '时限'];
const SPLIT_LABELS = ['部门分工', '责任分工', '任务分工'];
/** Labels that are neither units nor deadlines: read past, never taken as units. */
const OTHER_LABELS = ['分管省领导', '分管市领导', '分管区领导', '分管县领导', '分管领导', '牵头领导', '责任领导', '责任人', '联系人'];

type Kind = 'lead' | 'resp' | 'co' | 'time' | 'split' | 'other';
const KIND = new Map<string, Kind>([
  ...LEAD_LABELS.map((l) => [l, 'lead'] as const),
  ...RESP_LABELS.map((l) => [l, 'resp'] as const),
  ...CO_LABELS.map((l) => [l, 'co'] as const),
  ...TIME_LABELS.map((l) => [l, 'time'] as const),
  ...SPLIT_LABELS.map((l) => [l, 'split'] as const),
  ...OTHER_LABELS.map((l) => [l, 'other'] as const),
]);
const ALL_LABELS = [...KIND.keys()].sort((a, b) => b.length - a.length);
/** A label and its colon, anywhere: "牵头单位：", "责任单位:". */
const LABEL = new RegExp(`(${ALL_LABELS.join('|')})[ ]?[:：]`, 'g');
/** A line (or clause) that starts with a label. */
export const LABEL_LINE = new RegExp(`^(?:${ALL_LABELS.join('|')})[ ]?[:：]`);

/** What a unit name ends with. */
const UNIT_END = /(?:局|委|办|厅|府|部门|单位|中心|室|会|院|组|街道|镇|乡|区|县|市|州|旗|司|行|队|公司|所|站|处|馆|团|社|联|署|台|校|集团|专班|办事处|管委会|海关|部|党委|政府|各地|园区)$/;
/** Role words that close an unlabelled clause part, longest first. */
const ROLE = /(牵头负责|牵头落实|牵头|按照职责分工负责|按职责分工负责|按照职责分工落实|按职责分工落实|按职责负责|分工负责|各负其责|共同负责|分别负责|配合|协助|协办|参与|负责|落实)$/;
const CO_ROLES = new Set(['配合', '协助', '协办', '参与', '按照职责分工负责', '按职责分工负责', '按照职责分工落实', '按职责分工落实', '按职责负责', '分工负责', '各负其责', '共同负责', '分别负责']);
const LEAD_ROLES = new Set(['牵头负责', '牵头落实', '牵头']);
const ASSIST_ROLES = new Set(['配合', '协助', '协办', '参与']);

/** Splits at separators outside parentheses; `and` also splits on 和/及 between unit names. */
function splitTop(text: string, seps: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if ('(（〔【['.includes(ch)) depth++;
    else if (')）〕】]'.includes(ch)) depth = Math.max(0, depth - 1);
    if (depth === 0 && seps.includes(ch)) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * 和/及/以及/与 join two units only when the part before reads as a unit name (its last few
 * characters end like one). One pass, left to right.
 */
function splitAnd(part: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (let i = 2; i < part.length - 2; i++) {
    const w = part.startsWith('以及', i) ? '以及' : '和及与'.includes(part[i]) ? part[i] : '';
    if (!w || part.length - i - w.length < 2 || i - from < 2) continue;
    if (!UNIT_END.test(part.slice(Math.max(from, i - 6), i))) continue;
    out.push(part.slice(from, i));
    from = i + w.length;
    i = from + 1;
  }
  out.push(part.slice(from));
  return out;
}

/** Drops trailing characters of `chars` (a loop: a regex like /[，,]+$/ backtracks over a long run). */
export function trimEndOf(s: string, chars: string): string {
  let end = s.length;
  while (end > 0 && chars.includes(s[end - 1])) end--;
  return s.slice(0, end);
}

/** A remark in parentheses at the end of a unit name (longer than a second name, or a sentence). */
function dropRemark(unit: string): string {
  const m = /[（(]([^（）()]*)[)）]$/.exec(unit);
  if (m && (m[1].length > 12 || /[,，。；;]/.test(m[1]))) return unit.slice(0, m.index).trim();
  return unit;
}

function looksLikeDeadline(part: string): boolean {
  if (UNIT_END.test(part) && !/(前|底|完成|内)$/.test(part)) return false;
  const d = parseDeadline(part, 2000);
  return d.kind === 'date' || d.kind === 'fuzzy' || d.kind === 'recurring' || /^(长期坚持|持续推进|长期|持续|常态化)/.test(part);
}

interface ListRead {
  units: string[];
  deadline: string | null;
}

/** A list of units as written: "A、B,C及D" (a trailing deadline part is taken apart). */
export function readUnitList(value: string): ListRead {
  const units: string[] = [];
  let deadline: string | null = null;
  for (const raw of splitTop(trimEndOf(value, '。.'), '、，,；;/')) {
    const part = raw.replace(/^(?:由|请|等)/, '').trim();
    if (part === '') continue;
    if (looksLikeDeadline(part)) {
      deadline ??= part;
      continue;
    }
    for (const u of splitAnd(part)) {
      const name = dropRemark(u.replace(ROLE_TAIL, '').trim());
      if (name !== '') units.push(name);
    }
  }
  // "各州、市人民政府": a level word after 各 that the next part completes
  for (let i = 0; i + 1 < units.length; i++) {
    if (/^各[州市县区]$/.test(units[i]) && /^[州市县区旗](?:[（(][^）)]*[)）])?(?:人民)?政府/.test(units[i + 1])) {
      units.splice(i, 2, `${units[i]}、${units[i + 1]}`);
    }
  }
  return { units: shareSuffix(units), deadline };
}

/** Role words a list may end with ("…按职责分工负责"): not part of the last name. */
const ROLE_TAIL = /(?:等(?:单位|部门)?)?(?:按照职责分工负责|按职责分工负责|按职责负责|分工负责|牵头负责|负责)?$/;
/** "济南、青岛、烟台市政府": place names sharing the last one's level and suffix. */
const SHARED_SUFFIX = /^[\u4e00-\u9fff]{2,4}?([市县区州](?:人民政府|政府))$/;

function shareSuffix(units: string[]): string[] {
  const out = [...units];
  for (let j = 1; j < out.length; j++) {
    const m = SHARED_SUFFIX.exec(out[j]);
    if (!m) continue;
    for (let i = j - 1; i >= 0 && /^[\u4e00-\u9fff]{2,4}$/.test(out[i]) && !UNIT_END.test(out[i]) && !/^各/.test(out[i]); i--) out[i] += m[1];
  }
  return out;
}

/** A name that reads as one unit: short, no sentence inside, ends like a unit (局, 委, 中心, 单位 …). */
export function isUnitName(u: string): boolean {
  return unitLike(u) && u.length <= 24 && UNIT_END.test(u);
}

/** A unit name as plans write them: short, no sentence inside. */
function unitLike(u: string): boolean {
  return u.length >= 2 && u.length <= 40 && !/[。；;:：“”]/.test(u);
}

/** The unlabelled grammar: "X、Y牵头，Z按职责分工负责" / "X牵头负责" / "各区政府负责". Null when it is not a clause. */
export function readUnlabelled(text: string): (UnitClause & { explicitLead: boolean }) | null {
  const parts = splitTop(trimEndOf(text, '。.'), '，,；;');
  const lead: string[] = [];
  const co: string[] = [];
  let deadline: string | null = null;
  let pending: string[] = [];
  let sawLead = false;
  let sawRole = false;
  const plain: Array<{ role: string; units: string[] }> = [];
  for (const part of parts) {
    const m = ROLE.exec(part);
    if (!m) {
      if (looksLikeDeadline(part)) {
        deadline ??= part;
        continue;
      }
      const r = readUnitList(part);
      if (!r.units.every(unitLike) || r.units.length === 0) return null;
      if (sawLead) co.push(...r.units);
      else pending.push(...r.units);
      continue;
    }
    const before = part.slice(0, m.index).replace(/^(?:由|请)/, '').trim();
    const r = readUnitList(before);
    const units = [...pending, ...r.units];
    pending = [];
    if (units.length === 0 || !units.every(unitLike)) return null;
    sawRole = true;
    plain.push({ role: m[1], units });
    if (LEAD_ROLES.has(m[1])) sawLead = true;
  }
  if (!sawRole || pending.length) return null;
  for (const { role, units } of plain) {
    // without a 牵头, those who are responsible (负责, 按职责分工负责) lead; 配合/协助/参与 never do
    if (LEAD_ROLES.has(role) || (!sawLead && !ASSIST_ROLES.has(role))) lead.push(...units);
    else co.push(...units);
  }
  return { lead, co, deadlineText: deadline, explicitLead: sawLead };
}

/**
 * Reads a unit clause: the inside of a bracket, or the own-line clause lines of an item joined. Null
 * when the text is not a unit clause (a remark in brackets, "以下简称…").
 */
export function readUnitClause(text: string, opts: ClauseOptions = {}): UnitClause | null {
  const s = text.trim();
  const labels = [...s.matchAll(LABEL)];
  if (labels.length === 0 || labels[0].index !== 0) return readUnlabelled(s);
  const lead: string[] = [];
  const co: string[] = [];
  const resp: string[] = [];
  let deadline: string | null = null;
  labels.forEach((m, i) => {
    const end = i + 1 < labels.length ? labels[i + 1].index! : s.length;
    // a list ends at its sentence's end: what follows ("具体任务均涉及…，下同。") is a remark
    const value = trimEndOf(s.slice(m.index! + m[0].length, end).split('。')[0], '；;，,。. ').trim();
    const kind = KIND.get(m[1])!;
    if (kind === 'other' || value === '') return;
    if (kind === 'time') {
      deadline ??= value;
      return;
    }
    // a list that itself says who leads: "责任单位：A、B牵头，C、D" / "部门分工：X牵头，各地配合"
    const inner = kind === 'split' || /牵头|配合|按职责/.test(value) ? readUnlabelled(value) : null;
    if (inner && kind === 'resp' && !inner.explicitLead) {
      resp.push(...inner.lead);
      co.push(...inner.co);
      deadline ??= inner.deadlineText;
      return;
    }
    if (inner) {
      lead.push(...inner.lead);
      co.push(...inner.co);
      deadline ??= inner.deadlineText;
      return;
    }
    const r = readUnitList(value);
    deadline ??= r.deadline;
    if (kind === 'lead') lead.push(...r.units);
    else if (kind === 'co') co.push(...r.units);
    else resp.push(...r.units);
  });
  if (resp.length) {
    if (lead.length) co.unshift(...resp);
    else if (opts.firstIsLead) {
      lead.push(resp[0]);
      co.unshift(...resp.slice(1));
    } else lead.push(...resp);
  }
  if (!lead.length && !co.length && deadline === null) return null;
  return { lead: dedupe(lead), co: dedupe(co).filter((u) => !lead.includes(u)), deadlineText: deadline };
}

const OPEN = '(（〔【[';
const CLOSE = ')）〕】]';

/**
 * Every bracketed unit clause in an item's text — （…） (…) 〔…〕 【…】 […] — read and removed. Brackets
 * inside the clause (各街道(功能区)) are matched; brackets that are not unit clauses stay in the text.
 */
export function takeBracketClauses(text: string, opts: ClauseOptions = {}): { text: string; clauses: UnitClause[] } {
  const clauses: UnitClause[] = [];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (!OPEN.includes(ch)) {
      out += ch;
      i++;
      continue;
    }
    let depth = 0;
    let end = -1;
    for (let j = i; j < text.length; j++) {
      if (OPEN.includes(text[j])) depth++;
      else if (CLOSE.includes(text[j]) && --depth === 0) {
        end = j;
        break;
      }
    }
    if (end < 0) {
      out += text.slice(i);
      break;
    }
    const inner = text.slice(i + 1, end);
    const clause = inner.length <= 400 && /牵头|配合|负责|单位|部门|协办|落实/.test(inner) ? readUnitClause(inner, opts) : null;
    if (clause && (clause.lead.length || clause.co.length)) clauses.push(clause);
    else out += text.slice(i, end + 1);
    i = end + 1;
  }
  return { text: out.trim(), clauses };
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}
