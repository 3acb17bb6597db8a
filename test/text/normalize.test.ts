import { cellText, normalizeText, parseBool, parseTimeLimit, splitList } from '../../src/text/normalize';

describe('normalizeText', () => {
  it('makes full-width letters and digits ASCII and keeps Chinese punctuation', () => {
    expect(normalizeText('\u3000烘焙店（面包房）　ＰＤ－０１ ')).toBe('烘焙店（面包房） PD－01');
  });
  it('folds spaces, trims lines and drops invisible characters', () => {
    expect(normalizeText('  食品\u200B经营   许可\r\n\r\n 第二行 ')).toBe('食品经营 许可\n第二行');
  });
});

describe('cellText', () => {
  it('prints numbers without float noise and dates as ISO', () => {
    expect(cellText(20)).toBe('20');
    expect(cellText(0.1 + 0.2)).toBe('0.3');
    expect(cellText(new Date(Date.UTC(2021, 2, 31)))).toBe('2021-03-31');
    expect(cellText('   ')).toBeNull();
    expect(cellText(null)).toBeNull();
  });
});

describe('parseBool', () => {
  it.each([['是', true], ['否', false], ['√', true], ['×', false], ['Y', true], ['n', false], ['Ｙ', true], [true, true]])('%s', (v, b) => {
    expect(parseBool(v as string)).toBe(b);
  });
  it('is null when empty and undefined when not a yes/no', () => {
    expect(parseBool(null)).toBeNull();
    expect(parseBool('也许')).toBeUndefined();
  });
});

describe('parseTimeLimit', () => {
  it.each([
    // explicit: the cell itself names 工作日/自然日 (it then beats a unit in the header's brackets)
    [20, { days: 20, unit: '工作日' }], // a number cell or 即办: no explicit flag
    ['２０', { days: 20, unit: '工作日', explicit: false }],
    ['20个工作日', { days: 20, unit: '工作日', explicit: true }],
    ['30个自然日', { days: 30, unit: '自然日', explicit: true }],
    ['15天', { days: 15, unit: '工作日', explicit: false }],
    ['即办', { days: 0, unit: '工作日' }],
  ])('%s', (v, expected) => {
    expect(parseTimeLimit(v)).toEqual(expected);
  });
  it('rejects what is not a number of days', () => {
    expect(parseTimeLimit('五天左右')).toBeUndefined();
    expect(parseTimeLimit(-3)).toBeUndefined();
    expect(parseTimeLimit(2.5)).toBeUndefined();
    expect(parseTimeLimit('')).toBeNull();
  });
});

describe('splitList', () => {
  it('splits numbered lists in their usual forms', () => {
    expect(splitList('1.营业执照\n2.身份证明\n3.平面图')).toEqual(['营业执照', '身份证明', '平面图']);
    expect(splitList('（1）申请书；（2）营业执照；（3）租赁合同')).toEqual(['申请书', '营业执照', '租赁合同']);
    expect(splitList('①申请书②营业执照③租赁合同')).toEqual(['申请书', '营业执照', '租赁合同']);
  });
  it('keeps 、 inside items of a structured list, splits a plain 、-list', () => {
    expect(splitList('营业执照、身份证复印件；租赁合同')).toEqual(['营业执照、身份证复印件', '租赁合同']);
    expect(splitList('申请书、营业执照、平面图')).toEqual(['申请书', '营业执照', '平面图']);
    expect(splitList('区商务委、区烟草专卖局，区药品监管局', { commas: true })).toEqual(['区商务委', '区烟草专卖局', '区药品监管局']);
  });
  it('does not split decimals or dates inside an item', () => {
    expect(splitList('1.面积300.5平方米的平面图\n2.2021年度报告')).toEqual(['面积300.5平方米的平面图', '2021年度报告']);
  });
});
