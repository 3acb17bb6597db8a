import os from 'node:os';
import fc from 'fast-check';
import type { CellValue } from '../../src/io/types';
import { cellText } from '../../src/text/normalize';
import { cellTextQuick } from '../../src/license/util';
import { today } from '../../src/text/dates';
import { parseDateFlag } from '../../src/license/flags';
import { UsageError } from '../../src/cli/errors';
import { defaultActor } from '../../src/settings/actor';

describe('cellTextQuick', () => {
  it('gives what cellText gives, for any text and any cell', () => {
    // text built from the characters normalizeText treats specially, mixed with ordinary ones
    const special = fc.constantFrom(' ', '  ', '\t', '\n', '\r', '\r\n', '\v', '\f', '\u3000', '\u00A0', '\u1680', '\u2002', '\u2009', '\u200A', '\u200B', '\u200D', '\uFEFF', '\u2028', '\u2029', '\u202F', '\u205F', '０', '９', 'Ａ', 'ｚ', '（', '、', '；', '-', '=');
    const ordinary = fc.constantFrom('便', '利', '店', 'a', 'Z', '1', '9', '号', '.', '(', ')');
    const text = fc.array(fc.oneof(special, ordinary, fc.string({ maxLength: 3 })), { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(fc.property(text, (s) => cellTextQuick(s) === cellText(s)), { numRuns: 5000 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => cellTextQuick(s) === cellText(s)), { numRuns: 2000 });
    const cells: CellValue[] = [null, '', 12, 0.1 + 0.2, true, new Date(Date.UTC(2026, 4, 1)), { error: '#N/A' }];
    for (const c of cells) expect(cellTextQuick(c)).toEqual(cellText(c));
  });
});

describe('parseDateFlag', () => {
  it('reads a date flag as the batch files read date cells, as YYYY-MM-DD', () => {
    for (const v of ['2026-05-01', '2026/5/1', '2026.5.1', '2026年5月1日', '２０２６年５月１日', ' 2026-5-1 ']) expect(parseDateFlag(v)).toBe('2026-05-01');
    expect(parseDateFlag('2024/2/29', '--until')).toBe('2024-02-29');
    expect(parseDateFlag(undefined)).toBe(today());
  });

  it('refuses what is not a calendar date, in Chinese, as a usage error (exit 2)', () => {
    // a date of the right form that does not exist says so
    expect(() => parseDateFlag('2026/2/30', '--issued-from')).toThrow(/“2026\/2\/30”不是实际存在的日期：2026 年 2 月没有 30 日/);
    for (const v of ['2026年13月1日', '20260501', '46143', 'tomorrow', '']) {
      const err = (() => {
        try {
          parseDateFlag(v, '--issued-from');
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(UsageError);
      expect(err).toMatchObject({ exitCode: 2, message: `--issued-from 的值“${v}”不是有效日期。` });
    }
  });
});

describe('defaultActor', () => {
  const saved = { YIYE_ACTOR: process.env.YIYE_ACTOR, USER: process.env.USER, USERNAME: process.env.USERNAME };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('is YIYE_ACTOR, else $USER/$USERNAME, else the OS account (never the English "unknown")', () => {
    process.env.YIYE_ACTOR = '窗口张三';
    process.env.USER = 'zhangsan';
    expect(defaultActor()).toBe('窗口张三');
    delete process.env.YIYE_ACTOR;
    expect(defaultActor()).toBe('zhangsan');
    delete process.env.USER;
    process.env.USERNAME = 'Administrator';
    expect(defaultActor()).toBe('Administrator');
    // without $USER (cron, services) the account running yiye, as help says; 未署名 only when none can be read
    process.env.USERNAME = '  ';
    expect(defaultActor()).toBe(os.userInfo().username);
    delete process.env.USERNAME;
    expect(defaultActor()).toBe(os.userInfo().username);
  });
});
