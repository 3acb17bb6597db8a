/**
 * The legacy reader (src/io/legacy.ts) and format detection by bytes (src/io/sniff.ts): the .xls and
 * .ods that LibreOffice saved from the .xlsx fixtures (fixtures/make-legacy-fixtures.sh) read as the
 * same rows as the .xlsx; a file's name does not decide how it is read; the limits hold.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { InputError } from '../../src/cli/errors';
import { readRows } from '../../src/io/read-rows';
import { sniffFormat } from '../../src/io/sniff';
import { biffCells, cellsDeclared } from '../../src/io/legacy';
import type { ReaderLimits } from '../../src/io/limits';
import type { CellValue, SheetRow } from '../../src/io/types';
import { zip } from '../../fixtures/zip';

const ROOT = path.resolve(__dirname, '../..');
const LEGACY = path.join(ROOT, 'fixtures', 'catalog', 'legacy');
const PUDONG = path.join(ROOT, 'fixtures', 'catalog', 'pudong');
const legacy = (name: string) => path.join(LEGACY, name);
const SOURCES: Array<[string, string]> = [
  ['便利店-综合目录', PUDONG],
  ['附件1-试点行业清单', PUDONG],
  ['附件2-事项目录', PUDONG],
  ['单元格类型', LEGACY],
];

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiye-legacy-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function all(file: string, opts: Parameters<typeof readRows>[1] = {}): Promise<SheetRow[]> {
  const out: SheetRow[] = [];
  for await (const r of readRows(file, opts)) out.push(r);
  return out;
}

async function refusal(file: string, limits?: Partial<ReaderLimits>): Promise<InputError> {
  try {
    await all(file, { limits });
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error(`${path.basename(file)} was read without a refusal`);
}

function copy(from: string, name: string): string {
  const to = path.join(dir, name);
  fs.copyFileSync(from, to);
  return to;
}

function write(name: string, content: Buffer | string): string {
  const to = path.join(dir, name);
  fs.writeFileSync(to, content);
  return to;
}

describe('LibreOffice-saved .xls and .ods read as the same rows as the .xlsx', () => {
  test.each(SOURCES)('%s.xls', async (name, from) => {
    const xlsx = await all(path.join(from, `${name}.xlsx`));
    expect(xlsx.length).toBeGreaterThan(10);
    expect(await all(legacy(`${name}.xls`))).toEqual(xlsx);
  });

  // SheetJS trims the white space (U+0020 and U+3000) at both ends of an .ods text cell, which the
  // .xlsx keeps; the import's normalisation trims it too (test/io/legacy-cli.test.ts compares the
  // imported catalogs). Everything else is equal.
  const trimEdges = (rows: SheetRow[]) => rows.map((r) => ({ ...r, cells: r.cells.map((c) => (typeof c === 'string' ? c.trim() || null : c)) }));
  test.each(SOURCES)('%s.ods', async (name, from) => {
    const xlsx = trimEdges(await all(path.join(from, `${name}.xlsx`)));
    const ods = trimEdges(await all(legacy(`${name}.ods`)));
    if (name === '单元格类型') {
      // LibreOffice saved the boolean as the number 1 with the formula TRUE() (its own model of booleans)
      const i = xlsx.findIndex((r) => r.cells[0] === '布尔');
      expect(xlsx[i].cells[1]).toBe(true);
      expect(ods[i].cells[1]).toBe(1);
      ods[i].cells[1] = true;
    }
    expect(ods).toEqual(xlsx);
  });
});

describe('cell values of 单元格类型.xls', () => {
  let byKind: Map<string, CellValue[]>;
  let rows: SheetRow[];
  beforeAll(async () => {
    rows = await all(legacy('单元格类型.xls'));
    byKind = new Map(rows.filter((r) => r.sheet === '单元格').map((r) => [String(r.cells[0]), r.cells]));
  });

  test('dates are calendar dates whatever the time zone, also in a Chinese date format and near midnight', () => {
    expect(byKind.get('日期')![1]).toEqual(new Date(Date.UTC(2021, 8, 28)));
    expect(byKind.get('中文日期')![1]).toEqual(new Date(Date.UTC(2021, 10, 1)));
    expect(byKind.get('近午夜')![1]).toEqual(new Date(Date.UTC(2021, 11, 31, 23, 59)));
  });

  test('errors, booleans, cached formula results, codes kept as text, full-width text', () => {
    expect(byKind.get('错误')![1]).toEqual({ error: '#N/A' });
    expect(byKind.get('布尔')![1]).toBe(true);
    expect(byKind.get('公式')![1]).toBe(20);
    expect(byKind.get('文本编码')![1]).toBe('0012345');
    expect(byKind.get('全角')![1]).toBe('２０个工作日');
    expect(byKind.get('小数')![1]).toBe(1.5);
  });

  test('a merged range fills down; row numbers are the sheet\'s; every sheet in workbook order', () => {
    const merged = rows.filter((r) => r.sheet === '单元格' && ['第一行', '第二行', '第三行'].includes(r.cells[2] as string));
    expect(merged.map((r) => r.cells[1])).toEqual(['市市场监管局', '市市场监管局', '市市场监管局']);
    expect(merged.map((r) => r.rowNumber)).toEqual([11, 12, 13]);
    // the empty row 14 is skipped, row 15 keeps its number
    expect(rows.find((r) => r.cells[0] === '隔空行')!.rowNumber).toBe(15);
    expect([...new Set(rows.map((r) => r.sheet))]).toEqual(['单元格', '第二张']);
  });

  test('--sheet picks one sheet (case-insensitively, as Excel); an unknown name lists the sheets', async () => {
    const second = await all(legacy('单元格类型.xls'), { sheet: '第二张' });
    expect(second).toEqual([
      { sheet: '第二张', rowNumber: 1, cells: ['事项编码', '事项名称'] },
      { sheet: '第二张', rowNumber: 2, cells: ['310115-SC-001', '食品经营许可'] },
    ]);
    const ods = await all(legacy('单元格类型.ods'), { sheet: '第二张' });
    expect(ods).toEqual(second);
    await expect(all(legacy('单元格类型.xls'), { sheet: '无此表' })).rejects.toMatchObject({
      code: 'SHEET_NOT_FOUND',
      message: '工作簿中没有名为“无此表”的工作表；现有工作表：单元格、第二张',
    });
  });

  test('a number in a text-formatted (@) cell reads as text', async () => {
    const X = require('@e965/xlsx') as typeof import('@e965/xlsx');
    const ws = X.utils.aoa_to_sheet([['事项编码'], [310115]]);
    (ws.A2 as { z?: string }).z = '@';
    const wb = X.utils.book_new();
    X.utils.book_append_sheet(wb, ws, '目录');
    const file = write('text-format.xls', Buffer.from(X.write(wb, { type: 'buffer', bookType: 'biff8' }) as Uint8Array));
    expect((await all(file)).map((r) => r.cells)).toEqual([['事项编码'], ['310115']]);
  });
});

describe('the format comes from the bytes, not the name', () => {
  test('sniffFormat', () => {
    expect(sniffFormat(legacy('附件2-事项目录.xls'))).toBe('cfb');
    expect(sniffFormat(legacy('附件2-事项目录.ods'))).toBe('ods');
    expect(sniffFormat(path.join(PUDONG, '附件2-事项目录.xlsx'))).toBe('xlsx');
    expect(sniffFormat(path.join(PUDONG, '附件3-行业事项对应表.csv'))).toBe('csv');
    expect(sniffFormat(path.join(dir, '不存在.xls'))).toBe('cfb');
  });

  test('an .xls named .xlsx, an .xlsx named .xls, an .xls named .et, an .ods named .xls', async () => {
    const xlsx = await all(path.join(PUDONG, '附件2-事项目录.xlsx'));
    expect(await all(copy(legacy('附件2-事项目录.xls'), '附件2.xlsx'))).toEqual(xlsx);
    expect(await all(copy(path.join(PUDONG, '附件2-事项目录.xlsx'), '附件2.xls'))).toEqual(xlsx);
    // not a WPS-written .et (LibreOffice cannot write one): the same BIFF8 bytes under WPS's extension
    expect(await all(copy(legacy('附件2-事项目录.xls'), '附件2.et'))).toEqual(xlsx);
    expect((await all(copy(legacy('附件2-事项目录.ods'), '附件2-ods.xls'))).length).toBe(xlsx.length);
  });

  test('a csv named .xls is read as csv', async () => {
    const csv = path.join(PUDONG, '附件3-行业事项对应表.csv');
    const rows = await all(copy(csv, '附件3.xls'));
    expect(rows.map((r) => r.cells)).toEqual((await all(csv)).map((r) => r.cells));
  });

  test('an HTML table named .xls (GBK, as systems export it): text kept as text, spans filled', async () => {
    const html =
      '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><table>' +
      '<tr><td colspan="3">事项目录</td></tr>' +
      '<tr><td>事项编码</td><td>事项名称</td><td>法定时限</td></tr>' +
      '<tr><td>0012345</td><td rowspan="2">食品经营许可</td><td>20</td></tr>' +
      '<tr><td>0012346</td><td>30</td></tr></table></body></html>';
    const file = write('导出.xls', iconv.encode(html, 'gbk'));
    expect(sniffFormat(file)).toBe('html');
    expect(await all(file)).toEqual([
      { sheet: '导出', rowNumber: 1, cells: ['事项目录', '事项目录', '事项目录'] },
      { sheet: '导出', rowNumber: 2, cells: ['事项编码', '事项名称', '法定时限'] },
      { sheet: '导出', rowNumber: 3, cells: ['0012345', '食品经营许可', '20'] },
      { sheet: '导出', rowNumber: 4, cells: ['0012346', '食品经营许可', '30'] },
    ]);
    const empty = write('空页.xls', '<html><body><p>没有数据</p></body></html>');
    expect((await refusal(empty)).message).toContain('这是网页（HTML）文件，但其中没有可读取的表格');
  });

  test('an Excel 2003 XML workbook named .xls', async () => {
    const X = require('@e965/xlsx') as typeof import('@e965/xlsx');
    const wb = X.utils.book_new();
    X.utils.book_append_sheet(wb, X.utils.aoa_to_sheet([['事项名称', '法定时限'], ['食品经营许可', 20]]), '事项');
    const file = write('xml2003.xls', Buffer.from(X.write(wb, { type: 'buffer', bookType: 'xlml' }) as Uint8Array));
    expect(sniffFormat(file)).toBe('xml');
    expect(await all(file)).toEqual([
      { sheet: '事项', rowNumber: 1, cells: ['事项名称', '法定时限'] },
      { sheet: '事项', rowNumber: 2, cells: ['食品经营许可', 20] },
    ]);
  });
});

describe('broken, encrypted and other compound files', () => {
  test('a truncated .xls and .ods, random bytes behind the OLE2 signature → BAD_WORKBOOK in Chinese', async () => {
    const xls = fs.readFileSync(legacy('附件2-事项目录.xls'));
    const t1 = await refusal(write('半截.xls', xls.subarray(0, xls.length / 2)));
    expect(t1).toMatchObject({ code: 'BAD_WORKBOOK', exitCode: 3, message: '无法读取 Excel 文件“半截.xls”：文件已损坏，不是完整的 .xls / .et 工作簿' });
    const ods = fs.readFileSync(legacy('附件2-事项目录.ods'));
    expect(await refusal(write('半截.ods', ods.subarray(0, ods.length / 2)))).toMatchObject({ code: 'BAD_WORKBOOK', message: expect.stringContaining('不是完整的 .ods 工作簿') });
    const noise = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(4096, 0x37)]);
    expect((await refusal(write('噪声.xls', noise))).code).toBe('BAD_WORKBOOK');
    // binary without any signature: a damaged workbook by its name, not a csv
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + (i >> 3)) & 0xff));
    expect(sniffFormat(write('乱码.xls', random))).toBe('cfb');
    expect((await refusal(path.join(dir, '乱码.xls'))).code).toBe('BAD_WORKBOOK');
    expect(sniffFormat(write('乱码.csv', random))).toBe('csv');
  });

  test('encrypted .xls and .xlsx, a Word .doc named .xls', async () => {
    const bad = path.join(ROOT, 'fixtures', 'bad');
    for (const f of ['encrypted.xls', 'encrypted-xlsx.xlsx']) {
      const err = await refusal(path.join(bad, f));
      expect(err).toMatchObject({ code: 'ENCRYPTED', exitCode: 3, message: `无法读取“${f}”：文件设置了打开密码（已加密），无法导入。` });
      expect(err.hint).toContain('取消');
    }
    const X = require('@e965/xlsx') as typeof import('@e965/xlsx');
    const cfb = X.CFB.utils.cfb_new();
    X.CFB.utils.cfb_add(cfb, 'WordDocument', Buffer.alloc(1024, 1));
    const doc = write('通知.xls', Buffer.from(X.CFB.write(cfb, { type: 'buffer' }) as Uint8Array));
    expect((await refusal(doc)).message).toContain('这是 Word 文档（.doc），不是表格');
  });

  test('a missing file', async () => {
    await expect(all(path.join(dir, '不存在.xls'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});

describe('limits', () => {
  test('size, rows, cells, columns, cell length, merges', async () => {
    const xls = legacy('附件2-事项目录.xls');
    const size = await refusal(xls, { maxWorkbookBytes: 1000 });
    expect(size).toMatchObject({ code: 'FILE_TOO_LARGE', message: expect.stringContaining('大小为 32 KB，超出 1000 B 的上限') });
    expect((await refusal(legacy('附件2-事项目录.ods'), { maxWorkbookBytes: 100_000 })).message).toContain('解压后');
    expect((await refusal(xls, { maxWorkbookCells: 100 })).code).toBe('TOO_MANY_CELLS');
    expect((await refusal(legacy('附件2-事项目录.ods'), { maxWorkbookCells: 100 })).code).toBe('TOO_MANY_CELLS');
    expect(await refusal(xls, { maxWorkbookRows: 20 })).toMatchObject({ code: 'TOO_MANY_ROWS', message: expect.stringContaining('工作表“市级部门事项目录”超过 20 行') });
    expect(await refusal(xls, { maxColumns: 3 })).toMatchObject({ code: 'TOO_MANY_COLUMNS', message: expect.stringMatching(/^“附件2-事项目录\.xls”工作表“市级部门事项目录”第 1 行 D 列有内容|第 \d+ 行 D 列有内容/) });
    expect(await refusal(xls, { maxCellChars: 10 })).toMatchObject({ code: 'CELL_TOO_LONG', message: expect.stringMatching(/工作表“.+”第 \d+ 行 [A-Z]+ 列的内容超过 10 个字符/) });
    expect((await refusal(xls, { maxMerges: 1 })).message).toContain('合并单元格区域');
  });

  test('an .ods declaring a billion cells in 1 KB is refused before it is built', async () => {
    const ns = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"';
    const content =
      `<?xml version="1.0" encoding="UTF-8"?><office:document-content ${ns}><office:body><office:spreadsheet><table:table table:name="S">` +
      '<table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="string" table:number-columns-repeated="1000"><text:p>x</text:p></table:table-cell></table:table-row>' +
      '</table:table></office:spreadsheet></office:body></office:document-content>';
    expect(cellsDeclared(content)).toEqual({ cells: 1e9, rows: 1e6 });
    const file = write('repeat.ods', zip([
      { name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet' },
      { name: 'content.xml', data: content },
      { name: 'styles.xml', data: `<?xml version="1.0"?><office:document-styles ${ns}/>` },
    ]));
    expect((await refusal(file)).code).toBe('TOO_MANY_CELLS');
    // empty repeated rows and cells (LibreOffice pads every sheet with them) cost nothing
    expect(cellsDeclared('<table:table><table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>')).toEqual({ cells: 0, rows: 0 });
  });

  test('biffCells counts cell records, MULRK by its cells', () => {
    const X = require('@e965/xlsx') as typeof import('@e965/xlsx');
    const cfb = X.CFB.read(fs.readFileSync(legacy('单元格类型.xls')), { type: 'buffer' });
    const rows = X.read(fs.readFileSync(legacy('单元格类型.xls')), { dense: true });
    let cells = 0;
    for (const n of rows.SheetNames) for (const r of (rows.Sheets[n] as { '!data': unknown[][] })['!data']) if (r) cells += r.filter(Boolean).length;
    expect(biffCells(X.CFB.find(cfb, 'Workbook')!.content as Uint8Array)).toBe(cells);
  });
});
