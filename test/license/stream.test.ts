/**
 * Issuance streams its file in chunks of 500 rows inside one transaction: these batches span
 * several chunks, so duplicates, rejections and numbering have to hold across chunk boundaries
 * exactly as they do within one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../../src/cli/errors';
import { readRows } from '../../src/io/read-rows';
import { issueLicenses } from '../../src/license/issue';
import { exportLicenses, verifyLicense } from '../../src/license/service';
import { HEADER, applicationCells, applicationWorkbook, makeApplication, workbookBuffer } from '../../fixtures/make-license-fixtures';
import { backends } from '../helpers/db';
import { licenseWorkspace, tmpDir, type LicenseWorkspace } from './helpers';

const DATE = '2026-05-01';
const ROWS = 1_250; // three chunks
/** The workbook has a label and a title above the header (row 3): data row i (0-based) is row i + 4. */
const rowOf = (i: number) => i + 4;

async function writeBatch(file: string, rows: Array<Array<string | number>>): Promise<void> {
  fs.writeFileSync(file, await workbookBuffer(applicationWorkbook('2026年5月1日行业综合许可证发证清单', rows)));
}

/** ROWS valid applications of distinct businesses (seeds from `seed`), 申请编号 prefix00000…; `tweak` may replace a row's cells. */
function batch(prefix: string, seed: number, tweak: (cells: Array<string | number>, i: number) => Array<string | number> = (c) => c): Array<Array<string | number>> {
  return Array.from({ length: ROWS }, (_, i) => tweak(applicationCells({ ...makeApplication(seed + i), applicationNo: `${prefix}${String(i).padStart(5, '0')}` }, i + 1), i));
}

const col = (name: string) => HEADER.indexOf(name);

describe.each(backends())('license issue across chunks on %s', (backend) => {
  let ws: LicenseWorkspace;
  beforeAll(async () => {
    ws = await licenseWorkspace(backend);
  });
  afterAll(async () => {
    await ws.db.destroy();
  });
  const count = async (table: string) => Number(((await ws.db(table).count({ n: '*' })) as Array<{ n: number | string }>)[0].n);

  it('rejects the whole batch for bad rows in later chunks, naming duplicates of rows in earlier ones; --skip-invalid issues the rest with gapless numbers; a re-run issues nothing', async () => {
    const dir = tmpDir('stream-');
    const file = path.join(dir, '发证申请.xlsx');
    // row 1100 repeats the 申请编号 of row 3; row 1200 is the business of row 10 again; row 1240 has a bad check character
    await writeBatch(
      file,
      batch('S', 70_000, (cells, i) => {
        if (i === 1098) cells[col('申请编号')] = 'S00001';
        if (i === 1198) return applicationCells({ ...makeApplication(70_008), applicationNo: 'S01198' }, i + 1);
        if (i === 1238) {
          const code = String(cells[col('统一社会信用代码')]);
          cells[col('统一社会信用代码')] = code.slice(0, 17) + (code.endsWith('0') ? '1' : '0');
        }
        return cells;
      }),
    );
    const opts = { date: DATE, keyFile: ws.keyFile, actor: 'test' };

    const err = await issueLicenses(ws.db, file, opts).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    const rejected = (err as InputError).details!.rejected as Array<{ row: number; column: string; message: string }>;
    expect(rejected.map((e) => e.row)).toEqual([rowOf(1098), rowOf(1198), rowOf(1238)]);
    expect(rejected[0]).toMatchObject({ column: '申请编号', message: `申请编号“S00001”与第 ${rowOf(1)} 行重复。` });
    expect(rejected[1].message).toBe(`与第 ${rowOf(8)} 行是同一经营者在同一经营场所申请同一行业，重复申请。`);
    expect(rejected[2]).toMatchObject({ column: '统一社会信用代码', message: expect.stringMatching(/第 18 位（校验码）/) });
    // the chunks written before the bad rows were read are rolled back with the rest
    expect(await count('licenses')).toBe(0);
    expect(await count('license_events')).toBe(0);
    expect(await count('license_number_seq')).toBe(0);

    const results = path.join(dir, '结果.xlsx');
    const r = await issueLicenses(ws.db, file, { ...opts, skipInvalid: true, resultsPath: results });
    expect(r.committed).toBe(true);
    expect(r.issued).toHaveLength(ROWS - 3);
    expect(r.issued.map((i) => i.row)).toEqual(Array.from({ length: ROWS }, (_, i) => rowOf(i)).filter((row) => ![rowOf(1098), rowOf(1198), rowOf(1238)].includes(row)));
    expect(await count('licenses')).toBe(ROWS - 3);
    expect(await count('license_events')).toBe(ROWS - 3);
    // numbers run 1..n per industry in row order, across chunks
    const byIndustry = new Map<string, number[]>();
    for (const i of r.issued) {
      const m = /^3101152026(PD-\d\d)(\d{6})$/.exec(i.number)!;
      byIndustry.set(m[1], [...(byIndustry.get(m[1]) ?? []), Number(m[2])]);
    }
    for (const seqs of byIndustry.values()) expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));
    const seqTotal = ((await ws.db('license_number_seq').select('last_seq')) as Array<{ last_seq: number | string }>).reduce((s, x) => s + Number(x.last_seq), 0);
    expect(seqTotal).toBe(ROWS - 3);

    // the results file lists every row, with the number or the reason
    const rows: unknown[][] = [];
    for await (const row of readRows(results)) rows.push(row.cells);
    expect(rows).toHaveLength(ROWS + 1);
    expect(rows[0]).toEqual([...HEADER, '原行号', '处理结果', '许可证编号', '错误原因']);
    expect(rows[1099][HEADER.length]).toBe(rowOf(1098));
    const outcome = (i: number) => [1, 2, 3].map((k) => rows[i + 1][HEADER.length + k] ?? null);
    expect(outcome(0)).toEqual(['已发证', r.issued[0].number, null]);
    expect(outcome(1098)[0]).toBe('被拒绝');
    expect(outcome(1098)[2]).toBe(`【申请编号】申请编号“S00001”与第 ${rowOf(1)} 行重复。`);
    expect(outcome(ROWS - 1)).toEqual(['已发证', r.issued[ROWS - 4].number, null]);

    // more than a few hundred rows are signed on the signing thread: the signatures verify
    for (const i of [r.issued[0], r.issued[700], r.issued[ROWS - 4]]) {
      expect(await verifyLicense(ws.db, i.number, { asOf: DATE })).toMatchObject({ valid: true, status: 'valid', number: i.number });
    }

    const again = await issueLicenses(ws.db, file, { ...opts, skipInvalid: true });
    expect(again.issued).toEqual([]);
    expect(again.existing.map((e) => e.number)).toEqual(r.issued.map((i) => i.number));
    expect(again.rejected.map((e) => e.row)).toEqual([rowOf(1098), rowOf(1198), rowOf(1238)]);
    expect(await count('licenses')).toBe(ROWS - 3);
  });

  it('--dry-run over several chunks writes nothing and says which rows would be issued', async () => {
    const dir = tmpDir('stream-dry-');
    const file = path.join(dir, '试运行.xlsx');
    await writeBatch(file, batch('D', 80_000));
    const results = path.join(dir, '试运行结果.csv');
    const before = await count('licenses');
    const r = await issueLicenses(ws.db, file, { date: DATE, keyFile: ws.keyFile, dryRun: true, resultsPath: results });
    expect(r).toMatchObject({ dryRun: true, committed: false, issued: [], rejected: [] });
    expect(r.wouldIssue.map((w) => w.row)).toEqual(Array.from({ length: ROWS }, (_, i) => rowOf(i)));
    expect(await count('licenses')).toBe(before);
    const rows: unknown[][] = [];
    for await (const row of readRows(results)) rows.push(row.cells);
    expect(rows).toHaveLength(ROWS + 1);
    expect(rows.slice(1).map((c) => c[HEADER.length])).toEqual(Array.from({ length: ROWS }, (_, i) => String(rowOf(i))));
    expect(new Set(rows.slice(1).map((c) => c[HEADER.length + 1]))).toEqual(new Set(['可发证（试运行）']));
  });

  it('export reads the register a page at a time: every licence once, in number order, across pages', async () => {
    const numbers = ((await ws.db('licenses').orderBy('number').pluck('number')) as string[]);
    expect(numbers.length).toBeGreaterThan(1000); // three pages of 500
    const dir = tmpDir('stream-export-');
    const csv = path.join(dir, '台账.csv');
    expect(await exportLicenses(ws.db, csv, { asOf: DATE })).toMatchObject({ licenses: numbers.length });
    const rows: unknown[][] = [];
    for await (const row of readRows(csv)) rows.push(row.cells);
    expect(rows.slice(1).map((c) => c[0])).toEqual(numbers);
    const json = path.join(dir, '证照库.json');
    expect(await exportLicenses(ws.db, json, { asOf: DATE })).toMatchObject({ licenses: numbers.length });
    const doc = JSON.parse(fs.readFileSync(json, 'utf8')) as { format: string; asOf: string; licenses: Array<{ licenseNumber: string }> };
    expect([doc.format, doc.asOf]).toEqual(['yiye-license-library/1', DATE]);
    expect(doc.licenses.map((l) => l.licenseNumber)).toEqual(numbers);
    // a filter that selects nothing still writes a valid, empty document
    const none = path.join(dir, 'none.json');
    expect(await exportLicenses(ws.db, none, { asOf: DATE, status: 'withdrawn' })).toMatchObject({ licenses: 0 });
    expect(JSON.parse(fs.readFileSync(none, 'utf8')).licenses).toEqual([]);
  });
});
