/**
 * Shared by the hostile-input tests: the corpus table, a small process pool (the CLI runs are
 * independent and mostly start-up time), and a whole-database row count to prove nothing was written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../src/db';
import type { BadFixture } from '../../fixtures/make-bad-fixtures';

export const BAD = path.resolve(__dirname, '../../fixtures/bad');

/** The committed expected.json, the table the tests iterate over. */
export function corpus(): { files: BadFixture[]; injected: { industries: string[]; matters: string[]; department: string; material: string } } {
  return JSON.parse(fs.readFileSync(path.join(BAD, 'expected.json'), 'utf8'));
}

export function scratch(prefix: string): string {
  return fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), prefix));
}

/** Runs `fn` over `items` with at most `limit` at a time, results in input order. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Rows in every table of the workspace: equal before and after means nothing was written. */
export async function tableCounts(db: Db): Promise<Record<string, number>> {
  const client = String(db.client.config.client);
  const tables: string[] =
    client === 'pg'
      ? await db('information_schema.tables').where({ table_schema: 'public', table_type: 'BASE TABLE' }).pluck('table_name')
      : await db('sqlite_master').where({ type: 'table' }).whereNot('name', 'like', 'sqlite_%').pluck('name');
  const counts: Record<string, number> = {};
  for (const t of tables.sort()) {
    const [{ n }] = await db(t).count({ n: '*' });
    counts[t] = Number(n);
  }
  return counts;
}

/** A stack frame in output: a user mistake must never print one. */
export const STACK_FRAME = /^\s{2,}at .+(\(|:\d+)/m;
