import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../src/db';
import { loadExcelJS } from '../../src/io/exceljs';
import { extractTasks } from '../../src/progress/service';
import { buildProgressReport, writeProgressReport } from '../../src/report/progress';
import { backends } from '../helpers/db';
import { freshWorkspace } from '../helpers/workspace';
import { buildScenario } from './scenario';

const GOLDEN = path.join(__dirname, 'golden');
type ExcelJSRow = { getCell(c: number): { value: unknown; fill?: unknown } };
const columnTexts = (ws: { eachRow(cb: (row: ExcelJSRow, n: number) => void): void }) => {
  const out: string[] = [];
  ws.eachRow((row, n) => n > 1 && out.push(String(row.getCell(3).value)));
  return out;
};
const tmp = () => fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'report-'));

/** Compares with the golden file; UPDATE_GOLDEN=1 (or YIYE_UPDATE_GOLDEN=1) rewrites it (review the diff before committing). */
function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.YIYE_UPDATE_GOLDEN === '1' || process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, actual);
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}

describe.each(backends())('report progress on %s', (backend) => {
  let db: Db;
  beforeAll(async () => {
    ({ db } = await freshWorkspace(backend));
    await buildScenario(db);
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('counts tasks, units, the calendar and industries as of a fixed date', async () => {
    const r = await buildProgressReport(db, { asOf: '2021-05-31' });
    expect(r).toMatchObject({
      asOf: '2021-05-31',
      total: 55, // 19 seed 000 + 10 ledger + 22 seed 003 table + 4 plan 2021
      done: 1,
      doneLate: 1,
      overdue: 6,
      dueSoon: 5,
      inProgress: 47,
      blocked: 1,
      nextReportingDate: '2021-06-20',
      dueBeforeNextReport: 1,
      industriesLanded: 2,
      industriesOverdue: 23,
      licenses: { from: '2021-01-01', to: '2021-05-31', total: 3, byIndustry: [{ industry: '便利店', count: 2 }, { industry: '饭店', count: 1 }] },
    });
    expect(r.atRisk.map((t) => [t.code, t.state, t.daysOverdue, t.daysLeft])).toEqual([
      ['P01-002', 'overdue', 92, null],
      ['PD-03', 'overdue', 92, null],
      ['P01-010', 'overdue', 61, null],
      ['P01-014', 'overdue', 61, null],
      ['P04-004', 'overdue', 46, null],
      ['PD-04', 'overdue', 31, null],
      ['PD-06', 'dueSoon', 0, 15],
      ['P01-005', 'dueSoon', 0, 30],
      ['P01-011', 'dueSoon', 0, 30],
      ['P04-001', 'dueSoon', 0, 30],
      ['PD-05', 'dueSoon', 0, 30],
    ]);
    const market = r.byUnit.find((u) => u.unit === '浦东新区市场监管局')!;
    expect(market).toMatchObject({ total: 5, done: 1, doneLate: 1, overdue: 1, dueSoon: 1, blocked: 1 });
    expect(market.overdueTasks).toEqual([{ code: 'P04-004', title: '用好年报公示制度', deadline: '2021-04-15', daysOverdue: 46 }]);
    expect(r.calendar.map((c) => [c.date, c.what, c.recipient, c.due.length])).toEqual([
      ['2021-06-20', '工作推进情况', '区审改办', 7],
      ['2021-09-20', '工作推进情况', '区审改办', 4],
      ['2021-12-10', '全年工作总结', '区审改办', 4],
    ]);
    const ind = new Map(r.industries.map((i) => [i.name, i]));
    expect(ind.get('便利店')).toMatchObject({ firstLicenseOn: '2021-03-25', status: '已落地（按时）' });
    expect(ind.get('饭店')).toMatchObject({ firstLicenseOn: '2021-04-08', status: '已落地（逾期）' });
    expect(ind.get('超市')).toMatchObject({ firstLicenseOn: null, status: '未落地（已逾期）' });
  });

  it('writes md and html matching the golden files', async () => {
    const dir = tmp();
    const md = await writeProgressReport(db, { asOf: '2021-05-31', format: 'md', out: path.join(dir, 'r.md') });
    const mdText = fs.readFileSync(md.out, 'utf8');
    golden('progress-2021-05-31.md', mdText);
    // every table row has as many cells as its header
    for (const block of mdText.split('\n\n').filter((b) => b.startsWith('|'))) {
      const rows = block.split('\n').filter((l) => l !== '').map((l) => l.replace(/\\\|/g, '').split('|').length);
      expect(new Set(rows).size).toBe(1);
    }
    const html = await writeProgressReport(db, { asOf: '2021-05-31', format: 'html', out: path.join(dir, 'r.html') });
    const htmlText = fs.readFileSync(html.out, 'utf8');
    golden('progress-2021-05-31.html', htmlText);
    expect(htmlText).not.toMatch(/<script|<link|src=/i);
    expect(htmlText.match(/<table>/g)).toHaveLength(6);
    // the two charts, inline SVG rendered on the server: the timeline (21 dated tasks, one row each) and the burn-up
    expect(htmlText.match(/<figure>\n<figcaption>[^<]+<\/figcaption>\n<svg role="img"/g)).toHaveLength(2);
    expect(htmlText).toContain('>PD-06 研究制定各试点行业事中事…</text>');
    expect(htmlText).toContain('>截至 2021-05-31</text>');
  });

  it('writes an xlsx with one sheet per section, numbers and real date cells', async () => {
    const dir = tmp();
    const res = await writeProgressReport(db, { asOf: '2021-05-31', format: 'xlsx', out: path.join(dir, 'r.xlsx') });
    const ExcelJS = loadExcelJS();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(res.out);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['总体情况', '按牵头单位', '逾期及临期', '报送日历', '行业落地', '本期发证', '全部任务']);
    const summary = wb.getWorksheet('总体情况')!;
    const values = new Map<string, unknown>();
    summary.eachRow((row) => values.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(values.get('任务总数')).toBe(55);
    expect(values.get('其中：已逾期')).toBe(6);
    // the open tasks once each: the four 其中 rows add up to 未完成 (issue 20: 受阻 no longer a peer of its superset)
    const parts = ['其中：已逾期', '其中：未逾期、未启动', '其中：未逾期、推进中', '其中：未逾期、受阻'].map((k) => values.get(k) as number);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(values.get('未完成'));
    expect(values.get('逾期未落地行业')).toBe(23);
    const risk = wb.getWorksheet('逾期及临期')!;
    expect(risk.getRow(2).getCell(2).value).toBe('P01-002');
    expect(risk.getRow(2).getCell(5).value).toEqual(new Date(Date.UTC(2021, 1, 28)));
    expect(wb.getWorksheet('全部任务')!.rowCount).toBe(56);
  });

  it('styles the xlsx: frozen header, autofilter, fitted widths, red/amber/green fills, date cells', async () => {
    const res = await writeProgressReport(db, { asOf: '2021-05-31', format: 'xlsx', out: path.join(tmp(), 'r.xlsx') });
    const ExcelJS = loadExcelJS();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(res.out);
    for (const ws of wb.worksheets) {
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(ws.getRow(1).font).toMatchObject({ bold: true });
    }
    const risk = wb.getWorksheet('逾期及临期')!;
    expect(risk.autoFilter).toBe('A1:I12');
    const fill = (r: number) => (risk.getRow(r).getCell(1).fill as { fgColor?: { argb?: string } } | undefined)?.fgColor?.argb;
    expect(fill(2)).toBe('FFFFC7CE'); // P01-002 overdue: red
    expect(fill(8)).toBe('FFFFEB9C'); // PD-06 due soon: amber
    const deadline = risk.getRow(2).getCell(5);
    expect(deadline.type).toBe(ExcelJS.ValueType.Date);
    expect(deadline.numFmt).toBe('yyyy-mm-dd');
    // the 任务 column fits its longest Chinese title (2 units a character), the 序号 column stays narrow
    const longest = Math.max(...columnTexts(risk).map((t) => [...t].length * 2));
    expect(risk.getColumn(3).width).toBeGreaterThanOrEqual(longest);
    expect(risk.getColumn(1).width).toBeLessThan(10);
    const all = wb.getWorksheet('全部任务')!;
    const byCode = new Map<string, ExcelJSRow>();
    all.eachRow((row, n) => n > 1 && byCode.set(String(row.getCell(1).value), row));
    const argb = (row: ExcelJSRow) => (row.getCell(3).fill as { fgColor?: { argb?: string } } | undefined)?.fgColor?.argb;
    expect(argb(byCode.get('PD-01')!)).toBe('FFC6EFCE'); // done: green
    expect(argb(byCode.get('PD-04')!)).toBe('FFFFC7CE');
    expect(byCode.get('PD-04')!.getCell(10).value).toBe(31); // 逾期天数, a number
    expect(byCode.get('PD-06')!.getCell(12).value).toBe(10); // 剩余工作日: 端午 2021-06-14 excluded
  });

  it('escapes what a plan writes: HTML tags, Markdown pipes, spreadsheet formulas', async () => {
    // its own workspace: the task history is append-only, so nothing could be cleaned up after it
    const { db } = await freshWorkspace(backend);
    const dir = tmp();
    const plan = path.join(dir, '注入.txt');
    fs.writeFileSync(plan, '2021年3月1日\n一、测试\n（一）防止<script>alert(1)</script>|注入。6月底前，完成。（牵头单位：=HYPERLINK("x")）\n');
    await extractTasks(db, plan, { plan: '注入测试' });
    const html = await writeProgressReport(db, { asOf: '2021-06-10', format: 'html', out: path.join(dir, 'r.html') });
    const text = fs.readFileSync(html.out, 'utf8');
    expect(text).toContain('防止&lt;script&gt;alert(1)&lt;/script&gt;|注入');
    expect(text).not.toMatch(/<script/i);
    const md = fs.readFileSync((await writeProgressReport(db, { asOf: '2021-06-10', format: 'md', out: path.join(dir, 'r.md') })).out, 'utf8');
    expect(md).toContain('防止\\<script\\>alert(1)\\</script\\>\\|注入'); // Markdown escaped as the guides' (issue 18 item 4)
    const x = await writeProgressReport(db, { asOf: '2021-06-10', format: 'xlsx', out: path.join(dir, 'r.xlsx') });
    const wb = new (loadExcelJS().Workbook)();
    await wb.xlsx.readFile(x.out);
    const units: unknown[] = [];
    wb.getWorksheet('按牵头单位')!.eachRow((row) => units.push(row.getCell(1).value));
    expect(units).toContain(`'=HYPERLINK("x")`);
    await db.destroy();
  });
});
