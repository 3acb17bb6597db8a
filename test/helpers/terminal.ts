/**
 * A scripted terminal for the real inquirer prompts: keys go in through `input`, what the prompts
 * draw collects in `screen`. inquirer ends its output stream when a prompt is done, so this one
 * ignores end() and serves every prompt of a run.
 */
import { PassThrough, Writable } from 'node:stream';
import type { PromptContext } from '../../src/cli/prompt';

export const KEY = { enter: '\r', down: '\x1b[B', space: ' ', backspace: '\x7f' };

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

export class Terminal {
  readonly input = new PassThrough();
  private raw = '';
  private seen = 0;
  readonly output: Writable;
  constructor() {
    const out = new Writable({
      write: (chunk, _enc, cb) => {
        this.raw += String(chunk);
        cb();
      },
    });
    out.end = (() => out) as never;
    this.output = out;
  }
  get context(): PromptContext {
    return { input: this.input, output: this.output };
  }
  /** Everything drawn so far, without colours and cursor moves. */
  get screen(): string {
    return plain(this.raw);
  }
  /** Waits until `text` is drawn after what was waited for before (5 s at most). */
  async waitFor(text: string): Promise<void> {
    for (const until = Date.now() + 5000; ; await new Promise((r) => setTimeout(r, 5))) {
      const at = this.screen.indexOf(text, this.seen);
      if (at >= 0) {
        this.seen = at + text.length;
        return;
      }
      if (Date.now() > until) throw new Error(`“${text}” not shown; the screen ends with:\n${this.screen.slice(-600)}`);
    }
  }
  /** Waits for the question, then types. */
  async answer(question: string, keys: string): Promise<void> {
    await this.waitFor(question);
    this.input.write(keys);
  }
}
