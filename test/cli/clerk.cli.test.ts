/**
 * Issue 20 (a clerk following the README): dry runs exit as the real run would, licence batches
 * with a visible number, and the smaller clerk-facing fixes — through the real CLI, on both databases.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backends, freshDbUrl } from '../helpers/db';
import { rowErrorLines } from '../../src/cli/errors';
import { yiye } from '../helpers/cli';
import { PUDONG_BASE, pudong } from '../helpers/workspace';
import { BATCH1, BATCH2, OPS, lic, tmpDir } from '../license/helpers';

const INIT = ['--region', '310115', '--authority', '浦东新区人民政府'];

// every test spawns the CLI several times; on a loaded 2-core machine that takes minutes
jest.setTimeout(300_000);

describe.each(backends())('clerk: licence dry runs and batches on %s', (backend) => {
  let db: string;
  beforeAll(async () => {
    db = await freshDbUrl(backend);
    expect((await yiye(['init', '--db', db, ...INIT])).code).toBe(0);
    expect((await yiye(['catalog', 'import', ...PUDONG_BASE, '--db', db])).code).toBe(0);
  });

  it('catalog diff: a matter whose row has an invalid cell is an error, not a removal', async () => {
    const dir = tmpDir('diff-');
    const file = path.join(dir, '事项目录-待定.csv');
    const text = fs.readFileSync(pudong('事项目录-UTF8-BOM.csv'), 'utf8');
    fs.writeFileSync(file, text.replace(',20,5个工作日,是,否,否,', ',20,5个工作日,待定,否,否,'));
    const diff = await yiye(['catalog', 'diff', file, '--db', db, '--json']);
    expect(diff.code).toBe(3);
    const removed = diff.json.changes.filter((c: { action: string }) => c.action === 'remove').map((c: { key: string }) => c.key);
    expect(removed).not.toContain('食品经营许可');
    expect(diff.json.heldBack).toEqual([expect.objectContaining({ kind: 'matters', key: '食品经营许可', row: 2 })]);
    expect(diff.json.errors[0]).toMatchObject({ row: 2, column: '现场核查' });
    if (backend !== 'sqlite') return;
    const human = await yiye(['catalog', 'diff', file, '--db', db]);
    expect(human.stdout).not.toMatch(/移除 许可事项：食品经营许可\n/);
    expect(human.stdout).toMatch(/错误：许可事项“食品经营许可”不列入移除.*第 2 行/);
  });

  it('output paths: the extension decides the format (unknown exits 2), an existing file is kept unless --force (exit 4)', async () => {
    const dir = tmpDir('out-');
    const txt = await yiye(['catalog', 'export', path.join(dir, '目录.txt'), '--db', db, '--json']);
    expect(txt.code).toBe(2);
    expect(txt.json.error.message).toMatch(/扩展名 \.txt.*只能是 \.xlsx、\.csv/);
    expect(fs.existsSync(path.join(dir, '目录.txt'))).toBe(false);
    const xlsx = path.join(dir, '目录.xlsx');
    expect((await yiye(['catalog', 'export', xlsx, '--db', db])).code).toBe(0);
    const before = fs.statSync(xlsx).mtimeMs;
    const again = await yiye(['catalog', 'export', xlsx, '--db', db]);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/已存在，未覆盖[\s\S]*--force/);
    expect(fs.statSync(xlsx).mtimeMs).toBe(before);
    expect((await yiye(['catalog', 'export', xlsx, '--force', '--db', db])).code).toBe(0);
    expect((await yiye(['license', 'export', path.join(dir, '台账.pdf'), '--db', db])).code).toBe(2);
    fs.writeFileSync(path.join(dir, 'r.md'), 'keep');
    const report = await yiye(['report', 'progress', '--as-of', '2026-03-31', '--out', path.join(dir, 'r.md'), '--db', db]);
    expect(report.code).toBe(4);
    expect(fs.readFileSync(path.join(dir, 'r.md'), 'utf8')).toBe('keep');
  });

  it('issue --dry-run of a batch with a bad row exits 3 as the real run, and says the batch would be rejected', async () => {
    const dry = await yiye(['license', 'issue', lic('bad/bad-check-char.xlsx'), '--db', db, '--date', '2026-03-15', '--dry-run', '--json']);
    expect(dry.code).toBe(3);
    expect(dry.json).toMatchObject({ dryRun: true, wouldExit: 3, issued: [] });
    expect(dry.json.wouldIssue).toHaveLength(2);
    const real = await yiye(['license', 'issue', lic('bad/bad-check-char.xlsx'), '--db', db, '--date', '2026-03-15', '--json']);
    expect(real.code).toBe(3);
    const text = await yiye(['license', 'issue', lic('bad/bad-check-char.xlsx'), '--db', db, '--date', '2026-03-15', '--dry-run']);
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/正式发证将整批拒绝/);
    expect(text.stdout).not.toMatch(/试运行：可发证/);
    // --skip-invalid: the real run would issue the good rows, so the dry run passes
    const skip = await yiye(['license', 'issue', lic('bad/bad-check-char.xlsx'), '--db', db, '--date', '2026-03-15', '--dry-run', '--skip-invalid', '--json']);
    expect(skip.code).toBe(0);
  });

  it('batches: numbered in the issue summary, listed, consecutive; re-runs and single operations take none; print says what it holds', async () => {
    const first = await yiye(['license', 'issue', BATCH1, '--db', db, '--date', '2026-03-15']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/批次号 1）/);
    const again = await yiye(['license', 'issue', BATCH1, '--db', db, '--date', '2026-03-15', '--json']);
    expect(again.json).toMatchObject({ batchId: null, issued: [] });
    expect((await yiye(['license', 'revoke', '3101152026PD-01000001', '--reason', '以欺骗手段取得许可', '--date', '2026-03-16', '--db', db])).code).toBe(0);
    const second = await yiye(['license', 'issue', BATCH2, '--db', db, '--date', '2026-03-16', '--json']);
    expect(second.json.batchId).toBe(2);

    const list = await yiye(['license', 'batches', '--db', db, '--json']);
    expect(list.code).toBe(0);
    expect(list.json.batches.map((b: { id: number; kind: string; licenses: number }) => [b.id, b.kind, b.licenses])).toEqual([
      [1, 'issue', 10],
      [2, 'issue', 5],
    ]);
    expect(list.json.batches[0].startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/);
    const text = await yiye(['license', 'batches', '--db', db]);
    expect(text.stdout).toMatch(/批次 1 {2}发证 .*发证申请-2026-03-15\.xlsx {2}新发 10 张/);

    const show = await yiye(['license', 'show', '3101152026PD-01000002', '--db', db]);
    expect(show.stdout).toMatch(/发证批次：1/);
    const showJson = await yiye(['license', 'show', '3101152026PD-01000002', '--db', db, '--json']);
    expect(showJson.json.batchId).toBe(1);
    const history = await yiye(['license', 'history', '3101152026PD-01000001', '--db', db]);
    expect(history.stdout).toMatch(/发证（第 1 版） {2}批次 1/);

    const out = tmpDir('batch-print-');
    const print = await yiye(['license', 'print', '--batch', '1', '--out', out, '--db', db, '--json']);
    expect(print.code).toBe(0);
    expect(print.json.batch).toMatchObject({ id: 1, licenses: 10, notValid: [{ number: '3101152026PD-01000001', status: 'revoked' }] });
    expect(fs.readFileSync(path.join(out, '3101152026PD-01000001.html'), 'utf8')).toMatch(/class="void"/);
    const printText = await yiye(['license', 'print', '--batch', '1', '--out', out, '--db', db]);
    expect(printText.stdout).toMatch(/均按现行版本打印.*3101152026PD-01000001（已?撤销）/);
  });

  it('times: text in the workspace time zone (Asia/Shanghai by default, YIYE_TZ overrides), JSON ISO 8601 with the offset', async () => {
    const json = await yiye(['license', 'history', '3101152026PD-01000002', '--db', db, '--json']);
    expect(json.json.events[0].at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/);
    const utc = await yiye(['license', 'history', '3101152026PD-01000002', '--db', db, '--json'], { env: { YIYE_TZ: 'UTC' } });
    expect(Date.parse(utc.json.events[0].at)).toBe(Date.parse(json.json.events[0].at));
    expect(utc.json.events[0].at).toMatch(/\+00:00$/);
    const text = await yiye(['license', 'history', '3101152026PD-01000002', '--db', db]);
    const shown = /记录时间：(\S+ \S+)/.exec(text.stdout)![1];
    expect(shown).toBe(json.json.events[0].at.slice(0, 19).replace('T', ' '));
    const out = tmpDir('export-');
    const exp = await yiye(['license', 'export', path.join(out, '台账.json'), '--db', db, '--json']);
    expect(exp.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, '台账.json'), 'utf8')).exportedAt).toMatch(/\+08:00$/);
    // the zone is a workspace setting: init --time-zone (an unknown name is refused)
    const bad = await yiye(['init', '--db', db, ...INIT, '--time-zone', 'Mars/Olympus', '--force', '--json']);
    expect(bad.code).toBe(3);
    expect(bad.json.error.message).toMatch(/时区“Mars\/Olympus”无法识别/);
  });

  it('apply --dry-run exits 4 when the real run would (every refused row a forbidden transition); an apply batch gets the next number', async () => {
    // OPS row 2 changes 3101152026PD-01000001, revoked above: the real run refuses with exit 4
    const dry = await yiye(['license', 'apply', OPS, '--db', db, '--date', '2026-06-01', '--dry-run', '--json']);
    expect(dry.json).toMatchObject({ dryRun: true, wouldExit: 4 });
    expect(dry.code).toBe(4);
    const real = await yiye(['license', 'apply', OPS, '--db', db, '--date', '2026-06-01', '--json']);
    expect(real.code).toBe(4);
    const skip = await yiye(['license', 'apply', OPS, '--db', db, '--date', '2026-06-01', '--skip-invalid', '--json']);
    expect(skip.code).toBe(0);
    expect(skip.json.batchId).toBe(3);
    const rerun = await yiye(['license', 'apply', OPS, '--db', db, '--date', '2026-06-01', '--skip-invalid', '--json']);
    expect(rerun.json.batchId).toBeNull();
    const list = await yiye(['license', 'batches', '--db', db, '--json']);
    expect(list.json.batches.map((b: { id: number }) => b.id)).toEqual([1, 2, 3]);
  });
});

describe.each(backends())('clerk: report progress 报送日历 on %s', (backend) => {
  it('each 报送 row lists its own plan\'s tasks; a task without a lead says so', async () => {
    const db = await freshDbUrl(backend);
    expect((await yiye(['init', '--db', db, ...INIT])).code).toBe(0);
    const seeds = path.resolve(__dirname, '../../fixtures/tasks');
    // the city's 工作要点 (报送 to 市审改办) and the district's (报送 to 区审改办) both report on 12月10日
    expect((await yiye(['tasks', 'extract', path.join(seeds, 'seeds/004_c67652171abef3cc.txt'), '--db', db])).code).toBe(0);
    expect((await yiye(['tasks', 'extract', path.join(seeds, '2021年工作要点.txt'), '--db', db])).code).toBe(0);
    const out = tmpDir('report-');
    const r = await yiye(['report', 'progress', '--as-of', '2026-12-06', '--format', 'md', '--out', path.join(out, 'r.md'), '--db', db, '--json']);
    expect(r.code).toBe(0);
    const rows = r.json.calendar.filter((c: { date: string }) => c.date === '2026-12-10');
    const district = rows.find((c: { recipient: string }) => c.recipient === '区审改办');
    const city = rows.find((c: { recipient: string }) => c.recipient === '市审改办');
    expect(district.due.map((t: { code: string }) => t.code)).toEqual(expect.arrayContaining(['P02-001', 'P02-004']));
    expect(district.due.every((t: { plan: string }) => t.plan === district.plan)).toBe(true);
    expect(city.due.some((t: { plan: string }) => t.plan === district.plan)).toBe(false);
    const md = fs.readFileSync(path.join(out, 'r.md'), 'utf8');
    expect(md).not.toMatch(/，，/);
    expect(md).toMatch(/（2020-12-31，未明确牵头单位，已逾期）/);
    // the summary counts every open task once: 已逾期, then the rest by status
    const o = r.json.open;
    expect(o.total).toBe(o.overdue + o.notStarted + o.inProgress + o.blocked);
    const text = await yiye(['report', 'progress', '--as-of', '2026-12-06', '--format', 'md', '--out', path.join(out, 'r2.md'), '--db', db]);
    expect(text.stdout).toMatch(/未完成 \d+（已逾期 \d+.*；未逾期的：未启动 \d+、推进中 \d+、受阻 \d+）/);
    expect(text.stdout).not.toMatch(/推进中 \d+（其中/);

    // tasks list --unit goes through the alias table: 市场监督管理局 is 区市场监管局 / 市市场监管局
    const unit = await yiye(['tasks', 'list', '--unit', '市场监督管理局', '--db', db, '--json']);
    expect(unit.code).toBe(0);
    expect(unit.json.length).toBeGreaterThan(0);

    // tasks import: the count it prints is the number it stores (a header repeated mid-sheet is skipped, and said so)
    const imp = await yiye(['tasks', 'import', path.join(seeds, '普陀区任务分工表.xlsx'), '--db', db, '--json']);
    expect(imp.json.sheets[0]).toMatchObject({ rows: 22, skippedRows: 1 });
    expect(imp.json.counts.inserted).toBe(22);

    // tasks aliases --import adds to the built-in mapping (README: edits it), --replace replaces it
    const builtIn = (await yiye(['tasks', 'aliases', '--db', db, '--json'])).json.aliases.length;
    const aliasFile = path.join(out, '对照.csv');
    fs.writeFileSync(aliasFile, '写法,统一为\r\n行政服务中心,政务服务中心\r\n');
    const added = await yiye(['tasks', 'aliases', '--import', aliasFile, '--db', db, '--json']);
    expect(added.code).toBe(0);
    expect(added.json.aliases).toHaveLength(builtIn + 1);
    expect(added.json.aliases).toEqual(expect.arrayContaining([{ alias: '市场监督管理局', canonical: '市场监管局' }, { alias: '行政服务中心', canonical: '政务服务中心' }]));
    expect(added.json.added).toBe(1);
    const replaced = await yiye(['tasks', 'aliases', '--import', aliasFile, '--replace', '--db', db, '--json']);
    expect(replaced.json.aliases).toEqual([{ alias: '行政服务中心', canonical: '政务服务中心' }]);
  });
});

describe.each(backends())('clerk: licence rules on %s', (backend) => {
  let db: string;
  beforeAll(async () => {
    db = await freshDbUrl(backend);
    // one-year validity: licences issued on 2025-03-15 have expired by 2026-05-01 (a fixed past date)
    expect((await yiye(['init', '--db', db, ...INIT, '--validity-years', '1'])).code).toBe(0);
    expect((await yiye(['catalog', 'import', ...PUDONG_BASE, '--db', db])).code).toBe(0);
    expect((await yiye(['license', 'issue', BATCH1, '--db', db, '--date', '2025-03-15'])).code).toBe(0);
  });

  it('renew after expiry is refused (exit 4) unless --after-expiry with a reason, which is recorded', async () => {
    const n = '3101152025PD-01000001';
    const refused = await yiye(['license', 'renew', n, '--until', '2027-06-30', '--date', '2026-05-01', '--db', db, '--json']);
    expect(refused.code).toBe(4);
    expect(refused.json.error.message).toMatch(/已于 2026-03-14 到期失效.*不能按延续办理/);
    expect(refused.json.error.hint).toMatch(/--after-expiry/);
    const noReason = await yiye(['license', 'renew', n, '--until', '2027-06-30', '--date', '2026-05-01', '--after-expiry', '--db', db]);
    expect(noReason.code).toBe(2);
    const ok = await yiye(['license', 'renew', n, '--until', '2027-06-30', '--date', '2026-05-01', '--after-expiry', '--reason', '经局务会研究同意逾期延续', '--db', db]);
    expect(ok.code).toBe(0);
    const history = await yiye(['license', 'history', n, '--db', db, '--json']);
    const renew = history.json.events.find((e: { event: string }) => e.event === 'renew');
    expect(renew).toMatchObject({ reason: '经局务会研究同意逾期延续', details: { 逾期延续: expect.stringMatching(/过期 48 天后延续/) } });
  });

  it('smaller: Chinese --status, numbers in any case, one set of status words, actor without $USER, reversed range, guide dates', async () => {
    const revoke = await yiye(['license', 'revoke', '3101152025pd-01000003', '--reason', '以欺骗手段取得许可', '--date', '2025-04-01', '--db', db], { env: { USER: '', USERNAME: '', YIYE_ACTOR: '' } });
    expect(revoke.code).toBe(0);
    for (const word of ['撤销', '已撤销', 'revoked']) {
      const list = await yiye(['license', 'list', '--status', word, '--date', '2025-05-01', '--db', db, '--json']);
      expect([word, list.code, list.json.licenses.map((l: { number: string }) => l.number)]).toEqual([word, 0, ['3101152025PD-01000003']]);
    }
    const show = await yiye(['license', 'show', ' 3101152025pd-01000003 ', '--db', db]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/状态：撤销（2025-04-01）/);
    const history = await yiye(['license', 'history', '3101152025PD-01000003', '--db', db, '--json']);
    expect(history.json.events.at(-1).actor).toBe(os.userInfo().username);
    expect(history.json.statusLabel).toBe('撤销');
    const reversed = await yiye(['license', 'list', '--issued-from', '2026-01-01', '--issued-to', '2025-01-01', '--db', db]);
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toMatch(/--issued-from 2026-01-01 晚于 --issued-to 2025-01-01/);
    const out = tmpDir('guide-');
    const feb30 = await yiye(['guide', 'generate', '--industry', '便利店', '--type', 'notice', '--format', 'md', '--out', out, '--date', '2021-02-30', '--db', db]);
    expect(feb30.code).toBe(2);
    expect(feb30.stderr).toMatch(/不是实际存在的日期：2021 年 2 月没有 30 日/);
    const chinese = await yiye(['guide', 'generate', '--industry', '便利店', '--type', 'notice', '--format', 'md', '--out', out, '--date', '2021年3月31日', '--db', db, '--json']);
    expect(chinese.code).toBe(0);
    expect(chinese.json.date).toBe('2021-03-31');
    const typo = await yiye(['catalog', 'improt', 'x.xlsx']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/您是不是要运行：yiye catalog import/);
  });

  it('no English left: allow-code names the failed check, a template syntax error is in Chinese with file and line', async () => {
    const allow = await yiye(['license', 'allow-code', '91350100M0001TGQXM', '--reason', '早期试点代码，登记机关证明', '--db', db]);
    expect(allow.code).toBe(0);
    expect(allow.stdout).toMatch(/未通过校验：第 18 位（校验码）应为“.”，实为“M”/);
    expect(allow.stdout).not.toMatch(/\bcheck\b/);
    const tpl = tmpDir('tpl-');
    fs.writeFileSync(path.join(tpl, 'rules.hbs'), '# 标题\n\n{{#if industry}}\n正文\n');
    const broken = await yiye(['guide', 'generate', '--industry', '便利店', '--type', 'rules', '--format', 'md', '--templates', tpl, '--out', tmpDir('tpl-out-'), '--db', db]);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toMatch(/rules\.hbs 第 \d+ 行：语法错误：此处应为 .*块结束标记 \{\{\/…\}\}.*却遇到文件结尾/);
    // overflowing row errors point at the command's own file flag (catalog import has --report, not --results)
    expect(rowErrorLines(Array.from({ length: 21 }, (_, i) => ({ file: 'f', sheet: 's', row: i + 2, column: '', columnLetter: '', message: 'x' }))).at(-1)).toMatch(/见 --report 文件/);
  });

  it('guide generate --all on an empty catalog exits with a hint', async () => {
    const empty = await freshDbUrl(backend);
    expect((await yiye(['init', '--db', empty, ...INIT])).code).toBe(0);
    const r = await yiye(['guide', 'generate', '--all', '--out', tmpDir('guide-empty-'), '--db', empty]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/试点行业目录为空[\s\S]*yiye catalog import/);
  });

  it('an application whose 统一社会信用代码 holds a licence under another holder name is issued with a warning (text and JSON)', async () => {
    const show = await yiye(['license', 'show', '3101152025PD-01000002', '--db', db, '--json']);
    const { uscc, holderName } = show.json.current;
    const dir = tmpDir('holder-');
    const file = path.join(dir, '发证申请-更名.csv');
    fs.writeFileSync(
      file,
      `申请编号,经营者名称,统一社会信用代码,法定代表人（负责人）,行业类别,经营场所,许可项目\nPD-RENAMED-1,上海另一家便利店有限公司,${uscc},张三,便利店,浦东新区世纪大道100号,食品经营许可\n`,
    );
    const dry = await yiye(['license', 'issue', file, '--date', '2026-05-01', '--dry-run', '--db', db, '--json']);
    expect(dry.code).toBe(0);
    expect(dry.json.warnings).toEqual([expect.objectContaining({ row: 2, uscc, holderName: '上海另一家便利店有限公司', otherHolderName: holderName, otherNumber: '3101152025PD-01000002' })]);
    const text = await yiye(['license', 'issue', file, '--date', '2026-05-01', '--db', db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`注意：.*第 2 行.*${uscc} 已以“${holderName}”的名义持有有效许可证 3101152025PD-01000002`));
  });
});
