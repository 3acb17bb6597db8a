/**
 * Prompts check an answer as it is typed, with the flag's own rule: the error is shown under the
 * question and the question is asked again. Driven through the real inquirer prompts.
 */
import { askText, inquirerAsker } from '../../src/cli/prompt';
import { SETTING_RULES } from '../../src/settings/service';
import { KEY, Terminal } from '../helpers/terminal';

describe('init prompts', () => {
  it('refuse a bad region code where it is typed, then take a good one (the rule of --region)', async () => {
    const t = new Terminal();
    const region = askText('行政区划代码（6 位，如 310115）', '310115', SETTING_RULES.regionCode, t.context);
    await t.answer('行政区划代码', `31011x${KEY.enter}`);
    await t.waitFor(SETTING_RULES.regionCode('31011x')!);
    expect(SETTING_RULES.regionCode('31011x')).toBe('行政区划代码“31011x”应为 6 位数字（GB/T 2260，如 310115）。');
    t.input.write(`${KEY.backspace.repeat(6)}３１０１１５${KEY.enter}`); // full-width digits, as --region takes them
    expect(await region).toBe('３１０１１５');

    const authority = askText('发证机关名称', '', SETTING_RULES.authorityName, t.context);
    await t.answer('发证机关名称', `   ${KEY.enter}`);
    await t.waitFor('发证机关名称不能为空。');
    t.input.write(`${KEY.backspace.repeat(3)}浦东新区人民政府${KEY.enter}`);
    expect(await authority).toBe('浦东新区人民政府');
    expect(t.screen).not.toMatch(/You must|Invalid/);
  });

  it('speak Chinese: key hints of lists and 是/否 for a confirm', async () => {
    const t = new Terminal();
    const ask = await inquirerAsker('已取消。', t.context);
    const one = ask.select({ message: '行业', choices: [{ name: '甲', value: 1 }, { name: '乙', value: 2 }] });
    await t.answer('回车 选择', `${KEY.down}${KEY.enter}`);
    expect(await one).toBe(2);
    const some = ask.checkbox({ message: '项目', choices: [{ name: '甲', value: 1 }, { name: '乙', value: 2 }] });
    await t.answer('空格 选择 • a 全选 • i 反选 • 回车 确认', `${KEY.space}${KEY.enter}`);
    expect(await some).toEqual([1]);
    const yes = ask.confirm({ message: '确认发证？', default: true });
    await t.answer('确认发证？（是/否，默认 是）', KEY.enter);
    expect(await yes).toBe(true);
    await t.waitFor('确认发证？（是/否，默认 是） 是');
    const no = ask.confirm({ message: '录入？', default: false });
    await t.answer('录入？（是/否，默认 否）', KEY.enter);
    expect(await no).toBe(false);
    await t.waitFor('录入？（是/否，默认 否） 否');
    expect(t.screen).not.toMatch(/navigate|select|submit|invert|\bYes\b|\bNo\b|Y\/n|y\/N/);
  });

  it('confirm takes 是/否 and y/n as typed, and refuses anything else where it is typed', async () => {
    const t = new Terminal();
    const ask = await inquirerAsker('已取消。', t.context);
    // 否 against a default of 是 (inquirer's own confirm took it as the default)
    const no = ask.confirm({ message: '确认发证？', default: true });
    await t.answer('确认发证？（是/否，默认 是）', `否${KEY.enter}`);
    expect(await no).toBe(false);
    await t.waitFor('确认发证？（是/否，默认 是） 否');
    for (const [typed, dflt, expected] of [['是', false, true], ['y', false, true], ['Ｎ', true, false], [' n ', true, false], ['YES', false, true]] as const) {
      const answer = ask.confirm({ message: `问题${typed}`, default: dflt });
      await t.answer(`问题${typed}`, `${typed}${KEY.enter}`);
      expect(await answer).toBe(expected);
      await t.waitFor(` ${expected ? '是' : '否'}`);
    }
    // anything else: the message under the question, asked again; the answer corrected in place
    const fixed = ask.confirm({ message: '录入？', default: false });
    await t.answer('录入？（是/否，默认 否）', `好${KEY.enter}`);
    await t.waitFor('请输入“是”或“否”（也可输入 y 或 n）；直接回车即为“否”。');
    t.input.write(`${KEY.backspace}是${KEY.enter}`);
    expect(await fixed).toBe(true);
    await t.waitFor('录入？（是/否，默认 否） 是');
    expect(t.screen).not.toMatch(/You must|Invalid|\bYes\b|\bNo\b/);
  });
});
