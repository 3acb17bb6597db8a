import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../../src/cli/errors';
import { loadExcelJS } from '../../src/io/exceljs';
import { readRows } from '../../src/io/read-rows';
import { writeCsv, writeTable } from '../../src/io/write';
import { issueLicenses } from '../../src/license/issue';
import { allowCode, showLicense } from '../../src/license/service';
import { addDays } from '../../src/license/util';
import { today } from '../../src/text/dates';
import { generateUscc } from '../../src/license/uscc';
import { BAD_FILES, HEADER, applicationCells, batch1, makeApplication } from '../../fixtures/make-license-fixtures';
import { backends } from '../helpers/db';
import { BATCH1, BATCH2, lic, licenseWorkspace, tmpDir, type LicenseWorkspace } from './helpers';

const DATE = '2026-03-15';
const OURS = ['原行号', '处理结果', '许可证编号', '错误原因'];

/** A csv as a department types it: no formula guard, no quoting (the cells used have no commas). */
function writeRawCsv(file: string, rows: Array<Array<string | number>>): void {
  fs.writeFileSync(file, '\uFEFF' + [HEADER, ...rows].map((r) => r.join(',')).join('\r\n') + '\r\n');
}

async function cellsOf(file: string): Promise<Array<{ sheet: string; cells: unknown[] }>> {
  const out: Array<{ sheet: string; cells: unknown[] }> = [];
  for await (const r of readRows(file)) out.push({ sheet: r.sheet, cells: r.cells });
  return out;
}

async function rejection(p: Promise<unknown>): Promise<InputError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

describe.each(backends())('license issue on %s', (backend) => {
  let ws: LicenseWorkspace;
  beforeAll(async () => {
    ws = await licenseWorkspace(backend);
  });
  afterAll(async () => {
    await ws.db.destroy();
  });
  const issue = (file: string, extra: Partial<Parameters<typeof issueLicenses>[2]> = {}) => issueLicenses(ws.db, file, { date: DATE, keyFile: ws.keyFile, actor: '窗口张三', ...extra });
  const count = async (table: string) => Number(((await ws.db(table).count({ n: '*' })) as Array<{ n: number | string }>)[0].n);

  it('each kind of bad row rejects the whole batch (exit 3) naming row, column and reason, and writes nothing', async () => {
    const expected: Record<string, { column: string; message: RegExp }> = {
      'bad-check-char.xlsx': { column: '统一社会信用代码', message: /第 18 位（校验码）应为/ },
      'bad-org-check.csv': { column: '统一社会信用代码', message: /第 17 位（组织机构代码校验位）/ },
      'bad-unknown-industry.xlsx': { column: '行业类别', message: /试点行业目录中没有“水上乐园”/ },
      'bad-item-outside.xlsx': { column: '许可项目', message: /“特种行业许可（旅馆业）”不属于行业“饭店”/ },
      'bad-missing-mandatory.xlsx': { column: '许可项目', message: /缺少行业“饭店”的必办事项：城镇污水排入排水管网许可/ },
      'bad-duplicate.xlsx': { column: '申请编号', message: /申请编号“BAD-DUP-1”与第 4 行重复/ },
      'bad-missing-field.xlsx': { column: '经营场所', message: /经营场所不能为空/ },
      'bad-expired-item.xlsx': { column: '有效期至', message: /早于制证日期 2026-03-15，该许可已过期/ },
    };
    expect(Object.keys(expected).sort()).toEqual(BAD_FILES.map((b) => b.file).sort());
    for (const [file, want] of Object.entries(expected)) {
      const err = await rejection(issue(lic(`bad/${file}`)));
      expect(err.exitCode).toBe(3);
      const rejected = err.details!.rejected as Array<{ file: string; row: number; column: string; columnLetter: string; message: string }>;
      expect(new Set(rejected.map((e) => e.row))).toEqual(new Set([5])); // only the bad row, maybe several reasons
      expect(rejected[0]).toMatchObject({ file, row: 5, column: want.column });
      expect(rejected[0].columnLetter).toMatch(/^[A-K]$/);
      expect(rejected[0].message).toMatch(want.message);
    }
    expect(await count('licenses')).toBe(0);
    expect(await count('license_number_seq')).toBe(0);
  });

  it('issues a valid batch: gapless numbers per industry, items, validity, audit events', async () => {
    const r = await issue(BATCH1);
    expect(r.committed).toBe(true);
    expect(r.rejected).toEqual([]);
    expect(r.issued.map((i) => i.number)).toEqual([
      '3101152026PD-01000001', '3101152026PD-01000002', '3101152026PD-01000003', '3101152026PD-02000001', '3101152026PD-03000001',
      '3101152026PD-03000002', '3101152026PD-09000001', '3101152026PD-11000001', '3101152026PD-14000001', '3101152026PD-04000001',
    ]);
    expect(r.issued[0]).toMatchObject({ row: 4, applicationNo: 'PD20260315001' });
    // the contract other modules read
    const rows = await ws.db('licenses').orderBy('number').select('number', 'industry_id', 'issue_date', 'status');
    expect(rows).toHaveLength(10);
    expect(rows.every((x) => x.issue_date === DATE && x.status === 'valid' && typeof x.industry_id === 'number')).toBe(true);

    const apps = batch1();
    // full-width code in the file, stored half-width
    expect((await showLicense(ws.db, '3101152026PD-01000003', DATE)).current.uscc).toBe(apps[2].uscc);
    // items separated by 、 with a 、 inside a matter name
    const fandian = await showLicense(ws.db, '3101152026PD-03000001', DATE);
    expect(fandian.current.items.map((i) => i.matterName)).toEqual(apps[4].items);
    expect(fandian.current.validUntil).toBe('2031-03-14'); // default: 5 years
    // validity: the earliest item expiry
    const chaoshi = await showLicense(ws.db, '3101152026PD-02000001', DATE);
    expect(chaoshi.current.validUntil).toBe([...apps[3].expiries].sort()[0]);
    expect(chaoshi.current.items.map((i) => i.permitNo)).toEqual(apps[3].permitNos);
    expect(chaoshi.current.industry).toBe('超市');
    const events = await ws.db('license_events').orderBy('id');
    expect(events).toHaveLength(10);
    expect(events[0]).toMatchObject({ event: 'issue', actor: '窗口张三', file_name: '发证申请-2026-03-15.xlsx', sheet: '发证申请', row_number: 4, event_date: DATE });
  });

  it('re-running a batch issues nothing new and reports the numbers already issued', async () => {
    const before = await count('license_versions');
    const again = await issue(BATCH1);
    expect(again.issued).toEqual([]);
    expect(again.existing.map((e) => e.number)).toHaveLength(10);
    expect(again.existing[0]).toMatchObject({ row: 4, applicationNo: 'PD20260315001', number: '3101152026PD-01000001' });
    expect(await count('license_versions')).toBe(before);
  });

  it('a GBK csv batch continues each industry’s sequence', async () => {
    const r = await issue(BATCH2, { date: '2026-03-16' });
    expect(r.issued.map((i) => i.number)).toEqual(['3101152026PD-01000004', '3101152026PD-07000001', '3101152026PD-19000001', '3101152026PD-08000001', '3101152026PD-13000001']);
  });

  it('a second application for a business already licensed is a change, not a new licence', async () => {
    const err = await rejection(issue(lic('bad/already-licensed.xlsx')));
    const rejected = err.details!.rejected as Array<{ row: number; message: string }>;
    expect(rejected).toEqual([expect.objectContaining({ row: 5, message: expect.stringMatching(/已持有有效的“饭店”行业综合许可证 3101152026PD-03000001；应办理变更/) })]);
  });

  it('--skip-invalid issues the good rows; the results file keeps the columns plus 错误原因 and can be fed back', async () => {
    const dir = tmpDir('results-');
    const results = path.join(dir, '结果.xlsx');
    const r = await issue(lic('bad/bad-unknown-industry.xlsx'), { skipInvalid: true, resultsPath: results });
    expect(r.issued.map((i) => i.row)).toEqual([4, 6]);
    expect(r.rejected.map((e) => e.row)).toEqual([5]);
    const rows: unknown[][] = [];
    for await (const row of readRows(results)) rows.push(row.cells);
    expect(rows[0]).toEqual([...HEADER, ...OURS]);
    const at = (row: unknown[], col: string) => row[HEADER.length + OURS.indexOf(col)] ?? null;
    // the results file leaves out the title rows: 原行号 names the row of the file issued from
    expect(rows.slice(1).map((row) => at(row, '原行号'))).toEqual([4, 5, 6]);
    expect([at(rows[2], '处理结果'), at(rows[2], '许可证编号')]).toEqual(['被拒绝', null]);
    expect(at(rows[2], '错误原因')).toMatch(/【行业类别】试点行业目录中没有“水上乐园”/);
    expect([at(rows[1], '处理结果'), at(rows[1], '许可证编号'), at(rows[1], '错误原因')]).toEqual(['已发证', r.issued[0].number, null]);
    // the office fixes the bad row in the results file and feeds it back
    const fixed = path.join(dir, '改正后.csv');
    await writeCsv(fixed, rows[0] as string[], rows.slice(1).map((c) => c.map((v) => (v === '水上乐园' ? '饭店' : v)) as string[]));
    const againResults = path.join(dir, '再次结果.csv');
    const again = await issue(fixed, { resultsPath: againResults });
    expect(again.existing.map((e) => e.row)).toEqual([2, 4]);
    expect(again.issued.map((e) => e.row)).toEqual([3]);
    // fed back, the results columns are replaced, not doubled
    const second = (await cellsOf(againResults)).map((r) => r.cells);
    expect(second[0]).toEqual([...HEADER, ...OURS]);
    expect(second.slice(1).map((row) => row.slice(HEADER.length, HEADER.length + 2))).toEqual([['2', '此前已发证'], ['3', '已发证'], ['4', '此前已发证']]);
  });

  it('--dry-run validates and writes nothing', async () => {
    const dir = tmpDir('dry-');
    const file = path.join(dir, 'dry.csv');
    await writeCsv(file, HEADER, [applicationCells({ ...makeApplication(9001, { industry: '书店' }), applicationNo: 'DRY-1' }, 1)]);
    const before = await count('licenses');
    const r = await issue(file, { dryRun: true });
    expect(r).toMatchObject({ dryRun: true, committed: false, issued: [], rejected: [] });
    // what would be issued, without numbers (none are allocated)
    expect(r.wouldIssue).toEqual([{ row: 2, sheet: 'dry', applicationNo: 'DRY-1' }]);
    expect(await count('licenses')).toBe(before);
    // a real run reports nothing under wouldIssue
    expect((await issue(file)).wouldIssue).toEqual([]);
  });

  it('a listed exception code is accepted only once the office registers it', async () => {
    const dir = tmpDir('exc-');
    const file = path.join(dir, 'exception.csv');
    await writeCsv(file, HEADER, [applicationCells({ ...makeApplication(9002, { industry: '书店' }), applicationNo: 'EXC-1', uscc: '91350100M0001TGQXM' }, 1)]);
    const err = await rejection(issue(file));
    expect((err.details!.rejected as Array<{ message: string }>)[0].message).toMatch(/第 18 位/);
    expect(await allowCode(ws.db, '91350100M0001TGQXM', '登记机关书面确认', 'test')).toMatchObject({ added: true, failedRule: 'check' });
    // typed full-width, lowercase or in groups it is the same code, already on the list
    expect(await allowCode(ws.db, ' ９１３５０１００ｍ０００１tgqxm ', '再次登记', 'test')).toMatchObject({ code: '91350100M0001TGQXM', added: false });
    expect((await issue(file)).issued).toHaveLength(1);
  });

  it('a results file fed back (csv and xlsx) stores the text, not our formula guard', async () => {
    const dir = tmpDir('guard-');
    for (const [k, ext] of ['csv', 'xlsx'].entries()) {
      const good = { ...makeApplication(9300 + k, { industry: '书店' }), applicationNo: `GUARD-${ext}-1`, holderName: `+书店A${ext}`, legalRep: '@张三', premises: `-2层${ext}` };
      const bad = { ...makeApplication(9310 + k, { industry: '书店' }), applicationNo: `GUARD-${ext}-2`, industry: '水上乐园' };
      const input = path.join(dir, `申请-${ext}.csv`);
      writeRawCsv(input, [applicationCells(good, 1), applicationCells(bad, 2)]);
      const results = path.join(dir, `结果.${ext}`);
      await rejection(issue(input, { resultsPath: results }));
      // the results file guards the cells; the office fixes the bad row in it and feeds it back
      if (ext === 'csv') {
        const text = fs.readFileSync(results, 'utf8');
        expect(text).toContain(`,'+书店Acsv,`);
        expect(text).toContain(`,'-2层csv,`);
        fs.writeFileSync(results, text.replace('水上乐园', '书店'));
      } else {
        const wb = new (loadExcelJS().Workbook)();
        await wb.xlsx.readFile(results);
        const texts: unknown[] = [];
        wb.worksheets[0].eachRow((row) => row.eachCell((c) => {
          texts.push(c.value);
          if (c.value === '水上乐园') c.value = '书店';
        }));
        expect(texts).toEqual(expect.arrayContaining(["'+书店Axlsx", "'-2层xlsx", "'@张三"]));
        await wb.xlsx.writeFile(results);
      }
      const r = await issue(results);
      expect(r.issued.map((i) => i.applicationNo)).toEqual([`GUARD-${ext}-1`, `GUARD-${ext}-2`]);
      const stored = await ws.db('licenses').where({ application_no: `GUARD-${ext}-1` }).first('holder_name', 'premises');
      expect(stored).toEqual({ holder_name: `+书店A${ext}`, premises: `-2层${ext}` });
      expect((await showLicense(ws.db, r.issued[0].number, DATE)).current).toMatchObject({ holderName: `+书店A${ext}`, legalRep: '@张三', premises: `-2层${ext}` });
    }
  });

  it('a 申请编号 issued before for another code or industry rejects the row, naming that licence', async () => {
    const apps = batch1();
    const otherHolder = { ...makeApplication(9500, { industry: '便利店' }), applicationNo: apps[0].applicationNo };
    const otherIndustry = { ...makeApplication(9501, { industry: '书店' }), applicationNo: apps[1].applicationNo, uscc: apps[1].uscc };
    const file = path.join(tmpDir('reused-'), 'reused.csv');
    await writeCsv(file, HEADER, [applicationCells(otherHolder, 1), applicationCells(otherIndustry, 2)]);
    const err = await rejection(issue(file, { skipInvalid: false }));
    const rejected = err.details!.rejected as Array<{ row: number; column: string; message: string }>;
    expect(rejected).toEqual([
      expect.objectContaining({ row: 2, column: '申请编号', message: `申请编号“${apps[0].applicationNo}”此前已发证，许可证编号 3101152026PD-01000001，但该证的统一社会信用代码与本行不同：一个申请编号只能对应一份申请，请核对申请编号。` }),
      expect.objectContaining({ row: 3, column: '申请编号', message: expect.stringContaining('许可证编号 3101152026PD-01000002，但该证的行业类别（该证为“便利店”）与本行不同') }),
    ]);
    expect(err.details!.existing).toEqual([]);
    // with --skip-invalid they are rejected too: nothing reported as another company's licence
    const skipped = await issue(file, { skipInvalid: true });
    expect([skipped.existing, skipped.issued, skipped.rejected.map((e) => e.row)]).toEqual([[], [], [2, 3]]);
  });

  it('re-running a batch on a later day reports its rows as issued, though an item has expired since', async () => {
    const app = { ...makeApplication(9400, { industry: '书店' }), applicationNo: 'LATER-1', permitNos: [] as string[] };
    app.expiries = app.items.map(() => '2026-04-30');
    const dir = tmpDir('later-');
    const file = path.join(dir, 'later.csv');
    await writeCsv(file, HEADER, [applicationCells(app, 1)]);
    const [first] = (await issue(file, { date: '2026-03-20' })).issued;
    const later = await issue(file, { date: '2026-06-01', resultsPath: path.join(dir, '结果.csv') });
    expect(later).toMatchObject({ issued: [], rejected: [], existing: [{ row: 2, sheet: 'later', applicationNo: 'LATER-1', number: first.number }] });
    expect((await cellsOf(path.join(dir, '结果.csv')))[1].cells.slice(HEADER.length)).toEqual(['2', '此前已发证', first.number, null]);
    // the same row under another code is not that application: its own errors and the reuse are reported
    const other = path.join(dir, 'other.csv');
    await writeCsv(other, HEADER, [applicationCells({ ...app, uscc: generateUscc(9401) }, 1)]);
    const err = await rejection(issue(other, { date: '2026-06-01' }));
    const messages = (err.details!.rejected as Array<{ message: string }>).map((e) => e.message).join('\n');
    expect(messages).toMatch(/有效期至 2026-04-30 早于制证日期 2026-06-01/);
    expect(messages).toContain(`此前已发证，许可证编号 ${first.number}，但该证的统一社会信用代码与本行不同`);
  });

  it('the results file names each row’s original row, and its sheet when the workbook has several', async () => {
    const dir = tmpDir('sheets-');
    const file = path.join(dir, '两个工作表.xlsx');
    const a = (seed: number, no: string) => applicationCells({ ...makeApplication(seed, { industry: '书店' }), applicationNo: no }, 1);
    const total = ['合计', '', '', '', '', '', '', '', '', '', ''];
    await writeTable(file, [
      { name: '上午', header: HEADER, rows: [a(9700, 'AM-1'), total, a(9701, 'AM-2')] },
      { name: '下午', header: HEADER, rows: [a(9702, 'PM-1')] },
    ]);
    const results = path.join(dir, '结果.xlsx');
    const r = await issue(file, { dryRun: true, resultsPath: results });
    expect(r.wouldIssue).toEqual([{ row: 2, sheet: '上午', applicationNo: 'AM-1' }, { row: 4, sheet: '上午', applicationNo: 'AM-2' }, { row: 2, sheet: '下午', applicationNo: 'PM-1' }]);
    const rows = await cellsOf(results);
    const tail = (row: { sheet: string; cells: unknown[] }) => [row.sheet, ...row.cells.slice(HEADER.length)];
    expect(rows.map(tail)).toEqual([
      ['上午', '原工作表', ...OURS],
      ['上午', '上午', 2, '可发证（试运行）'],
      ['上午', '上午', 4, '可发证（试运行）'],
      ['下午', '原工作表', ...OURS],
      ['下午', '下午', 2, '可发证（试运行）'],
    ]);
    // fed back: the columns are replaced, the rows renumbered to the file now read
    const again = path.join(dir, '再次结果.xlsx');
    await issue(results, { dryRun: true, resultsPath: again });
    expect((await cellsOf(again)).map(tail)).toEqual([
      ['上午', '原工作表', ...OURS],
      ['上午', '上午', 2, '可发证（试运行）'],
      ['上午', '上午', 3, '可发证（试运行）'],
      ['下午', '原工作表', ...OURS],
      ['下午', '下午', 2, '可发证（试运行）'],
    ]);
  });

  it('a code typed in lowercase or with spaces is normalised, checked strictly and stored upper case', async () => {
    let seed = 9600;
    while (!/[A-Z]/.test(generateUscc(seed))) seed++;
    const app = { ...makeApplication(seed, { industry: '书店' }), applicationNo: 'TYPED-1' };
    const typed = (code: string) => `${code.slice(0, 4)} ${code.slice(4, 8)}\u3000${code.slice(8)}`.toLowerCase();
    const dir = tmpDir('typed-');
    const file = path.join(dir, 'typed.csv');
    await writeCsv(file, HEADER, [applicationCells({ ...app, uscc: typed(app.uscc) }, 1)]);
    const [issued] = (await issue(file)).issued;
    expect((await ws.db('licenses').where({ number: issued.number }).first('uscc')).uscc).toBe(app.uscc);
    expect((await showLicense(ws.db, issued.number, DATE)).current.uscc).toBe(app.uscc);
    const wrong = path.join(dir, 'wrong.csv');
    const badCheck = app.uscc.slice(0, 17) + (app.uscc[17] === '0' ? '1' : '0');
    await writeCsv(wrong, HEADER, [applicationCells({ ...app, applicationNo: 'TYPED-2', uscc: typed(badCheck) }, 1)]);
    const err = await rejection(issue(wrong));
    expect((err.details!.rejected as Array<{ column: string; message: string }>)[0]).toMatchObject({ column: '统一社会信用代码', message: expect.stringMatching(/第 18 位（校验码）/) });
  });

  it('refuses --results naming the input file, and a 制证日期 after today (exit 2), before reading anything', async () => {
    const dir = tmpDir('refuse-');
    const file = path.join(dir, '申请.csv');
    await writeCsv(file, HEADER, [applicationCells({ ...makeApplication(9800, { industry: '书店' }), applicationNo: 'REFUSE-1' }, 1)]);
    const original = fs.readFileSync(file);
    for (const same of [file, path.join(dir, '.', '申请.csv')]) {
      await expect(issue(file, { resultsPath: same })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/--results 的文件.*就是要导入的文件/) });
    }
    expect(fs.readFileSync(file)).toEqual(original);
    const tomorrow = addDays(today(), 1);
    await expect(issue(file, { date: tomorrow })).rejects.toMatchObject({ exitCode: 2, message: `制证日期 ${tomorrow} 晚于今天（${today()}），不能预先制证。` });
    expect(await ws.db('licenses').where({ application_no: 'REFUSE-1' }).first()).toBeUndefined();
    // today itself is fine
    expect((await issue(file, { date: today() })).issued).toHaveLength(1);
  });

  it('the audit log is append-only in the database', async () => {
    await expect(ws.db('license_events').update({ actor: 'x' })).rejects.toThrow(/append-only/);
    await expect(ws.db('license_events').delete()).rejects.toThrow(/append-only/);
  });

  it('refuses to sign with a key that is not the workspace’s', async () => {
    const other = path.join(tmpDir('key-'), 'other.pem');
    fs.copyFileSync(lic('test-signing-key.pem'), other);
    fs.chmodSync(other, 0o600);
    await expect(issueLicenses(ws.db, BATCH1, { date: DATE, keyFile: other })).rejects.toMatchObject({ exitCode: 4, message: expect.stringMatching(/不是本工作区的签名私钥/) });
    fs.chmodSync(other, 0o644);
    await expect(issueLicenses(ws.db, BATCH1, { date: DATE, keyFile: other })).rejects.toMatchObject({ exitCode: 4, message: expect.stringMatching(/权限过宽/) });
  });
});
