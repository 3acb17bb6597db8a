import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importCatalog } from '../../src/catalog/service';
import { backends } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { PUDONG_BASE, freshWorkspace } from '../helpers/workspace';
import { SEED_000, task } from './scenario';

describe.each(backends())('yiye tasks / report commands on %s', (backend) => {
  let db: string;
  const dir = fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'tasks-cli-'));
  beforeAll(async () => {
    // the workspace and its catalog through the services (their commands are tested elsewhere)
    const ws = await freshWorkspace(backend);
    db = ws.url;
    await importCatalog(ws.db, PUDONG_BASE, { actor: 'test' });
    await ws.db.destroy();
  });

  it('extract --json prints the documented task shape; a second run changes nothing', async () => {
    const res = await yiye(['tasks', 'extract', SEED_000, '--plan', '浦东实施方案', '--db', db, '--json']);
    expect(res.code).toBe(0);
    expect(res.json).toHaveLength(19);
    expect(res.json[1]).toEqual({
      ref: '二.（一）.2',
      code: 'P01-002',
      title: '推动事权下放承接到位',
      lead: ['市有关部门'],
      co: ['浦东新区政府'],
      deadline: '2021-02-28',
      deadlineText: '2021年2月底前；2021年6月底前',
      deadlines: [
        { date: '2021-02-28', text: '2021年2月底前', kind: 'date' },
        { date: '2021-06-30', text: '2021年6月底前', kind: 'date' },
      ],
    });
    const again = await yiye(['tasks', 'extract', SEED_000, '--plan', '浦东实施方案', '--db', db]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/任务无变化/);
    const none = await yiye(['tasks', 'extract', task('updates/进展反馈-2021-05.xlsx'), '--db', db, '--json']);
    expect(none.code).toBe(3);
    expect(none.json.error.code).toBe('BAD_FILE');
  });

  it('import, update (a bad return exits 3 and changes nothing), list and report', async () => {
    const imp = await yiye(['tasks', 'import', task('2021年工作台账.xlsx'), '--db', db, '--json']);
    expect(imp.code).toBe(0);
    expect(imp.json).toMatchObject({ plan: { name: '2021年工作台账', code: 'P02' }, counts: { inserted: 10 }, committed: true });

    const bad = await yiye(['tasks', 'update', task('bad/进展反馈-错误.xlsx'), '--db', db, '--json', '--report', path.join(dir, '错误.xlsx')]);
    expect(bad.code).toBe(3);
    expect(bad.json.error.errors.map((e: { row: number; columnLetter: string }) => [e.row, e.columnLetter])).toEqual([
      [3, 'A'],
      [4, 'C'],
    ]);
    expect(fs.existsSync(path.join(dir, '错误.xlsx'))).toBe(true);
    const human = await yiye(['tasks', 'update', task('bad/进展反馈-错误.xlsx'), '--db', db]);
    expect(human.code).toBe(3);
    expect(human.stderr).toMatch(/第 3 行，A列“任务编号”：任务编号“PD-99”不存在/);
    expect(human.stderr).not.toMatch(/\n\s+at /);
    // a dry run that finds the same errors exits 3 too (README), after printing what it found
    const dry = await yiye(['tasks', 'update', task('bad/进展反馈-错误.xlsx'), '--dry-run', '--db', db, '--json']);
    expect([dry.code, dry.json.dryRun, dry.json.errors.length > 0]).toEqual([3, true, true]);

    const ok = await yiye(['tasks', 'update', task('updates/进展反馈-2021-05.xlsx'), '--db', db, '--json']);
    expect(ok.code).toBe(0);
    expect(ok.json).toMatchObject({ updated: 6, committed: true });

    const overdue = await yiye(['tasks', 'list', '--overdue', '--as-of', '2021-05-31', '--unit', '区政务数据局', '--db', db, '--json']);
    expect(overdue.code).toBe(0);
    expect(overdue.json.map((t: { code: string; daysOverdue: number }) => [t.code, t.daysOverdue])).toEqual([['PD-04', 31]]);

    const out = path.join(dir, '进展.md');
    const rep = await yiye(['report', 'progress', '--as-of', '2021-05-31', '--format', 'md', '--out', out, '--db', db, '--json']);
    expect(rep.code).toBe(0);
    expect(rep.json).toMatchObject({ asOf: '2021-05-31', total: 29, done: 1, doneLate: 1, overdue: 5, format: 'md', out });
    expect(rep.json.industries[0]).toEqual(expect.objectContaining({ name: expect.any(String), targetDate: '2021-03-31', firstLicenseOn: null, status: '未落地（已逾期）' }));
    expect(Array.isArray(rep.json.byUnit)).toBe(true);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^# 改革任务进展报告（截至 2021-05-31）/);
  });

  it('update --skip-invalid: the valid rows applied, exit 0 with a warning naming the skipped rows', async () => {
    const upd = await yiye(['tasks', 'update', task('bad/进展反馈-错误.xlsx'), '--skip-invalid', '--report', path.join(dir, '跳过.xlsx'), '--db', db]);
    expect(upd.code).toBe(0);
    expect(upd.stdout).toMatch(/更新 1 项/);
    expect(upd.stdout).toMatch(/警告：已跳过 2 处错误所在的行，其余有效行已写入；被跳过的行及错误原因见“.*跳过\.xlsx”/);
    expect(fs.existsSync(path.join(dir, '跳过.xlsx'))).toBe(true);
  });

  it('aliases: export the mapping, import an edited one', async () => {
    const file = path.join(dir, '对照.csv');
    const exp = await yiye(['tasks', 'aliases', '--export', file, '--db', db, '--json']);
    expect(exp.code).toBe(0);
    expect(exp.json.source).toBe('default');
    fs.appendFileSync(file, '文旅局,文体旅游局\r\n');
    const imp = await yiye(['tasks', 'aliases', '--import', file, '--db', db, '--json']);
    expect(imp.code).toBe(0);
    expect(imp.json).toMatchObject({ source: 'workspace', matchedUnits: expect.any(Number) });
    expect(imp.json.aliases.at(-1)).toEqual({ alias: '文旅局', canonical: '文体旅游局' });
  });
});
