/**
 * Department files no one here wrote (issue 12): header, code and value forms through the real CLI
 * on both databases. Each workbook is written here, in the layout a department sends.
 */
import fs from 'node:fs';
import path from 'node:path';
import '../license/helpers'; // keys of PostgreSQL workspaces under the run's scratch folder
import { tmpDir } from '../license/helpers';
import { backends, freshDbUrl } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { pudong } from '../helpers/workspace';
import { loadExcelJS } from '../../src/io/exceljs';
import { writeTable } from '../../src/io/write';
import type { CellValue } from '../../src/io/types';
import { INDUSTRIES } from '../../fixtures/catalog-data';
import { applicationCells, applicationWorkbook, makeApplication, workbookBuffer } from '../../fixtures/make-license-fixtures';

jest.setTimeout(400_000);

const INIT = ['--region', '310115', '--authority', '浦东新区人民政府'];

async function sheet(file: string, rows: CellValue[][], merges: Array<[number, number, number, number]> = [], name = 'Sheet1'): Promise<string> {
  const ExcelJS = loadExcelJS();
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(name);
  for (const r of rows) ws.addRow(r);
  for (const m of merges) ws.mergeCells(...m);
  await wb.xlsx.writeFile(file);
  return file;
}

/** An industry list as districts send it: no 行业编码, codes in every GB/T 4754 form, extra columns. */
const INDUSTRY_ROWS: CellValue[][] = [
  ['附件1'],
  ['第二批“一业一证”试点行业清单'],
  ['序号', '行业名称*', '国民经济行业代码\n（GB/T 4754-2017）', '牵头部门（必填）', '计划发证时间', '联系人', '咨询电话（选填）'],
  [1, '书店', '5243', '区文旅局', '2021.3.31', '王敏', '021-1234'],
  [2, '便利店', 'F 5213', '区市场监管局', '2021-3-31', '李强', null],
  [3, '饭店', '6210正餐服务', '区市场监管局', '2021年3月', null, null],
  [4, '小餐饮', 'H6220、6291', '区市场监管局', '2021年6月底前', null, null],
  [5, '电影院', 8760, '区文旅局', new Date(Date.UTC(2021, 5, 30)), null, null],
  [6, '零售', '521', '区商务委', null, null, null],
  [7, '住宿', '61', '区文旅局', null, null, null],
  [8, '书报亭', 'F5243 图书批发和零售；F5244', '区文旅局', null, null, null],
];

describe.each(backends())('department files (issue 12) on %s', (backend) => {
  let dir: string;
  const fresh = async () => {
    const db = await freshDbUrl(backend);
    const init = await yiye(['init', '--db', db, ...INIT, '--json']);
    expect(init.code).toBe(0);
    return db;
  };
  beforeAll(() => {
    dir = tmpDir('field-forms-');
  });

  it('an industry list without codes: codes in every form, dates in every form, unmapped columns reported; --strict refuses', async () => {
    const db = await fresh();
    const file = await sheet(path.join(dir, `industries-${backend}.xlsx`), INDUSTRY_ROWS, [[2, 1, 2, 7]]);
    const strict = await yiye(['catalog', 'import', file, '--strict', '--db', db, '--json']);
    expect(strict.code).toBe(3);
    expect(strict.json.error.unmappedColumns).toEqual([
      { file: path.basename(file), sheet: 'Sheet1', column: 'F', header: '联系人' },
      { file: path.basename(file), sheet: 'Sheet1', column: 'G', header: '咨询电话（选填）' },
    ]);
    expect((await yiye(['catalog', 'list', 'industries', '--db', db, '--json'])).json).toEqual([]);

    const text = await yiye(['catalog', 'import', file, '--db', db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/有 2 列表头未能识别/);
    expect(text.stdout).toMatch(/F列“联系人”/);

    const list = (await yiye(['catalog', 'list', 'industries', '--db', db, '--json'])).json as Array<Record<string, unknown>>;
    const by = new Map(list.map((i) => [i.name, i]));
    expect(list.map((i) => [i.name, i.code, i.codeAssigned])).toEqual([
      ['书店', '01', true], ['便利店', '02', true], ['饭店', '03', true], ['小餐饮', '04', true],
      ['电影院', '05', true], ['零售', '06', true], ['住宿', '07', true], ['书报亭', '08', true],
    ]);
    expect(list.map((i) => i.gbCodes)).toEqual([['F5243'], ['F5213'], ['H6210'], ['H6220', 'H6291'], ['R8760'], ['F521'], ['H61'], ['F5243', 'F5244']]);
    expect(by.get('书店')).toMatchObject({ targetDate: '2021-03-31', leadDepartment: '区文旅局' });
    expect(by.get('便利店')).toMatchObject({ targetDate: '2021-03-31' });
    expect(by.get('饭店')).toMatchObject({ targetDate: '2021-03-31' });
    expect(by.get('小餐饮')).toMatchObject({ targetDate: '2021-06-30' });
    expect(by.get('电影院')).toMatchObject({ targetDate: '2021-06-30' });

    // re-import: nothing changes, the assigned codes stay
    const again = await yiye(['catalog', 'import', file, '--db', db, '--json']);
    expect(again.json).toMatchObject({ noChange: true, unmappedColumns: [{ column: 'F' }, { column: 'G' }] });
    const shown = await yiye(['catalog', 'show', '书店', '--db', db]);
    expect(shown.stdout).toMatch(/书店（01）/);
    const exported = path.join(dir, `export-${backend}.xlsx`);
    expect((await yiye(['catalog', 'export', exported, '--db', db])).code).toBe(0);
    const back = await yiye(['catalog', 'import', exported, '--db', db, '--json']);
    expect(back.json).toMatchObject({ noChange: true, unmappedColumns: [] });

    // --map teaches one run; `headers add` teaches every later import
    const mapped = await yiye(['catalog', 'import', file, '--map', '联系人=备注', '--db', db, '--json']);
    expect(mapped.code).toBe(0);
    expect(mapped.json.unmappedColumns).toEqual([expect.objectContaining({ column: 'G' })]);
    expect((await yiye(['catalog', 'show', '书店', '--db', db, '--json'])).json.industry.notes).toBe('王敏');
    const badMap = await yiye(['catalog', 'import', file, '--map', '联系人=电话号码', '--db', db]);
    expect(badMap.code).toBe(2);
    expect(badMap.stderr).toMatch(/“电话号码”不是目录字段/);

    expect((await yiye(['catalog', 'headers', 'add', '咨询电话', 'notes', '--db', db, '--json'])).json).toMatchObject({ header: '咨询电话', field: 'notes', label: '备注' });
    expect((await yiye(['catalog', 'headers', 'list', '--db', db, '--json'])).json).toEqual([{ header: '咨询电话', field: 'notes', label: '备注' }]);
    const taught = await yiye(['catalog', 'import', file, '--strict', '--map', '联系人=seq', '--db', db, '--json']);
    expect(taught.json.unmappedColumns ?? taught.json.error).toEqual([]);
    expect(taught.json.files[0].sheets[0].columns.find((c: { column: string }) => c.column === 'G')).toMatchObject({ field: 'notes', header: '咨询电话（选填）' });
    expect((await yiye(['catalog', 'headers', 'remove', '咨询电话', '--db', db])).code).toBe(0);
    expect((await yiye(['catalog', 'headers', 'remove', '咨询电话', '--db', db])).code).toBe(3);
    const fields = await yiye(['catalog', 'headers', 'fields', '--json']);
    expect(fields.json).toContainEqual(expect.objectContaining({ field: 'targetDate', label: '落地时限' }));
  });

  it('a 大类 that does not exist is an error naming the cell; a letter that contradicts the 大类 too', async () => {
    const db = await fresh();
    const file = await sheet(path.join(dir, `bad-gb-${backend}.xlsx`), [['行业名称', '国民经济行业分类代码', '牵头部门'], ['书店', '5243', '区文旅局'], ['夜市', '9913', '区商务委'], ['茶馆', 'F6231', '区商务委']]);
    const r = await yiye(['catalog', 'import', file, '--db', db, '--json']);
    expect(r.code).toBe(3);
    expect(r.json.error.errors).toEqual([
      expect.objectContaining({ row: 3, columnLetter: 'B', column: '国民经济行业分类代码', message: expect.stringMatching(/大类“99”在 GB\/T 4754-2017 中不存在/) }),
      expect.objectContaining({ row: 4, columnLetter: 'B', message: expect.stringMatching(/门类字母“F”与大类“62”不符（应为 H6231）/) }),
    ]);
  });
});
