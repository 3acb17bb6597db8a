/**
 * The one template renderer. Each Renderer owns an isolated Handlebars environment
 * (`Handlebars.create()`): helpers and partials registered on it never leak into, or come from,
 * the global Handlebars another library may use.
 *
 * Safety: templates are compiled with `strict` (a missing field is an error naming the template
 * file and line, never a blank in an official document), `knownHelpersOnly` (a template can call
 * only the helpers in helpers.ts and Handlebars' block built-ins), and run with prototype access
 * denied explicitly. The `log` helper is removed (it writes to the console). Templates produce
 * Markdown, so nothing is HTML-escaped here; the view model's text is Markdown-escaped before it
 * reaches a template (see `toView`), and the HTML writer escapes everything it prints.
 */
import fs from 'node:fs';
import path from 'node:path';
// Types only at load time: every command module is loaded when the CLI starts, and Handlebars is
// needed by the document commands alone (see lazy.ts).
import type Handlebars from 'handlebars';
import { lazy } from '../lazy';
import { InputError } from '../cli/errors';
import { HELPERS } from './helpers';
import { escapeMarkdown } from './markdown';
import type { HolidayCalendar } from './workdays';

type HB = typeof Handlebars;
const handlebars = lazy<HB>(() => require('handlebars'));
type Compiled = (context: unknown, options?: Handlebars.RuntimeOptions) => string;

export interface TemplateFile {
  name: string;
  /** Path shown in messages: absolute for a user's file, `templates/…` for the package's own. */
  file: string;
  source: string;
  /** True when it comes from the user's --templates directory. */
  overridden: boolean;
}

/** Where the package's own templates are: found from this file's location, compiled or not. */
export function packageTemplatesDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'templates');
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`yiye's templates/ folder was not found above ${__dirname}`);
}

function readDir(dir: string, label: (f: string) => string, overridden: boolean): { main: TemplateFile[]; partials: TemplateFile[] } {
  const list = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d).filter((f) => f.endsWith('.hbs')).sort() : []);
  const read = (d: string, f: string, rel: string): TemplateFile => ({
    name: f.slice(0, -4),
    file: label(rel),
    source: fs.readFileSync(path.join(d, f), 'utf8').replace(/^\uFEFF/, ''),
    overridden,
  });
  return {
    main: list(dir).map((f) => read(dir, f, f)),
    partials: list(path.join(dir, 'partials')).map((f) => read(path.join(dir, 'partials'), f, `partials/${f}`)),
  };
}

interface Tagged extends Error {
  yiyeTemplate?: string;
  lineNumber?: number;
  column?: number;
}

/** Handlebars' grammar tokens as a template author knows them. */
const TOKEN_WORDS: Record<string, string> = {
  EOF: '文件结尾',
  OPEN_ENDBLOCK: '块结束标记 {{/…}}',
  OPEN_INVERSE_CHAIN: '{{else …}}',
  INVERSE: '{{else}}',
  OPEN_INVERSE: '{{^…}}',
  OPEN_BLOCK: '块开始标记 {{#…}}',
  OPEN: '{{',
  OPEN_UNESCAPED: '{{{',
  CLOSE: '}}',
  CLOSE_UNESCAPED: '}}}',
  CLOSE_RAW_BLOCK: '}}}}',
  OPEN_PARTIAL: '{{> …}}',
  OPEN_SEXPR: '(',
  CLOSE_SEXPR: ')',
  ID: '字段名或辅助函数名',
  STRING: '字符串',
  NUMBER: '数字',
  BOOLEAN: 'true/false',
  CONTENT: '正文',
  EQUALS: '=',
  SEP: '. 或 /',
  DATA: '@ 变量',
  OPEN_BLOCK_PARAMS: 'as |…|',
  CLOSE_BLOCK_PARAMS: '|',
  INVALID: '无法识别的字符',
};

/**
 * A Handlebars parse error in Chinese: what was expected and what was found ("Expecting 'OPEN_ENDBLOCK', got 'EOF'"
 * → 此处应为 块结束标记 {{/…}}，却遇到 文件结尾), or which block end does not match its start; the parser's
 * English kept in brackets so it can still be searched for.
 */
function syntaxInChinese(msg: string): string {
  const english = msg.split('\n').slice(1).join(' ').replace(/\s+/g, ' ').trim() || msg.replace(/\s+/g, ' ').trim();
  const word = (t: string) => TOKEN_WORDS[t] ?? t;
  const expecting = /Expecting (.+?), got '([^']+)'/.exec(msg);
  if (expecting) {
    const wanted = [...new Set([...expecting[1].matchAll(/'([^']+)'/g)].map((m) => word(m[1])))];
    const shown = wanted.length > 6 ? `${wanted.slice(0, 6).join('、')} 等` : wanted.join('、');
    return `语法错误：此处应为 ${shown}，却遇到${word(expecting[2])}（${english}）`;
  }
  const mismatch = /^(\S+) doesn't match (\S+)/.exec(msg);
  if (mismatch) return `语法错误：块 {{#${mismatch[1]}}} 的结束标记写成了 {{/${mismatch[2]}}}，两者应一致（${msg.replace(/\s+/g, ' ').trim()}）`;
  return `语法错误（${english}）`;
}

/** A Handlebars error as an InputError naming the template file and line, in Chinese. */
function templateError(err: Tagged, file: string, phase: 'syntax' | 'render'): InputError {
  const msg = String(err.message ?? err);
  let line = err.lineNumber;
  const parseLine = /Parse error on line (\d+)/.exec(msg);
  if (parseLine) line = Number(parseLine[1]);
  const missing = /^"([^"]+)" not defined in/.exec(msg);
  const unknownHelper = /unknown helper (\S+)/.exec(msg);
  const where = line ? `第 ${line} 行` : '';
  let what: string;
  if (missing) what = `字段“${missing[1]}”不存在（模板引用了数据中没有的字段）`;
  else if (unknownHelper) what = `使用了不允许的辅助函数 ${unknownHelper[1]}`;
  else if (phase === 'syntax') what = syntaxInChinese(msg);
  else what = msg.replace(/\[object Object\]/g, '数据').replace(/ - \d+:\d+$/, '');
  return new InputError(
    `模板 ${file} ${where}${where ? '：' : ''}${what}`,
    '修改该模板后重试；可用字段见 templates/README.md，或去掉 --templates 使用内置模板。',
    { template: file, line: line ?? null },
    'TEMPLATE_ERROR',
  );
}

/**
 * Deep copy of a view model whose strings are Markdown-safe. Plain objects (not null-prototype ones:
 * Handlebars' strict-mode error message needs to print its context); inherited members such as
 * `constructor` stay unreachable through the runtime's prototype-access denial.
 */
export function toView(value: unknown): unknown {
  if (typeof value === 'string') return escapeMarkdown(value);
  if (Array.isArray(value)) return value.map(toView);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = v === undefined ? null : toView(v);
    return out;
  }
  return value === undefined ? null : value;
}

export interface RenderOutput {
  text: string;
  warnings: string[];
}

export class Renderer {
  private readonly hb: HB;
  private readonly compiled = new Map<string, { fn: Compiled; file: string }>();
  readonly files: TemplateFile[];
  /** Files in the user's directory that match no document or partial (probably misspelt). */
  readonly ignored: string[] = [];

  /**
   * Loads the package's templates and, over them, the same-named files of `userDir`. Every file is
   * parsed now, so a syntax error is reported before any document is written.
   */
  constructor(opts: { templatesDir?: string } = {}) {
    this.hb = handlebars().create();
    this.hb.unregisterHelper('log');
    this.hb.registerHelper(HELPERS);
    const own = readDir(packageTemplatesDir(), (f) => `templates/${f}`, false);
    const main = new Map(own.main.map((t) => [t.name, t]));
    const partials = new Map(own.partials.map((t) => [t.name, t]));
    if (opts.templatesDir) {
      const dir = path.resolve(opts.templatesDir);
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new InputError(`模板目录不存在：${opts.templatesDir}`, '用 --templates 指定一个包含 .hbs 文件的目录。');
      }
      const user = readDir(dir, (f) => path.join(dir, f), true);
      for (const t of user.main) (main.has(t.name) ? main.set(t.name, t) : this.ignored.push(t.file));
      for (const t of user.partials) partials.set(t.name, t);
    }
    this.files = [...main.values(), ...partials.values()];
    const known = Object.fromEntries(Object.keys(HELPERS).map((k) => [k, true]));
    const compileOpts = { strict: true, noEscape: true, knownHelpers: known, knownHelpersOnly: true } as const;
    for (const t of this.files) {
      let ast: hbs.AST.Program;
      try {
        ast = this.hb.parse(t.source);
      } catch (e) {
        throw templateError(e as Tagged, t.file, 'syntax');
      }
      const banned = findHelperCall(ast, FORBIDDEN_HELPERS);
      if (banned) throw templateError(Object.assign(new Error(`unknown helper ${banned.name}`), { lineNumber: banned.line }), t.file, 'render');
    }
    for (const t of partials.values()) {
      const fn = this.hb.compile(t.source, compileOpts) as Compiled;
      // A function partial, so an error inside it names the partial's own file.
      this.hb.registerPartial(t.name, ((ctx: unknown, options: Handlebars.RuntimeOptions) => {
        try {
          return fn(ctx, options);
        } catch (e) {
          throw tag(e as Tagged, t.file);
        }
      }) as unknown as Handlebars.Template);
    }
    for (const t of main.values()) this.compiled.set(t.name, { fn: this.hb.compile(t.source, compileOpts) as Compiled, file: t.file });
  }

  has(name: string): boolean {
    return this.compiled.has(name);
  }

  /** Renders template `name` (without .hbs) on `view` (a toView() result); working days on `calendar` (the workspace's imported years). */
  render(name: string, view: unknown, calendar?: HolidayCalendar): RenderOutput {
    const t = this.compiled.get(name);
    if (!t) throw new Error(`no template ${name}`);
    const warnings: string[] = [];
    try {
      const text = t.fn(view, {
        allowProtoPropertiesByDefault: false,
        allowProtoMethodsByDefault: false,
        allowCallsToHelperMissing: false,
        data: { yiye: { counters: [0, 0, 0, 0], warnings, calendar } },
      });
      return { text, warnings: [...new Set(warnings)] };
    } catch (e) {
      const err = tag(e as Tagged, t.file);
      throw templateError(err, err.yiyeTemplate ?? t.file, 'render');
    }
  }
}

/** Built-ins a template may not call: `log` writes to the console. */
const FORBIDDEN_HELPERS = new Set(['log', 'helperMissing', 'blockHelperMissing']);

/** The first call of one of `names` as a helper anywhere in the template, with its line. */
function findHelperCall(node: unknown, names: Set<string>): { name: string; line: number } | null {
  if (!node || typeof node !== 'object') return null;
  const n = node as { type?: string; path?: { original?: unknown }; params?: unknown[]; loc?: { start: { line: number } } };
  if ((n.type === 'MustacheStatement' || n.type === 'BlockStatement' || n.type === 'SubExpression') && typeof n.path?.original === 'string' && names.has(n.path.original)) {
    return { name: n.path.original, line: n.loc?.start.line ?? 0 };
  }
  for (const v of Object.values(node)) {
    const found = Array.isArray(v) ? v.map((x) => findHelperCall(x, names)).find(Boolean) : typeof v === 'object' && v !== null && v !== n.loc ? findHelperCall(v, names) : null;
    if (found) return found;
  }
  return null;
}

function tag(err: Tagged, file: string): Tagged {
  if (err && typeof err === 'object' && !err.yiyeTemplate) err.yiyeTemplate = file;
  return err;
}
