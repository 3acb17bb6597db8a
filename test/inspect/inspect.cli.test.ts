/**
 * `yiye inspect …` through the real CLI on both databases: roster and risk imports (idempotent,
 * all-or-nothing), a recorded draw (refused again without --replace, identical when recomputed, the
 * same bytes on SQLite and PostgreSQL), outputs, results and the audit chain.
 */
import fs from 'node:fs';
import path from 'node:path';
import { backends, freshDbUrl } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { PUDONG_BASE } from '../helpers/workspace';
import { BATCH1, tmpDir } from '../license/helpers';

const INSPECT = path.resolve(__dirname, '../../fixtures/inspect');
const ROSTER = path.join(INSPECT, '执法人员名录.xlsx');
const RISK = path.join(INSPECT, '信用风险分类结果.csv');
const DRAW = ['inspect', 'draw', '--date', '2026-12-01', '--seed', '2026140', '--ratio', '20%', '--id', '2026-12-抽查'];
const shaByBackend: Record<string, string> = {};

describe.each(backends())('inspect commands on %s', (backend) => {
  let db: string;
  let dir: string;
  beforeAll(async () => {
    db = await freshDbUrl(backend);
    dir = tmpDir('inspect-');
    expect((await yiye(['init', '--db', db, '--region', '310115', '--authority', '浦东新区人民政府'])).code).toBe(0);
    expect((await yiye(['catalog', 'import', ...PUDONG_BASE, '--db', db])).code).toBe(0);
    expect((await yiye(['license', 'issue', BATCH1, '--db', db, '--date', '2026-03-15'])).code).toBe(0);
  });

  it('roster import is all-or-nothing, names the cell, and a re-run changes nothing', async () => {
    const bad = path.join(dir, '名录-有错.csv');
    fs.writeFileSync(bad, '\ufeff姓名,执法证号,所属部门,回避\r\n王五,,区商务委,\r\n赵六,X1,区商务委,91310115298Y3LYA5X\r\n');
    const rejected = await yiye(['inspect', 'roster', 'import', bad, '--db', db, '--json']);
    expect(rejected.code).toBe(3);
    expect(rejected.json.error.errors.map((e: { row: number; column: string }) => [e.row, e.column])).toEqual([
      [2, '执法证号'],
      [3, '回避'],
    ]);
    const first = await yiye(['inspect', 'roster', 'import', ROSTER, '--db', db, '--json']);
    expect(first.code).toBe(0);
    expect(first.json).toMatchObject({ rows: 18, inserted: 18, updated: 0 });
    // 联系电话 is no field of a roster: reported, not dropped silently; --strict refuses the file
    expect(first.json.unmappedColumns).toEqual([{ file: '执法人员名录.xlsx', sheet: '执法人员名录', column: 'G', header: '联系电话' }]);
    const strict = await yiye(['inspect', 'roster', 'import', ROSTER, '--strict', '--db', db, '--json']);
    expect(strict.code).toBe(3);
    const again = await yiye(['inspect', 'roster', 'import', ROSTER, '--db', db]);
    expect(again.stdout).toMatch(/无变化/);
    const risk = await yiye(['inspect', 'risk', 'import', RISK, '--db', db, '--json']);
    expect(risk.json).toMatchObject({ rows: 6, inserted: 6 });
    const list = await yiye(['inspect', 'roster', 'list', '--department', '区公安分局', '--db', db, '--json']);
    expect(list.json.inspectors).toEqual([
      { badge: '31011500601', name: '孙杰', department: '区公安分局', industries: ['宾馆'], avoid: [] },
      { badge: '31011500602', name: '马超', department: '区公安分局', industries: null, avoid: [] },
    ]);
  });

  it('draw: stratified, joint teams, recorded; the same draw again is refused, recomputed it is identical', async () => {
    const out = path.join(dir, '抽查');
    const r = await yiye([...DRAW, '--out', out, '--db', db, '--json']);
    expect(r.code).toBe(0);
    expect(r.json.draw).toMatchObject({ id: '2026-12-抽查', population: 10, ratio: '20%', teamSize: 2 });
    // 9 strata of 1–2 licences: 20% rounds to 0, so each gets its minimum of one
    expect(r.json.draw.strata).toHaveLength(9);
    expect(r.json.draw.drawn).toBe(9);
    const hotel = r.json.targets.find((t: { industry: string }) => t.industry === '宾馆');
    expect(hotel.riskClass).toBe('C');
    for (const t of r.json.targets as Array<{ uscc: string; departments: string[]; team: Array<{ name: string; department: string }> }>) {
      if (t.uscc === '91310115298Y3LYA5W') expect(t.team.map((m) => m.name)).not.toContain('李秀英'); // 回避
      for (const d of t.departments) expect(t.team.some((m) => m.department === d)).toBe(true);
    }
    expect(r.json.files.map((f: string) => path.basename(f))).toEqual(['抽查计划-2026-12-抽查.xlsx', '抽查结果公告-2026-12-抽查.md', '抽查结果公告-2026-12-抽查.html']);
    const notice = fs.readFileSync(path.join(out, '抽查结果公告-2026-12-抽查.md'), 'utf8');
    expect(notice).toMatch(/随机种子：2026140/);
    expect(notice).not.toMatch(/李秀英|王建国/); // no inspector names in the public notice
    shaByBackend[backend] = r.json.resultSha256;
    if (shaByBackend.sqlite && shaByBackend.postgres) expect(shaByBackend.postgres).toBe(shaByBackend.sqlite);

    const again = await yiye([...DRAW, '--db', db, '--json']);
    expect(again.code).toBe(4);
    expect(again.json.error.message).toMatch(/已经抽取过/);
    const dry = await yiye([...DRAW, '--dry-run', '--db', db, '--json']);
    expect(dry.code).toBe(0);
    expect(dry.json.resultSha256).toBe(r.json.resultSha256);
    expect(JSON.stringify(dry.json.targets)).toBe(JSON.stringify(r.json.targets));
    const other = await yiye([...DRAW.slice(0, 5), '2026141', ...DRAW.slice(6), '--dry-run', '--db', db, '--json']);
    expect(other.json.draw.inputsSha256).not.toBe(r.json.draw.inputsSha256);

    expect((await yiye([...DRAW, '--replace', '--db', db])).code).toBe(2); // --reason required
    const redo = await yiye([...DRAW, '--replace', '--reason', '名录有误，经局务会同意重抽', '--db', db, '--json']);
    expect([redo.code, redo.json.replaced]).toEqual([0, true]);
    const draws = await yiye(['inspect', 'draws', '--db', db, '--json']);
    expect(draws.json.draws).toEqual([expect.objectContaining({ id: '2026-12-抽查', drawn: 9, replacedCount: 1, done: 0 })]);
  });

  it('results: only licences of the draw, idempotent; the audit chain verifies', async () => {
    const drawn = (await yiye(['inspect', 'draws', '--db', db, '--json'])).json.draws[0];
    const targets = (await yiye([...DRAW, '--dry-run', '--db', db, '--json'])).json.targets as Array<{ licence: string }>;
    const file = path.join(dir, '检查结果.csv');
    fs.writeFileSync(file, `\ufeff许可证编号,检查日期,检查结果,处理情况\r\n${targets[0].licence},2026-12-03,未发现问题,\r\n${targets[1].licence},2026/12/4,责令整改,消防通道堵塞\r\n`);
    const r = await yiye(['inspect', 'results', file, '--db', db, '--json']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ rows: 2, inserted: 2 });
    expect((await yiye(['inspect', 'results', file, '--db', db, '--json'])).json).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 });
    const bad = path.join(dir, '检查结果-有错.csv');
    fs.writeFileSync(bad, '\ufeff许可证编号,检查日期,检查结果\r\n3101152026PD-99000001,2026-12-03,未发现问题\r\n');
    const rejected = await yiye(['inspect', 'results', bad, '--db', db, '--json']);
    expect(rejected.code).toBe(3);
    expect(rejected.json.error.errors[0].message).toMatch(/不在任何抽查名单中/);
    const listed = (await yiye(['inspect', 'draws', '--db', db, '--json'])).json.draws[0];
    expect([listed.id, listed.done, listed.problems]).toEqual([drawn.id, 2, 1]);
    const md = path.join(dir, '进展报告.md');
    expect((await yiye(['report', 'progress', '--as-of', '2026-12-05', '--format', 'md', '--out', md, '--db', db])).code).toBe(0);
    const report = fs.readFileSync(md, 'utf8');
    expect(report).toMatch(/“双随机、一公开”联合抽查情况（截至 2026-12-05）/);
    const rows = report.split('\n').filter((l) => /^\| (便利店|饭店|超市|宾馆|药店|书店|小餐饮) \| \d+ \| \d+ \| \d+ \|$/.test(l));
    const sum = rows.map((l) => l.split('|').slice(2, 5).map((x) => Number(x.trim()))).reduce((a, b) => a.map((v, i) => v + b[i]), [0, 0, 0]);
    expect(sum).toEqual([9, 2, 1]);
    const audit = await yiye(['audit', 'verify', '--db', db, '--json']);
    expect(audit.code).toBe(0);
    expect(JSON.stringify(audit.json)).toMatch(/inspection_log/);
  });
});
