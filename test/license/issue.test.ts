import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../../src/cli/errors';
import { readRows } from '../../src/io/read-rows';
import { writeCsv } from '../../src/io/write';
import { issueLicenses } from '../../src/license/issue';
import { allowCode, showLicense } from '../../src/license/service';
import { BAD_FILES, HEADER, applicationCells, batch1, makeApplication } from '../../fixtures/make-license-fixtures';
import { backends } from '../helpers/db';
import { BATCH1, BATCH2, lic, licenseWorkspace, tmpDir, type LicenseWorkspace } from './helpers';

const DATE = '2026-03-15';

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
    expect(rows[0]).toEqual([...HEADER, '处理结果', '许可证编号', '错误原因']);
    const at = (row: unknown[], col: string) => row[HEADER.length + ['处理结果', '许可证编号', '错误原因'].indexOf(col)] ?? null;
    expect([at(rows[2], '处理结果'), at(rows[2], '许可证编号')]).toEqual(['被拒绝', null]);
    expect(at(rows[2], '错误原因')).toMatch(/【行业类别】试点行业目录中没有“水上乐园”/);
    expect([at(rows[1], '处理结果'), at(rows[1], '许可证编号'), at(rows[1], '错误原因')]).toEqual(['已发证', r.issued[0].number, null]);
    // the office fixes the bad row in the results file and feeds it back
    const fixed = path.join(dir, '改正后.csv');
    await writeCsv(fixed, rows[0] as string[], rows.slice(1).map((c) => c.map((v) => (v === '水上乐园' ? '饭店' : v)) as string[]));
    const again = await issue(fixed);
    expect(again.existing.map((e) => e.row)).toEqual([2, 4]);
    expect(again.issued.map((e) => e.row)).toEqual([3]);
  });

  it('--dry-run validates and writes nothing', async () => {
    const dir = tmpDir('dry-');
    const file = path.join(dir, 'dry.csv');
    await writeCsv(file, HEADER, [applicationCells({ ...makeApplication(9001, { industry: '书店' }), applicationNo: 'DRY-1' }, 1)]);
    const before = await count('licenses');
    const r = await issue(file, { dryRun: true });
    expect(r).toMatchObject({ dryRun: true, committed: false, issued: [], rejected: [] });
    expect(await count('licenses')).toBe(before);
  });

  it('a listed exception code is accepted only once the office registers it', async () => {
    const dir = tmpDir('exc-');
    const file = path.join(dir, 'exception.csv');
    await writeCsv(file, HEADER, [applicationCells({ ...makeApplication(9002, { industry: '书店' }), applicationNo: 'EXC-1', uscc: '91350100M0001TGQXM' }, 1)]);
    const err = await rejection(issue(file));
    expect((err.details!.rejected as Array<{ message: string }>)[0].message).toMatch(/第 18 位/);
    expect(await allowCode(ws.db, '91350100M0001TGQXM', '登记机关书面确认', 'test')).toMatchObject({ added: true, failedRule: 'check' });
    expect((await issue(file)).issued).toHaveLength(1);
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
