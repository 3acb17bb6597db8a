import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../src/db';
import { importCatalog } from '../../src/catalog/service';
import { industryMilestones } from '../../src/progress/milestones';
import { exportAliases, extractTasks, importAliases, importTasks, listAliases, listTasks, showTaskHistory, updateTasks } from '../../src/progress/service';
import { readRows } from '../../src/io/read-rows';
import { writeTable } from '../../src/io/write';
import { backends } from '../helpers/db';
import { PUDONG_BASE, freshWorkspace } from '../helpers/workspace';
import { SEED_000, insertLicense, task } from './scenario';
import { formatTaskList } from '../../src/progress/format';

const tmp = () => fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'tasks-'));

/** Tasks, units, deadlines and history without times: equal snapshots mean nothing changed. */
async function snapshot(db: Db) {
  return {
    plans: await db('plans').orderBy('id').select('code', 'name', 'plan_date'),
    tasks: await db('tasks').orderBy('id').select('code', 'ref', 'title', 'deadline', 'deadline_text', 'status', 'progress', 'completed_on'),
    units: await db('task_units').orderBy(['task_id', 'role', 'seq']).select('task_id', 'role', 'seq', 'name', 'unit_key', 'department_id'),
    deadlines: await db('task_deadlines').orderBy(['task_id', 'seq']),
    updates: await db('task_updates').orderBy('id').select('task_id', 'actor', 'action', 'changes', 'progress_text'),
    dates: await db('plan_reporting_dates').orderBy(['plan_id', 'seq']),
  };
}

describe.each(backends())('tasks on %s', (backend) => {
  let db: Db;
  beforeEach(async () => {
    ({ db } = await freshWorkspace(backend));
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('extract stores a plan under its name; extracting it again changes nothing; --dry-run writes nothing', async () => {
    const dry = await extractTasks(db, SEED_000, { plan: '浦东实施方案', dryRun: true });
    expect(dry.tasks).toHaveLength(19);
    expect(await db('tasks').count({ n: '*' }).first()).toMatchObject({ n: backend === 'postgres' ? '0' : 0 });

    const first = await extractTasks(db, SEED_000, { plan: '浦东实施方案', actor: 'test' });
    expect(first.counts).toEqual({ inserted: 19, updated: 0, unchanged: 0 });
    expect(first.plan).toMatchObject({ name: '浦东实施方案', code: 'P01', planDate: '2021-01-07' });
    expect(first.tasks[1]).toMatchObject({ code: 'P01-002', ref: '二.（一）.2', deadline: '2021-02-28', deadlineText: '2021年2月底前；2021年6月底前' });
    const before = await snapshot(db);
    const again = await extractTasks(db, SEED_000, { plan: '浦东实施方案', actor: 'test' });
    expect(again.noChange).toBe(true);
    expect(again.counts).toEqual({ inserted: 0, updated: 0, unchanged: 19 });
    expect(await snapshot(db)).toEqual(before);
    const stored = await db('task_deadlines').join('tasks', 'tasks.id', 'task_deadlines.task_id').where('tasks.code', 'P01-002').orderBy('seq').select('date', 'text');
    expect(stored).toEqual([
      { date: '2021-02-28', text: '2021年2月底前' },
      { date: '2021-06-30', text: '2021年6月底前' },
    ]);
  });

  it('imports seed 003’s table with merged 主要任务 cells, idempotently; units matched to the catalog', async () => {
    await importCatalog(db, PUDONG_BASE, { actor: 'test' });
    const res = await importTasks(db, task('普陀区任务分工表.xlsx'), { plan: '普陀区', actor: 'test' });
    expect(res.errors).toEqual([]);
    expect(res.counts).toEqual({ inserted: 22, updated: 0, unchanged: 0 });
    const list = await listTasks(db, { asOf: '2019-06-30', plan: '普陀区' });
    expect(list[8]).toMatchObject({ code: 'P01-009', ref: '9', category: '全面推行审批服务“马上办、网上办、就近办、一次办”', title: '深化当年落地改革' });
    expect(list[8].lead.map((u) => u.name)).toEqual(['区各审批服务单位']);
    expect(list[8].co.map((u) => u.name)).toEqual(['街道', '镇', '各重点地区']);
    expect(list[9]).toMatchObject({ category: '深入推进审批服务标准化', title: '深化行政审批标准化管理' });
    expect(list[21]).toMatchObject({ category: '持续开展“减证便民”行动', lead: [{ name: '区编办(区审改办)', department: null }], co: [{ name: '区行政服务中心', department: null }] });
    const before = await snapshot(db);
    expect((await importTasks(db, task('普陀区任务分工表.xlsx'), { plan: '普陀区', actor: 'test' })).noChange).toBe(true);
    expect(await snapshot(db)).toEqual(before);

    const ledger = await importTasks(db, task('2021年工作台账.xlsx'), { actor: 'test' });
    expect(ledger.plan).toMatchObject({ name: '2021年工作台账', code: 'P02' });
    const pd = await listTasks(db, { asOf: '2021-01-01', plan: '2021年工作台账' });
    expect(pd.map((t) => [t.code, t.deadline, t.deadlineKind])).toEqual([
      ['PD-01', '2021-03-31', 'date'],
      ['PD-02', '2021-03-31', 'date'],
      ['PD-03', '2021-02-28', 'date'],
      ['PD-04', '2021-04-30', 'date'],
      ['PD-05', '2021-06-30', 'date'],
      ['PD-06', '2021-06-15', 'date'],
      ['PD-07', '2021-09-30', 'date'],
      ['PD-08', '2021-09-30', 'date'],
      ['PD-09', '2021-12-31', 'date'],
      ['PD-10', null, 'none'],
    ]);
    // 浦东新区市场监督管理局 is the catalog's 浦东新区市场监管局 (= 区市场监管局); 区卫健委 its 区卫生健康委
    expect(pd[0].lead).toEqual([{ name: '浦东新区市场监督管理局', department: '浦东新区市场监管局' }]);
    expect(pd[0].co).toEqual([
      { name: '区商务委员会', department: '区商务委' },
      { name: '区卫健委', department: '区卫生健康委' },
    ]);
    expect(pd[2].lead).toEqual([{ name: '区文旅局', department: null }]);
  });

  it('a bad task sheet is rejected whole (exit 3), with a report naming each row', async () => {
    const dir = tmp();
    const report = path.join(dir, '错误清单.xlsx');
    await expect(importTasks(db, task('bad/台账-错误.xlsx'), { reportPath: report })).rejects.toMatchObject({ exitCode: 3, details: { errors: expect.any(Array) } });
    expect(await db('tasks').count({ n: '*' }).first()).toMatchObject({ n: backend === 'postgres' ? '0' : 0 });
    const rows = [];
    for await (const r of readRows(report)) rows.push(r.cells);
    expect(rows[0]).toEqual(['来源文件', '工作表', '行号', '序号', '任务编号', '任务', '具体内容', '牵头单位', '配合单位', '完成时限', '错误原因']);
    expect(rows.slice(1).map((r) => [r[2], r[10]])).toEqual([
      [2, '【牵头单位】缺少牵头单位'],
      [3, expect.stringMatching(/【完成时限】完成时限“6月底前”没有写明年份/)],
      [4, expect.stringMatching(/开始时间，不是完成时限/)],
    ]);
    // with the plan year given, the year-less deadline is fine; the other two rows still fail
    const withYear = await importTasks(db, task('bad/台账-错误.xlsx'), { year: 2021, dryRun: true });
    expect(withYear.errors.map((e) => e.row)).toEqual([2, 4]);
    // --skip-invalid: the valid rows go in, the rejected ones are only reported
    const skipped = await importTasks(db, task('bad/台账-错误.xlsx'), { year: 2021, skipInvalid: true, reportPath: path.join(dir, '跳过.xlsx') });
    expect(skipped).toMatchObject({ committed: true, counts: { inserted: 2 }, reportPath: path.join(dir, '跳过.xlsx') });
    expect(await db('tasks').orderBy('id').pluck('code')).toEqual(['BAD-02', 'BAD-04']);
    const reported = [];
    for await (const r of readRows(path.join(dir, '跳过.xlsx'))) reported.push(r.cells[2]);
    expect(reported.slice(1)).toEqual([2, 4]);
  });

  it('a date cell or Excel serial deadline keeps its date as the deadline text; codes match across full width and case; a repeated 任务编号 is blamed on that column', async () => {
    const dir = tmp();
    const header = ['序号', '任务编号', '任务', '具体内容', '牵头单位', '配合单位', '完成时限'];
    const file = path.join(dir, '台账.xlsx');
    await writeTable(file, [{ name: '台账', header, rows: [['1', 'T-01', '编制实施细则', '编制便利店行业实施细则', '区商务委', '', 44742], ['2', 'T-02', '上线系统', '上线网上申办系统', '区政务办', '', '2022年6月底前']] }]);
    expect((await importTasks(db, file, { actor: 'test' })).counts.inserted).toBe(2);
    expect(await db('tasks').orderBy('id').select('code', 'deadline', 'deadline_text')).toEqual([
      { code: 'T-01', deadline: '2022-06-30', deadline_text: '2022-06-30' },
      { code: 'T-02', deadline: '2022-06-30', deadline_text: '2022年6月底前' },
    ]);
    // a return typed with full-width forms and in lower case still names T-01
    const back = path.join(dir, '进展反馈.xlsx');
    await writeTable(back, [{ name: '进展反馈', header: ['任务编号', '进展情况', '状态', '完成时间', '填报单位'], rows: [['ｔ－０１', '细则已印发', '已完成', '2022-06-20', '区商务委']] }]);
    expect(await updateTasks(db, back, { actor: 'test' })).toMatchObject({ updated: 1, errors: [] });
    expect(await db('tasks').where({ code: 'T-01' }).first('status')).toEqual({ status: '已完成' });
    const dup = path.join(dir, '台账-重复.xlsx');
    await writeTable(dup, [{ name: '台账', header, rows: [['1', 'T-04', '甲', '甲任务', '区商务委', '', '2022年6月底前'], ['2', 'T-04', '乙', '乙任务', '区商务委', '', '2022年6月底前']] }]);
    const err = await importTasks(db, dup, { dryRun: true });
    expect(err.errors).toEqual([expect.objectContaining({ row: 3, column: '任务编号', columnLetter: 'B', message: '编号“T-04”在本表中重复' })]);
    // a header repeated mid-sheet (parts pasted together) is not a task, nor its 牵头单位 a unit
    const pasted = path.join(dir, '台账-拼接.xlsx');
    await writeTable(pasted, [{ name: '台账', header, rows: [['1', 'T-05', '甲', '甲任务', '区商务委', '', '2022年6月底前'], header, ['2', 'T-06', '乙', '乙任务', '区政务办', '', '2022年6月底前']] }]);
    const res = await importTasks(db, pasted, { dryRun: true });
    expect([res.errors, res.counts.inserted]).toEqual([[], 2]);
    // a deadline nobody can read is an error, not a silent 无时限; a month alone is that month's end
    const vague = path.join(dir, '台账-时限.xlsx');
    await writeTable(vague, [{ name: '台账', header, rows: [['1', 'T-07', '甲', '甲任务', '区商务委', '', '尽快'], ['2', 'T-08', '乙', '乙任务', '区政务办', '', '2021年3月'], ['3', 'T-09', '丙', '丙任务', '区政务办', '', '长期坚持']] }]);
    const v = await importTasks(db, vague, { dryRun: true });
    expect(v.errors).toEqual([expect.objectContaining({ row: 2, column: '完成时限', message: expect.stringMatching(/完成时限“尽快”无法识别/) })]);
  });

  it('applies a progress return in one transaction, keeps the history, and re-applying changes nothing', async () => {
    await importCatalog(db, PUDONG_BASE, { actor: 'test' });
    await importTasks(db, task('2021年工作台账.xlsx'), { actor: 'test' });
    const res = await updateTasks(db, task('updates/进展反馈-2021-05.xlsx'), { actor: 'test' });
    expect(res).toMatchObject({ updated: 6, unchanged: 0, committed: true, errors: [] });
    const pd = await listTasks(db, { asOf: '2021-05-31', plan: '2021年工作台账' });
    expect(pd.slice(0, 6).map((t) => [t.code, t.status, t.completedOn, t.progress, t.state])).toEqual([
      ['PD-01', '已完成', '2021-03-25', 100, 'doneOnTime'],
      ['PD-02', '已完成', '2021-04-08', 100, 'doneLate'],
      ['PD-03', '推进中', null, 0, 'overdue'],
      ['PD-04', '推进中', null, 0, 'overdue'],
      ['PD-05', '推进中', null, 0, 'dueSoon'],
      ['PD-06', '受阻', null, 0, 'dueSoon'],
    ]);
    const history = await showTaskHistory(db, 'PD-02');
    expect(history.map((h) => h.action)).toEqual(['created', 'progress']);
    expect(history[1]).toMatchObject({
      actor: '区市场监管局',
      changes: { status: ['未启动', '已完成'], completedOn: [null, '2021-04-08'], progress: [0, 100] },
      progressText: '4月8日发出首证，较计划推迟一周。',
      source: { file: '进展反馈-2021-05.xlsx', sheet: '进展反馈', row: 4 },
    });
    const before = await snapshot(db);
    const again = await updateTasks(db, task('updates/进展反馈-2021-05.xlsx'), { actor: 'test' });
    expect(again).toMatchObject({ updated: 0, unchanged: 6, noChange: true });
    expect(await snapshot(db)).toEqual(before);
    // listed as of a day before its completion, a task completed later is not shown as 已完成
    const listed = await listTasks(db, { asOf: '2021-04-07' });
    const late = listed.find((t) => t.completedOn === '2021-04-08')!;
    expect(formatTaskList([late], '2021-04-07')).toContain('｜尚未完成（2021-04-08 完成）（');
    expect(formatTaskList(listed.filter((t) => t.completedOn && t.completedOn <= '2021-04-07'), '2021-04-07')).not.toMatch(/尚未完成/);
  });

  it('an unknown task code or an invalid status rejects the whole return (exit 3) and changes nothing', async () => {
    await importTasks(db, task('2021年工作台账.xlsx'), { actor: 'test' });
    const before = await snapshot(db);
    const err = await updateTasks(db, task('bad/进展反馈-错误.xlsx')).catch((e) => e);
    expect(err).toMatchObject({ exitCode: 3 });
    expect(err.details.errors.map((e: { row: number; column: string; message: string }) => [e.row, e.column, e.message])).toEqual([
      [3, '任务编号', '任务编号“PD-99”不存在'],
      [4, '状态', '状态“快完成了”无法识别，应为：未启动、推进中、已完成、受阻'],
    ]);
    expect(await snapshot(db)).toEqual(before);
    // --skip-invalid applies the one valid row (PD-01) and reports the other two
    const skipped = await updateTasks(db, task('bad/进展反馈-错误.xlsx'), { skipInvalid: true });
    expect(skipped).toMatchObject({ committed: true, updated: 1, changes: [{ code: 'PD-01' }] });
    expect(skipped.errors.map((e) => e.row)).toEqual([3, 4]);
    expect(await db('tasks').where({ code: 'PD-01' }).first('status', 'completed_on')).toEqual({ status: '已完成', completed_on: '2021-03-25' });
    // a completion dated after today has not happened: refused in its column
    const future = path.join(tmp(), '进展-未来.xlsx');
    await writeTable(future, [{ name: '进展反馈', header: ['任务编号', '进展情况', '状态', '完成时间', '填报单位'], rows: [['PD-02', '已发证', '已完成', '2099-01-01', '区市场监管局']] }]);
    const f = await updateTasks(db, future, { dryRun: true });
    expect(f.errors).toEqual([expect.objectContaining({ row: 2, column: '完成时间', columnLetter: 'D', message: expect.stringMatching(/完成时间 2099-01-01 晚于今天/) })]);
  });

  it('lists overdue, due-within and by unit (the same unit under another spelling)', async () => {
    await importCatalog(db, PUDONG_BASE, { actor: 'test' });
    await importTasks(db, task('2021年工作台账.xlsx'), { actor: 'test' });
    await updateTasks(db, task('updates/进展反馈-2021-05.xlsx'), { actor: 'test' });
    const asOf = '2021-05-31';
    expect((await listTasks(db, { asOf, overdue: true })).map((t) => [t.code, t.daysOverdue])).toEqual([
      ['PD-03', 92],
      ['PD-04', 31],
    ]);
    expect((await listTasks(db, { asOf, dueWithin: 30 })).map((t) => t.code)).toEqual(['PD-06', 'PD-05']); // nearest deadline first
    expect((await listTasks(db, { asOf, unit: '区市场监管局' })).map((t) => t.code)).toEqual(['PD-01', 'PD-02', 'PD-04', 'PD-06', 'PD-07', 'PD-09']);
    expect((await listTasks(db, { asOf, unit: '区政府办公室' })).map((t) => t.code)).toEqual(['PD-08', 'PD-09']);
    // with a second plan the overdue list mixes plans: the longest overdue comes first
    await extractTasks(db, task('2021年工作要点.txt'), { actor: 'test' });
    const chase = (await listTasks(db, { asOf, overdue: true })).map((t) => t.daysOverdue);
    expect(chase.length).toBeGreaterThan(2);
    expect(chase).toEqual([...chase].sort((a, b) => b - a));
    // a report for an earlier day does not see later completions
    expect((await listTasks(db, { asOf: '2021-03-20', plan: '2021年工作台账' }))[0]).toMatchObject({ code: 'PD-01', state: 'dueSoon' });
  });

  it('the office edits the alias mapping; units are re-matched to the catalog', async () => {
    await importCatalog(db, PUDONG_BASE, { actor: 'test' });
    await importTasks(db, task('2021年工作台账.xlsx'), { actor: 'test' });
    expect((await listAliases(db)).source).toBe('default');
    const dir = tmp();
    const file = path.join(dir, '单位简称对照.csv');
    await exportAliases(db, file);
    // 区文旅局 is the catalog's 区文体旅游局 in this district
    fs.appendFileSync(file, '文旅局,文体旅游局\r\n');
    const res = await importAliases(db, file);
    expect(res.source).toBe('workspace');
    expect(res.aliases.at(-1)).toEqual({ alias: '文旅局', canonical: '文体旅游局' });
    const pd3 = (await listTasks(db, { asOf: '2021-05-31', plan: '2021年工作台账' }))[2];
    expect(pd3.lead).toEqual([{ name: '区文旅局', department: '区文体旅游局' }]);
    expect(await db('task_units').where({ name: '区文旅局' }).first('department_id')).toMatchObject({ department_id: expect.any(Number) });
    expect((await importAliases(db, null)).source).toBe('default');
  });

  it('industry milestones: landed on time, landed late, overdue, not yet due', async () => {
    await importCatalog(db, PUDONG_BASE, { actor: 'test' });
    // no licence yet, or no licence register at all: nothing has landed
    const none = await industryMilestones(db, '2021-03-01');
    expect(none.every((m) => m.status === '未到期' && m.firstLicenseOn === null)).toBe(true);
    await insertLicense(db, { industry: '便利店', issueDate: '2021-03-25', number: 'L1' });
    await insertLicense(db, { industry: '便利店', issueDate: '2021-03-02', number: 'L0', status: 'revoked' });
    await insertLicense(db, { industry: '饭店', issueDate: '2021-04-08', number: 'L2' });
    const byName = async (asOf: string) => new Map((await industryMilestones(db, asOf)).map((m) => [m.name, m]));
    const may = await byName('2021-05-31');
    expect(may.get('便利店')).toMatchObject({ targetDate: '2021-03-31', firstLicenseOn: '2021-03-02', status: '已落地（按时）', daysLate: 0 });
    expect(may.get('饭店')).toMatchObject({ targetDate: '2021-03-31', firstLicenseOn: '2021-04-08', status: '已落地（逾期）', daysLate: 8 });
    expect(may.get('超市')).toMatchObject({ firstLicenseOn: null, status: '未落地（已逾期）', daysLate: 61 });
    const national = [...may.values()].find((m) => m.targetDate === '2021-06-30')!;
    expect(national).toMatchObject({ status: '未到期' });
    // as of a day before the 饭店 licence, it has not landed
    expect((await byName('2021-04-01')).get('饭店')).toMatchObject({ firstLicenseOn: null, status: '未落地（已逾期）' });
  });
});
