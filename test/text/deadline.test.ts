import { deadlineUnreadable, parseDeadline, parseDeadlineCell } from '../../src/text/deadline';
import { excelSerialToIso, parseDateValue } from '../../src/text/dates';

describe('parseDeadline (DOMAIN.md deadline phrases)', () => {
  it.each([
    ['2021年3月底前', '2021-03-31'],
    ['2021年2月底前，推动市级事权下放', '2021-02-28'],
    ['2024年2月底前', '2024-02-29'],
    ['2021年底前', '2021-12-31'],
    ['至2021年底', '2021-12-31'],
    ['2023年12月10日前', '2023-12-10'],
    ['2021年上半年', '2021-06-30'],
    ['2021年三季度', '2021-09-30'],
    ['2021-03-31', '2021-03-31'],
    ['2021/3/31', '2021-03-31'],
    ['２０２１年６月底前', '2021-06-30'],
  ])('%s → %s', (text, date) => {
    expect(parseDeadline(text)).toEqual({ kind: 'date', date, text: expect.any(String) });
  });

  it('takes the plan year for year-less phrases', () => {
    expect(parseDeadline('11月25前', 2020).date).toBe('2020-11-25');
    expect(parseDeadline('6月底前', 2021).date).toBe('2021-06-30');
    expect(parseDeadline('年底前', 2020).date).toBe('2020-12-31');
    expect(parseDeadline('一季度', 2021).date).toBe('2021-03-31');
    expect(parseDeadline('下半年', 2021).date).toBe('2021-12-31');
  });

  it('keeps a year-less phrase without a plan year dateless but typed', () => {
    expect(parseDeadline('6月底前')).toEqual({ kind: 'date', date: null, text: '6月底前' });
  });

  it('tells starts, fuzzy, recurring and open-ended phrases apart', () => {
    expect(parseDeadline('自2020年1月1日起')).toMatchObject({ kind: 'start', date: '2020-01-01' });
    expect(parseDeadline('2021年5月初')).toMatchObject({ kind: 'fuzzy', date: '2021-05-10' });
    expect(parseDeadline('每季度')).toMatchObject({ kind: 'recurring', date: null });
    expect(parseDeadline('长期坚持')).toMatchObject({ kind: 'none', date: null });
    expect(parseDeadline('')).toMatchObject({ kind: 'none', date: null });
    expect(parseDeadline('尽快')).toMatchObject({ kind: 'none', date: null });
  });

  it('rejects impossible dates rather than rolling them over', () => {
    expect(parseDeadline('2021年2月30日前').date).toBeNull();
  });
});

describe('month-only, 中旬/下旬, dates next to "keep at it", and phrases that cannot be read', () => {
  it('reads what the reviews found refused or lost', () => {
    expect(parseDeadlineCell('2021年6月')).toMatchObject({ kind: 'date', date: '2021-06-30' });
    expect(parseDeadlineCell('6月份', 2021)).toMatchObject({ kind: 'date', date: '2021-06-30' });
    expect(parseDeadlineCell('2021年2月前')).toMatchObject({ kind: 'date', date: '2021-02-28' });
    expect(parseDeadline('2021年6月中旬')).toMatchObject({ kind: 'fuzzy', date: '2021-06-20' });
    expect(parseDeadline('2021年6月下旬')).toMatchObject({ kind: 'fuzzy', date: '2021-06-30' });
    expect(parseDeadline('2021年6月底前完成并持续推进')).toMatchObject({ kind: 'date', date: '2021-06-30' });
    expect(parseDeadline('长期坚持')).toMatchObject({ kind: 'none', date: null });
    // "6月15日" is not a month alone
    expect(parseDeadline('2021年6月15日')).toMatchObject({ date: '2021-06-15' });
  });

  it('tells an unreadable phrase from "no deadline"', () => {
    expect(deadlineUnreadable(parseDeadline('尽快'))).toBe(true);
    expect(deadlineUnreadable(parseDeadline('待定'))).toBe(true);
    for (const none of ['长期坚持', '持续推进', '常态化', '']) expect(deadlineUnreadable(parseDeadline(none))).toBe(false);
    expect(deadlineUnreadable(parseDeadlineCell('2021年6月'))).toBe(false);
    // inside a sentence a month alone is not read as a deadline
    expect(parseDeadline('2021年6月')).toMatchObject({ kind: 'none' });
  });
});

describe('spreadsheet dates', () => {
  it('reads Excel serial numbers in the 1900 system', () => {
    expect(excelSerialToIso(44286)).toBe('2021-03-31');
    expect(excelSerialToIso(1)).toBe('1900-01-01');
    expect(excelSerialToIso(61)).toBe('1900-03-01');
  });

  it('reads the written forms departments use', () => {
    expect(parseDateValue('2021年3月31日')).toBe('2021-03-31');
    expect(parseDateValue('2021.3.31')).toBe('2021-03-31');
    expect(parseDateValue(44286)).toBe('2021-03-31');
    expect(parseDateValue('44286')).toBe('2021-03-31');
    expect(parseDateValue(new Date(Date.UTC(2021, 2, 31)))).toBe('2021-03-31');
    expect(parseDateValue('2021年3月底前')).toBeNull();
    expect(parseDateValue(20)).toBeNull();
  });
});
