/**
 * Property tests for the parsers that find structure in free text: header mapping, material-name
 * normalisation, task extraction from a plan's text, and the csv reader's mojibake detector (which
 * must never take real Chinese for mojibake).
 */
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { FIELD_HEADERS, fieldOfHeader, headerScore, mapHeader, detectKind, type Field } from '../../src/catalog/headers';
import { materialDisplayName, materialKey } from '../../src/guide/materials';
import { extractPlan, findDeadlines } from '../../src/progress/extract';
import { findMojibake } from '../../src/io/csv';
import type { CellValue } from '../../src/io/types';
import { anyText, han, params, planLike } from './arbitraries';

const FIELDS = Object.keys(FIELD_HEADERS) as Field[];
/** Each field's first (canonical) header. */
const canonical = (f: Field) => FIELD_HEADERS[f][0];

/** How departments decorate a header: stars, colons, brackets, full width, spaces, line breaks. */
const decorated = (name: string) =>
  fc
    .tuple(fc.constantFrom('', '*', '＊', ' ', '\u3000'), fc.constantFrom('', '：', ':', '（必填）'.slice(0, 0), ' '), fc.boolean(), fc.boolean())
    .map(([pre, post, wide, spaced]) => {
      let s = name;
      if (wide) s = s.replace(/[A-Za-z0-9/]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
      if (spaced) s = s.split('').join(' ');
      return `${pre}${s}${post}`;
    });

describe('header mapping', () => {
  test('every synonym, however decorated, names its field', () => {
    const pairs = FIELDS.flatMap((f) => FIELD_HEADERS[f].map((name) => [f, name] as const));
    fc.assert(
      fc.property(fc.constantFrom(...pairs).chain(([f, name]) => decorated(name).map((d) => [f, name, d] as const)), ([, name, d]) => {
        expect(fieldOfHeader(d)?.field).toBe(fieldOfHeader(name)?.field);
      }),
      params(81001),
    );
  });

  test('a header of distinct canonical names in any order maps each field to its own column', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(FIELDS, { minLength: 1, maxLength: 12 }), (fields) => {
        const header = mapHeader([fields.map(canonical)], 1);
        fields.forEach((f, i) => expect(header.columns[f]).toBe(i));
        expect(header.labels).toEqual(fields.map(canonical));
      }),
      params(81002),
    );
  });

  test('mapHeader, headerScore and detectKind never throw on any rows', () => {
    const cell: fc.Arbitrary<CellValue> = fc.oneof(anyText, fc.double(), fc.constant(null), fc.boolean(), fc.constantFrom(...FIELDS.map(canonical)), fc.constant({ error: '#N/A' }));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { maxLength: 12 }), { minLength: 1, maxLength: 3 }), (rows) => {
        const header = mapHeader(rows, 1);
        const width = Math.max(...rows.map((r) => r.length));
        for (const c of Object.values(header.columns)) expect(c).toBeLessThan(width);
        expect(headerScore(rows[0])).toBeGreaterThanOrEqual(0);
        detectKind(header.columns);
      }),
      params(81003),
    );
  });
});

describe('material names', () => {
  const materialLike = fc
    .array(fc.oneof(fc.constantFrom('营业执照', '身份证', '复印件', '原件', '（副本）', '（加盖公章）', '《', '》', '（', '）', '、', '。', ' ', 'ＩＣＰ', '的', '食品经营许可证', '[', ']'), fc.string({ unit: han, maxLength: 4 })), { maxLength: 8 })
    .map((p) => p.join(''));
  const name = fc.oneof(materialLike, anyText);

  test('materialKey and materialDisplayName never throw and are idempotent', () => {
    fc.assert(
      fc.property(name, (s) => {
        const key = materialKey(s);
        expect(materialKey(key)).toBe(key);
        const shown = materialDisplayName(s);
        expect(materialDisplayName(shown)).toBe(shown);
      }),
      params(82001),
    );
  });

  test('the printed name keeps the key: two names that merge still merge when printed', () => {
    fc.assert(
      fc.property(name, (s) => {
        expect(materialKey(materialDisplayName(s))).toBe(materialKey(s));
      }),
      params(82002),
    );
  });

  test('form and seal qualifiers never change which document it is', () => {
    fc.assert(
      fc.property(fc.string({ unit: han, minLength: 2, maxLength: 8 }), fc.constantFrom('复印件', '（复印件）', '原件及复印件', '（加盖公章）', '（副本）复印件（加盖公章）', '扫描件'), (core, q) => {
        fc.pre(materialKey(core) === materialKey(materialDisplayName(core)) && !/复印|原件|副本|正本|扫描|电子|影印|公章|盖章|印章/.test(core));
        expect(materialKey(`《${core}》${q}`)).toBe(materialKey(core));
      }),
      params(82003),
    );
  });
});

describe('task extraction', () => {
  test('extractPlan never throws on any text, and what it returns is well-formed', () => {
    fc.assert(
      fc.property(fc.oneof(planLike, anyText), (text) => {
        const plan = extractPlan(text);
        for (const t of plan.tasks) {
          expect(typeof t.ref).toBe('string');
          expect(typeof t.title).toBe('string');
          for (const d of t.deadlines) if (d.date !== null) expect(d.date).toMatch(/^(19|20|21|22)\d\d-\d\d-\d\d$/);
        }
        for (const r of plan.reportingDates) if (r.date !== null) expect(r.date).toMatch(/^\d{4}-\d\d-\d\d$/);
      }),
      params(83001),
    );
  });

  test('numbered items with units become tasks that keep their units', () => {
    const unit = fc.constantFrom('区市场监管局', '区商务委', '区政务服务中心', '区卫生健康委');
    const item = fc.tuple(fc.string({ unit: han, minLength: 4, maxLength: 12 }), unit, fc.option(unit, { nil: undefined }));
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 6 }), (items) => {
        const text = ['一、总体要求', ...items.map(([body, lead, co], i) => `${i + 1}.${body.replace(/[一二三四五六七八九十]、|^[（(]/g, '')}。（牵头单位：${lead}${co ? `；配合单位：${co}` : ''}）`)].join('\n');
        const plan = extractPlan(text);
        expect(plan.tasks).toHaveLength(items.length);
        plan.tasks.forEach((t, i) => expect(t.lead).toEqual([items[i][1]]));
      }),
      params(83002, 150),
    );
  });

  test('findDeadlines never throws and keeps dates on or after the plan date', () => {
    fc.assert(
      fc.property(fc.oneof(planLike, anyText), fc.option(fc.integer({ min: 1990, max: 2100 }), { nil: null }), (text, year) => {
        const planDate = year === null ? null : `${year}-01-01`;
        for (const d of findDeadlines(text, year, planDate)) if (d.date !== null && planDate) expect(d.date >= planDate).toBe(true);
      }),
      params(83003),
    );
  });
});

describe('csv mojibake detector', () => {
  test('real Chinese text is never taken for mojibake', () => {
    const gbkHan = fc.integer({ min: 0xb0a1, max: 0xd7f9 }).map((code) => iconv.decode(Buffer.from([code >> 8, code & 0xff]), 'gbk')).filter((c) => c.length === 1 && c !== '\uFFFD');
    const line = fc.array(fc.oneof(fc.string({ unit: gbkHan, minLength: 1, maxLength: 12 }), fc.constantFrom(',', '，', '、', '20', '（', '）', '\r\n')), { maxLength: 30 }).map((p) => p.join(''));
    fc.assert(
      fc.property(line, (text) => {
        expect(findMojibake(text)).toBeNull();
      }),
      params(84001),
    );
  });

  test('UTF-8 Chinese read as GBK is recognised, and says what it was', () => {
    const lines = fc.array(fc.string({ unit: han, minLength: 4, maxLength: 10 }), { minLength: 3, maxLength: 8 });
    fc.assert(
      fc.property(lines, (parts) => {
        fc.pre(parts.every((p) => !/[《》]/.test(p)));
        const original = parts.join(',');
        const garbled = iconv.decode(Buffer.from(original, 'utf8'), 'gbk');
        const found = findMojibake(garbled);
        expect(found).not.toBeNull();
        if (found?.original) expect(original).toContain(found.original.slice(0, 2));
      }),
      params(84002, 150),
    );
  });
});
