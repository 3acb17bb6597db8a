import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../src/cli/errors';
import { issueLicenses } from '../../src/license/issue';
import { askApplication, saveApplication, type Asker, type Choice } from '../../src/license/interactive';
import { inquirerAsker } from '../../src/cli/prompt';
import { CatalogIndex } from '../../src/license/store';
import { validateUscc } from '../../src/license/uscc';
import { KEY, Terminal } from '../helpers/terminal';
import { showLicense } from '../../src/license/service';
import { generateUscc } from '../../src/license/uscc';
import { backends } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { licenseWorkspace, tmpDir, type LicenseWorkspace } from './helpers';

const DATE = '2026-03-15';

/**
 * Scripted answers in the order the questions come. Text answers pass through the prompt's own
 * validate() first, as inquirer does: a rejected answer is recorded and the next one is tried.
 */
class Script implements Asker {
  readonly asked: string[] = [];
  readonly rejected: string[] = [];
  constructor(private answers: Array<string | boolean | ((choices: Array<Choice<unknown>>) => unknown)>) {}
  private next(message: string): string | boolean | ((choices: Array<Choice<unknown>>) => unknown) {
    this.asked.push(message);
    if (this.answers.length === 0) throw new Error(`no scripted answer for “${message}”`);
    return this.answers.shift()!;
  }
  async select<T>(q: { message: string; choices: Array<Choice<T>> }): Promise<T> {
    const pick = this.next(q.message) as (c: Array<Choice<T>>) => T;
    return pick(q.choices);
  }
  async checkbox<T>(q: { message: string; choices: Array<Choice<T>> }): Promise<T[]> {
    const pick = this.next(q.message) as (c: Array<Choice<T>>) => T[];
    return pick(q.choices);
  }
  async input(q: { message: string; default?: string; validate?: (v: string) => true | string }): Promise<string> {
    for (;;) {
      const a = this.next(q.message);
      const v = a === '' && q.default !== undefined ? q.default : String(a);
      const ok = q.validate ? q.validate(v) : true;
      if (ok === true) return v;
      this.rejected.push(`${q.message}: ${ok}`);
    }
  }
  async confirm(q: { message: string }): Promise<boolean> {
    return this.next(q.message) as boolean;
  }
}

const byName = (name: string) => <T>(choices: Array<Choice<T>>): T => {
  const c = choices.find((x) => x.name.startsWith(name));
  if (!c) throw new Error(`no choice “${name}” among ${choices.map((x) => x.name).join(', ')}`);
  return c.value;
};

describe.each(backends())('license issue --interactive on %s', (backend) => {
  let ws: LicenseWorkspace;
  beforeAll(async () => {
    ws = await licenseWorkspace(backend);
  });
  afterAll(async () => {
    await ws.db.destroy();
  });

  it('walks through one application, checks the code as typed, and issues it through the batch rules', async () => {
    const good = generateUscc(7101, { region: '310115' });
    const badCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const ask = new Script([
      byName('便利店'),
      (choices: Array<Choice<unknown>>) => {
        // the conditional matters are offered with their condition; tick the alcohol one
        expect(choices.some((c) => /酒类/.test(c.name))).toBe(true);
        return choices.filter((c) => /酒类/.test(c.name)).map((c) => c.value);
      },
      '', // empty name: refused, asked again
      '上海窗口测试便利店有限公司',
      badCheck, // wrong check character: refused as typed
      `${good.slice(0, 4)} ${good.slice(4).toLowerCase()}`, // lower case in groups: taken as the batch files take it
      '王五',
      '浦东新区测试路 1 号',
      false,
      '', // accept the default application number
      true,
    ]);
    const saveDir = tmpDir('counter-');
    const app = await askApplication(ws.db, ask, { date: DATE, saveDir, now: () => new Date('2026-03-15T09:30:05+08:00') }); // the default 申请编号 is in the workspace's time zone (Asia/Shanghai)
    expect(app).not.toBeNull();
    expect(ask.rejected).toEqual([
      expect.stringMatching(/^经营者名称: 请填写经营者名称。/),
      expect.stringMatching(/^统一社会信用代码.*校验码/),
    ]);
    expect(app!.uscc).toBe(good);
    expect(app!.applicationNo).toBe('CK20260315093005');
    expect(app!.industry).toBe('便利店');
    expect(app!.items).toMatch(/酒类/);

    const file = await saveApplication(app!, saveDir);
    expect(path.dirname(file)).toBe(saveDir);
    const result = await issueLicenses(ws.db, file, { date: DATE, keyFile: ws.keyFile, actor: '窗口李四' });
    expect(result.issued).toHaveLength(1);
    const shown = await showLicense(ws.db, result.issued[0].number, DATE);
    expect(shown.current.holderName).toBe('上海窗口测试便利店有限公司');
    expect(shown.current.items.map((i) => i.matterName).join('；')).toMatch(/酒类/);

    // the same application again: same file, nothing new issued
    expect(await saveApplication(app!, saveDir)).toBe(file);
    const again = await issueLicenses(ws.db, file, { date: DATE, keyFile: ws.keyFile, actor: '窗口李四' });
    expect(again.issued).toHaveLength(0);
    expect(again.existing).toHaveLength(1);

    // another application under a used number is refused instead of overwriting the kept file
    await expect(saveApplication({ ...app!, holderName: '另一家公司' }, saveDir)).rejects.toBeInstanceOf(UsageError);
    expect(fs.readFileSync(file, 'utf8')).toContain('上海窗口测试便利店有限公司');
  });

  it('through the real prompts: every typed answer is checked in place and asked again, in Chinese', async () => {
    const t = new Terminal();
    const good = generateUscc(7103, { region: '310115' });
    const badCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const industries = (await CatalogIndex.load(ws.db)).industries.filter((i) => i.links.size > 0);
    const at = industries.findIndex((i) => i.name === '便利店');
    expect(at).toBeGreaterThanOrEqual(0);
    const asked = askApplication(ws.db, await inquirerAsker('已取消，未发证。', t.context), { date: DATE, saveDir: tmpDir('counter-'), now: () => new Date(2026, 2, 15, 9, 30, 6) });
    const retype = async (question: string, bad: string, error: string, goodText: string) => {
      await t.answer(question, `${bad}${KEY.enter}`);
      await t.waitFor(error);
      t.input.write(`${KEY.backspace.repeat([...bad].length)}${goodText}${KEY.enter}`);
    };
    await t.answer('行业类别（试点行业）', `${KEY.down.repeat(at)}${KEY.enter}`);
    await t.answer('空格 选择 • a 全选 • i 反选 • 回车 确认', `${KEY.space}${KEY.enter}`);
    await retype('经营者名称', ' ', '请填写经营者名称。', '上海窗口测试便利店有限公司');
    const usccError = validateUscc(badCheck, new Set());
    expect(usccError.ok).toBe(false);
    await retype('统一社会信用代码（18 位）', badCheck, (usccError as { message: string }).message, good);
    await retype('法定代表人（负责人）', ' ', '请填写法定代表人（负责人）。', '王五');
    await retype('经营场所', ' ', '请填写经营场所。', '浦东新区测试路 3 号');
    await t.answer('是否录入已持有的单项许可证号和有效期？', `y${KEY.enter}`);
    await t.waitFor('是否录入已持有的单项许可证号和有效期？（是/否，默认 否） 是');
    const convenience = industries[at];
    const items = [...convenience.links.values()].filter((l) => l.mandatory).length + 1;
    for (let i = 0; i < items; i++) {
      await t.answer('单项许可证号（没有则留空）', KEY.enter);
      if (i === 0) await retype('有效期至（YYYY-MM-DD，没有则留空）', '2026-02-30', '请按 YYYY-MM-DD 填写日期，或留空。', '');
      else await t.answer('有效期至（YYYY-MM-DD，没有则留空）', KEY.enter);
    }
    await retype('申请编号（同一编号不会重复发证）', 'A B', '申请编号只能由字母、数字、-、_ 组成，最长 64 位。', 'CK-T-1');
    await t.answer('确认发证？', KEY.enter);
    const app = await asked;
    await t.waitFor('确认发证？（是/否，默认 是） 是');
    expect(app).toMatchObject({ applicationNo: 'CK-T-1', holderName: '上海窗口测试便利店有限公司', uscc: good, legalRep: '王五', premises: '浦东新区测试路 3 号', industry: '便利店' });
    expect(t.screen).not.toMatch(/You must|Invalid|navigate|\bYes\b|\bNo\b/);
  });

  it('returns null when the clerk does not confirm', async () => {
    const ask = new Script([byName('便利店'), () => [], '某公司', generateUscc(7102, { region: '310115' }), '赵六', '某路 2 号', false, 'CK-NO', false]);
    expect(await askApplication(ws.db, ask, { date: DATE, saveDir: tmpDir('counter-') })).toBeNull();
  });
});

describe('license issue --interactive from the command line', () => {
  it('refuses without an interactive terminal (CI, pipes) with a usage error, and needs a file otherwise', async () => {
    const noTty = await yiye(['license', 'issue', '--interactive', '--db', path.join(tmpDir('cli-'), 'none.db')]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/需要在交互式终端中运行/);
    expect(noTty.stderr).not.toMatch(/\n\s+at /);
    const noFile = await yiye(['license', 'issue', '--db', path.join(tmpDir('cli-'), 'none.db')]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/缺少发证申请文件/);
  });
});
