/**
 * How fast `license issue` is, against what the same workbook costs without yiye's rules.
 *
 *   node dist/bench/license-bench.js [--rows N] [--pg URL]
 *
 *   --rows N    applications in the generated workbook (default 100000)
 *   --pg URL    also measure on PostgreSQL (a fresh database per measurement; also BENCH_PG_URL)
 *
 * Three measurements per database, each in a child process of its own so each peak RSS is its own,
 * each on a fresh copy of a workspace that has the pudong catalog (setup is not timed):
 *   parse+insert  readRows over the xlsx + one bulk insert of the raw cells into a plain table, in
 *                 one transaction (no validation, no numbering, no signing) — the old baseline;
 *   baseline      the same plus the irreducible work of a licence: an Ed25519 signature over each
 *                 row's payload with the workspace's key, stored beside the cells;
 *   yiye          `issueLicenses` end to end: read, validate, number, sign, write licences, versions,
 *                 items and audit events.
 * Prints licences/s, CPU seconds (all threads: the database driver's and the signing thread's work
 * runs beside the main thread), peak RSS and the ratios: to the baseline with signing (goal ≤ 2×) and
 * to the old parse+insert baseline (accepted ≤ 3×), as PASS/MISS. Then, on the workspace yiye just
 * filled, how long the scratch copy a `license apply --dry-run` works on takes to make. Each copy is
 * removed after its measurement. The exit code is 0 either way: a benchmark measures, it does not
 * assert.
 */
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const GOAL_RATIO = 2;
const ACCEPTED_OLD_RATIO = 3;
const DATE = '2026-05-01';

interface Spec {
  kind: 'parse-insert' | 'baseline' | 'yiye';
  file: string;
  template: string;
  pgUrl?: string;
}

interface Result {
  ok: boolean;
  seconds: number;
  cpuSeconds?: number;
  rows: number;
  maxRssMB: number;
  /** yiye only: seconds to make the scratch copy a licence dry run works on, of the filled workspace. */
  scratchSeconds?: number;
  error?: string;
}

function root(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

/** The application workbook, written once per size with the streaming writer (memory stays flat). */
async function ensureWorkbook(rows: number): Promise<string> {
  const dir = path.join(root(), 'bench', 'data', `license-v1-${rows}`);
  const file = path.join(dir, `发证申请-${rows}.xlsx`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const { loadExcelJS } = await import('../src/io/exceljs');
  const { HEADER, applicationCells, makeApplication } = await import('../fixtures/make-license-fixtures');
  const ExcelJS = loadExcelJS();
  const tmp = `${file}.part`;
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: tmp, useSharedStrings: false, useStyles: false });
  const ws = wb.addWorksheet('发证申请');
  ws.addRow(['2026年5月1日行业综合许可证发证清单']).commit();
  ws.addRow(HEADER).commit();
  for (let i = 0; i < rows; i++) ws.addRow(applicationCells({ ...makeApplication(1_000_000 + i, { date: DATE }), applicationNo: `B${String(i).padStart(7, '0')}` }, i + 1)).commit();
  ws.commit();
  await wb.commit();
  fs.renameSync(tmp, file);
  return file;
}

/** A workspace with the pudong catalog, made once; each measurement works on a copy. */
async function makeTemplate(pgUrl?: string): Promise<string> {
  const { initWorkspace } = await import('../src/settings/service');
  const { importCatalog } = await import('../src/catalog/service');
  const { connect } = await import('../src/db');
  const catalog = ['附件1-试点行业清单.xlsx', '附件2-事项目录.xlsx', '附件3-行业事项对应表.csv'].map((f) => path.join(root(), 'fixtures', 'catalog', 'pudong', f));
  const target = pgUrl ? await freshPg(pgUrl) : path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'yiye-lbench-')), 'template.sqlite3');
  await initWorkspace(target, { regionCode: '310115', authorityName: '浦东新区人民政府', licenseNumberPattern: '{region}{year}{industry}{seq:6}' }, { keyFile: keyFileOf(target) });
  const db = connect(target);
  try {
    await importCatalog(db, catalog, { actor: 'bench' });
  } finally {
    await db.destroy();
  }
  return target;
}

function keyFileOf(target: string): string {
  return /^postgres/.test(target) ? path.join(os.tmpdir(), `yiye-lbench-${crypto.createHash('sha1').update(target).digest('hex').slice(0, 8)}.key.pem`) : `${target}.key.pem`;
}

async function freshPg(url: string): Promise<string> {
  const { connect } = await import('../src/db');
  const name = `yiye_lbench_${crypto.randomBytes(5).toString('hex')}`;
  const admin = connect(url);
  try {
    await admin.raw(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  } finally {
    await admin.destroy();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Removes a copy made by `copyOf` (the SQLite folder, or the PostgreSQL database and its key file). */
async function removeCopy(target: string): Promise<void> {
  if (!/^postgres/.test(target)) {
    fs.rmSync(path.dirname(target), { recursive: true, force: true });
    return;
  }
  const { connect } = await import('../src/db');
  const admin = connect(target.replace(/\/[^/]*$/, '/postgres'));
  try {
    await admin.raw(`DROP DATABASE IF EXISTS ${new URL(target).pathname.slice(1)}`);
  } finally {
    await admin.destroy();
  }
  fs.rmSync(keyFileOf(target), { force: true });
}

/** A fresh copy of the template: the SQLite file (and its key), or a PostgreSQL clone of the database. */
async function copyOf(template: string): Promise<string> {
  if (!/^postgres/.test(template)) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiye-lbench-run-'));
    const target = path.join(dir, 'ws.sqlite3');
    fs.copyFileSync(template, target);
    fs.copyFileSync(`${template}.key.pem`, `${target}.key.pem`);
    fs.chmodSync(`${target}.key.pem`, 0o600);
    return target;
  }
  const { connect } = await import('../src/db');
  const src = new URL(template);
  const name = `yiye_lbench_${crypto.randomBytes(5).toString('hex')}`;
  const admin = connect(template.replace(/\/[^/]*$/, '/postgres'));
  try {
    await admin.raw(`CREATE DATABASE ${name} TEMPLATE ${src.pathname.slice(1)}`);
  } finally {
    await admin.destroy();
  }
  src.pathname = `/${name}`;
  const target = src.toString();
  fs.copyFileSync(keyFileOf(template), keyFileOf(target));
  fs.chmodSync(keyFileOf(target), 0o600);
  return target;
}

// ---------------------------------------------------------------------------------------------
// Child: one measurement
// ---------------------------------------------------------------------------------------------

async function measure(spec: Spec): Promise<Result> {
  const target = await copyOf(spec.template);
  try {
    return await measureOn(target, spec);
  } finally {
    await removeCopy(target);
  }
}

async function measureOn(target: string, spec: Spec): Promise<Result> {
  const { connect, openWorkspace } = await import('../src/db');
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let rows = 0;
  let scratchSeconds: number | undefined;
  if (spec.kind !== 'yiye') {
    const { readRows } = await import('../src/io/read-rows');
    const { signPayload } = await import('../src/license/payload');
    const key = spec.kind === 'baseline' ? crypto.createPrivateKey(fs.readFileSync(keyFileOf(target))) : null;
    const db = connect(target);
    try {
      await db.schema.createTable('raw_applications', (t) => {
        t.increments('id');
        for (let i = 1; i <= 11; i++) t.text(`c${i}`);
        t.text('signature');
      });
      await db.transaction(async (trx) => {
        let inData = false;
        let batch: Array<Record<string, unknown>> = [];
        const flush = async () => {
          if (batch.length) await trx('raw_applications').insert(batch);
          batch = [];
        };
        for await (const r of readRows(spec.file)) {
          if (!inData) {
            inData = r.cells.includes('申请编号');
            continue;
          }
          const rec: Record<string, unknown> = {};
          for (let i = 0; i < 11; i++) rec[`c${i + 1}`] = r.cells[i] === null || r.cells[i] === undefined ? null : String(r.cells[i]);
          if (key) rec.signature = signPayload({ n: String(rows), v: 1, h: String(rec.c3 ?? ''), c: String(rec.c4 ?? ''), i: String(rec.c2 ?? ''), m: [], d: DATE, u: '', a: '', k: '' }, key, '').text;
          batch.push(rec);
          rows++;
          if (batch.length >= 500) await flush();
        }
        await flush();
      });
    } finally {
      await db.destroy();
    }
  } else {
    const { issueLicenses } = await import('../src/license/issue');
    const { inScratch, WRITTEN_TABLES } = await import('../src/db/scratch');
    const db = await openWorkspace(target);
    try {
      const r = await issueLicenses(db, spec.file, { date: DATE, keyFile: keyFileOf(target), actor: 'bench' });
      rows = r.issued.length;
      if (r.rejected.length) throw new Error(`${r.rejected.length} rows rejected: ${r.rejected[0].message}`);
      const s0 = performance.now();
      await inScratch(db, WRITTEN_TABLES.licenceApply, async () => undefined);
      scratchSeconds = (performance.now() - s0) / 1000;
    } finally {
      await db.destroy();
    }
  }
  const seconds = (performance.now() - t0) / 1000 - (scratchSeconds ?? 0);
  const cpu = process.cpuUsage(c0);
  return { ok: true, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, rows, maxRssMB: process.resourceUsage().maxRSS / 1024, scratchSeconds };
}

/**
 * Seconds to sign `rows` payloads like the workbook's with a fresh workspace-style key on this
 * thread: work `license issue` must do that the baseline leaves out, measured on its own.
 */
async function signingAlone(rows: number): Promise<number> {
  const { signPayload } = await import('../src/license/payload');
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  const t = performance.now();
  for (let i = 0; i < rows; i++) {
    const n = `3101152026${String(i % 31).padStart(3, '0')}${String(i).padStart(6, '0')}`;
    signPayload({ n, v: 1, h: `上海某某便利店有限公司第${i}分店`, c: '91310115MA1K4XXXXX', i: '便利店', m: ['310115-XK-001', '310115-XK-002', '310115-XK-003'], d: DATE, u: '2031-04-30', a: '浦东新区人民政府', k: 'bench' }, privateKey, '');
  }
  return (performance.now() - t) / 1000;
}

function runChild(spec: Spec): Promise<Result> {
  return new Promise((resolve) => {
    const child = fork(__filename, ['--child', JSON.stringify(spec)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: Result | undefined;
    child.on('message', (m) => (result = m as Result));
    child.on('exit', (code) => resolve(result ?? { ok: false, seconds: 0, rows: 0, maxRssMB: 0, error: `child exited with ${code}` }));
  });
}

function parseArgs(argv: string[]): { rows: number; pgUrl?: string } {
  const o: { rows: number; pgUrl?: string } = { rows: 100_000, pgUrl: process.env.BENCH_PG_URL || undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rows') o.rows = Number(String(argv[++i]).replace(/[_,]/g, ''));
    else if (argv[i] === '--pg') o.pgUrl = argv[++i];
    else {
      process.stderr.write(`unknown argument ${argv[i]}\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(o.rows) || o.rows < 1) {
    process.stderr.write('--rows must be a positive integer\n');
    process.exit(2);
  }
  return o;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    const spec = JSON.parse(process.argv[3]) as Spec;
    const r = await measure(spec).catch((e: Error) => ({ ok: false, seconds: 0, rows: 0, maxRssMB: 0, error: e.message }));
    if (process.send) process.send(r);
    else console.log(JSON.stringify(r));
    return;
  }
  const opts = parseArgs(process.argv.slice(2));
  console.log(`license issue benchmark: ${opts.rows.toLocaleString('en')} applications from xlsx`);
  const file = await ensureWorkbook(opts.rows);
  console.log(`  workbook ${path.relative(root(), file)} (${(fs.statSync(file).size / 1e6).toFixed(1)} MB)`);
  const sign = await signingAlone(opts.rows);
  console.log(`  Ed25519 signing alone (one thread, no database): ${sign.toFixed(2)} s, ${Math.round((sign / opts.rows) * 1e6)} µs per licence`);
  const targets: Array<{ label: string; pg?: string }> = [{ label: 'SQLite' }, ...(opts.pgUrl ? [{ label: 'PostgreSQL', pg: opts.pgUrl }] : [])];
  for (const t of targets) {
    const template = await makeTemplate(t.pg);
    const old = await runChild({ kind: 'parse-insert', file, template, pgUrl: t.pg });
    const base = await runChild({ kind: 'baseline', file, template, pgUrl: t.pg });
    const yiye = await runChild({ kind: 'yiye', file, template, pgUrl: t.pg });
    const line = (name: string, r: Result) =>
      r.ok
        ? `  ${name.padEnd(12)} ${r.seconds.toFixed(2).padStart(7)} s  ${Math.round(r.rows / r.seconds).toLocaleString('en').padStart(8)} rows/s  CPU ${(r.cpuSeconds ?? 0).toFixed(1).padStart(5)} s  peak RSS ${r.maxRssMB.toFixed(0)} MB`
        : `  ${name.padEnd(12)} FAILED: ${r.error}`;
    console.log(`${t.label}:`);
    console.log(line('parse+insert', old));
    console.log(line('baseline', base));
    console.log(line('yiye', yiye).replace('rows/s', 'licences/s'));
    if (base.ok && yiye.ok) {
      const ratio = yiye.seconds / base.seconds;
      console.log(`  ratio ${ratio.toFixed(2)}× the baseline (parse + sign + insert) — goal ≤ ${GOAL_RATIO}×: ${ratio <= GOAL_RATIO ? 'PASS' : 'MISS'}`);
      if (old.ok) {
        const r2 = yiye.seconds / old.seconds;
        console.log(`  ratio ${r2.toFixed(2)}× the old parse+insert baseline — accepted ≤ ${ACCEPTED_OLD_RATIO}×: ${r2 <= ACCEPTED_OLD_RATIO ? 'PASS' : 'MISS'}`);
      }
      if (yiye.scratchSeconds !== undefined) console.log(`  scratch copy for a dry run of the filled workspace (${yiye.rows.toLocaleString('en')} licences): ${yiye.scratchSeconds.toFixed(2)} s`);
      // What no scheduling can beat: all threads' CPU spread perfectly over the machine's cores.
      const cores = os.availableParallelism();
      const floor = (yiye.cpuSeconds ?? 0) / cores;
      console.log(`  yiye's CPU over ${cores} cores, perfectly overlapped: ${floor.toFixed(2)} s = ${(floor / base.seconds).toFixed(2)}× the baseline`);
    }
    await removeCopy(template);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
