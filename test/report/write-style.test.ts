import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadExcelJS } from '../../src/io/exceljs';
import { displayWidth, writeTable, type SheetData } from '../../src/io/write';

const tmp = () => fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'write-style-'));

async function open(file: string) {
  const wb = new (loadExcelJS().Workbook)();
  await wb.xlsx.readFile(file);
  return wb;
}

const argb = (fill: unknown) => (fill as { fgColor?: { argb?: string } } | undefined)?.fgColor?.argb;

describe('writeTable style hook', () => {
  const sheet: SheetData = {
    name: '清单',
    header: ['编号', '任务名称', '完成时限'],
    rows: [
      [1, '推进行业综合许可制度改革', new Date(Date.UTC(2021, 5, 30))],
      [2, '=HYPERLINK("http://x")', null],
      [3, 'short', new Date(Date.UTC(2021, 8, 30))],
    ],
  };

  it('counts CJK and full-width characters as two columns', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('行业综合许可')).toBe(12);
    expect(displayWidth('２０２１年')).toBe(10);
    expect(displayWidth('（一）')).toBe(6);
  });

  it('adds autofilter, fitted widths, row fills and yyyy-mm-dd date cells, still neutralising formulas', async () => {
    const file = path.join(tmp(), 's.xlsx');
    await writeTable(file, [{ ...sheet, style: { autoFilter: true, fitColumns: true, rowFill: (row) => (row[0] === 1 ? 'FFFFC7CE' : null) } }]);
    const ws = (await open(file)).getWorksheet('清单')!;
    expect(ws.autoFilter).toBe('A1:C4');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getColumn(2).width).toBe(displayWidth('推进行业综合许可制度改革') + 3);
    expect(ws.getColumn(1).width).toBe(7); // 编号: 4 + 3
    expect(argb(ws.getRow(2).getCell(2).fill)).toBe('FFFFC7CE');
    expect(argb(ws.getRow(3).getCell(2).fill)).toBeUndefined();
    const d = ws.getRow(2).getCell(3);
    expect(d.type).toBe(loadExcelJS().ValueType.Date);
    expect(d.numFmt).toBe('yyyy-mm-dd');
    expect(d.value).toEqual(new Date(Date.UTC(2021, 5, 30)));
    expect(ws.getRow(3).getCell(2).value).toBe(`'=HYPERLINK("http://x")`);
  });

  it('writes an unstyled sheet as before, and a csv ignores the style', async () => {
    const dir = tmp();
    await writeTable(path.join(dir, 'plain.xlsx'), [sheet]);
    const ws = (await open(path.join(dir, 'plain.xlsx'))).getWorksheet('清单')!;
    expect(ws.autoFilter).toBeUndefined();
    expect(ws.getColumn(2).width).toBe(Math.min(60, Math.max(10, '任务名称'.length * 2 + 4)));
    expect(ws.getRow(3).getCell(2).value).toBe(`'=HYPERLINK("http://x")`);
    await writeTable(path.join(dir, 'c.csv'), [{ ...sheet, style: { autoFilter: true, rowFill: () => 'FFFFC7CE' } }]);
    expect(fs.readFileSync(path.join(dir, 'c.csv'), 'utf8')).toBe('\uFEFF编号,任务名称,完成时限\r\n1,推进行业综合许可制度改革,2021-06-30\r\n2,"\'=HYPERLINK(""http://x"")",\r\n3,short,2021-09-30\r\n');
  });
});
