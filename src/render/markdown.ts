/**
 * The Markdown subset yiye's templates write, parsed into blocks that the HTML and docx writers
 * share. Templates produce Markdown (the source text an office can read and diff); HTML and Word are
 * made from the same blocks, so the three formats never say different things and a user's template
 * override changes all three at once.
 *
 * What is understood (a strict subset of CommonMark + GFM tables, so the .md files read well in any
 * viewer):
 *   # … ######           headings (# = the document title)
 *   1. item              ordered list (one level)
 *   - item / - [ ] item  bullet list / tick-box option (☐)
 *   | a | b |            pipe table: header row, |---| separator, body rows
 *   ::: right / :::      a block aligned right (落款、成文日期) or centered (Pandoc fenced div)
 *   ---                  horizontal rule
 *   **bold**, \x         bold; backslash escape of ASCII punctuation
 *   line ending in \     hard line break inside a paragraph
 *   <!-- … -->           a comment on its own line (document metadata), not rendered
 * There is no raw HTML: `<` is text. Soft line breaks inside a paragraph join without a space
 * (Chinese text has no spaces between words).
 */

export interface Span {
  text: string;
  bold?: boolean;
  /** A hard line break (the text is empty). */
  br?: boolean;
}

export type Align = 'left' | 'right' | 'center';

export type Block =
  | { kind: 'heading'; level: number; spans: Span[] }
  | { kind: 'paragraph'; spans: Span[]; align: Align }
  | { kind: 'list'; ordered: boolean; items: Array<{ spans: Span[]; task: boolean }> }
  | { kind: 'table'; header: Span[][]; rows: Span[][][] }
  | { kind: 'rule' };

const ESCAPABLE = /[\\`*_[\]<>|#]/g;

/**
 * Makes catalog text safe to place anywhere in a template's Markdown: structural characters are
 * backslash-escaped (CommonMark escapes, so any viewer shows them as typed) and line breaks inside a
 * value are folded, because a value sits on one line of a table, list item or sentence.
 */
export function escapeMarkdown(s: string): string {
  const folded = s
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .reduce((acc, line) => (acc === '' ? line : /[。；;，,：:、]$/.test(acc) ? acc + line : `${acc}；${line}`), '');
  let out = folded.replace(ESCAPABLE, (c) => `\\${c}`);
  // A value at the start of a line must not turn into a list item or a rule.
  out = out.replace(/^([-+])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
  return out;
}

/** Inline text: **bold** and backslash escapes. Unclosed ** stays literal. */
export function parseInline(s: string): Span[] {
  const spans: Span[] = [];
  let buf = '';
  let bold = false;
  const flush = () => {
    if (buf !== '') spans.push(bold ? { text: buf, bold: true } : { text: buf });
    buf = '';
  };
  const closes = (from: number) => s.indexOf('**', from) !== -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length && /[!-/:-@[-`{-~]/.test(s[i + 1])) {
      buf += s[++i];
    } else if (c === '*' && s[i + 1] === '*' && (bold || closes(i + 2))) {
      flush();
      bold = !bold;
      i++;
    } else {
      buf += c;
    }
  }
  flush();
  return spans;
}

/** Plain text of spans (for tests, docx fields, table-emptiness checks). */
export function spanText(spans: Span[]): string {
  return spans.map((s) => (s.br ? '\n' : s.text)).join('');
}

function splitRow(line: string): string[] {
  let t = line.trim();
  if (t.startsWith('|')) t = t.slice(1);
  if (t.endsWith('|') && !t.endsWith('\\|')) t = t.slice(0, -1);
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '\\' && i + 1 < t.length) {
      cur += t[i] + t[i + 1];
      i++;
    } else if (t[i] === '|') {
      cells.push(cur.trim());
      cur = '';
    } else cur += t[i];
  }
  cells.push(cur.trim());
  return cells;
}

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const ORDERED = /^\d{1,3}[.)]\s+(.*)$/;
const BULLET = /^[-*+]\s+(.*)$/;
const TASK = /^\[( |x|X)\]\s+(.*)$/;
const TABLE_SEP = /^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;
const COMMENT = /^<!--.*-->$/;

/** Parses the subset above; anything else is paragraph text. */
export function parseMarkdown(md: string): Block[] {
  const lines = md.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let align: Align = 'left';
  let para: string[] = [];
  let list: Extract<Block, { kind: 'list' }> | null = null;

  const endPara = () => {
    if (!para.length) return;
    const spans: Span[] = [];
    para.forEach((line, i) => {
      const hard = line.endsWith('\\') && !line.endsWith('\\\\');
      spans.push(...parseInline(hard ? line.slice(0, -1) : line));
      if (hard && i < para.length - 1) spans.push({ text: '', br: true });
    });
    blocks.push({ kind: 'paragraph', spans, align });
    para = [];
  };
  const endList = () => {
    if (list) blocks.push(list);
    list = null;
  };
  const addItem = (ordered: boolean, text: string) => {
    if (!list || list.ordered !== ordered) {
      endList();
      list = { kind: 'list', ordered, items: [] };
    }
    const task = !ordered ? TASK.exec(text) : null;
    list.items.push(task ? { spans: parseInline(task[2]), task: true } : { spans: parseInline(text), task: false });
  };

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const line = raw.trim();
    if (line === '') {
      endPara();
      endList();
      continue;
    }
    if (COMMENT.test(line)) continue;
    const div = /^:::\s*(right|center|left)?\s*$/.exec(line);
    if (div) {
      endPara();
      endList();
      align = (div[1] as Align | undefined) ?? 'left';
      continue;
    }
    const h = HEADING.exec(line);
    if (h) {
      endPara();
      endList();
      blocks.push({ kind: 'heading', level: h[1].length, spans: parseInline(h[2]) });
      continue;
    }
    if (/^(-{3,}|\*{3,})$/.test(line) && para.length === 0) {
      endList();
      blocks.push({ kind: 'rule' });
      continue;
    }
    if (line.startsWith('|') && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1].trim())) {
      endPara();
      endList();
      const header = splitRow(line).map(parseInline);
      const rows: Span[][][] = [];
      i += 2;
      while (i < lines.length && lines[i].trim().startsWith('|')) {
        const cells = splitRow(lines[i]).map(parseInline);
        while (cells.length < header.length) cells.push([]);
        rows.push(cells.slice(0, header.length));
        i++;
      }
      i--;
      blocks.push({ kind: 'table', header, rows });
      continue;
    }
    const o = ORDERED.exec(line);
    const b = o ? null : BULLET.exec(line);
    if ((o || b) && para.length === 0) {
      addItem(Boolean(o), (o ?? b)![1]);
      continue;
    }
    if (list && /^\s{2,}/.test(raw) && para.length === 0) {
      // continuation of the last item
      const items = (list as Extract<Block, { kind: 'list' }>).items;
      items[items.length - 1].spans.push(...parseInline(line));
      continue;
    }
    endList();
    para.push(line);
  }
  endPara();
  endList();
  return blocks;
}
