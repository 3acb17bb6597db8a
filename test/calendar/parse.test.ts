import fs from 'node:fs';
import path from 'node:path';
import { dayKind, parseNotice } from '../../src/calendar/parse';
import { workdayOn, type HolidayCalendar } from '../../src/render/workdays';

const NOTICE_2026 = fs.readFileSync(path.resolve(__dirname, '../../fixtures/calendar/2026年节假日安排-通知.txt'), 'utf8');

describe('holiday notice text', () => {
  it('reads the 2026 notice into exactly the days the bundled data has for 2026', () => {
    const r = parseNotice(NOTICE_2026);
    expect(r.errors).toEqual([]);
    expect(r.years).toEqual([2026]);
    const cal: HolidayCalendar = { years: new Set([2026]), offDays: new Set(r.days.filter((d) => d.kind === 'off').map((d) => d.date)), workDays: new Set(r.days.filter((d) => d.kind === 'work').map((d) => d.date)) };
    const differ: string[] = [];
    for (let t = Date.UTC(2026, 0, 1); t <= Date.UTC(2026, 11, 31); t += 86400000) {
      const d = new Date(t).toISOString().slice(0, 10);
      if (workdayOn(d, cal).work !== workdayOn(d).work) differ.push(d);
    }
    expect(differ).toEqual([]);
    expect(r.days.find((d) => d.date === '2026-02-15')).toMatchObject({ kind: 'off', name: '春节' });
  });

  it('handles a span across the new year, single days, and says which line it cannot read', () => {
    const r = parseNotice('国务院办公厅关于2023年部分节假日安排的通知\n一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。\n二、清明节：4月5日放假，共1天。\n三、劳动节：五一放假。');
    expect(r.days.filter((d) => d.name === '元旦').map((d) => d.date)).toEqual(['2022-12-31', '2023-01-01', '2023-01-02']);
    expect(r.days.filter((d) => d.name === '清明节').map((d) => d.date)).toEqual(['2023-04-05']);
    expect(r.errors).toEqual([expect.objectContaining({ row: 4, message: '“劳动节”的放假日期“五一”无法识别。' })]);
  });

  it('knows the words offices use for the day type', () => {
    expect(['休息日', '放假', '节假日', '休'].map(dayKind)).toEqual(['off', 'off', 'off', 'off']);
    expect(['调休上班日', '上班', '补班', '工作日', '班'].map(dayKind)).toEqual(['work', 'work', 'work', 'work', 'work']);
    expect(dayKind('待定')).toBeNull();
  });
});
