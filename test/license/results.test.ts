import fs from 'node:fs';
import path from 'node:path';
import { readRows, unguardCells } from '../../src/io/read-rows';
import type { CellValue } from '../../src/io/types';
import { loadExcelJS } from '../../src/io/exceljs';
import { writeTable } from '../../src/io/write';
import { ResultsSpool, type SpooledRow } from '../../src/license/results';
import type { TableSheet } from '../../src/license/table';
import { tmpDir } from './helpers';

async function cellsOf(file: string): Promise<Array<{ sheet: string; cells: CellValue[] }>> {
  const out: Array<{ sheet: string; cells: CellValue[] }> = [];
  for await (const r of readRows(file)) out.push({ sheet: r.sheet, cells: r.cells });
  return out;
}

describe('the results spool', () => {
  const sheets: TableSheet[] = [
    { sheet: '一', headerRow: 1, labels: ['申请编号', '有效期至', '处理结果', '备注'], columns: [] },
    { sheet: '二', headerRow: 1, labels: ['申请编号', '有效期至'], columns: [] },
    { sheet: '空', headerRow: 1, labels: ['申请编号'], columns: [] },
  ];
  const columns = (s: TableSheet) => {
    const keep = s.labels.map((_, i) => i).filter((i) => s.labels[i] !== '处理结果');
    return { keep, header: [...keep.map((i) => s.labels[i]), '行', '结果', '编号'] };
  };
  const label = (l: SpooledRow) => [l.row, l.outcome, l.note ?? l.reasons ?? ''];

  async function spooled(): Promise<ResultsSpool> {
    const spool = ResultsSpool.create();
    spool.add(0, 4, ['A1', new Date(Date.UTC(2027, 11, 31)), '旧结果', '=1+1'], 'passed', '310115-1');
    spool.add(0, 6, ['A2', null, null, null], 'rejected', undefined, '【申请编号】重复');
    await spool.flush();
    spool.add(1, 2, ['B1', 46000], 'existing', '310115-9');
    await spool.flush();
    return spool;
  }

  it('writes every sheet (an empty one too) with each row’s number, keeps date cells as dates and neutralises formulas', async () => {
    const file = path.join(tmpDir('spool-'), '结果.xlsx');
    const spool = await spooled();
    try {
      await spool.writeTo(file, sheets, columns, label);
    } finally {
      await spool.discard();
    }
    // read back through readRows, the guard is undone: the file can be fed back as it is
    const rows = await cellsOf(file);
    expect(rows).toEqual([
      { sheet: '一', cells: ['申请编号', '有效期至', '备注', '行', '结果', '编号'] },
      { sheet: '一', cells: ['A1', new Date(Date.UTC(2027, 11, 31)), '=1+1', 4, 'passed', '310115-1'] },
      { sheet: '一', cells: ['A2', null, null, 6, 'rejected', '【申请编号】重复'] },
      { sheet: '二', cells: ['申请编号', '有效期至', '行', '结果', '编号'] },
      { sheet: '二', cells: ['B1', 46000, 2, 'existing', '310115-9'] },
      { sheet: '空', cells: ['申请编号', '行', '结果', '编号'] },
    ]);
    // in the file itself the formula is guarded
    const wb = new (loadExcelJS().Workbook)();
    await wb.xlsx.readFile(file);
    expect(wb.getWorksheet('一')!.getRow(2).getCell(3).value).toBe("'=1+1");
  });

  it('writes the first sheet to a csv (UTF-8 with BOM) and leaves no spool file behind', async () => {
    const dir = tmpDir('spool-');
    const file = path.join(dir, '结果.csv');
    const spool = await spooled();
    const spoolDir = (spool as unknown as { dir: string }).dir;
    await spool.writeTo(file, sheets, columns, label);
    await spool.discard();
    expect(fs.existsSync(spoolDir)).toBe(false);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toBe("\uFEFF申请编号,有效期至,备注,行,结果,编号\r\nA1,2027-12-31,'=1+1,4,passed,310115-1\r\nA2,,,6,rejected,【申请编号】重复\r\n");
  });
});

describe('reading back our own formula guard', () => {
  it('undoes exactly the guard neutralizeFormula adds, in csv and xlsx, and nothing else', async () => {
    const dir = tmpDir('guard-');
    // a department's own leading apostrophe stays, and only one guard is ever removed
    const values = ['=1+1', '+书店A', '-2层', '@SUM(A1)', "'单引号开头", "'", "''=x", '普通'];
    for (const ext of ['csv', 'xlsx']) {
      const file = path.join(dir, `guard.${ext}`);
      await writeTable(file, [{ name: 'S', header: ['值'], rows: values.map((v) => [v]) }]);
      expect((await cellsOf(file)).slice(1).map((r) => r.cells[0])).toEqual(values);
    }
    // tab and CR are guarded too; other cell types are left alone
    const cells: CellValue[] = ["'\t=1", "'\r=1", "'x", 12, null, new Date(0)];
    unguardCells(cells);
    expect(cells).toEqual(['\t=1', '\r=1', "'x", 12, null, new Date(0)]);
  });
});
