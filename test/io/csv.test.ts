import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { detectEncoding, readCsvRows } from '../../src/io/csv';
import { readRows, formatOf } from '../../src/io/read-rows';

const dir = fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'csv-'));
const TEXT = '行业名称,事项名称,办理情形\r\n便利店,食品经营许可,必办\r\n便利店,酒类商品零售许可,"销售酒类商品的\r\n（含散装）"\r\n';

async function rows(file: string) {
  const out = [];
  for await (const r of readCsvRows(file)) out.push(r);
  return out;
}

function write(name: string, buf: Buffer): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, buf);
  return f;
}

describe('csv reader', () => {
  it.each([
    ['utf8.csv', Buffer.from(TEXT, 'utf8')],
    ['utf8-bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')])],
    ['gbk.csv', iconv.encode(TEXT, 'gbk')],
    ['gb18030.csv', iconv.encode(TEXT, 'gb18030')],
    ['utf16le-bom.csv', iconv.encode(TEXT, 'utf-16le', { addBOM: true })],
    ['utf16le.csv', iconv.encode(TEXT, 'utf-16le')],
    ['utf16be-bom.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(TEXT, 'utf-16be')])],
    ['tabs.csv', Buffer.from(TEXT.replace(/,/g, '\t'), 'utf8')],
  ])('reads %s to the same rows', async (name, buf) => {
    const got = await rows(write(name, buf));
    expect(got.map((r) => r.cells)).toEqual([
      ['行业名称', '事项名称', '办理情形'],
      ['便利店', '食品经营许可', '必办'],
      ['便利店', '酒类商品零售许可', '销售酒类商品的\r\n（含散装）'],
    ]);
    // a quoted multi-line cell is one row, numbered as a spreadsheet would
    expect(got.map((r) => r.rowNumber)).toEqual([1, 2, 3]);
    expect(got[0].sheet).toBe(name.replace(/\.csv$/, ''));
  });

  it('detects GBK even when the sample ends inside a character', () => {
    const gbk = iconv.encode('行业名称'.repeat(10), 'gbk');
    expect(detectEncoding(gbk.subarray(0, gbk.length - 1), true)).toBe('gb18030');
    const utf8 = Buffer.from('行业名称'.repeat(10), 'utf8');
    expect(detectEncoding(utf8.subarray(0, utf8.length - 1), true)).toBe('utf-8');
  });

  it('refuses a binary file named .csv and an unclosed quote with Chinese messages', async () => {
    const bin = write('binary.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0x14, 0, 0x06, 0, 0, 1, 2, 3]));
    await expect(rows(bin)).rejects.toMatchObject({ code: 'BAD_FILE', message: expect.stringMatching(/二进制/) });
    const quote = write('quote.csv', Buffer.from('a,b\n1,"open\n', 'utf8'));
    await expect(rows(quote)).rejects.toMatchObject({ code: 'BAD_FILE', message: expect.stringMatching(/第 2 行引号未闭合/) });
  });

  it('accepts the spreadsheet extensions and refuses unknown types before reading', () => {
    expect(formatOf('目录.xls')).toBe('xls');
    expect(formatOf('目录.ET')).toBe('xls');
    expect(formatOf('目录.ods')).toBe('ods');
    expect(() => formatOf('目录.pdf')).toThrow(/只能读取 \.xlsx、\.xls、\.et、\.ods 或 \.csv/);
  });

  it('readRows dispatches csv without loading exceljs', async () => {
    const f = write('plain.csv', Buffer.from('a,b\n1,2\n'));
    const got = [];
    for await (const r of readRows(f)) got.push(r.cells);
    expect(got).toEqual([['a', 'b'], ['1', '2']]);
    expect(Object.keys(require.cache).some((k) => k.includes(`${path.sep}exceljs${path.sep}`))).toBe(false);
  });
});
