/**
 * How fast `report progress` is over a large workspace, against the bare work it cannot avoid.
 *
 *   node dist/bench/report-bench.js [--tasks N] [--licences N] [--as-of DATE]
 *
 *   --tasks N      reform tasks in the workspace (default 10000)
 *   --licences N   licences in the register (default 1000000)
 *   --as-of DATE   the report's date (default 2024-06-30: a mix of done, overdue, due soon and open)
 *
 * The workspace (the pudong catalog, N tasks in 20 plans with lead and co-operating units, deadlines
 * and progress notes, and the licences spread over the catalog's industries from 2021 to 2026) is
 * built once and cached in bench/data/ (ignored by git): tasks through knex multi-row inserts, the
 * licences by one INSERT … SELECT over a recursive counter, which is how a million rows go in within
 * seconds. The report only reads, so every measurement runs on the same file.
 *
 * Each measurement runs in a child process of its own, so its peak RSS is its own:
 *   baseline  the bare SQL the report needs (tasks with their lead units, first licence per industry,
 *             licences in the period per industry: GROUP BY in the database) and the same rows
 *             written with a plain exceljs streaming writer (no styles, no widths, no fills);
 *   xlsx, html, md   `writeProgressReport` end to end.
 * Prints seconds, input rows per second (tasks + licences), CPU seconds, peak RSS (sampled every
 * 20 ms, and the kernel's high-water mark) and each format's ratio to the baseline; the xlsx goal is
 * under 5 s. Run it with --licences 100000 as well to see that memory does not grow with licences.
 * Exit code 0 either way: a benchmark measures, it does not assert.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';

const GOAL_XLSX_SECONDS = 5;

type Kind = 'baseline' | 'xlsx' | 'html' | 'md';

interface Spec {
  kind: Kind;
  db: string;
  asOf: string;
}

interface Result {
  ok: boolean;
  seconds: number;
  cpuSeconds: number;
  rows: number;
  sampledPeakMB: number;
  maxRssMB: number;
  note?: string;
  error?: string;
}

function root(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

const UNITS = [
  '浦东新区市场监督管理局', '区市场监管局', '区商务委', '区政务数据局', '区审改办', '区文旅局', '区卫健委', '区司法局', '区生态环境局', '区应急管理局',
  '区消防救援支队', '区公安分局', '区规划资源局', '区建设交通委', '区人社局', '区教育局', '区民政局', '区财政局', '区税务局', '区城管执法局',
  '区住房城乡建设管理委', '区农业农村委', '区体育局', '区科经委', '区发展改革委', '区统计局', '区国资委', '区金融工作局', '区退役军人局', '区医保局',
  '陆家嘴管理局', '张江管理局', '金桥管理局', '世博管理局', '保税区管理局', '临港新片区管委会', '各街镇', '区级各部门', '市有关部门', '区政府办公室',
];
const VERBS = ['推进', '完善', '建立', '深化', '优化', '探索', '制定', '落实', '健全', '扩大'];
const OBJECTS = ['行业综合许可制度', '告知承诺制改革', '智能审批模式', '事中事后监管细则', '电子证照归集应用', '“好差评”制度', '审批要素清单', '跨部门协同机制', '行业监管场景', '年报公示制度'];

const iso = (d: Date) => d.toISOString().slice(0, 10);
const dayFrom = (start: string, n: number) => iso(new Date(Date.parse(`${start}T00:00:00Z`) + n * 86400000));

/** The cached workspace: built once per size (a few tens of seconds for a million licences). */
async function ensureWorkspace(tasks: number, licences: number): Promise<string> {
  const dir = path.join(root(), 'bench', 'data', `report-v1-${tasks}-${licences}`);
  const file = path.join(dir, 'workspace.sqlite3');
  if (fs.existsSync(file)) return file;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, 'building.sqlite3');
  const { initWorkspace } = await import('../src/settings/service');
  const { importCatalog } = await import('../src/catalog/service');
  const { openWorkspace } = await import('../src/db');
  const { UnitResolver } = await import('../src/progress/units');
  const t0 = performance.now();
  await initWorkspace(tmp, { regionCode: '310115', authorityName: '浦东新区人民政府', licenseNumberPattern: '{region}{year}{industry}{seq:6}' }, { keyFile: `${tmp}.key.pem` });
  const db = await openWorkspace(tmp);
  try {
    const catalog = ['附件1-试点行业清单.xlsx', '附件2-事项目录.xlsx', '附件3-行业事项对应表.csv'].map((f) => path.join(root(), 'fixtures', 'catalog', 'pudong', f));
    await importCatalog(db, catalog, { actor: 'bench' });
    const resolver = await UnitResolver.load(db);
    await insertTasks(db, tasks, resolver);
    await insertLicences(db, licences);
    await db.raw('ANALYZE');
  } finally {
    await db.destroy();
  }
  for (const ext of ['', '-wal', '-shm']) if (fs.existsSync(tmp + ext)) fs.renameSync(tmp + ext, file + ext);
  fs.rmSync(`${tmp}.key.pem`, { force: true });
  console.log(`  built ${path.relative(root(), file)} in ${((performance.now() - t0) / 1000).toFixed(1)} s (${(fs.statSync(file).size / 1e6).toFixed(0)} MB)`);
  return file;
}

async function insertChunks(trx: Knex, table: string, rows: Array<Record<string, unknown>>): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await trx(table).insert(rows.slice(i, i + 500));
}

/**
 * N tasks in 20 plans: deadlines spread over 2021–2027, about a third done (some late), one in
 * twenty blocked, one or two lead units and up to three co-operating units, a progress note on half.
 */
async function insertTasks(db: Knex, n: number, resolver: { key(name: string): string; department(name: string): { id: number } | null }): Promise<void> {
  const now = '2026-11-22T00:00:00.000Z';
  await db.transaction(async (trx) => {
    const plans = Array.from({ length: 20 }, (_, p) => ({ code: `P${String(p + 1).padStart(2, '0')}`, name: `压测计划${p + 1}`, plan_date: '2021-01-01', created_at: now, updated_at: now }));
    await insertChunks(trx, 'plans', plans);
    const planIds: number[] = await trx('plans').orderBy('id').pluck('id');
    await trx('plan_reporting_dates').insert([
      { plan_id: planIds[0], seq: 1, due_date: '2021-06-20', due_text: '6月20日', what: '工作推进情况', recipient: '区审改办' },
      { plan_id: planIds[0], seq: 2, due_date: '2021-09-20', due_text: '9月20日', what: '工作推进情况', recipient: '区审改办' },
      { plan_id: planIds[0], seq: 3, due_date: '2021-12-10', due_text: '12月10日', what: '全年工作总结', recipient: '区审改办' },
    ]);
    const tasks: Array<Record<string, unknown>> = [];
    for (let i = 0; i < n; i++) {
      const p = i % 20;
      const deadline = i % 17 === 0 ? null : dayFrom('2021-01-31', (i * 37) % 2500);
      const done = i % 3 === 0;
      const completed = done ? (deadline ? dayFrom(deadline, (i % 7) - 4) : '2022-03-01') : null;
      tasks.push({
        code: `${plans[p].code}-${String(Math.floor(i / 20) + 1).padStart(4, '0')}`,
        plan_id: planIds[p],
        ref: String(Math.floor(i / 20) + 1),
        category: OBJECTS[i % 10],
        title: `${VERBS[i % 10]}${OBJECTS[(i * 7) % 10]}（第${i + 1}项）`,
        content: `${VERBS[i % 10]}${OBJECTS[(i * 7) % 10]}，形成可复制推广的经验。`,
        deadline,
        deadline_text: deadline ? `${deadline.slice(0, 4)}年${Number(deadline.slice(5, 7))}月底前` : '长期坚持',
        deadline_kind: deadline ? 'date' : 'none',
        status: done ? '已完成' : i % 20 === 1 ? '受阻' : i % 2 ? '推进中' : '未启动',
        progress: done ? 100 : (i * 13) % 90,
        completed_on: completed,
        created_at: now,
        updated_at: now,
      });
    }
    await insertChunks(trx, 'tasks', tasks);
    const ids: Array<{ id: number; code: string }> = await trx('tasks').select('id', 'code').orderBy('id');
    const units: Array<Record<string, unknown>> = [];
    const deadlines: Array<Record<string, unknown>> = [];
    const updates: Array<Record<string, unknown>> = [];
    ids.forEach(({ id }, i) => {
      const unit = (role: 'lead' | 'co', seq: number, name: string) => units.push({ task_id: id, role, seq, name, unit_key: resolver.key(name), department_id: resolver.department(name)?.id ?? null });
      unit('lead', 1, UNITS[i % UNITS.length]);
      if (i % 5 === 0) unit('lead', 2, UNITS[(i + 7) % UNITS.length]);
      for (let c = 0; c < i % 4; c++) unit('co', c + 1, UNITS[(i + 11 + c * 3) % UNITS.length]);
      const t = tasks[i];
      deadlines.push({ task_id: id, seq: 1, date: t.deadline, text: t.deadline_text, kind: t.deadline_kind });
      if (i % 2 === 0) updates.push({ task_id: id, at: now, actor: UNITS[i % UNITS.length], action: 'progress', changes: '{}', progress_text: `已完成第${(i % 4) + 1}阶段工作，正在推进下一阶段。` });
    });
    await insertChunks(trx, 'task_units', units);
    await insertChunks(trx, 'task_deadlines', deadlines);
    await insertChunks(trx, 'task_updates', updates);
  });
}

/**
 * N licences in one statement: a recursive counter feeds INSERT … SELECT, so SQLite builds the rows
 * itself (no million bound parameters crossing the driver). Issue dates run 2021-01-01 … 2026-06-30,
 * industries cycle through the catalog's, every holder is distinct (the one-valid-licence index).
 */
async function insertLicences(db: Knex, n: number): Promise<void> {
  const industries: number[] = await db('industries').orderBy('id').pluck('id');
  const span = 2006; // days from 2021-01-01 to 2026-06-30
  await db.transaction(async (trx) => {
    await trx.raw('CREATE TEMP TABLE bench_ind (k INTEGER PRIMARY KEY, id INTEGER NOT NULL)');
    await trx('bench_ind').insert(industries.map((id, k) => ({ k, id })));
    await trx.raw(
      `WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
       INSERT INTO licenses (number, industry_id, application_no, issue_date, status, current_version, uscc, holder_name, premises, premises_key, valid_until, created_at, updated_at)
       SELECT printf('BENCH%08d', n), (SELECT id FROM bench_ind WHERE k = n % ?), printf('A%08d', n),
              date('2021-01-01', '+' || ((n * 7919) % ?) || ' days'), CASE WHEN n % 50 = 0 THEN 'cancelled' ELSE 'valid' END, 1,
              printf('91310115%010d', n), '压测市场主体' || n, '浦东新区压测路' || n || '号', 'k' || n, '2031-06-30', '2026-11-22T00:00:00.000Z', '2026-11-22T00:00:00.000Z'
       FROM seq`,
      [n - 1, industries.length, span],
    );
    await trx.raw('DROP TABLE bench_ind');
  });
}

// ---------------------------------------------------------------------------------------------
// Child: one measurement
// ---------------------------------------------------------------------------------------------

/** The same reads and the same rows on the page, without yiye's rules or presentation. */
async function baseline(db: Knex, asOf: string, out: string): Promise<number> {
  const { loadExcelJS } = await import('../src/io/exceljs');
  const tasks: Array<Record<string, unknown>> = await db('tasks as t')
    .leftJoin('plans as p', 'p.id', 't.plan_id')
    .leftJoin('task_units as u', function join() {
      this.on('u.task_id', '=', 't.id').andOn('u.role', '=', db.raw('?', ['lead'])).andOn('u.seq', '=', db.raw('1'));
    })
    .select('t.code', 'p.name as plan', 't.title', 'u.name as lead', 't.deadline', 't.deadline_text', 't.status', 't.completed_on')
    .orderBy('t.id');
  const first: Array<Record<string, unknown>> = await db('licenses').where('issue_date', '<=', asOf).groupBy('industry_id').select('industry_id').min({ first: 'issue_date' });
  const issued: Array<Record<string, unknown>> = await db('licenses as l')
    .join('industries as i', 'i.id', 'l.industry_id')
    .whereBetween('l.issue_date', [`${asOf.slice(0, 4)}-01-01`, asOf])
    .groupBy('i.id', 'i.name')
    .select('i.name')
    .count({ n: '*' });
  const ExcelJS = loadExcelJS();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: out, useStyles: false, useSharedStrings: false });
  const write = (name: string, rows: Array<Record<string, unknown>>) => {
    const ws = wb.addWorksheet(name);
    if (rows.length) ws.addRow(Object.keys(rows[0])).commit();
    for (const r of rows) ws.addRow(Object.values(r)).commit();
    ws.commit();
  };
  write('全部任务', tasks);
  write('行业落地', first);
  write('本期发证', issued);
  await wb.commit();
  return tasks.length;
}

async function measure(spec: Spec): Promise<Result> {
  let peak = 0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage.rss()));
  const timer = setInterval(sample, 20);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiye-rbench-'));
  try {
    const { openWorkspace } = await import('../src/db');
    const db = await openWorkspace(spec.db);
    try {
      const counts = (await db('tasks').count({ n: '*' }).first()) as { n: number };
      const lic = (await db('licenses').count({ n: '*' }).first()) as { n: number };
      const rows = Number(counts.n) + Number(lic.n);
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      let note: string;
      if (spec.kind === 'baseline') {
        note = `${await baseline(db, spec.asOf, path.join(dir, 'baseline.xlsx'))} task rows`;
      } else {
        // the report module is loaded inside the timed part: a user's command pays for it too
        const { writeProgressReport } = await import('../src/report/progress');
        const r = await writeProgressReport(db, { asOf: spec.asOf, format: spec.kind, out: path.join(dir, `report.${spec.kind}`) });
        note = `${r.total} tasks, ${r.overdue} overdue, ${r.dueSoon} due soon; ${r.licenses?.total ?? 0} licences in the period; ${(fs.statSync(r.out).size / 1e6).toFixed(1)} MB`;
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      sample();
      return { ok: true, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, rows, sampledPeakMB: peak / 1048576, maxRssMB: process.resourceUsage().maxRSS / 1024, note };
    } finally {
      await db.destroy();
    }
  } finally {
    clearInterval(timer);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function runChild(spec: Spec): Promise<Result> {
  return new Promise((resolve) => {
    const child = fork(__filename, ['--child', JSON.stringify(spec)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: Result | undefined;
    child.on('message', (m) => (result = m as Result));
    child.on('exit', (code) => resolve(result ?? { ok: false, seconds: 0, cpuSeconds: 0, rows: 0, sampledPeakMB: 0, maxRssMB: 0, error: `child exited with ${code}` }));
  });
}

function parseArgs(argv: string[]): { tasks: number; licences: number; asOf: string } {
  const o = { tasks: 10_000, licences: 1_000_000, asOf: '2024-06-30' };
  const count = (v: string | undefined) => Number(String(v).replace(/[_,]/g, ''));
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--tasks') o.tasks = count(argv[++i]);
    else if (argv[i] === '--licences' || argv[i] === '--licenses') o.licences = count(argv[++i]);
    else if (argv[i] === '--as-of') o.asOf = String(argv[++i]);
    else {
      process.stderr.write(`unknown argument ${argv[i]}\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(o.tasks) || o.tasks < 1 || !Number.isInteger(o.licences) || o.licences < 1 || !/^\d{4}-\d{2}-\d{2}$/.test(o.asOf)) {
    process.stderr.write('--tasks and --licences must be positive integers, --as-of YYYY-MM-DD\n');
    process.exit(2);
  }
  return o;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    const spec = JSON.parse(process.argv[3]) as Spec;
    const r = await measure(spec).catch((e: Error) => ({ ok: false, seconds: 0, cpuSeconds: 0, rows: 0, sampledPeakMB: 0, maxRssMB: 0, error: String(e.stack ?? e) }));
    if (process.send) process.send(r, () => process.exit(0));
    else console.log(JSON.stringify(r));
    return;
  }
  const opts = parseArgs(process.argv.slice(2));
  console.log(`report progress benchmark: ${opts.tasks.toLocaleString('en')} tasks, ${opts.licences.toLocaleString('en')} licences, as of ${opts.asOf} (SQLite)`);
  const db = await ensureWorkspace(opts.tasks, opts.licences);
  const line = (name: string, r: Result) =>
    r.ok
      ? `  ${name.padEnd(9)} ${r.seconds.toFixed(2).padStart(6)} s  ${Math.round(r.rows / r.seconds).toLocaleString('en').padStart(10)} rows/s  CPU ${r.cpuSeconds.toFixed(1).padStart(5)} s  peak RSS ${r.sampledPeakMB.toFixed(0)} MB sampled / ${r.maxRssMB.toFixed(0)} MB max  (${r.note})`
      : `  ${name.padEnd(9)} FAILED: ${r.error}`;
  const base = await runChild({ kind: 'baseline', db, asOf: opts.asOf });
  console.log(line('baseline', base));
  for (const kind of ['xlsx', 'html', 'md'] as const) {
    const r = await runChild({ kind, db, asOf: opts.asOf });
    const ratio = r.ok && base.ok ? `  ${(r.seconds / base.seconds).toFixed(2)}× the baseline` : '';
    const goal = kind === 'xlsx' && r.ok ? ` — goal < ${GOAL_XLSX_SECONDS} s: ${r.seconds < GOAL_XLSX_SECONDS ? 'PASS' : 'MISS'}` : '';
    console.log(line(`yiye ${kind}`, r) + ratio + goal);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
