/**
 * Dry runs and diffs that write nothing to the workspace, so that a read-only role can check a file
 * and a check never takes the write lock another office's batch is waiting for (issue 19 item 4).
 *
 * A dry run executes the very code of the real batch — the same inserts, updates, numbering and
 * audit-chain steps — so that what it reports is what the real run would do. It does that on a
 * scratch copy of the tables the batch writes:
 *
 * - PostgreSQL: inside one repeatable-read transaction, a TEMP table of the same name shadows each
 *   written table (the session's temporary schema is searched before `public`), holding a copy of its
 *   rows, defaults, checks and unique indexes; serial ids count on from the real maximum without
 *   touching the real sequences. The transaction is always rolled back, which drops the copies. Needs
 *   only SELECT on the tables and the TEMPORARY right on the database, which PostgreSQL grants to
 *   every role unless an administrator revoked it.
 * - SQLite: `VACUUM INTO` a private temporary file (a consistent snapshot taken under a read lock, so
 *   it neither waits for nor blocks a writer); the batch runs on the copy, which is deleted after.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { connect, dialectOf, type Db } from './index';

/** The tables each kind of batch writes (and locks): what its dry run needs a scratch copy of on PostgreSQL. */
export const WRITTEN_TABLES = {
  /** catalog import / diff: the catalog, its import log, the codes assigned to industries without one. */
  catalog: ['import_log', 'departments', 'industries', 'matters', 'industry_matters', 'industry_co_departments', 'materials', 'settings', 'audit_heads'],
  /** license apply (change, renew, revoke, cancel, withdraw): the register and its event chain. */
  licenceApply: ['license_batches', 'licenses', 'license_versions', 'license_items', 'license_events', 'license_number_seq', 'audit_heads'],
  /** tasks import / update: plans, tasks, their units and deadlines, the progress chain. */
  tasks: ['plans', 'plan_reporting_dates', 'tasks', 'task_units', 'task_deadlines', 'task_updates', 'unit_aliases', 'audit_heads'],
} as const satisfies Record<string, readonly string[]>;

class ScratchDone extends Error {}

/**
 * Runs `fn` in a transaction on a scratch copy of the workspace (PostgreSQL: of `tables`) and
 * discards everything it wrote; returns what `fn` returned. An error `fn` throws reaches the caller.
 */
export async function inScratch<T>(db: Db, tables: readonly string[], fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  let out: T | undefined;
  const run = async (k: Db, prepare?: (trx: Knex.Transaction) => Promise<void>, config?: Knex.TransactionConfig) => {
    try {
      await k.transaction(async (trx) => {
        if (prepare) await prepare(trx);
        out = await fn(trx);
        throw new ScratchDone();
      }, config);
    } catch (err) {
      if (!(err instanceof ScratchDone)) throw err;
    }
  };
  if (dialectOf(db) === 'postgres') {
    await run(db, (trx) => shadowTables(trx, tables), { isolationLevel: 'repeatable read' });
    return out as T;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiye-dry-run-')); // 0700: the copy holds the register
  const file = path.join(dir, 'workspace.sqlite');
  try {
    await db.raw('VACUUM INTO ?', [file]);
    const copy = connect(file);
    try {
      await run(copy);
    } finally {
      await copy.destroy();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out as T;
}

/** A batch's transaction: the real one, or with `dryRun` one on a scratch copy (see inScratch). */
export function batchTransaction<T>(db: Db, dryRun: boolean | undefined, tables: readonly string[], fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return dryRun ? inScratch(db, tables, fn) : db.transaction(fn);
}

/** PostgreSQL: a TEMP copy of each table, shadowing it for the rest of the transaction. */
async function shadowTables(trx: Knex.Transaction, tables: readonly string[]): Promise<void> {
  const { rows: schemaRows } = (await trx.raw('SELECT current_schema() AS s')) as { rows: Array<{ s: string }> };
  const schema = schemaRows[0].s;
  for (const table of new Set(tables)) {
    const real = `${schema}.${table}`;
    await trx.raw('CREATE TEMP TABLE ?? (LIKE ?? INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES INCLUDING GENERATED INCLUDING IDENTITY) ON COMMIT DROP', [table, real]);
    const { rows: cols } = (await trx.raw(
      `SELECT a.attname AS name, a.attgenerated <> '' AS generated, pg_get_expr(d.adbin, d.adrelid) AS def
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [`pg_temp.${table}`],
    )) as { rows: Array<{ name: string; generated: boolean; def: string | null }> };
    // a serial id's default calls the real sequence (a write the role may not have): count on the copy's own
    const serials = cols.filter((c) => c.def && /^nextval\(/.test(c.def)).map((c) => c.name);
    for (const c of serials) {
      await trx.raw('ALTER TABLE ?? ALTER COLUMN ?? DROP DEFAULT', [`pg_temp.${table}`, c]);
      await trx.raw('ALTER TABLE ?? ALTER COLUMN ?? ADD GENERATED BY DEFAULT AS IDENTITY', [`pg_temp.${table}`, c]);
    }
    const copied = cols.filter((c) => !c.generated).map((c) => c.name);
    await trx.raw(`INSERT INTO ?? (${copied.map(() => '??').join(', ')}) SELECT ${copied.map(() => '??').join(', ')} FROM ??`, [`pg_temp.${table}`, ...copied, ...copied, real]);
    for (const c of serials) {
      await trx.raw('SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT max(??) FROM ??), 0) + 1, false)', [`pg_temp.${table}`, c, c, `pg_temp.${table}`]);
    }
  }
}
