/**
 * Streaming xlsx reader: values, merged cells, sheets, broken files, and the exceljs UTF-8 chunk
 * boundary fix (checked against an unpatched exceljs in a child process).
 */
import { zip as zipEntries } from '../../fixtures/zip';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import * as zlib from 'zlib';
import { loadExcelJS, parseSaxFixInstalled } from '../../src/io/exceljs';
import { isCellError, SheetRow } from '../../src/io/types';
import { isDateFormat, listXlsxSheets, readXlsxRows, serialToDate, XlsxError } from '../../src/io/xlsx';

const ROOT = path.resolve(__dirname, '../..');
let dir: string;

async function readAll(file: string, sheet?: string): Promise<SheetRow[]> {
  const rows: SheetRow[] = [];
  for await (const row of readXlsxRows(file, sheet === undefined ? {} : { sheet })) rows.push(row);
  return rows;
}

async function errorOf(p: Promise<unknown>): Promise<XlsxError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(XlsxError);
    return err as XlsxError;
  }
  throw new Error('expected an error');
}

/** Deterministic text: common Chinese, some ASCII and punctuation, and a few 4-byte characters. */
function chineseTexts(count: number): string[] {
  const han = '一业证改革许可事项行业综合办理审批食品经营卫生消防药品零售餐饮服务便利店酒类商品烟草专卖市场监督管理局政务中心窗口材料申请受理核发变更注销延续告知承诺';
  const extra = ['A', '1', '（', '）', '、', '·', ' ', '𠀀', '𪚥', '😀'];
  let seed = 20240505;
  const rand = (n: number) => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    const len = 1 + rand(32);
    for (let j = 0; j < len; j++) s += rand(12) === 0 ? extra[rand(extra.length)] : han[rand(han.length)];
    out.push(s.trim() || '空');
  }
  return out;
}

// a minimal zip writer, for parts exceljs would never write
const zip = (parts: [string, string | Buffer][]): Buffer => zipEntries(parts.map(([name, data]) => ({ name, data })));

const NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const ROOT_RELS = `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;

/** A package with the given sheets (workbook order) stored in `zipOrder`, shared strings last as Excel does. */
function handMade(
  file: string,
  sheets: { name: string; part: string; xml: string }[],
  opts: { strings?: string[]; styles?: string; date1904?: boolean; zipOrder?: string[] } = {},
): string {
  const rels = sheets.map((s, i) => `<Relationship Id="rId${i + 1}" Type="${NS}/worksheet" Target="${s.part}"/>`);
  rels.push(`<Relationship Id="rIdS" Type="${NS}/sharedStrings" Target="sharedStrings.xml"/>`);
  rels.push(`<Relationship Id="rIdT" Type="${NS}/styles" Target="styles.xml"/>`);
  const book =
    `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${NS}">` +
    `<workbookPr${opts.date1904 ? ' date1904="1"' : ''}/><sheets>` +
    sheets.map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
    '</sheets></workbook>';
  const sst =
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
    (opts.strings ?? []).map((t) => `<si><t>${t}</t></si>`).join('') +
    '</sst>';
  const styles =
    opts.styles ??
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="1"><xf numFmtId="0"/></cellXfs></styleSheet>';
  const sheetParts = new Map(sheets.map((s) => [`xl/${s.part}`, s.xml]));
  const order = opts.zipOrder ?? [...sheetParts.keys()];
  fs.writeFileSync(
    file,
    zip([
      ['_rels/.rels', ROOT_RELS],
      ['xl/workbook.xml', book],
      ['xl/_rels/workbook.xml.rels', `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels.join('')}</Relationships>`],
      ...order.map((p): [string, string] => [p, sheetParts.get(p) ?? '']),
      ['xl/styles.xml', styles],
      ['xl/sharedStrings.xml', sst],
    ]),
  );
  return file;
}

const sheetXml = (body: string, tail = '') =>
  `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${body}</sheetData>${tail}</worksheet>`;

// ---- fixtures written by exceljs ----

let catalog: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiye-xlsx-'));
  const ExcelJS = loadExcelJS();
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('试点行业');
  ws.addRow(['2024年一业一证试点行业清单']);
  ws.mergeCells('A1:E1');
  ws.addRow(['行业', '许可事项', '受理日期', '编号', '备注']);
  ws.addRow(['餐饮', '食品经营许可', new Date(Date.UTC(2024, 0, 5)), { formula: 'ROW()*100', result: 300 }, '']);
  ws.addRow([null, '公共场所卫生许可', new Date(Date.UTC(2024, 0, 5, 23, 59, 59)), { formula: 'ROW()>3', result: true }]);
  ws.addRow([null, '消防安全检查', new Date(Date.UTC(1999, 11, 31)), { formula: 'VLOOKUP("x",A:A,1,0)', result: { error: '#N/A' } }, { error: '#REF!' }]);
  ws.mergeCells('A3:A5');
  ws.addRow([]);
  ws.addRow(['便利店', { richText: [{ text: '酒类', font: { bold: true } }, { text: '零售许可' }] }, null, { formula: 'A7&"（连锁）"', result: '便利店（连锁）' }, { text: '办事指南', hyperlink: 'https://example.org/指南' }]);
  ws.getCell('C3').numFmt = 'yyyy"年"m"月"d"日"';
  ws.getCell('C4').numFmt = 'yyyy-mm-dd hh:mm:ss';
  const other = wb.addWorksheet('说明');
  other.addRow(['本表由市政务服务中心汇总']);
  catalog = path.join(dir, '目录.xlsx');
  await wb.xlsx.writeFile(catalog);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('values', () => {
  let rows: SheetRow[];
  beforeAll(async () => {
    rows = await readAll(catalog, '试点行业');
  });
  const row = (n: number) => rows.find((r) => r.rowNumber === n)?.cells;

  test('a horizontal title merge fills every covered cell', () => {
    expect(row(1)).toEqual(Array(5).fill('2024年一业一证试点行业清单'));
  });

  test('a vertical merge over three rows fills down', () => {
    expect([row(3)?.[0], row(4)?.[0], row(5)?.[0]]).toEqual(['餐饮', '餐饮', '餐饮']);
  });

  test('dates are calendar dates in UTC fields; a date-time keeps its time', () => {
    expect(row(3)?.[2]).toEqual(new Date(Date.UTC(2024, 0, 5)));
    expect(row(4)?.[2]).toEqual(new Date(Date.UTC(2024, 0, 5, 23, 59, 59)));
    expect(row(5)?.[2]).toEqual(new Date(Date.UTC(1999, 11, 31)));
  });

  test('formulas give their cached result: number, boolean, string, error', () => {
    expect(row(3)?.[3]).toBe(300);
    expect(row(4)?.[3]).toBe(true);
    expect(row(7)?.[3]).toBe('便利店（连锁）');
    expect(row(5)?.[3]).toEqual({ error: '#N/A' });
    expect(isCellError(row(5)?.[3] ?? null)).toBe(true);
  });

  test('error cells, rich text, hyperlinks, empty cells and row numbers', () => {
    expect(row(5)?.[4]).toEqual({ error: '#REF!' });
    expect(row(7)).toEqual(['便利店', '酒类零售许可', null, '便利店（连锁）', '办事指南']);
    expect(row(3)).toHaveLength(4); // '' in E3 counts as empty and is trimmed
    expect(rows.map((r) => r.rowNumber)).toEqual([1, 2, 3, 4, 5, 7]); // row 6 is empty
    expect(rows.every((r) => r.sheet === '试点行业')).toBe(true);
  });
});

describe('sheets', () => {
  test('all sheets in workbook order, or just the named one', async () => {
    expect(await listXlsxSheets(catalog)).toEqual(['试点行业', '说明']);
    const all = await readAll(catalog);
    expect([...new Set(all.map((r) => r.sheet))]).toEqual(['试点行业', '说明']);
    expect(await readAll(catalog, '说明')).toEqual([{ sheet: '说明', rowNumber: 1, cells: ['本表由市政务服务中心汇总'] }]);
  });

  test('an unknown sheet is SHEET_NOT_FOUND, naming the sheets there are', async () => {
    const err = await errorOf(readAll(catalog, '附件1'));
    expect(err.code).toBe('SHEET_NOT_FOUND');
    expect(err.message).toBe('工作簿中没有名为“附件1”的工作表；现有工作表：试点行业、说明');
  });

  test('workbook order wins over the order parts are stored in the zip', async () => {
    const file = handMade(
      path.join(dir, 'order.xlsx'),
      [
        { name: '甲', part: 'worksheets/sheet2.xml', xml: sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>甲</t></is></c></row>') },
        { name: '乙', part: 'worksheets/sheet1.xml', xml: sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>乙</t></is></c></row>') },
      ],
      { zipOrder: ['xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml'] },
    );
    expect((await readAll(file)).map((r) => r.cells[0])).toEqual(['甲', '乙']);
  });
});

test('stopping early closes the file', async () => {
  const fds = () => fs.readdirSync('/proc/self/fd').length;
  if (!fs.existsSync('/proc/self/fd')) return; // Linux only
  await readAll(catalog); // warm up: exceljs loaded, lazy handles opened
  const before = fds();
  for (let i = 0; i < 20; i++) {
    for await (const row of readXlsxRows(catalog)) if (row.rowNumber === 2) break;
  }
  await new Promise((resolve) => setTimeout(resolve, 50)); // yauzl closes its fd asynchronously
  expect(fds()).toBeLessThan(before + 5);
});

describe('what other writers put in a sheet', () => {
  test('prefixed tags, cells without r, inline rich text, t="d", CJK built-in date format, _xHHHH_', async () => {
    const styles =
      '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="0.00&quot;元&quot;"/></numFmts>' +
      '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="31" applyNumberFormat="1"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>';
    const xml =
      '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>' +
      '<x:row r="2"><x:c r="A2" t="s"><x:v>0</x:v></x:c><x:c r="B2" s="1"><x:v>45296</x:v></x:c><x:c r="C2" s="2"><x:v>12.5</x:v></x:c></x:row>' +
      '<x:row><x:c t="inlineStr"><x:is><x:r><x:t>一业</x:t></x:r><x:r><x:t>一证</x:t></x:r><x:rPh sb="0" eb="1"><x:t>ヨミ</x:t></x:rPh></x:is></x:c>' +
      '<x:c t="d"><x:v>2024-03-01T08:30:00</x:v></x:c><x:c t="str"><x:f>A1</x:f><x:v>第一行_x000D_第二行</x:v></x:c><x:c t="b"><x:v>0</x:v></x:c></x:row>' +
      '</x:sheetData></x:worksheet>';
    const file = handMade(path.join(dir, 'odd.xlsx'), [{ name: 'Sheet1', part: 'worksheets/sheet1.xml', xml }], {
      strings: ['许可'],
      styles,
    });
    expect(await readAll(file)).toEqual([
      { sheet: 'Sheet1', rowNumber: 2, cells: ['许可', new Date(Date.UTC(2024, 0, 5)), 12.5] },
      { sheet: 'Sheet1', rowNumber: 3, cells: ['一业一证', new Date(Date.UTC(2024, 2, 1, 8, 30)), '第一行\r第二行', false] },
    ]);
  });

  test('a merge fills rows absent from the XML up to the last row the sheet has', async () => {
    const xml = sheetXml(
      '<row r="2"><c r="B2" t="inlineStr"><is><t>市场监管</t></is></c></row><row r="6"><c r="A6"><v>1</v></c></row>' +
        '<row r="7"><c r="B7"><v>2</v></c></row>',
      // A6:A1048576 is what merging a whole column by accident leaves: no million copies, please
      '<mergeCells count="2"><mergeCell ref="B2:C4"/><mergeCell ref="A6:A1048576"/></mergeCells>',
    );
    const file = handMade(path.join(dir, 'gaps.xlsx'), [{ name: 'S', part: 'worksheets/sheet1.xml', xml }]);
    expect((await readAll(file)).map((r) => [r.rowNumber, r.cells])).toEqual([
      [2, [null, '市场监管', '市场监管']],
      [3, [null, '市场监管', '市场监管']],
      [4, [null, '市场监管', '市场监管']],
      [6, [1]],
      [7, [1, 2]],
    ]);
  });

  test('thousands of merges, with <mergeCell> tags split across inflate chunks, all apply', async () => {
    const n = 3000;
    let rows = '';
    let merges = '';
    for (let i = 0; i < n; i++) {
      const top = 2 * i + 1;
      rows += `<row r="${top}"><c r="A${top}"><v>${i}</v></c></row>`;
      merges += `<mergeCell ref="A${top}:B${top + 1}"/>`;
    }
    rows += `<row r="${2 * n + 1}"><c r="A${2 * n + 1}" t="inlineStr"><is><t>合计</t></is></c></row>`;
    const xml = sheetXml(rows, `<mergeCells count="${n}">${merges}</mergeCells>`);
    expect(merges.length).toBeGreaterThan(4 * 16384); // several inflate chunks of merge tags
    const file = handMade(path.join(dir, 'merges.xlsx'), [{ name: 'S', part: 'worksheets/sheet1.xml', xml }]);
    const got = (await readAll(file)).map((r) => `${r.rowNumber}:${r.cells.join(',')}`);
    const want = Array.from({ length: 2 * n }, (_, k) => `${k + 1}:${k >> 1},${k >> 1}`).concat(`${2 * n + 1}:合计`);
    expect(got).toEqual(want);
  });

  test('the 1904 date system', async () => {
    const styles =
      '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>';
    const xml = sheetXml('<row r="1"><c r="A1" s="1"><v>43834</v></c></row>');
    const file = handMade(path.join(dir, 'mac.xlsx'), [{ name: 'S', part: 'worksheets/sheet1.xml', xml }], { styles, date1904: true });
    expect((await readAll(file))[0].cells[0]).toEqual(new Date(Date.UTC(2024, 0, 5)));
  });
});

test('date helpers', () => {
  expect(serialToDate(45296, false)).toEqual(new Date(Date.UTC(2024, 0, 5)));
  expect(serialToDate(1, false)).toEqual(new Date(Date.UTC(1900, 0, 1)));
  expect(serialToDate(61, false)).toEqual(new Date(Date.UTC(1900, 2, 1)));
  for (const code of ['yyyy"年"m"月"d"日"', 'm/d/yy', '[$-804]yyyy-mm-dd', 'hh:mm:ss', 'YYYY-MM-DD']) expect(isDateFormat(code)).toBe(true);
  for (const code of ['General', '0.00', '#,##0"元"', '0.00_);[Red]\\(0.00\\)', '@', '0.00E+00']) expect(isDateFormat(code)).toBe(false);
});

describe('broken files', () => {
  const cases: [string, () => Buffer][] = [
    ['random bytes', () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251))],
    ['an empty file', () => Buffer.alloc(0)],
    ['a truncated workbook', () => fs.readFileSync(catalog).subarray(0, Math.floor(fs.statSync(catalog).size / 2))],
    ['a zip that is no workbook', () => zip([['readme.txt', '不是工作簿']])],
  ];
  test.each(cases)('%s → BAD_WORKBOOK', async (name, content) => {
    const file = path.join(dir, `bad-${name.replace(/\W+/g, '_')}.xlsx`);
    fs.writeFileSync(file, content());
    const err = await errorOf(readAll(file));
    expect(err.code).toBe('BAD_WORKBOOK');
    expect(err.message).toBe(`无法读取 Excel 文件“${path.basename(file)}”：文件已损坏或不是 .xlsx 格式（如为 .xls，请在 Excel 中另存为 .xlsx）`);
    expect((await errorOf(listXlsxSheets(file))).code).toBe('BAD_WORKBOOK');
  });

  test('an .xls (OLE2) file gets its own hint', async () => {
    const file = path.join(dir, '旧表.xlsx');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(2048)]));
    const err = await errorOf(readAll(file));
    expect(err.code).toBe('BAD_WORKBOOK');
    expect(err.message).toContain('旧版 .xls');
  });

  test('damaged sheet data (bad deflate stream, unclosed XML) → BAD_WORKBOOK', async () => {
    const good = sheetXml('<row r="1"><c r="A1"><v>1</v></c></row>');
    const unclosed = handMade(path.join(dir, 'unclosed.xlsx'), [{ name: 'S', part: 'worksheets/sheet1.xml', xml: good.slice(0, -30) }]);
    expect((await errorOf(readAll(unclosed))).code).toBe('BAD_WORKBOOK');

    const inflateBad = handMade(path.join(dir, 'inflate.xlsx'), [{ name: 'S', part: 'worksheets/sheet1.xml', xml: good }]);
    const bytes = fs.readFileSync(inflateBad);
    const at = bytes.indexOf('xl/worksheets/sheet1.xml') + 'xl/worksheets/sheet1.xml'.length;
    bytes[at] = 0xff; // first deflate block header: reserved block type
    fs.writeFileSync(inflateBad, bytes);
    expect((await errorOf(readAll(inflateBad))).code).toBe('BAD_WORKBOOK');
  });

  test('damaged shared strings or styles → BAD_WORKBOOK, not a hang', async () => {
    for (const part of ['xl/sharedStrings.xml', 'xl/styles.xml']) {
      const file = handMade(path.join(dir, 'damaged-parts.xlsx'), [{ name: 'S', part: 'worksheets/sheet1.xml', xml: sheetXml('') }], {
        strings: ['许可'],
      });
      const bytes = fs.readFileSync(file);
      bytes[bytes.indexOf(part) + part.length] = 0xff;
      fs.writeFileSync(file, bytes);
      expect((await errorOf(readAll(file))).code).toBe('BAD_WORKBOOK');
    }
  });

  test('a missing file is FILE_NOT_FOUND', async () => {
    expect((await errorOf(readAll(path.join(dir, 'nope.xlsx')))).code).toBe('FILE_NOT_FOUND');
  });
});

// ---- the exceljs chunk-boundary corruption ----

/**
 * Runs against whatever exceljs `req` gives: here (patched, via loadExcelJS) and in a child process
 * (plain exceljs). Feeds each of the four parse-sax users XML split inside a Chinese character, then
 * reads a whole workbook through exceljs's own streaming reader and counts corrupted cells.
 */
const PROBE = `
module.exports = async function probe(req, file) {
  const { Readable } = req('stream');
  const ExcelJS = req('exceljs');
  const text = '一业一证改革';
  const split = (xml) => {
    const buf = Buffer.from(xml, 'utf8');
    const at = buf.indexOf(Buffer.from(text, 'utf8')) + 1; // inside the first character's 3 bytes
    return Readable.from([buf.subarray(0, at), buf.subarray(at)]);
  };
  const out = {};
  const SharedStringsXform = req('exceljs/lib/xlsx/xform/strings/shared-strings-xform');
  const xform = new SharedStringsXform();
  await xform.parseStream(split('<sst><si><t>' + text + '</t></si></sst>'));
  out.baseXform = xform.model.values[0];

  const book = new ExcelJS.stream.xlsx.WorkbookReader('', { sharedStrings: 'cache' });
  for await (const _ of book._parseSharedStrings(split('<sst><si><t>' + text + '</t></si></sst>')));
  out.workbookReader = book.sharedStrings[0];

  const WorksheetReader = req('exceljs/lib/stream/xlsx/worksheet-reader');
  const sheet = new WorksheetReader({
    workbook: { sharedStrings: [], styles: { getStyleModel: () => null }, properties: {} },
    id: 1,
    iterator: split('<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>' + text + '</t></is></c></row></sheetData></worksheet>'),
    options: { worksheets: 'emit' },
  });
  for await (const row of sheet) out.worksheetReader = row.getCell(1).value;

  const HyperlinkReader = req('exceljs/lib/stream/xlsx/hyperlink-reader');
  const links = new HyperlinkReader({
    workbook: {},
    id: 1,
    iterator: split('<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="' + text + '" TargetMode="External"/></Relationships>'),
    options: { hyperlinks: 'cache' },
  });
  await links.read();
  out.hyperlinkReader = links.hyperlinks.rId1.target;

  out.corruptedCells = {};
  for (const f of file) {
    let bad = 0;
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(f, { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'cache', worksheets: 'emit' });
    for await (const ws of reader)
      for await (const row of ws)
        row.eachCell((c) => { if (String(c.value).includes('\\uFFFD')) bad++; });
    out.corruptedCells[require('path').basename(f)] = bad;
  }
  return out;
};
`;

describe('UTF-8 split across inflate chunks (exceljs parse-sax)', () => {
  const ROWS = 5000;
  let texts: string[];
  let shared: string;
  let inline: string;
  let probePath: string;
  const expected = (i: number) => [i + 1, texts[4 * i], texts[4 * i + 1], texts[4 * i + 2], texts[4 * i + 3]];

  beforeAll(async () => {
    texts = chineseTexts(4 * ROWS);
    // The streaming writer: exceljs's other writer (JSZip) itself breaks a surrogate pair (𠀀) that
    // straddles its 16,384-unit chunks. Shared strings put the Chinese in xl/sharedStrings.xml,
    // parsed by exceljs; inline strings put it in the sheet XML itself.
    const ExcelJS = loadExcelJS();
    shared = path.join(dir, 'shared.xlsx');
    inline = path.join(dir, 'inline.xlsx');
    for (const [filename, useSharedStrings] of [[shared, true], [inline, false]] as const) {
      const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename, useSharedStrings });
      const sheet = writer.addWorksheet('事项');
      for (let i = 0; i < ROWS; i++) sheet.addRow(expected(i)).commit();
      await writer.commit();
    }
    probePath = path.join(dir, 'probe.js');
    fs.writeFileSync(probePath, PROBE);
  });

  test.each(['shared', 'inline'])('%s strings read back identical', async (kind) => {
    const rows = await readAll(kind === 'shared' ? shared : inline);
    const fffd = rows.flatMap((r) => r.cells).filter((v) => typeof v === 'string' && v.includes('\uFFFD'));
    expect(fffd).toEqual([]);
    // one string per row: a mismatch shows as a short diff instead of 5,000 deep comparisons
    const line = (cells: unknown[]) => JSON.stringify(cells);
    expect(rows.map((r) => `${r.rowNumber} ${line(r.cells)}`)).toEqual(
      Array.from({ length: ROWS }, (_, i) => `${i + 1} ${line(expected(i))}`),
    );
  });

  test('every exceljs module that parses XML gets the fix; unpatched exceljs corrupts the same input', async () => {
    const intact = {
      baseXform: '一业一证改革',
      workbookReader: '一业一证改革',
      worksheetReader: '一业一证改革',
      hyperlinkReader: '一业一证改革',
    };
    expect(parseSaxFixInstalled()).toBe(true);
    // the unpatched run goes on in a child process meanwhile
    const script = `require(${JSON.stringify(probePath)})(require, ${JSON.stringify([shared, inline])}).then((r) => process.stdout.write(JSON.stringify(r)))`;
    const child = promisify(execFile)(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });

    const probe = require(probePath) as (req: NodeRequire, files: string[]) => Promise<Record<string, unknown>>;
    const patched = await probe(require, [shared, inline]);
    expect(patched).toEqual({ ...intact, corruptedCells: { 'shared.xlsx': 0, 'inline.xlsx': 0 } });

    const plain = JSON.parse((await child).stdout) as { corruptedCells: Record<string, number> } & Record<string, string>;
    for (const key of Object.keys(intact)) expect(plain[key]).toContain('\uFFFD');
    expect(plain.corruptedCells['shared.xlsx']).toBeGreaterThan(0);
    expect(plain.corruptedCells['inline.xlsx']).toBeGreaterThan(0);
  });
});
