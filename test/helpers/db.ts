/**
 * Storage backends for tests. Every storage test runs once per backend:
 *
 *   describe.each(backends())('%s', (backend) => { … const url = await freshDbUrl(backend); … });
 *
 * PostgreSQL is the server test/setup/global-setup.ts started (or YIYE_TEST_PG_URL's); each
 * freshDbUrl() call gets a database of its own, so tests never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { knex, Knex } from 'knex';

export type Backend = 'sqlite' | 'postgres';

const DB_PREFIX = 'yiye_t_';

export function backends(): Backend[] {
  return process.env.YIYE_TEST_PG === '0' ? ['sqlite'] : ['sqlite', 'postgres'];
}

/** SQLite: path of a new file in a new directory. PostgreSQL: postgres:// URL of a new, empty database. */
export async function freshDbUrl(backend: Backend): Promise<string> {
  if (backend === 'sqlite') {
    // YIYE_TEST_TMP is the run's scratch dir, which globalTeardown removes.
    const dir = await fs.mkdtemp(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'sqlite-'));
    return path.join(dir, 'test.sqlite3');
  }
  const name = DB_PREFIX + randomBytes(6).toString('hex');
  // template0 is never connected to (template1 may be, which blocks CREATE DATABASE); explicit
  // UTF8 + C keeps an external server's databases identical to the embedded one's.
  await withServer((db) => db.raw(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`));
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Drops every yiye_t_* database on the test server. A database still in use (e.g. by another
 * jest run against the same external server) is left alone.
 */
export async function dropAllTestDatabases(): Promise<void> {
  if (!process.env.YIYE_TEST_PG_URL) return;
  await withServer(async (db) => {
    const names: string[] = await db('pg_database').where('datname', 'like', 'yiye\\_t\\_%').pluck('datname');
    for (const name of names) {
      await db.raw('DROP DATABASE IF EXISTS ??', [name]).catch((e: { code?: string }) => {
        if (e.code !== '55006') throw e; // object_in_use
      });
    }
  });
}

function serverUrl(): string {
  const url = process.env.YIYE_TEST_PG_URL;
  if (!url) {
    throw new Error(
      'YIYE_TEST_PG_URL is not set: PostgreSQL tests need jest\'s globalSetup (test/setup/global-setup.ts) ' +
        'or an external server URL; YIYE_TEST_PG=0 skips them.',
    );
  }
  return url;
}

/** One short-lived admin connection: a long-lived one would keep jest workers from exiting. */
async function withServer<T>(fn: (db: Knex) => Promise<T>): Promise<T> {
  const db = knex({ client: 'pg', connection: serverUrl(), pool: { min: 0, max: 1 } });
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}
