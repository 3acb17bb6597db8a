import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../src/db';
import { importCatalog, diffCatalog, listIndustries, listMatters, showIndustry, exportCatalog, findIndustry } from '../../src/catalog/service';
import { InputError } from '../../src/cli/errors';
import { readRows } from '../../src/io/read-rows';
import { backends } from '../helpers/db';
import { PUDONG_ALL, PUDONG_BASE, bad, catalogSnapshot, freshWorkspace, pudong } from '../helpers/workspace';
import { formatMatters } from '../../src/catalog/format';

const tmp = () => fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'imp-'));

describe.each(backends())('catalog import on %s', (backend) => {
  let db: Db;
  beforeEach(async () => {
    ({ db } = await freshWorkspace(backend));
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('imports the messy pudong catalogs with the expected counts, then re-imports with no change', async () => {
    const first = await importCatalog(db, PUDONG_BASE, { actor: 'test' });
    expect(first.errors).toEqual([]);
    expect(first.industries).toEqual({ inserted: 31, updated: 0, unchanged: 0 });
    expect(first.matters).toEqual({ inserted: 31, updated: 0, unchanged: 0 });
    expect(first.links).toEqual({ inserted: 90, updated: 0, unchanged: 0 });
    expect(first.materials.inserted).toBe(147);
    expect(first.committed).toBe(true);
    const before = await catalogSnapshot(db);

    const again = await importCatalog(db, PUDONG_ALL, { actor: 'test' });
    expect(again.errors).toEqual([]);
    expect(again.noChange).toBe(true);
    expect(again.industries).toEqual({ inserted: 0, updated: 0, unchanged: 31 });
    expect(again.matters.inserted + again.matters.updated).toBe(0);
    expect(again.links).toEqual({ inserted: 0, updated: 0, unchanged: 90 });
    expect(await catalogSnapshot(db)).toEqual(before);
    expect(await db('import_log').count({ n: '*' }).first()).toEqual({ n: backend === 'postgres' ? '9' : 9 });
  });

  it('reads the fields right: dates, phrases, levels, booleans, codes as text, materials lists', async () => {
    await importCatalog(db, PUDONG_BASE);
    const industries = await listIndustries(db);
    const store = industries.find((i) => i.name === '便利店')!;
    expect(store).toMatchObject({ code: 'PD-01', gbCodes: ['F5213'], authority: 'local', targetDate: '2021-03-31', matterCount: 5 });
    expect(store.coDepartments.length).toBeGreaterThan(0);
    expect(industries.filter((i) => i.authority === 'national')).toHaveLength(6);
    expect(industries.filter((i) => i.authority === 'national').every((i) => i.targetDate === '2021-06-30')).toBe(true);
    const matters = await listMatters(db);
    expect(matters.filter((m) => m.level === 'national')).toHaveLength(8);
    expect(matters.filter((m) => m.level === 'municipal')).toHaveLength(23);
    const liquor = matters.find((m) => m.code === '310115-SW-001')!;
    expect(liquor).toMatchObject({ name: '酒类商品零售许可', reformMode: '实行告知承诺', legalLimitDays: 20, committedLimitDays: 0, commitment: true });
    expect(liquor.materials).toHaveLength(4);
    const leadingZero = matters.find((m) => m.code === '0020417')!;
    expect(leadingZero.name).toBe('建筑业企业资质（施工总承包特级、一级）');
    const detail = await showIndustry(db, '便利店');
    expect(detail.matters.map((m) => [m.matter.name, m.mandatory])).toContainEqual(['食品经营许可', true]);
    expect(detail.matters.find((m) => m.matter.name === '烟草专卖零售许可')?.condition).toBe('销售卷烟的');
    const clinic = await listMatters(db, { industry: '诊所' }).catch(() => []);
    expect(Array.isArray(clinic)).toBe(true);
  });

  it.each([
    ['bad-reform-mode.xlsx', 6, '改革方式', /简化审批/],
    ['bad-time-limit.xlsx', 7, '承诺时限', /五天左右/],
    ['bad-missing-name.xlsx', 5, '事项名称', /不能为空/],
    ['bad-duplicate-code.xlsx', 8, '事项名称', /310115-SW-001/],
    ['bad-unknown-industry.csv', 5, '行业', /水上乐园/],
  ])('rejects %s at row %i, column %s, and changes nothing', async (file, row, column, message) => {
    await importCatalog(db, PUDONG_BASE);
    const before = await catalogSnapshot(db);
    const err = await importCatalog(db, [bad(file)]).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.exitCode).toBe(3);
    const errors = err.details.errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file, row, column: expect.stringContaining(column) });
    expect(errors[0].message).toMatch(message);
    expect(await catalogSnapshot(db)).toEqual(before);
  });

  it('refuses a truncated workbook with a Chinese message and writes nothing', async () => {
    const err = await importCatalog(db, [bad('bad-truncated.xlsx')]).catch((e) => e);
    expect(err.code).toBe('BAD_WORKBOOK');
    expect(err.message).toMatch(/无法读取/);
    expect(await db('matters').count({ n: '*' }).first()).toMatchObject({ n: expect.anything() });
    expect(Number((await db('matters').count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('with --skip-invalid writes the good rows and reports the bad ones in a report file', async () => {
    const report = path.join(tmp(), '错误清单.xlsx');
    const res = await importCatalog(db, [bad('bad-multi.xlsx')], { skipInvalid: true, reportPath: report });
    expect(res.committed).toBe(true);
    expect(res.errors.map((e) => e.row).sort((a, b) => a - b)).toEqual([5, 9, 12]);
    expect(res.matters.inserted).toBe(7);
    const rows = [];
    for await (const r of readRows(report)) rows.push(r);
    expect(rows[0].cells).toContain('错误原因');
    expect(rows.slice(1).map((r) => r.cells[2])).toEqual([5, 9, 12]);
    expect(String(rows[1].cells[rows[0].cells.indexOf('错误原因')])).toMatch(/改革方式/);
  });

  it('all-or-nothing by default: a bad row leaves even the good rows out, and the report is written', async () => {
    const report = path.join(tmp(), 'rejected.csv');
    const err = await importCatalog(db, [bad('bad-multi.xlsx')], { reportPath: report }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.details.errors).toHaveLength(3);
    expect(Number((await db('matters').count({ n: '*' }).first())!.n)).toBe(0);
    expect(fs.readFileSync(report, 'utf8')).toMatch(/错误原因/);
  });

  it('dry run counts without writing', async () => {
    const res = await importCatalog(db, PUDONG_BASE, { dryRun: true });
    expect(res.industries.inserted).toBe(31);
    expect(res.committed).toBe(false);
    expect(Number((await db('industries').count({ n: '*' }).first())!.n)).toBe(0);
    expect(Number((await db('import_log').count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('updates a changed file in place, field by field, and diff shows it first', async () => {
    await importCatalog(db, PUDONG_BASE);
    const dir = tmp();
    const changed = path.join(dir, '事项调整.csv');
    fs.writeFileSync(
      changed,
      '事项编码,事项名称,审批层级,实施部门,改革方式,承诺时限\n310115-SW-001,酒类商品零售许可,市级,区商务委,优化审批服务,3\n310115-NEW-1,新设事项,市级,区商务委,审批改为备案,即办\n',
    );
    const diff = await diffCatalog(db, [changed]);
    const change = diff.changes.find((c) => c.action === 'change' && c.key === '酒类商品零售许可')!;
    expect(change.fields!.map((f) => [f.label, f.from, f.to])).toEqual([
      ['改革方式', '实行告知承诺', '优化审批服务'],
      ['承诺时限', 0, 3],
    ]);
    expect(diff.changes.filter((c) => c.action === 'add').map((c) => c.key)).toEqual(['新设事项']);
    expect(diff.summary.removed.matters).toBe(22); // the other 市级 matters the file does not list
    expect(Number((await db('matters').count({ n: '*' }).first())!.n)).toBe(31);

    const res = await importCatalog(db, [changed]);
    expect(res.matters).toEqual({ inserted: 1, updated: 1, unchanged: 0 });
    const m = (await listMatters(db)).find((x) => x.code === '310115-SW-001')!;
    expect(m).toMatchObject({ reformMode: '优化审批服务', committedLimitDays: 3, legalLimitDays: 20 });
    expect(m.legalBasis).toBeTruthy(); // columns the file lacks are left as they were
    // 即办 is stored as 0 and shown as the word, not "0 日"
    const now = (await listMatters(db)).find((x) => x.name === '新设事项')!;
    expect(now.committedLimitDays).toBe(0);
    expect(formatMatters([now])).toMatch(/承诺 即办/);
    expect(formatMatters([m])).toMatch(/承诺 3 个工作日/);
    // an industry's code typed in lower case or full-width finds it
    const ind = (await db('industries').whereNotNull('code').first()) as { name: string; code: string };
    const fullWidth = ind.code.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    for (const typed of [ind.code.toLowerCase(), ` ${fullWidth} `, ind.name]) expect((await findIndustry(db, typed)).name).toBe(ind.name);
  });

  it('export round-trips: importing the export changes nothing (xlsx and csv)', async () => {
    await importCatalog(db, PUDONG_ALL);
    const before = await catalogSnapshot(db);
    const dir = tmp();
    const x = await exportCatalog(db, path.join(dir, '目录.xlsx'));
    expect(x).toMatchObject({ industries: 31, matters: 31, links: 90, materials: 147 });
    expect((await importCatalog(db, x.files)).noChange).toBe(true);
    const c = await exportCatalog(db, path.join(dir, '目录.csv'));
    expect(c.files).toHaveLength(4);
    expect((await importCatalog(db, c.files)).noChange).toBe(true);
    expect(await catalogSnapshot(db)).toEqual(before);
  });

  it('the combined sheet alone yields matters and links for industries already known', async () => {
    await importCatalog(db, [pudong('附件1-试点行业清单.xlsx')]);
    const res = await importCatalog(db, [pudong('便利店-综合目录.xlsx')]);
    expect(res.matters.inserted).toBe(7);
    expect(res.links.inserted).toBe(12);
    expect(res.materials.inserted).toBe(33);
  });
});
