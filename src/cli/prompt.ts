/**
 * Prompts are sugar: asked only on an interactive terminal without --json/--yes and outside CI.
 * Every answer can also be given as a flag, and a prompt checks what is typed with the same rule
 * the flag is checked with: a bad answer is refused where it is typed and asked again.
 *
 * Every prompt goes through `inquirerAsker`, which speaks Chinese: the key hints under a list
 * (inquirer's “↑↓ navigate • ⏎ select”), a confirm asked as （是/否，默认 是） rather than inquirer's
 * (Y/n), and the messages inquirer writes itself for an empty answer.
 */
import { UsageError } from './errors';
import { toHalfWidth } from '../text/normalize';

export function canPrompt(suppressed: boolean): boolean {
  return !suppressed && !process.env.CI && !!process.stdin.isTTY && !!process.stdout.isTTY;
}

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
  checked?: boolean;
}

/** A prompt's check of a typed answer: true, or the message shown under it. */
export type Validate = (v: string) => true | string;

/** The four kinds of question asked; inquirer's prompts fit it as they are. */
export interface Asker {
  select<T>(q: { message: string; choices: Array<Choice<T>>; pageSize?: number }): Promise<T>;
  input(q: { message: string; default?: string; validate?: Validate }): Promise<string>;
  checkbox<T>(q: { message: string; choices: Array<Choice<T>>; pageSize?: number }): Promise<T[]>;
  confirm(q: { message: string; default?: boolean }): Promise<boolean>;
}

/** Where prompts read keys and draw (tests pass streams; the default is the terminal). */
export interface PromptContext {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/** A domain rule (problem text or null) as a prompt's validate. */
export const asValidate =
  (rule: (v: string) => string | null): Validate =>
  (v) =>
    rule(v) ?? true;

/** inquirer's key-hint actions in Chinese; an action not listed stays as inquirer wrote it. */
const KEY_ACTIONS: Record<string, string> = { navigate: '移动', select: '选择', submit: '确认', all: '全选', invert: '反选' };
const KEY_NAMES: Record<string, string> = { space: '空格', '⏎': '回车' };

export const keysHelpTip = (keys: Array<[string, string]>): string => keys.map(([key, action]) => `${KEY_NAMES[key] ?? key} ${KEY_ACTIONS[action] ?? action}`).join(' • ');

/** The theme of the list prompts (select, checkbox): key hints in Chinese. */
export const ZH_THEME = { style: { keysHelpTip } };

export const yesNo = (v: boolean): string => (v ? '是' : '否');

/**
 * A typed answer to a confirm: 是/否 or y/n (yes/no; any width or case), an empty answer the default;
 * undefined for anything else, which is refused where it is typed (inquirer's own confirm took any
 * other text, 否 included, as the default).
 */
export function parseYesNo(typed: string, dflt: boolean): boolean | undefined {
  const t = toHalfWidth(typed).trim().toLowerCase();
  if (t === '') return dflt;
  if (t === '是' || t === 'y' || t === 'yes') return true;
  if (t === '否' || t === 'n' || t === 'no') return false;
  return undefined;
}

/** A confirm as a checked text prompt: the question ends （是/否，默认 是）, the answer is echoed as 是 or 否. */
function confirmQuestion(q: { message: string; default?: boolean }) {
  const dflt = q.default ?? true;
  return {
    dflt,
    message: `${q.message}（是/否，默认 ${yesNo(dflt)}）`,
    validate: ((v) => parseYesNo(v, dflt) !== undefined || `请输入“是”或“否”（也可输入 y 或 n）；直接回车即为“${yesNo(dflt)}”。`) as Validate,
    transformer: (v: string, { isFinal }: { isFinal: boolean }) => (isFinal ? yesNo(parseYesNo(v, dflt) ?? dflt) : v),
  };
}

/**
 * @inquirer/prompts behind the Asker interface, in Chinese. Ctrl+C (inquirer's ExitPromptError)
 * becomes a UsageError with `cancelled` as its text.
 */
export async function inquirerAsker(cancelled = '已取消。', context: PromptContext = {}): Promise<Asker> {
  const p = await import('@inquirer/prompts');
  const cancel = (err: unknown): never => {
    if ((err as Error).name === 'ExitPromptError') throw new UsageError(cancelled);
    throw err;
  };
  const ctx = context as Parameters<typeof p.input>[1];
  return {
    select: (q) => p.select({ ...q, theme: ZH_THEME }, ctx).catch(cancel),
    input: (q) => p.input(q, ctx).catch(cancel),
    // no required/validate: choosing nothing is an answer the caller judges
    checkbox: (q) => p.checkbox({ ...q, theme: ZH_THEME }, ctx).catch(cancel) as never,
    confirm: async (q) => {
      const { dflt, ...question } = confirmQuestion(q);
      return parseYesNo(await p.input(question, ctx).catch(cancel), dflt) ?? dflt;
    },
  };
}

/** One text answer, checked as typed by `rule` (the same rule as the flag). An empty answer takes the default. */
export async function askText(message: string, defaultValue: string, rule: (v: string) => string | null, context: PromptContext = {}): Promise<string> {
  const ask = await inquirerAsker('已取消。', context);
  return ask.input({ message, default: defaultValue || undefined, validate: asValidate(rule) });
}
