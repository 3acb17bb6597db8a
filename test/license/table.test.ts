import fs from 'node:fs';
import path from 'node:path';
import { readAhead, openTable } from '../../src/license/table';
import { tmpDir } from './helpers';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('readAhead', () => {
  it('hands out the source in order, in chunks of the given size (the last one shorter)', async () => {
    async function* numbers() {
      for (let i = 0; i < 11; i++) yield i;
    }
    expect(await collect(readAhead(numbers(), 4))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10]]);
    expect(await collect(readAhead((async function* () {})(), 4))).toEqual([]);
  });

  it('reads at most `ahead` chunks beyond the one being worked on, and closes the source when the caller stops early', async () => {
    let produced = 0;
    let closed = false;
    async function* source() {
      try {
        for (let i = 0; i < 1000; i++) {
          produced++;
          yield i;
        }
      } finally {
        closed = true;
      }
    }
    for await (const chunk of readAhead(source(), 10, 2)) {
      expect(chunk[0]).toBe(0);
      await new Promise((r) => setTimeout(r, 20)); // time enough to read everything, were it unbounded
      expect(produced).toBeLessThanOrEqual(10 * 4);
      break;
    }
    expect(closed).toBe(true);
  });

  it('passes on an error of the source after the chunks read before it', async () => {
    async function* failing() {
      for (let i = 0; i < 5; i++) yield i;
      throw new Error('损坏的文件');
    }
    const seen: number[][] = [];
    await expect(
      (async () => {
        for await (const chunk of readAhead(failing(), 2)) seen.push(chunk);
      })(),
    ).rejects.toThrow('损坏的文件');
    expect(seen).toEqual([[0, 1], [2, 3]]);
  });
});

describe('openTable', () => {
  it('streams the data rows under the header it finds, and reads the file again on each pass', async () => {
    const file = path.join(tmpDir('table-'), '申请.csv');
    fs.writeFileSync(file, '\uFEFF发证申请表\r\n申请编号,经营者名称,统一社会信用代码,行业类别\r\nA1,甲店,91310115MA1FL0XX1X,便利店\r\n\r\n合计,,,\r\nA2,乙店,91310115MA1FL0XX2X,书店\r\n');
    const table = await openTable(file, { applicationNo: ['申请编号'], holderName: ['经营者名称'], uscc: ['统一社会信用代码'], industry: ['行业类别'] }, { what: '发证申请', minFields: 4 });
    expect(table.sha256).toMatch(/^[0-9a-f]{64}$/);
    for (let pass = 0; pass < 2; pass++) {
      const rows = await collect(table.rows());
      expect(rows.map((r) => [r.row, r.get('applicationNo'), r.get('industry')])).toEqual([
        [3, 'A1', '便利店'],
        [6, 'A2', '书店'],
      ]);
      expect(rows[1].column('uscc')).toEqual({ column: '统一社会信用代码', columnLetter: 'C' });
      expect(table.sheets.map((s) => s.headerRow)).toEqual([2]);
    }
  });

  it('says so at the end when no sheet has the header', async () => {
    const file = path.join(tmpDir('table-'), '别的.csv');
    fs.writeFileSync(file, '姓名,电话\r\n张三,123\r\n');
    const table = await openTable(file, { applicationNo: ['申请编号'], holderName: ['经营者名称'] }, { what: '发证申请', minFields: 2 });
    await expect(collect(table.rows())).rejects.toMatchObject({ exitCode: 3, message: expect.stringMatching(/找不到发证申请的表头/) });
  });
});
