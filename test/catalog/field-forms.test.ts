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
    const taught = await yiye(['catalog', 'import', file, '--strict', '--map', '联系人=批次', '--db', db, '--json']);
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

  it('matter headers with numbering, full width, colons, line breaks and units; limits, yes/no and lists in office forms; inspect shows it first', async () => {
    const db = await fresh();
    const file = await sheet(path.join(dir, `matters-${backend}.xlsx`), [
      ['附件2'],
      ['序号', '1.事项名称', '２．实施部门：', '*改革方式', '法定办结时限\n（自然日）', '承诺时限(天)', '是否需现场核查', '告知承诺', '申请材料（名称）', '办理地点', '收费依据'],
      ['１', '食品经营许可', '区市场监管局', '优化审批服务', 20, '20天', '√', '×', '（1）申请书（2）营业执照复印件', '一楼', '无'],
      ['２', '酒类商品零售许可', '区商务委', '实行告知承诺', '20日', '即办', '有', '是', '①申请表②承诺书', '一楼', '无'],
      ['３', '公共场所卫生许可', '区卫健委', '优化审批服务', '30个工作日', '当场办结', 'Y', 'N', '1.申请表\n2.平面图', '二楼', '无'],
      ['４', '烟草专卖零售许可', '区烟草局', '优化审批服务', '20', '立即办结', '无', '否', '申请表；营业执照', '二楼', '无'],
    ]);
    const inspect = await yiye(['catalog', 'inspect', file, '--db', db, '--json']);
    expect(inspect.code).toBe(0);
    expect(inspect.json.sheets).toHaveLength(1);
    const s0 = inspect.json.sheets[0];
    expect(s0).toMatchObject({ file: path.basename(file), sheet: 'Sheet1', kind: 'matters', headerRow: 2, rows: 4 });
    expect(s0.columns.map((c: { column: string; field: string | null; unit: string | null }) => [c.column, c.field, c.unit])).toEqual([
      ['A', 'seq', null], ['B', 'matterName', null], ['C', 'approvingDepartment', null], ['D', 'reformMode', null],
      ['E', 'legalLimit', '自然日'], ['F', 'committedLimit', '工作日'], ['G', 'onsiteInspection', null], ['H', 'commitment', null],
      ['I', 'materials', null], ['J', null, null], ['K', null, null],
    ]);
    expect(s0.columns[4].samples).toEqual(['20自然日', '20自然日', '30工作日']);
    expect(s0.columns[5].samples).toEqual(['20工作日', '即办（0）', '即办（0）']);
    expect(s0.columns[9]).toMatchObject({ header: '办理地点', field: null, samples: ['一楼', '一楼', '二楼'] });
    expect((await yiye(['catalog', 'list', 'matters', '--db', db, '--json'])).json).toEqual([]); // inspect wrote nothing

    const r = await yiye(['catalog', 'import', file, '--db', db, '--json']);
    expect(r.code).toBe(0);
    expect(r.json.unmappedColumns.map((u: { header: string }) => u.header)).toEqual(['办理地点', '收费依据']);
    const ms = (await yiye(['catalog', 'list', 'matters', '--db', db, '--json'])).json as Array<Record<string, unknown>>;
    expect(ms.map((m) => [m.name, m.legalLimitDays, m.legalLimitUnit, m.committedLimitDays, m.committedLimitUnit, m.onsiteInspection, m.commitment, m.materials])).toEqual([
      ['食品经营许可', 20, '自然日', 20, '工作日', true, false, ['申请书', '营业执照复印件']],
      ['酒类商品零售许可', 20, '自然日', 0, '工作日', true, true, ['申请表', '承诺书']],
      ['公共场所卫生许可', 30, '工作日', 0, '工作日', true, false, ['申请表', '平面图']],
      ['烟草专卖零售许可', 20, '自然日', 0, '工作日', false, false, ['申请表', '营业执照']],
    ]);
  });

  it('two-row headers: a merged group over 法定/承诺 (xlsx) and the same without merges (csv); keyword rules for headers no synonym lists', async () => {
    const db = await fresh();
    const xlsx = await sheet(path.join(dir, `two-row-${backend}.xlsx`), [
      ['序号', '事项名称', '办理时限', '办理时限', '实施部门', '改革方式'],
      [null, null, '法定', '承诺', null, null],
      [1, '食品经营许可', '20', '5', '区市场监管局', '优化审批服务'],
    ], [[1, 3, 1, 4], [1, 1, 2, 1], [1, 2, 2, 2], [1, 5, 2, 5], [1, 6, 2, 6]]);
    const csv = path.join(dir, `two-row-${backend}.csv`);
    fs.writeFileSync(csv, '\ufeff序号,事项名称,办理时限,,审批机关名称,改革方式,法定办理期限（工作日）\r\n,,法定,承诺,,,\r\n1,酒类商品零售许可,20,0,区商务委,实行告知承诺,\r\n');
    const r = await yiye(['catalog', 'import', xlsx, csv, '--db', db, '--json']);
    expect(r.code).toBe(0);
    expect(r.json.files.map((f: { sheets: Array<{ headerRow: number }> }) => f.sheets[0].headerRow)).toEqual([2, 2]);
    // one column never serves two fields: 法定 under the group wins the legal limit, the later keyword column is reported
    expect(r.json.unmappedColumns).toEqual([{ file: path.basename(csv), sheet: path.basename(csv, '.csv'), column: 'G', header: '法定办理期限（工作日）' }]);
    const ms = (await yiye(['catalog', 'list', 'matters', '--db', db, '--json'])).json as Array<Record<string, unknown>>;
    expect(ms.map((m) => [m.name, m.legalLimitDays, m.committedLimitDays, m.department])).toEqual([
      ['食品经营许可', 20, 5, '区市场监管局'],
      ['酒类商品零售许可', 20, 0, '区商务委'],
    ]);
  });

  it('an industry list without codes, then a batch of valid applications: every licence is issued with a number; set-code before, exit 4 after', async () => {
    const db = await fresh();
    const list = await sheet(path.join(dir, `no-codes-${backend}.xlsx`), [
      ['序号', '试点行业', '国民经济行业代码', '牵头部门', '计划发证时间'],
      ...INDUSTRIES.map((i, n) => [n + 1, i.name, i.gbt.replace(/^[A-Z]/, ''), i.lead, '2021.3.31'] as CellValue[]),
    ]);
    const imp = await yiye(['catalog', 'import', list, pudong('附件2-事项目录.xlsx'), pudong('附件3-行业事项对应表.csv'), '--db', db, '--json']);
    expect(imp.code).toBe(0);
    const apps = Array.from({ length: 12 }, (_, i) => makeApplication(900 + i));
    const batch = path.join(dir, `batch-${backend}.xlsx`);
    fs.writeFileSync(batch, await workbookBuffer(applicationWorkbook('发证清单', apps.map((a, i) => applicationCells(a, i + 1)))));
    // the office sets its own code for one industry before its first licence
    const target = apps[0].industry;
    const set = await yiye(['catalog', 'set-code', target, 'PT-01', '--db', db, '--json']);
    expect(set.json).toMatchObject({ industry: target, to: 'PT-01', wasAssigned: true, changed: true });
    const issued = await yiye(['license', 'issue', batch, '--db', db, '--date', '2026-03-15', '--json']);
    expect(issued.code).toBe(0);
    expect(issued.json.issued).toHaveLength(12);
    expect(issued.json.rejected).toEqual([]);
    for (const x of issued.json.issued) expect(x.number).toMatch(/^3101152026(\d{2}|PT-01)\d{6}$/);
    expect(issued.json.issued.filter((x: { number: string }) => x.number.includes('PT-01')).length).toBe(apps.filter((a) => a.industry === target).length);
    const late = await yiye(['catalog', 'set-code', target, 'PT-02', '--db', db]);
    expect(late.code).toBe(4);
    expect(late.stderr).toMatch(/已有 \d+ 张许可证使用编码“PT-01”编号，不能再改行业编码/);
  });
});
