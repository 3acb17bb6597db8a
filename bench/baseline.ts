/**
 * The "no validation" baselines: the same file through the same reader (readRows) into one plain
 * table of text columns, in one transaction, on the same kind of workspace connection (connect(),
 * so WAL + synchronous=FULL like yiye's). Two write paths: knex multi-row inserts of 500 (what yiye's
 * storage layer can do at best) and one prepared statement on the sqlite3 driver, run per row as
 * DOMAIN.md measured it, or once per 500 rows with a multi-row VALUES list (what SQLite can do).
 */
import type { Knex } from 'knex';
import { readRows } from '../src/io/read-rows';
import type { CellValue } from '../src/io/types';
import { HEADER } from './layout';

const COLUMNS = HEADER.map((_, i) => `c${String(i + 1).padStart(2, '0')}`);
const CHUNK = 500;

/** Cells as the plain table stores them: text and numbers as they are, anything else as text. */
function plain(v: CellValue | undefined): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString();
  return v.error;
}

export async function createRawTable(db: Knex): Promise<void> {
  await db.schema.createTable('raw_catalog', (t) => {
    t.increments('id');
    for (const c of COLUMNS) t.text(c);
  });
}

/**
 * The rows after the header. The header is the first row naming 事项名称 — found with one string
 * comparison per cell, deliberately cheaper than yiye's header vocabulary: this path validates nothing.
 */
async function* dataRows(file: string): AsyncGenerator<CellValue[]> {
  let inData = false;
  for await (const row of readRows(file)) {
    if (inData) yield row.cells;
    else inData = row.cells.includes('事项名称');
  }
}

/**
 * The same rows written in the shape yiye stores them — one row per distinct matter, one per
 * industry link, one per material (the 申请材料 cell split on line breaks) — through knex in chunks
 * of 500, with no validation, normalisation, look-ups or change detection. yiye writes about four
 * rows per line of this file (49,833 matters + 100,000 links + 273,051 materials for 100k lines), so
 * this is the like-for-like "parse + bulk insert" baseline; the plain-table ones measure the reader
 * and one insert per line.
 */
export async function createShapedTables(db: Knex): Promise<void> {
  await db.schema.createTable('raw_matters', (t) => {
    t.increments('id');
    for (const c of ['code', 'name', 'department', 'basis', 'mode', 'legal', 'committed', 'onsite', 'commitment']) t.text(c);
  });
  await db.schema.createTable('raw_links', (t) => {
    t.text('industry');
    t.text('matter_code');
    t.text('condition');
  });
  await db.schema.createTable('raw_materials', (t) => {
    t.increments('id');
    t.text('matter_code');
    t.integer('seq');
    t.text('name');
  });
}

export async function insertShaped(db: Knex, file: string): Promise<number> {
  const col = (name: string) => HEADER.indexOf(name);
  const [ind, code, name, dept, basis, mode, legal, committed, onsite, commitment, cond, mats] = [
    '行业名称', '事项编码', '事项名称', '实施部门', '设定依据', '改革方式', '法定时限', '承诺时限', '现场核查', '告知承诺', '办理情形', '申请材料',
  ].map(col);
  const seen = new Set<string>();
  let n = 0;
  await db.transaction(async (trx) => {
    let matters: object[] = [];
    let links: object[] = [];
    let materials: object[] = [];
    const flush = async (force: boolean) => {
      for (const [table, rows] of [['raw_matters', matters], ['raw_links', links], ['raw_materials', materials]] as const) {
        for (let i = 0; i + (force ? 0 : CHUNK) <= rows.length && i < rows.length; i += CHUNK) await trx(table).insert(rows.slice(i, i + CHUNK));
      }
      matters = [];
      links = [];
      materials = [];
    };
    for await (const cells of dataRows(file)) {
      n++;
      const c = plain(cells[code]) as string;
      links.push({ industry: plain(cells[ind]), matter_code: c, condition: plain(cells[cond]) });
      if (!seen.has(c)) {
        seen.add(c);
        matters.push({ code: c, name: plain(cells[name]), department: plain(cells[dept]), basis: plain(cells[basis]), mode: plain(cells[mode]), legal: plain(cells[legal]), committed: plain(cells[committed]), onsite: plain(cells[onsite]), commitment: plain(cells[commitment]) });
        String(plain(cells[mats]) ?? '')
          .split('\n')
          .forEach((m, i) => materials.push({ matter_code: c, seq: i + 1, name: m }));
      }
      if (links.length >= CHUNK) await flush(true);
    }
    await flush(true);
  });
  return n;
}

export async function insertWithKnex(db: Knex, file: string): Promise<number> {
  let n = 0;
  await db.transaction(async (trx) => {
    let chunk: Record<string, string | number | null>[] = [];
    for await (const cells of dataRows(file)) {
      const rec: Record<string, string | number | null> = {};
      for (let i = 0; i < COLUMNS.length; i++) rec[COLUMNS[i]] = plain(cells[i]);
      chunk.push(rec);
      if (chunk.length === CHUNK) {
        await trx('raw_catalog').insert(chunk);
        n += chunk.length;
        chunk = [];
      }
    }
    if (chunk.length) await trx('raw_catalog').insert(chunk);
    n += chunk.length;
  });
  return n;
}

/** The subset of node-sqlite3's Database and Statement used here. */
interface SqliteStatement {
  run(params: unknown[], cb: (err: Error | null) => void): void;
  finalize(cb: (err: Error | null) => void): void;
}
interface SqliteDatabase {
  exec(sql: string, cb: (err: Error | null) => void): void;
  run(sql: string, params: unknown[], cb: (err: Error | null) => void): void;
  prepare(sql: string, cb: (err: Error | null) => void): SqliteStatement;
}
type SqliteClient = { acquireConnection(): Promise<SqliteDatabase>; releaseConnection(c: SqliteDatabase): Promise<void> };

const call = (fn: (cb: (err: Error | null) => void) => void) => new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));

/**
 * One prepared INSERT run per row, BEGIN … COMMIT around all of them, on the pool's own connection.
 * A statement's runs execute in order, so awaiting every 500th run bounds the queue (and memory)
 * without a round trip per row.
 */
export async function insertWithStatement(db: Knex, file: string): Promise<number> {
  const client = db.client as SqliteClient;
  const conn = await client.acquireConnection();
  let n = 0;
  try {
    await call((cb) => conn.exec('BEGIN', cb));
    let stmt: SqliteStatement | undefined;
    await call((cb) => (stmt = conn.prepare(`INSERT INTO raw_catalog (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`, cb)));
    let pending: Promise<void> | undefined;
    let failure: Error | undefined;
    for await (const cells of dataRows(file)) {
      const params = COLUMNS.map((_, i) => plain(cells[i]));
      n++;
      if (n % CHUNK === 0) {
        await pending;
        if (failure) throw failure;
        pending = call((cb) => stmt!.run(params, cb));
      } else {
        stmt!.run(params, (err) => {
          failure ??= err ?? undefined;
        });
      }
    }
    await pending;
    // finalize is queued behind the statement's runs, so every row is written once it returns
    await call((cb) => stmt!.finalize(cb));
    if (failure) throw failure;
    await call((cb) => conn.exec('COMMIT', cb));
  } catch (err) {
    await call((cb) => conn.exec('ROLLBACK', cb)).catch(() => undefined);
    throw err;
  } finally {
    await client.releaseConnection(conn);
  }
  return n;
}

/** One INSERT … VALUES (…)×500 prepared once and run per chunk; the last, shorter chunk on its own. */
export async function insertWithMultiRow(db: Knex, file: string): Promise<number> {
  const client = db.client as SqliteClient;
  const conn = await client.acquireConnection();
  const head = `INSERT INTO raw_catalog (${COLUMNS.join(', ')}) VALUES `;
  const tuple = `(${COLUMNS.map(() => '?').join(', ')})`;
  let n = 0;
  try {
    await call((cb) => conn.exec('BEGIN', cb));
    let stmt: SqliteStatement | undefined;
    await call((cb) => (stmt = conn.prepare(head + Array(CHUNK).fill(tuple).join(', '), cb)));
    let params: Array<string | number | null> = [];
    let inChunk = 0;
    for await (const cells of dataRows(file)) {
      for (let i = 0; i < COLUMNS.length; i++) params.push(plain(cells[i]));
      if (++inChunk === CHUNK) {
        await call((cb) => stmt!.run(params, cb));
        n += inChunk;
        params = [];
        inChunk = 0;
      }
    }
    await call((cb) => stmt!.finalize(cb));
    if (inChunk) await call((cb) => conn.run(head + Array(inChunk).fill(tuple).join(', '), params, cb));
    n += inChunk;
    await call((cb) => conn.exec('COMMIT', cb));
  } catch (err) {
    await call((cb) => conn.exec('ROLLBACK', cb)).catch(() => undefined);
    throw err;
  } finally {
    await client.releaseConnection(conn);
  }
  return n;
}

export async function countRaw(db: Knex): Promise<number> {
  const row = (await db('raw_catalog').count({ n: '*' }).first()) as { n: number | string };
  return Number(row.n);
}
