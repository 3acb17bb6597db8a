/**
 * One measurement, run in a process of its own so that its peak RSS is its own:
 *
 *   node dist/bench/measure.js '<spec as JSON>'
 *
 * import-bench.js forks this and gets the result over IPC; run by hand it prints the result as JSON
 * (handy under `node --cpu-prof`). Setup (a fresh workspace, the industry list, for a re-import the
 * first import) is not timed; a yiye measurement times one whole importCatalog call, file hashing
 * and the kind peek included, since a user waits for those too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { TITLE_ROWS } from './layout';

export type Kind = 'read' | 'parse' | 'baseline-knex' | 'baseline-stmt' | 'baseline-multi' | 'baseline-tables' | 'yiye' | 'yiye-reimport';

export interface Spec {
  kind: Kind;
  file: string;
  industries: string;
  /** What a correct import of `file` produces (from the generator's plan). */
  expect: { rows: number; matters: number; materials: number };
  /** PostgreSQL server to create a fresh database on; SQLite under os.tmpdir() otherwise. */
  pgUrl?: string;
  /** Also break the timed part's SQL down by statement shape (adds a little overhead). */
  sqlStats?: boolean;
}

export interface Result {
  ok: boolean;
  seconds: number;
  /** CPU time (user + system, all threads) of the timed part: less disturbed by other load than `seconds`. */
  cpuSeconds?: number;
  rows: number;
  maxRssMB: number;
  /** Time until the reader yielded its first row (read only). */
  firstRowSeconds?: number;
  /** SQL statements issued during the timed part. */
  queries?: number;
  note?: string;
  error?: string;
  sql?: SqlStat[];
}

const now = () => performance.now() / 1000;
const cpuSince = (start: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
};

/** Statements of one shape: how many, their bound values, rows returned and wall time until the response. */
export interface SqlStat {
  shape: string;
  count: number;
  bindings: number;
  rows: number;
  seconds: number;
}

/**
 * Groups statements by shape (the SQL with placeholder runs folded, so a 500-row insert and a
 * 37-row one are the same shape) from knex's query / query-response events.
 */
function sqlStats(db: Knex): () => SqlStat[] {
  const stats = new Map<string, SqlStat>();
  const started = new Map<string, [SqlStat, number]>();
  db.on('query', (q: { sql: string; bindings?: unknown[]; __knexQueryUid: string }) => {
    const union = q.sql.indexOf(' union all select ');
    const shape = (union === -1 ? q.sql : `${q.sql.slice(0, union)} union all …`).replace(/ as [`"]\w+[`"]/g, '').replace(/(\?|\$\d+)(, (\?|\$\d+))+/g, '?…').slice(0, 120);
    let st = stats.get(shape);
    if (!st) stats.set(shape, (st = { shape, count: 0, bindings: 0, rows: 0, seconds: 0 }));
    st.count++;
    st.bindings += q.bindings?.length ?? 0;
    started.set(q.__knexQueryUid, [st, now()]);
  });
  db.on('query-response', (response: unknown, q: { __knexQueryUid: string }) => {
    const hit = started.get(q.__knexQueryUid);
    if (!hit) return;
    started.delete(q.__knexQueryUid);
    hit[0].seconds += now() - hit[1];
    if (Array.isArray(response)) hit[0].rows += response.length;
  });
  return () => [...stats.values()].sort((a, b) => b.seconds - a.seconds);
}


interface Workspace {
  target: string;
  cleanup: () => Promise<void>;
}

async function freshWorkspace(pgUrl: string | undefined): Promise<Workspace> {
  if (!pgUrl) {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'yiye-bench-'));
    return { target: path.join(dir, 'workspace.sqlite3'), cleanup: () => fs.promises.rm(dir, { recursive: true, force: true }) };
  }
  const { connect } = await import('../src/db');
  const name = `yiye_bench_${crypto.randomBytes(5).toString('hex')}`;
  const admin = connect(pgUrl);
  try {
    await admin.raw(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  } finally {
    await admin.destroy();
  }
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  return {
    target: url.toString(),
    cleanup: async () => {
      const a = connect(pgUrl);
      try {
        await a.raw(`DROP DATABASE IF EXISTS ${name}`);
      } finally {
        await a.destroy();
      }
    },
  };
}

async function measureRead(spec: Spec): Promise<Omit<Result, 'maxRssMB'>> {
  const { readRows } = await import('../src/io/read-rows');
  const [t0, c0] = [now(), process.cpuUsage()];
  let first: number | undefined;
  let n = 0;
  const sheets = new Set<string>();
  for await (const row of readRows(spec.file)) {
    first ??= now() - t0;
    n++;
    sheets.add(row.sheet);
  }
  // the header is not data either; an .xls repeats it on each sheet (65 536 rows a sheet at most)
  const data = n - TITLE_ROWS - sheets.size;
  return { ok: data === spec.expect.rows, seconds: now() - t0, cpuSeconds: cpuSince(c0), rows: data, firstRowSeconds: first };
}

/** readRows + yiye's header mapping and row validation (parseRow): everything but the database. */
async function measureParse(spec: Spec): Promise<Omit<Result, 'maxRssMB'>> {
  const { readRows } = await import('../src/io/read-rows');
  const { detectKind, headerScore, mapHeader } = await import('../src/catalog/headers');
  const { parseRow } = await import('../src/catalog/parse');
  type Ctx = Parameters<typeof parseRow>[0];
  const [t0, c0] = [now(), process.cpuUsage()];
  let ctx: Ctx | undefined;
  let ok = 0;
  let bad = 0;
  for await (const row of readRows(spec.file)) {
    if (!ctx) {
      if (headerScore(row.cells) < 2) continue;
      const header = mapHeader([row.cells], row.rowNumber);
      ctx = { file: path.basename(spec.file), sheet: row.sheet, kind: detectKind(header.columns)!, header, sheetLevel: null };
      continue;
    }
    const res = parseRow(ctx, row.rowNumber, row.cells);
    if (res?.row) ok++;
    else if (res) bad++;
  }
  return { ok: bad === 0 && ok === spec.expect.rows, seconds: now() - t0, cpuSeconds: cpuSince(c0), rows: ok, note: bad ? `${bad} rows rejected` : undefined };
}

async function measureBaseline(spec: Spec, ws: Workspace): Promise<Omit<Result, 'maxRssMB'>> {
  const { connect } = await import('../src/db');
  const { createRawTable, createShapedTables, insertShaped, insertWithKnex, insertWithMultiRow, insertWithStatement, countRaw } = await import('./baseline');
  const db = connect(ws.target);
  try {
    if (spec.kind === 'baseline-tables') {
      await createShapedTables(db);
      const [t0, c0] = [now(), process.cpuUsage()];
      const n = await insertShaped(db, spec.file);
      return { ok: n === spec.expect.rows, seconds: now() - t0, cpuSeconds: cpuSince(c0), rows: n };
    }
    await createRawTable(db);
    let queries = 0;
    db.on('query', () => queries++);
    const stats = spec.sqlStats ? sqlStats(db) : undefined;
    if (spec.kind !== 'baseline-knex' && spec.pgUrl) throw new Error('driver-level baselines are SQLite only');
    const insert = spec.kind === 'baseline-knex' ? insertWithKnex : spec.kind === 'baseline-stmt' ? insertWithStatement : insertWithMultiRow;
    const [t0, c0] = [now(), process.cpuUsage()];
    const n = await insert(db, spec.file);
    const [seconds, cpuSeconds] = [now() - t0, cpuSince(c0)];
    const stored = await countRaw(db);
    return { ok: n === spec.expect.rows && stored === n, seconds, cpuSeconds, rows: n, queries: spec.kind === 'baseline-knex' ? queries : undefined, note: stored === n ? undefined : `${stored} rows stored`, sql: stats?.() };
  } finally {
    await db.destroy();
  }
}

async function measureYiye(spec: Spec, ws: Workspace): Promise<Omit<Result, 'maxRssMB'>> {
  const { initWorkspace, DEFAULT_NUMBER_PATTERN } = await import('../src/settings/service');
  const { openWorkspace } = await import('../src/db');
  const { importCatalog } = await import('../src/catalog/import');
  await initWorkspace(ws.target, { regionCode: '310115', authorityName: '浦东新区人民政府', licenseNumberPattern: DEFAULT_NUMBER_PATTERN });
  const db: Knex = await openWorkspace(ws.target);
  try {
    const ind = await importCatalog(db, [spec.industries], { actor: 'bench' });
    if (ind.industries.inserted === 0) throw new Error('industry list did not import');
    if (spec.kind === 'yiye-reimport') await importCatalog(db, [spec.file], { actor: 'bench' });
    let queries = 0;
    db.on('query', () => queries++);
    const stats = spec.sqlStats ? sqlStats(db) : undefined;
    const [t0, c0] = [now(), process.cpuUsage()];
    const res = await importCatalog(db, [spec.file], { actor: 'bench' });
    const [seconds, cpuSeconds] = [now() - t0, cpuSince(c0)];
    const { expect } = spec;
    const c = `matters +${res.matters.inserted}/=${res.matters.unchanged}, links +${res.links.inserted}/=${res.links.unchanged}, materials +${res.materials.inserted}/=${res.materials.unchanged}`;
    const ok =
      spec.kind === 'yiye'
        ? res.committed && res.links.inserted === expect.rows && res.matters.inserted === expect.matters && res.materials.inserted === expect.materials
        : res.committed && res.noChange && res.links.unchanged === expect.rows;
    return { ok, seconds, cpuSeconds, rows: expect.rows, queries, note: c, sql: stats?.() };
  } finally {
    await db.destroy();
  }
}

export async function runSpec(spec: Spec): Promise<Result> {
  let out: Omit<Result, 'maxRssMB'>;
  try {
    if (spec.kind === 'read') out = await measureRead(spec);
    else if (spec.kind === 'parse') out = await measureParse(spec);
    else {
      const ws = await freshWorkspace(spec.pgUrl);
      try {
        out = spec.kind.startsWith('baseline') ? await measureBaseline(spec, ws) : await measureYiye(spec, ws);
      } finally {
        await ws.cleanup();
      }
    }
  } catch (err) {
    out = { ok: false, seconds: NaN, rows: 0, error: String((err as Error)?.stack ?? err).split('\n').slice(0, 3).join(' | ') };
  }
  // ru_maxrss: the process's high-water mark, in kilobytes on Linux
  return { ...out, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

if (require.main === module) {
  const spec = JSON.parse(process.argv[2] ?? '') as Spec;
  void runSpec(spec).then((result) => {
    if (process.send) process.send(result, () => process.exit(0));
    else {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      process.exit(0);
    }
  });
}
