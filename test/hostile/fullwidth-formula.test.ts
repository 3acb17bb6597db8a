/**
 * Issue 18 item 8: full-width ＝＋－＠ (U+FF1D, U+FF0B, U+FF0D, U+FF20) at the start of a cell were not
 * neutralised in csv/xlsx exports. Now they get the same leading apostrophe as = + - @, and reading
 * the export back removes it again (the import round-trips).
 */
import fs from 'node:fs';
import path from 'node:path';
import { yiye } from '../helpers/cli';
import { freshWorkspace } from '../helpers/workspace';
import { loadExcelJS } from '../../src/io/exceljs';
import { scratch } from './helpers';

jest.setTimeout(180_000);

const NAMES = ['＝HYPERLINK("http://evil.example/","点我")', '＋SUM(A1:A9)店', '－2+3店', '＠SUM(1)店'];

describe('full-width formula starts (sqlite)', () => {
  it('are guarded in csv and xlsx exports, and the guard is removed on re-import', async () => {
    const dir = scratch('fw-');
    const { url, db } = await freshWorkspace('sqlite');
    try {
      const csv = path.join(dir, '试点行业.csv');
      fs.writeFileSync(csv, '\uFEFF序号,行业名称,牵头部门\r\n' + NAMES.map((n, i) => `${i + 1},"${n.replace(/"/g, '""')}",区市场监管局`).join('\r\n') + '\r\n');
      expect((await yiye(['catalog', 'import', csv, '--db', url, '--json'])).code).toBe(0);
      const outCsv = path.join(dir, '导出.csv');
      const outXlsx = path.join(dir, '导出.xlsx');
      expect((await yiye(['catalog', 'export', outCsv, '--db', url, '--json'])).code).toBe(0);
      expect((await yiye(['catalog', 'export', outXlsx, '--db', url, '--json'])).code).toBe(0);
      const text = fs.readFileSync(path.join(dir, '导出-试点行业清单.csv'), 'utf8'); // csv: one file per table
      for (const n of NAMES) {
        expect(text).toContain(`'${n.slice(0, 4)}`);
        expect(text).not.toMatch(new RegExp(`(^|,|")${n[0]}`, 'mu'));
      }
      const wb = new (loadExcelJS().Workbook)();
      await wb.xlsx.readFile(outXlsx);
      const cells: string[] = [];
      wb.eachSheet((ws) => ws.eachRow((r) => r.eachCell((c) => void (typeof c.value === 'string' && cells.push(c.value)))));
      for (const n of NAMES) {
        expect(cells).toContain(`'${n}`);
        expect(cells).not.toContain(n);
      }
      // fed back: the names come back without the guard, nothing changes
      const again = await yiye(['catalog', 'import', outXlsx, '--db', url, '--json']);
      expect(again.code).toBe(0);
      expect(again.json.industries).toMatchObject({ inserted: 0, updated: 0 });
      expect((await db('industries').pluck('name')).sort()).toEqual([...NAMES].sort());
    } finally {
      await db.destroy();
    }
  });
});
