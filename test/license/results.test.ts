import fs from 'node:fs';
import path from 'node:path';
import { readRows } from '../../src/io/read-rows';
import type { CellValue } from '../../src/io/types';
import { ResultsSpool } from '../../src/license/results';
import type { TableSheet } from '../../src/license/table';
import { tmpDir } from './helpers';

async function cellsOf(file: string): Promise<Array<{ sheet: string; cells: CellValue[] }>> {
  const out: Array<{ sheet: string; cells: CellValue[] }> = [];
  for await (const r of readRows(file)) out.push({ sheet: r.sheet, cells: r.cells });
  return out;
}

describe('the results spool', () => {
  const sheets: TableSheet[] = [
    { sheet: '一', headerRow: 1, labels: ['申请编号', '有效期至', '处理结果', '备注'] },
    { sheet: '二', headerRow: 1, labels: ['申请编号', '有效期至'] },
    { sheet: '空', headerRow: 1, labels: ['申请编号'] },
  ];
  const columns = (s: TableSheet) => {
    const keep = s.labels.map((_, i) => i).filter((i) => s.labels[i] !== '处理结果');
    return { keep, header: [...keep.map((i) => s.labels[i]), '结果', '编号'] };
  };
  const label = (l: { outcome: string; number?: string; reasons?: string }) => [l.outcome, l.number ?? l.reasons ?? ''];

  async function spooled(): Promise<ResultsSpool> {
    const spool = ResultsSpool.create();
    spool.add(0, ['A1', new Date(Date.UTC(2027, 11, 31)), '旧结果', '=1+1'], 'passed', '310115-1');
    spool.add(0, ['A2', null, null, null], 'rejected', undefined, '【申请编号】重复');
    await spool.flush();
    spool.add(1, ['B1', 46000], 'existing', '310115-9');
    await spool.flush();
    return spool;
  }

  it('writes every sheet (an empty one too), keeps date cells as dates and neutralises formulas', async () => {
    const file = path.join(tmpDir('spool-'), '结果.xlsx');
    const spool = await spooled();
    try {
      await spool.writeTo(file, sheets, columns, label);
    } finally {
      await spool.discard();
    }
    const rows = await cellsOf(file);
    expect(rows).toEqual([
      { sheet: '一', cells: ['申请编号', '有效期至', '备注', '结果', '编号'] },
      { sheet: '一', cells: ['A1', new Date(Date.UTC(2027, 11, 31)), "'=1+1", 'passed', '310115-1'] },
      { sheet: '一', cells: ['A2', null, null, 'rejected', '【申请编号】重复'] },
      { sheet: '二', cells: ['申请编号', '有效期至', '结果', '编号'] },
      { sheet: '二', cells: ['B1', 46000, 'existing', '310115-9'] },
      { sheet: '空', cells: ['申请编号', '结果', '编号'] },
    ]);
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
    expect(text).toBe("\uFEFF申请编号,有效期至,备注,结果,编号\r\nA1,2027-12-31,'=1+1,passed,310115-1\r\nA2,,,rejected,【申请编号】重复\r\n");
  });
});
