import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/db';
import { extractTasks, importTasks, listTasks } from '../../src/progress/service';
import { workdayCounter, windowEnd } from '../../src/progress/status';
import { buildProgressReport, rollCalendar } from '../../src/report/progress';
import { backends } from '../helpers/db';
import { freshWorkspace } from '../helpers/workspace';

const SEEDS = path.resolve(__dirname, '../../fixtures/tasks/seeds');
const SEED_004 = path.join(SEEDS, fs.readdirSync(SEEDS).find((n) => n.startsWith('004_'))!);

const entry = (date: string | null, text: string, what = '工作推进情况') => ({ date, text, what, recipient: '市审改办', plan: '计划' });

describe('rollCalendar: standing 报送 dates follow the as-of year', () => {
  const seed004 = [entry('2020-06-20', '6月20日'), entry('2020-09-20', '9月20日'), entry('2020-12-10', '12月10日', '全年工作总结')];

  it('rolls year-less dates into the as-of year, and the passed ones into the next', () => {
    expect(rollCalendar(seed004, '2021-05-31').entries.map((e) => [e.date, e.everyYear])).toEqual([
      ['2021-06-20', true],
      ['2021-09-20', true],
      ['2021-12-10', true],
    ]);
    const oct = rollCalendar(seed004, '2021-10-01');
    expect(oct.entries.map((e) => e.date)).toEqual(['2021-12-10', '2022-06-20', '2022-09-20']);
    // the period since the last report starts after 9月20日 of the as-of year
    expect(oct.last).toBe('2021-09-20');
    // a date on the as-of day itself is still due that day
    expect(rollCalendar(seed004, '2021-06-20').entries[0].date).toBe('2021-06-20');
    // before the year's first date, last year's dates do not open the period
    expect(rollCalendar(seed004, '2021-02-01').last).toBeNull();
  });

  it('keeps a date written with its year, and reads the month and day from the text when no year was known', () => {
    const r = rollCalendar([entry('2021-12-10', '2021年12月10日'), entry(null, '6月20日')], '2022-01-15');
    expect(r.entries.map((e) => [e.date, e.everyYear])).toEqual([
      ['2021-12-10', false],
      ['2022-06-20', true],
    ]);
    expect(r.last).toBe('2021-12-10');
  });
});

describe('working days on the Chinese calendar', () => {
  it('counts working days to a deadline, skipping holidays and counting 调休 Saturdays', () => {
    const from = workdayCounter('2021-05-31');
    expect(from('2021-06-15')).toEqual({ days: 10, approximate: false }); // 端午 2021-06-14 is off
    const oct = workdayCounter('2021-09-30');
    // 国庆 10-01…10-07 off, Saturday 10-09 a make-up working day
    expect(oct('2021-10-08')).toEqual({ days: 1, approximate: false });
    expect(oct('2021-10-09')).toEqual({ days: 2, approximate: false });
    expect(oct('2021-09-30')).toEqual({ days: 0, approximate: false });
    expect(oct('2030-01-01')).toBeNull(); // beyond the horizon: no count
  });

  it('ends a window of N working days on the N-th working day', () => {
    expect(windowEnd('2021-09-30', 5, true)).toEqual({ date: '2021-10-13', approximate: false, missingYears: [] });
    expect(windowEnd('2021-09-30', 5, false)).toEqual({ date: '2021-10-05', approximate: false });
  });
});

describe.each(backends())('report calendar from seed 004 on %s', (backend) => {
  let db: Db;
  beforeAll(async () => {
    ({ db } = await freshWorkspace(backend));
    await extractTasks(db, SEED_004, { plan: '2020年工作要点', actor: 'test' });
    await importTasks(db, path.resolve(__dirname, '../../fixtures/tasks/2021年工作台账.xlsx'), { actor: 'test' });
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('shows the plan’s 2020 reporting dates in the as-of year and the next', async () => {
    const stored: string[] = await db('plan_reporting_dates').orderBy('seq').pluck('due_date');
    expect(stored).toEqual(['2020-06-20', '2020-09-20', '2020-12-10']);
    const r = await buildProgressReport(db, { asOf: '2021-07-01' });
    expect(r.calendar.map((c) => [c.date, c.what, c.recipient, c.everyYear, c.passed])).toEqual([
      ['2021-09-20', '工作推进落实情况', '市审改办', true, false],
      ['2021-12-10', '全年工作总结', '市审改办', true, false],
      ['2022-06-20', '工作推进落实情况', '市审改办', true, false],
    ]);
    expect(r.nextReportingDate).toBe('2021-09-20');
  });

  it('counts the due-soon window in working days when asked', async () => {
    const cal = await buildProgressReport(db, { asOf: '2021-09-30', dueSoon: 5 });
    const work = await buildProgressReport(db, { asOf: '2021-09-30', dueSoon: 5, workdays: true });
    expect(cal.dueSoonWindow).toEqual({ days: 5, workdays: false, until: '2021-10-05', approximate: false });
    expect(work.dueSoonWindow).toEqual({ days: 5, workdays: true, until: '2021-10-13', approximate: false });
  });

  it('tasks list --due-within N --working-days: the window and what is left in working days', async () => {
    // from 2021-09-17: 中秋 09-19…21 off, Saturday 09-18 and Sunday 09-26 worked, 国庆 10-01…07 off
    const work = await listTasks(db, { asOf: '2021-09-17', dueWithin: 10, workdays: true });
    expect(work.map((t) => [t.code, t.deadline, t.daysLeft, t.workdaysLeft])).toEqual([
      ['PD-07', '2021-09-30', 13, 9],
      ['PD-08', '2021-09-30', 13, 9],
    ]);
    // 10 calendar days end on 09-27: the same tasks are not yet due
    expect(await listTasks(db, { asOf: '2021-09-17', dueWithin: 10 })).toEqual([]);
  });
});
