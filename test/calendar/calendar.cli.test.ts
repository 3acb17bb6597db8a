/**
 * `yiye calendar import/show` and what an imported year does to the documents: a 2027 guide is
 * counted on the imported arrangement, not on weekends only, and stops warning.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importCatalog } from '../../src/catalog/service';
import { backends } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { PUDONG_BASE, freshWorkspace } from '../helpers/workspace';

const FIX = path.resolve(__dirname, '../../fixtures/calendar');
const CSV_2027 = path.join(FIX, '2027年节假日安排-示例.csv');
const NOTICE_2026 = path.join(FIX, '2026年节假日安排-通知.txt');
const tmp = () => fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'calendar-cli-'));
/** “如按原方式逐项办理，需至2027年6月8日” — the serial end date the guide states. */
const serialDate = (md: string) => /如按原方式逐项办理，需至([^。（]+)/.exec(md)?.[1];

describe.each(backends())('yiye calendar on %s', (backend) => {
  let url: string;
  beforeAll(async () => {
    const ws = await freshWorkspace(backend);
    url = ws.url;
    await importCatalog(ws.db, PUDONG_BASE, { actor: 'test' });
    await ws.db.destroy();
  });

  it('a 2027 guide counts weekends only and says so; after importing 2027 it counts the holidays and the warning is gone', async () => {
    const before = tmp();
    const gen = (out: string, ...more: string[]) => yiye(['guide', 'generate', '--db', url, '--industry', '便利店', '--industry', '超市', '--type', 'guide', '--format', 'md', '--out', out, '--date', '2027-03-01', ...more]);
    const r1 = await gen(before, '--json');
    expect(r1.code).toBe(0);
    const calendarWarnings = r1.json.warnings.filter((w: { code: string }) => w.code === 'CALENDAR_RANGE');
    // one per industry, each naming it, with the missing year
    expect(calendarWarnings.map((w: { industry: string }) => w.industry).sort()).toEqual(['便利店', '超市'].sort());
    for (const w of calendarWarnings) expect(w).toMatchObject({ years: [2027], message: expect.stringContaining(`行业“${w.industry}”`) });
    const md1 = fs.readFileSync(path.join(before, '便利店', 'guide.md'), 'utf8');
    expect(md1).toContain('（估算）');
    expect(md1).toContain('标“估算”的日期所在年份尚无节假日安排');
    const text1 = await gen(tmp());
    expect(text1.stdout).toMatch(/缺少 2027 年的节假日安排，2 个行业的办理日期按仅扣除周末估算（文书中标为“估算”）：(便利店、超市|超市、便利店)。用 `yiye calendar import <文件>`/);

    const strict = await gen(tmp(), '--strict');
    expect(strict.code).toBe(3);
    expect(strict.stderr).toContain('提示：2 个行业缺少 2027 年的节假日安排：用 `yiye calendar import');
    expect(strict.stderr).not.toContain('补全目录');

    const imp = await yiye(['calendar', 'import', CSV_2027, '--db', url, '--json']);
    expect(imp.code).toBe(0);
    expect(imp.json).toMatchObject({ form: 'table', dryRun: false, years: [{ year: 2027, offDays: 25, workDays: 4, status: 'added' }], outside: [] });
    const again = await yiye(['calendar', 'import', CSV_2027, '--db', url]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('2027 年：休息日 25 天，调休上班日 4 天 —— 与已导入的相同，未作修改');

    const after = tmp();
    const r2 = await gen(after, '--json');
    expect(r2.code).toBe(0);
    expect(r2.json.warnings.filter((w: { code: string }) => w.code === 'CALENDAR_RANGE')).toEqual([]);
    const md2 = fs.readFileSync(path.join(after, '便利店', 'guide.md'), 'utf8');
    expect(md2).not.toContain('估算');
    // 清明 (4-5) and 劳动节 (5-3..5-5) fall on weekdays in the span: the serial end date moves later
    expect(serialDate(md1)).toMatch(/^2027年/);
    expect(serialDate(md2)).toMatch(/^2027年/);
    expect(serialDate(md2)).not.toBe(serialDate(md1));
    expect((await gen(tmp(), '--strict')).code).toBe(0);

    const show = await yiye(['calendar', 'show', '--year', '2027', '--db', url, '--json']);
    expect(show.code).toBe(0);
    expect(show.json).toMatchObject({ year: 2027, source: 'imported', importedFrom: '2027年节假日安排-示例.csv', workdays: 261 - 21 + 4 + 3, knownYears: '2004—2027年' });
    expect(show.json.days).toContainEqual({ date: '2027-02-20', kind: 'work', kindLabel: '调休上班日', name: '春节' });
    const text = await yiye(['calendar', 'show', '--year', '2028', '--db', url]);
    expect(text.stdout).toContain('2028 年没有节假日数据（有数据的年份：2004—2027年）');
  }, 300_000);

  it('rejects a table with a row it cannot read, naming the row and column, and stores nothing', async () => {
    const dir = tmp();
    const bad = path.join(dir, '2029安排.csv');
    fs.writeFileSync(bad, '日期,类型\n2029-01-01,休息日\n2029-01-03,调休上班日\n2029-02-30,休息日\n2029-03-01,待定\n');
    const r = await yiye(['calendar', 'import', bad, '--db', url, '--json']);
    expect(r.code).toBe(3);
    const msgs = r.json.error.errors.map((e: { row: number; column: string; message: string }) => `${e.row}:${e.column}:${e.message}`);
    expect(msgs).toEqual(
      expect.arrayContaining([
        '4:日期:“2029-02-30”不是日期（如 2027-01-01 或 2027年1月1日）。',
        '5:类型:类型“待定”无法识别：应为“休息日”或“调休上班日”。',
        '3::2029-01-03 是星期三，本就是工作日，不是调休上班日。',
      ]),
    );
    const show = await yiye(['calendar', 'show', '--year', '2029', '--db', url, '--json']);
    expect(show.json.source).toBe('none');
  });

  (backend === 'sqlite' ? it : it.skip)('reads the State Council notice text', async () => {
    const r = await yiye(['calendar', 'import', NOTICE_2026, '--db', url, '--dry-run', '--json']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ form: 'notice', dryRun: true, years: [{ year: 2026, offDays: 33, workDays: 6, status: 'added' }] });
  });
});
