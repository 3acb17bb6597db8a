import path from 'node:path';
import fs from 'node:fs';
import { ConflictError, InputError, NotFoundError, UsageError } from '../../src/cli/errors';
import { loadExcelJS } from '../../src/io/exceljs';
import { readRows } from '../../src/io/read-rows';
import { writeCsv } from '../../src/io/write';
import { issueLicenses } from '../../src/license/issue';
import { applyBatch, applyOperation, exportLicenses, expiringLicenses, licenseHistory, listLicenses, showLicense, verifyLicense, writeRevocations } from '../../src/license/service';
import { formatHistory, formatLicense, formatListing, formatVerify } from '../../src/license/format';
import { addDays } from '../../src/license/util';
import { today } from '../../src/text/dates';
import { exportPublicKey } from '../../src/license/service';
import { HEADER, applicationCells, makeApplication } from '../../fixtures/make-license-fixtures';
import { backends } from '../helpers/db';
import { BATCH1, OPS, licenseWorkspace, tmpDir, type LicenseWorkspace } from './helpers';

const D = '2026-03-15';

describe.each(backends())('licence lifecycle and verification on %s', (backend) => {
  let ws: LicenseWorkspace;
  let opts: { date: string; keyFile: string; actor: string };
  beforeAll(async () => {
    ws = await licenseWorkspace(backend);
    opts = { date: '2026-04-01', keyFile: ws.keyFile, actor: '窗口李四' };
    await issueLicenses(ws.db, BATCH1, { date: D, keyFile: ws.keyFile });
  });
  afterAll(async () => {
    await ws.db.destroy();
  });
  const payloadOf = async (n: string) => (await showLicense(ws.db, n, D)).current.payload;

  it('verifies a good payload and rejects one with any byte altered', async () => {
    const p = await payloadOf('3101152026PD-01000001');
    expect(await verifyLicense(ws.db, p, { asOf: D })).toMatchObject({ valid: true, status: 'valid', number: '3101152026PD-01000001', version: 1, industry: '便利店', checked: ['signature', 'database', 'validity-date'] });
    expect(await verifyLicense(ws.db, '3101152026PD-01000001', { asOf: D })).toMatchObject({ valid: true, status: 'valid' });
    for (const pos of [0, 5, 60, p.length - 90, p.length - 1]) {
      const c = p[pos] === 'A' ? 'B' : 'A';
      const r = await verifyLicense(ws.db, p.slice(0, pos) + c + p.slice(pos + 1), { asOf: D });
      expect(r).toMatchObject({ valid: false, status: 'forged' });
    }
    expect(await verifyLicense(ws.db, p, { asOf: '2031-03-15' })).toMatchObject({ valid: false, status: 'expired' });
  });

  it('verify ignores blanks a scanner or chat adds around the payload, never inside it', async () => {
    const p = await payloadOf('3101152026PD-03000001');
    for (const around of [`${p} `, `${p}\n`, `${p}\r\n`, ` ${p}`, `\u3000${p}\u3000`, `\uFEFF${p}\t`, `\n\t ${p} \r\n`]) {
      expect(await verifyLicense(ws.db, around, { asOf: D })).toMatchObject({ valid: true, status: 'valid', number: '3101152026PD-03000001', statusChecked: true });
    }
    expect(await verifyLicense(ws.db, ' 3101152026PD-03000001\r\n', { asOf: D })).toMatchObject({ valid: true });
    for (const inside of [`${p.slice(0, 40)} ${p.slice(40)}`, `${p.slice(0, 40)}\n${p.slice(40)}`, `${p.slice(0, -20)}\u3000${p.slice(-20)}`]) {
      expect(await verifyLicense(ws.db, inside, { asOf: D })).toMatchObject({ valid: false, status: 'forged' });
    }
  });

  it('change: a new version with the same number supersedes the old one', async () => {
    const old = await payloadOf('3101152026PD-01000001');
    const r = await applyOperation(ws.db, { number: '3101152026PD-01000001', kind: 'change', premises: '浦东新区张杨路88号', addItems: [{ name: '烟草专卖零售许可', permitNo: 'YC3101150001', validUntil: '2030-06-30' }], reason: '迁址并增项' }, opts);
    expect(r).toMatchObject({ number: '3101152026PD-01000001', event: 'change', version: 2, status: 'valid', validUntil: '2030-06-30' });
    const now = await showLicense(ws.db, '3101152026PD-01000001', '2026-04-01');
    expect(now.current).toMatchObject({ version: 2, premises: '浦东新区张杨路88号', issueDate: '2026-04-01' });
    expect(now.issueDate).toBe(D);
    expect(now.current.items.map((i) => i.matterName)).toContain('烟草专卖零售许可');
    expect(await verifyLicense(ws.db, old, { asOf: '2026-04-02' })).toMatchObject({ valid: false, status: 'superseded', currentVersion: 2 });
    expect(await verifyLicense(ws.db, r.payload!, { asOf: '2026-04-02' })).toMatchObject({ valid: true, version: 2 });
    const removed = await applyOperation(ws.db, { number: '3101152026PD-01000001', kind: 'change', removeItems: ['烟草专卖零售许可'], legalRep: '王五' }, { ...opts, date: '2026-04-02' });
    expect(removed).toMatchObject({ version: 3, validUntil: '2030-06-30' });
  });

  it('bad changes are input errors (exit 3); an unknown number is not found', async () => {
    const n = '3101152026PD-03000001';
    await expect(applyOperation(ws.db, { number: n, kind: 'change', removeItems: ['食品经营许可'] }, opts)).rejects.toThrow(InputError);
    await expect(applyOperation(ws.db, { number: n, kind: 'change', removeItems: ['食品经营许可'] }, opts)).rejects.toThrow(/必办事项/);
    await expect(applyOperation(ws.db, { number: n, kind: 'change', addItems: [{ name: '特种行业许可（旅馆业）' }] }, opts)).rejects.toThrow(/不属于行业“饭店”/);
    await expect(applyOperation(ws.db, { number: n, kind: 'change' }, opts)).rejects.toThrow(/没有需要变更的内容/);
    await expect(applyOperation(ws.db, { number: n, kind: 'renew', until: '2030-01-01' }, opts)).rejects.toThrow(/应晚于现有效期至/);
    await expect(applyOperation(ws.db, { number: 'NOPE', kind: 'renew', until: '2040-01-01' }, opts)).rejects.toThrow(NotFoundError);
    await expect(applyOperation(ws.db, { number: n, kind: 'revoke' }, opts)).rejects.toThrow(/须写明原因/);
  });

  it('renew, revoke, cancel, withdraw and the transitions they forbid (exit 4)', async () => {
    const renewed = await applyOperation(ws.db, { number: '3101152026PD-02000001', kind: 'renew', until: '2034-12-31', reason: '到期延续' }, opts);
    expect(renewed).toMatchObject({ version: 2, validUntil: '2034-12-31' });
    expect((await showLicense(ws.db, '3101152026PD-02000001', '2026-04-01')).current.items.every((i) => !i.validUntil || i.validUntil >= '2034-12-31')).toBe(true);

    expect(await applyOperation(ws.db, { number: '3101152026PD-03000002', kind: 'revoke', reason: '以欺骗手段取得' }, opts)).toMatchObject({ status: 'revoked', version: 1 });
    expect(await applyOperation(ws.db, { number: '3101152026PD-09000001', kind: 'cancel', reason: '停业' }, opts)).toMatchObject({ status: 'cancelled' });
    expect(await applyOperation(ws.db, { number: '3101152026PD-11000001', kind: 'withdraw', reason: '行政处罚' }, opts)).toMatchObject({ status: 'withdrawn' });

    const illegal: Array<[string, Parameters<typeof applyOperation>[1]['kind'], Partial<Parameters<typeof applyOperation>[1]>]> = [
      ['3101152026PD-03000002', 'change', { holderName: '新名称' }],
      ['3101152026PD-03000002', 'renew', { until: '2040-01-01' }],
      ['3101152026PD-03000002', 'revoke', { reason: 'x' }],
      ['3101152026PD-09000001', 'renew', { until: '2040-01-01' }],
      ['3101152026PD-09000001', 'change', { premises: '别处' }],
      ['3101152026PD-09000001', 'cancel', { reason: 'x' }],
      ['3101152026PD-11000001', 'renew', { until: '2040-01-01' }],
      ['3101152026PD-11000001', 'withdraw', { reason: 'x' }],
    ];
    for (const [number, kind, extra] of illegal) {
      const err = await applyOperation(ws.db, { number, kind, ...extra }, opts).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as ConflictError).exitCode).toBe(4);
    }
    // an expired licence cannot be changed, only renewed after expiry explicitly (issued years ago: lifecycle dates cannot lie in the future)
    const old = path.join(tmpDir('old-'), 'old.csv');
    await writeCsv(old, HEADER, [applicationCells(makeApplication(9300, { industry: '书店', date: '2019-03-15' }), 1)]);
    const [expired] = (await issueLicenses(ws.db, old, { date: '2019-03-15', keyFile: ws.keyFile })).issued;
    const late = { ...opts, date: today() };
    await expect(applyOperation(ws.db, { number: expired.number, kind: 'change', holderName: 'X' }, late)).rejects.toThrow(/到期失效，不能变更/);
    // 行政许可法第五十条: 延续 before expiry; after it only with --after-expiry and a reason
    await expect(applyOperation(ws.db, { number: expired.number, kind: 'renew', until: '2037-01-01' }, late)).rejects.toMatchObject({ exitCode: 4, message: expect.stringMatching(/不能按延续办理/) });
    await expect(applyOperation(ws.db, { number: expired.number, kind: 'renew', until: '2037-01-01', afterExpiry: true }, late)).rejects.toThrow(/逾期延续.*须写明原因/);
    expect(await applyOperation(ws.db, { number: expired.number, kind: 'renew', until: '2037-01-01', afterExpiry: true, reason: '经研究同意逾期延续' }, late)).toMatchObject({ version: 2 });

    expect(await verifyLicense(ws.db, await payloadOf('3101152026PD-03000002'), { asOf: D })).toMatchObject({ valid: false, status: 'revoked' });
    expect(await verifyLicense(ws.db, '3101152026PD-09000001', { asOf: D })).toMatchObject({ valid: false, status: 'cancelled' });
    expect(await verifyLicense(ws.db, '3101152026PD-11000001', { asOf: D })).toMatchObject({ valid: false, status: 'withdrawn' });
    const stored = await ws.db('licenses').where({ number: '3101152026PD-09000001' }).first();
    expect(stored.status).toBe('cancelled');
  });

  it('history lists every version and event with actor, time and reason', async () => {
    const h = await licenseHistory(ws.db, '3101152026PD-01000001', D);
    expect(h.versions.map((v) => [v.version, v.supersededAt])).toEqual([[1, '2026-04-01'], [2, '2026-04-02'], [3, null]]);
    expect(h.events.map((e) => e.event)).toEqual(['issue', 'change', 'change']);
    expect(h.events[1]).toMatchObject({ actor: '窗口李四', reason: '迁址并增项', date: '2026-04-01', details: { 经营场所: { from: expect.any(String), to: '浦东新区张杨路88号' }, 增加许可项目: ['烟草专卖零售许可'] } });
    expect(h.events[1].at).toMatch(/^\d{4}-\d\d-\d\dT/);

    // the text says in Chinese what the JSON records as from/to pairs and lists
    const text = formatHistory(h);
    expect(text).toMatch(/经营场所：.+ → 浦东新区张杨路88号/);
    expect(text).toContain('增加许可项目：烟草专卖零售许可');
    expect(text).toContain('减少许可项目：烟草专卖零售许可');
    expect(text).toMatch(/法定代表人（负责人）：.+ → 王五/);
    expect(text).toMatch(/发证（第 1 版）.*申请编号：PD20260315\d+/);
    expect(formatHistory(await licenseHistory(ws.db, '3101152026PD-03000002', D))).toMatch(/撤销（第 1 版）.*原因：以欺骗手段取得  状态：有效 → 撤销/);
    const renewed = formatHistory(await licenseHistory(ws.db, '3101152026PD-02000001', D));
    expect(renewed).toMatch(/延续换证（第 2 版）.*有效期至：\d{4}-\d\d-\d\d → 2034-12-31/);
    for (const t of [text, renewed]) expect(t).not.toMatch(/[{}"]|\bfrom\b|\bto\b|applicationNo/);

    // the current state is the one on the day asked about, as in show: past its date it is 失效
    const late = await licenseHistory(ws.db, '3101152026PD-03000001', '2040-01-01');
    expect(late).toMatchObject({ status: 'valid', effectiveStatus: 'expired', statusLabel: '失效', asOf: '2040-01-01' });
    expect(formatHistory(late)).toMatch(new RegExp(`当前状态：失效（有效期至 ${late.validUntil}，已过期）`));
    expect(formatHistory(await licenseHistory(ws.db, '3101152026PD-03000001', D))).toMatch(/当前状态：有效\n/);
  });

  it('show names one state: a valid licence past its date is 失效, and statusLabel follows it', async () => {
    const now = await showLicense(ws.db, '3101152026PD-03000001', D);
    expect(now).toMatchObject({ status: 'valid', effectiveStatus: 'valid', statusLabel: '有效' });
    expect(formatLicense(now)).toMatch(/状态：有效\n/);
    const later = await showLicense(ws.db, '3101152026PD-03000001', '2040-01-01');
    expect(later).toMatchObject({ status: 'valid', effectiveStatus: 'expired', statusLabel: '失效' });
    expect(formatLicense(later)).toContain(`状态：失效（有效期至 ${later.current.validUntil}，已过期）`);
    expect(formatLicense(later)).not.toMatch(/状态：有效/);
    const revoked = await showLicense(ws.db, '3101152026PD-03000002', D);
    expect(revoked).toMatchObject({ status: 'revoked', statusLabel: '撤销' });
    expect(formatLicense(revoked)).toContain('状态：撤销（2026-04-01），原因：以欺骗手段取得');
  });

  it('lifecycle dates: never before the licence record, never after today (exit 4 / exit 2)', async () => {
    const n = '3101152026PD-04000001'; // issued 2026-03-15
    const events = async () => (await licenseHistory(ws.db, n, D)).events.length;
    const err = await applyOperation(ws.db, { number: n, kind: 'revoke', reason: '以欺骗手段取得' }, { ...opts, date: '2020-01-01' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ exitCode: 4, message: expect.stringMatching(/办理日期 2020-01-01 早于许可证 3101152026PD-04000001 最近一次登记的日期 2026-03-15（发证，第 1 版）/) });
    expect(await applyOperation(ws.db, { number: n, kind: 'change', legalRep: '赵六' }, { ...opts, date: '2026-05-01' })).toMatchObject({ version: 2 });
    await expect(applyOperation(ws.db, { number: n, kind: 'change', legalRep: '钱七' }, { ...opts, date: '2026-03-01' })).rejects.toThrow(/早于.*2026-05-01（变更换证，第 2 版）/);
    await expect(applyOperation(ws.db, { number: n, kind: 'renew', until: '2036-01-01' }, { ...opts, date: '2026-04-30' })).rejects.toMatchObject({ exitCode: 4 });
    // the same day as the last event is fine
    expect(await applyOperation(ws.db, { number: n, kind: 'renew', until: '2036-01-01' }, { ...opts, date: '2026-05-01' })).toMatchObject({ version: 3 });

    const tomorrow = addDays(today(), 1);
    const future = await applyOperation(ws.db, { number: n, kind: 'cancel', reason: '停业' }, { ...opts, date: tomorrow }).then(() => undefined, (e: unknown) => e);
    expect(future).toBeInstanceOf(UsageError);
    expect(future).toMatchObject({ exitCode: 2, message: expect.stringMatching(new RegExp(`办理日期 ${tomorrow} 晚于今天`)) });
    expect(await events()).toBe(3);
    expect((await showLicense(ws.db, n, D)).status).toBe('valid');

    // apply: the row that would pre-date its licence's record is rejected at its 操作 cell
    const dir = tmpDir('apply-dates-');
    const early = path.join(dir, 'early.csv');
    await writeCsv(early, ['许可证编号', '操作', '原因'], [['3101152026PD-03000001', '注销', '停业'], [n, '注销', '停业']]);
    const rej = await applyBatch(ws.db, early, { ...opts, date: '2026-04-15' }).then(() => undefined, (e: unknown) => e);
    expect(rej).toBeInstanceOf(ConflictError);
    expect((rej as ConflictError).details!.rejected).toEqual([
      expect.objectContaining({ sheet: expect.any(String), row: 3, column: '操作', columnLetter: 'B', message: expect.stringMatching(/办理日期 2026-04-15 早于.*2026-05-01/) }),
    ]);
    await expect(applyBatch(ws.db, early, { ...opts, date: tomorrow })).rejects.toMatchObject({ exitCode: 2 });
    expect((await showLicense(ws.db, '3101152026PD-03000001', D)).status).toBe('valid');
    expect(await events()).toBe(3);
  });

  it('apply names the column of every rejected value, the renewal date included', async () => {
    const dir = tmpDir('apply-columns-');
    const file = path.join(dir, 'cols.csv');
    await writeCsv(file, ['许可证编号', '操作', '延续至', '减少许可项目', '原因'], [
      ['3101152026PD-03000001', '延续', '2027-01-01', '', '到期延续'],
      ['3101152026PD-03000001', '变更', '', '食品经营许可', ''],
      ['3101152026PD-03000001', '注销', '', '', ''],
    ]);
    const err = await applyBatch(ws.db, file, { ...opts, date: '2026-04-15' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).details!.rejected).toEqual([
      expect.objectContaining({ row: 2, column: '延续至', columnLetter: 'C', message: expect.stringMatching(/延续后的有效期至 2027-01-01 应晚于现有效期至/) }),
      expect.objectContaining({ row: 3, column: '减少许可项目', columnLetter: 'D', message: expect.stringMatching(/必办事项/) }),
      expect.objectContaining({ row: 4, column: '原因', columnLetter: 'E', message: expect.stringMatching(/须写明原因/) }),
    ]);
  });

  it('apply: a batch of operations in one transaction, idempotent on re-run, all-or-nothing', async () => {
    const ws2 = await licenseWorkspace(backend);
    try {
      await issueLicenses(ws2.db, BATCH1, { date: D, keyFile: ws2.keyFile });
      const o = { date: '2026-06-01', keyFile: ws2.keyFile, actor: '窗口张三' };
      const r = await applyBatch(ws2.db, OPS, o);
      expect(r.applied.map((a) => [a.row, a.event, a.version, a.status])).toEqual([
        [2, 'change', 2, 'valid'], [3, 'renew', 2, 'valid'], [4, 'change', 2, 'valid'], [5, 'change', 2, 'valid'], [6, 'cancel', 1, 'cancelled'], [7, 'revoke', 1, 'revoked'],
      ]);
      const again = await applyBatch(ws2.db, OPS, o);
      expect(again).toMatchObject({ applied: [], rejected: [] });
      expect(again.existing).toHaveLength(6);
      const ev = await ws2.db('license_events').where({ file_name: '变更延续注销-2026-06-01.xlsx' }).orderBy('id');
      expect(ev.map((e: { row_number: number }) => e.row_number)).toEqual([2, 3, 4, 5, 6, 7]);

      // the same batch saved again as csv (new bytes), rows reversed, a reason reworded and one new
      // row: only the new row is applied, the others are reported as done before
      const resaved = path.join(tmpDir('apply-resave-'), 'ops-resaved.csv');
      const cells: unknown[][] = [];
      for await (const row of readRows(OPS)) cells.push(row.cells);
      const h = cells.findIndex((c) => c.includes('许可证编号'));
      const header = cells[h].map(String);
      const body = cells.slice(h + 1).filter((c) => c.some((v) => v !== null && v !== '')).reverse();
      const reasonAt = header.indexOf('原因');
      body[0] = body[0].map((v, i) => (i === reasonAt ? `${String(v ?? '')}（重新保存）` : v));
      const fresh = header.map((c) => ({ 许可证编号: '3101152026PD-03000001', 操作: '延续', 延续至: '2033-12-31' })[c] ?? '');
      await writeCsv(resaved, header, [...body, fresh] as never);
      const third = await applyBatch(ws2.db, resaved, o);
      expect(third.existing).toHaveLength(6);
      expect(third.applied.map((a) => [a.row, a.number, a.event, a.version])).toEqual([[8, '3101152026PD-03000001', 'renew', 2]]);
      const byLicence = await ws2.db('license_events').whereNot({ event: 'issue' }).select('license_id').count({ n: '*' }).groupBy('license_id');
      expect(byLicence.map((x) => Number(x.n))).toEqual(byLicence.map(() => 1));

      // a batch with an illegal transition applies nothing and exits 4
      const dir = tmpDir('apply-');
      const bad = path.join(dir, 'ops.csv');
      await writeCsv(bad, ['许可证编号', '操作', '延续至', '原因'], [['3101152026PD-02000001', '注销', '', '停业'], ['3101152026PD-11000001', '延续', '2040-01-01', '']]);
      const err = await applyBatch(ws2.db, bad, o).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as ConflictError).details!.rejected).toEqual([expect.objectContaining({ row: 3, column: '操作', message: expect.stringMatching(/已于 2026-06-01 注销，不能再延续换证/) })]);
      expect((await ws2.db('licenses').where({ number: '3101152026PD-02000001' }).first()).status).toBe('valid');
      const typo = path.join(dir, 'typo.csv');
      await writeCsv(typo, ['许可证编号', '操作', '原因'], [['3101152026PD-02000001', '作废', '']]);
      await expect(applyBatch(ws2.db, typo, o)).rejects.toMatchObject({ exitCode: 3, details: { rejected: [expect.objectContaining({ column: '操作', message: expect.stringMatching(/无法识别的操作“作废”/) })] } });
    } finally {
      await ws2.db.destroy();
    }
  });

  it('apply --results: every row with its outcome; the file fixed and fed back applies only what was not done', async () => {
    const ws3 = await licenseWorkspace(backend);
    try {
      await issueLicenses(ws3.db, BATCH1, { date: D, keyFile: ws3.keyFile });
      const o = { date: '2026-06-01', keyFile: ws3.keyFile, actor: '窗口张三' };
      const dir = tmpDir('apply-results-');
      const input = path.join(dir, '办理清单.csv');
      await writeCsv(input, ['许可证编号', '操作', '延续至', '原因'], [
        ['3101152026PD-02000001', '注销', '', '停业'],
        ['3101152026PD-04000001', '延续', '2036年1月1日', '到期延续'],
        ['3101152026PD-09000001', '作废', '', ''],
      ]);
      const results = path.join(dir, '办理结果.csv');
      // the input itself is refused as the results file (exit 2), before anything is read
      await expect(applyBatch(ws3.db, input, { ...o, resultsPath: input })).rejects.toMatchObject({ exitCode: 2 });
      const err = await applyBatch(ws3.db, input, { ...o, resultsPath: results }).then(() => undefined, (e: unknown) => e);
      expect(err).toMatchObject({ exitCode: 3, hint: expect.stringContaining('办理结果.csv'), details: { resultsPath: results } });
      const read = async (f: string) => {
        const rows: unknown[][] = [];
        for await (const r of readRows(f)) rows.push(r.cells);
        return rows;
      };
      let rows = await read(results);
      expect(rows[0]).toEqual(['许可证编号', '操作', '延续至', '原因', '原行号', '处理结果', '错误原因']);
      expect(rows.slice(1).map((r) => r.slice(4))).toEqual([
        ['2', '未办理（整批未提交）', null],
        ['3', '未办理（整批未提交）', null],
        ['4', '被拒绝', expect.stringMatching(/^【操作】无法识别的操作“作废”/)],
      ]);
      expect((await ws3.db('licenses').where({ number: '3101152026PD-02000001' }).first()).status).toBe('valid');

      // the office fixes row 4 in the results file and runs it: all three are done, each once
      const fixed = path.join(dir, '办理结果-改正.csv');
      await writeCsv(fixed, rows[0] as string[], rows.slice(1).map((r, i) => (i === 2 ? ['3101152026PD-09000001', '撤销', '', '以欺骗手段取得', ...r.slice(4)] : r)) as never);
      const again = path.join(dir, '办理结果2.csv');
      const done = await applyBatch(ws3.db, fixed, { ...o, resultsPath: again });
      expect(done.applied.map((a) => [a.row, a.event])).toEqual([[2, 'cancel'], [3, 'renew'], [4, 'revoke']]);
      rows = await read(again);
      expect(rows[0]).toEqual(['许可证编号', '操作', '延续至', '原因', '原行号', '处理结果', '错误原因']);
      expect(rows.slice(1).map((r) => r[5])).toEqual(['已办理：注销', '已办理：延续换证，第 2 版', '已办理：撤销']);
      // and once more: nothing twice
      const third = await applyBatch(ws3.db, again, { ...o, resultsPath: path.join(dir, '办理结果3.csv') });
      expect([third.applied.length, third.existing.length]).toEqual([0, 3]);
      expect((await read(path.join(dir, '办理结果3.csv'))).slice(1).map((r) => r[5])).toEqual(['此前已办理', '此前已办理', '此前已办理']);
    } finally {
      await ws3.db.destroy();
    }
  });

  it('export: register with formulas neutralised, JSON in the licence-library form', async () => {
    const dir = tmpDir('export-');
    const evil = path.join(dir, 'evil.csv');
    await writeCsv(evil, HEADER, [applicationCells({ ...makeApplication(9100, { industry: '书店' }), applicationNo: 'EVIL-1', holderName: '=HYPERLINK("http://x.example","点我")', legalRep: '+1', premises: '@SUM(A1)' }, 1)]);
    const [issued] = (await issueLicenses(ws.db, evil, { date: D, keyFile: ws.keyFile })).issued;
    for (const ext of ['xlsx', 'csv']) {
      const file = path.join(dir, `台账.${ext}`);
      await exportLicenses(ws.db, file, { asOf: D, industry: '书店' });
      const rows: unknown[][] = [];
      for await (const r of readRows(file)) rows.push(r.cells);
      const row = rows.find((r) => r[0] === issued.number)!;
      // readRows undoes our own guard: the register reads back as the holder's text …
      expect([row[3], row[5], row[7]]).toEqual(['=HYPERLINK("http://x.example","点我")', '+1', '@SUM(A1)']);
      // … while in the file every such cell carries it
      if (ext === 'csv') {
        const line = fs.readFileSync(file, 'utf8').split('\r\n')[rows.indexOf(row)];
        for (const guarded of [`"'=HYPERLINK(""http://x.example"",""点我"")"`, ",'+1,", ",'@SUM(A1),"]) expect(line).toContain(guarded);
      } else {
        const wb = new (loadExcelJS().Workbook)();
        await wb.xlsx.readFile(file);
        const texts: unknown[] = [];
        wb.worksheets[0].getRow(rows.indexOf(row) + 1).eachCell((c) => texts.push(c.value));
        expect(texts).toEqual(expect.arrayContaining([`'=HYPERLINK("http://x.example","点我")`, "'+1", "'@SUM(A1)"]));
      }
    }
    const json = path.join(dir, 'library.json');
    const r = await exportLicenses(ws.db, json, { asOf: '2026-04-02', status: 'revoked' });
    expect(r.licenses).toBe(1);
    const doc = JSON.parse(await import('node:fs').then((fs) => fs.promises.readFile(json, 'utf8')));
    expect(doc).toMatchObject({ format: 'yiye-license-library/1', issuer: '浦东新区人民政府', licenses: [{ licenseNumber: '3101152026PD-03000002', licenseType: '行业综合许可证', status: 'revoked', holder: { uscc: expect.any(String) }, items: expect.any(Array), payload: expect.stringMatching(/YY1\./) }] });
    const since = await exportLicenses(ws.db, path.join(dir, 'x.csv'), { asOf: D, issuedFrom: '2026-03-16' });
    expect(since.licenses).toBe(0);
  });

  it('list finds licences by holder name, code, state and industry, effective state on the date asked', async () => {
    const all = await listLicenses(ws.db, { asOf: D, limit: 0 });
    expect(all.total).toBeGreaterThan(5);
    expect(all.licenses.map((l) => l.number)).toEqual([...all.licenses.map((l) => l.number)].sort());
    const one = all.licenses.find((l) => l.status === 'valid')!;
    const part = one.holder.slice(2, 6);
    const byName = await listLicenses(ws.db, { asOf: D, limit: 0, holder: ` ${part} ` });
    expect(byName.licenses.length).toBeGreaterThan(0);
    for (const l of byName.licenses) expect(l.holder).toContain(part);
    // LIKE's wildcards are literal in a typed name
    for (const w of ['%', '_', `${part.slice(0, 1)}%${part.slice(2)}`, '\\']) expect((await listLicenses(ws.db, { asOf: D, limit: 0, holder: w })).total).toBe(0);
    // a code typed lowercase and in groups
    const typed = ` ${one.uscc.slice(0, 6)} ${one.uscc.slice(6).toLowerCase()}`;
    expect((await listLicenses(ws.db, { asOf: D, limit: 0, uscc: typed })).licenses.map((l) => l.number)).toContain(one.number);
    // the same licence is expired on a date past its validity, and listed as such
    const later = addDays(one.validUntil, 1);
    const expired = await listLicenses(ws.db, { asOf: later, limit: 0, status: 'expired', uscc: one.uscc });
    expect(expired.licenses.find((l) => l.number === one.number)).toMatchObject({ status: 'expired', statusLabel: '失效' });
    expect((await listLicenses(ws.db, { asOf: later, limit: 0, status: 'valid', uscc: one.uscc })).licenses.map((l) => l.number)).not.toContain(one.number);
    const revoked = await listLicenses(ws.db, { asOf: D, limit: 0, status: 'revoked' });
    expect(revoked.licenses.map((l) => l.number)).toContain('3101152026PD-03000002');
    const bookshops = await listLicenses(ws.db, { asOf: D, limit: 0, industry: '书店' });
    for (const l of bookshops.licenses) expect(l.industry).toBe('书店');
    // the limit caps the lines, not the count
    const two = await listLicenses(ws.db, { asOf: D, limit: 2 });
    expect([two.total, two.licenses.length]).toEqual([all.total, 2]);
    expect(formatListing(two)).toMatch(new RegExp(`符合条件的许可证 ${all.total} 张.*列出前 2 张[\\s\\S]*其余 ${all.total - 2} 张`));
    expect(formatListing(await listLicenses(ws.db, { asOf: D, limit: 0, holder: '不存在的公司名' }))).toBe('没有符合条件的许可证。');
  });

  it('expiring lists lapsing licences and items; the revocation list lets an offline verifier reject them', async () => {
    const soon = await expiringLicenses(ws.db, { asOf: '2030-01-01', within: 200 });
    expect(soon.licenses.map((l) => l.number)).toContain('3101152026PD-01000001'); // valid until 2030-06-30
    const dir = tmpDir('rev-');
    const list = path.join(dir, 'rev.json');
    const rev = await writeRevocations(ws.db, list, { date: '2026-04-03', keyFile: ws.keyFile });
    expect(rev.entries).toBeGreaterThanOrEqual(5);
    const pub = path.join(dir, 'pub.pem');
    await exportPublicKey(ws.db, pub);
    const h = await licenseHistory(ws.db, '3101152026PD-01000001', D);
    const v1 = h.versions[0].payload;
    const offline = await verifyLicense(null, v1, { asOf: D, publicKeyFile: pub });
    expect(offline).toMatchObject({ valid: true, checked: ['signature', 'validity-date'], statusChecked: false });
    expect(formatVerify(offline)).toContain('仅核验签名与有效期，未查询许可证当前状态（撤销、注销、吊销、换发）');
    const online = await verifyLicense(ws.db, h.versions[2].payload, { asOf: D });
    expect(online).toMatchObject({ valid: true, statusChecked: true });
    expect(formatVerify(online)).not.toMatch(/未查询|撤销清单/);
    const listed = await verifyLicense(null, v1, { asOf: D, publicKeyFile: pub, revocationsFile: list });
    expect(listed).toMatchObject({ valid: false, status: 'superseded', statusChecked: true, revocationListDate: '2026-04-03' });
    expect(formatVerify(listed)).toContain('状态依据：2026-04-03 的撤销清单');
    expect(formatVerify(listed)).not.toContain('未查询');
    expect(await verifyLicense(null, h.versions[2].payload, { asOf: D, publicKeyFile: pub, revocationsFile: list })).toMatchObject({ valid: true });
    const revoked = (await licenseHistory(ws.db, '3101152026PD-03000002', D)).versions[0].payload;
    expect(await verifyLicense(null, revoked, { asOf: D, publicKeyFile: pub, revocationsFile: list })).toMatchObject({ valid: false, status: 'revoked' });
    fs.writeFileSync(list, fs.readFileSync(list, 'utf8').replace('"revoked"', '"cancelled"'));
    await expect(verifyLicense(null, revoked, { asOf: D, publicKeyFile: pub, revocationsFile: list })).rejects.toThrow(/签名无效/);
  });
});
