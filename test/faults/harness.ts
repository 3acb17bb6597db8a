/**
 * The machinery of the fault suites: a seed, workspace templates cloned cheaply per kill point, the
 * real CLI started as a child process and killed with SIGKILL at a chosen moment, a small worker
 * pool, and the kill-point ledger printed at the end.
 *
 *   YIYE_FAULTS_SEED=<n>     replay a run (the seed is printed at the start and in every failure)
 *   YIYE_FAULTS_KILLS=<n>    kill points per command and backend (default 20)
 *   YIYE_FAULTS_ONLY=<text>  only scenarios whose "command/backend" contains the text (e.g. "issue/sqlite")
 *   YIYE_FAULTS_JOBS=<n>     kill points run at once (default 2)
 *   YIYE_FAULTS_LEDGER=<f>   also write the ledger as JSON to this file
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { knex, type Knex } from 'knex';
import { connect, type Db } from '../../src/db';
import { initWorkspace } from '../../src/settings/service';
import { resolveKeyFile } from '../../src/license/keys';
import { freshDbUrl, type Backend } from '../helpers/db';
import { prng } from './generate';

const BIN = path.resolve(__dirname, '../../bin/run.js');

// ------------------------------------------------------------------ seed and knobs

function intEnv(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}=${v}: expected a non-negative integer`);
  return n;
}

/** The run's seed: YIYE_FAULTS_SEED, else a fresh one (printed, so a failure can be replayed). */
export const SEED = intEnv('YIYE_FAULTS_SEED', Math.floor(Math.random() * 2 ** 31));
export const KILLS = intEnv('YIYE_FAULTS_KILLS', 20);
export const JOBS = Math.max(1, intEnv('YIYE_FAULTS_JOBS', 2));
const ONLY = process.env.YIYE_FAULTS_ONLY ?? '';

export function selected(name: string): boolean {
  return !ONLY || name.includes(ONLY);
}

/** A PRNG for one purpose of the run, derived from the seed and a label (so adding a scenario does not shift the others). */
export function rngFor(label: string): () => number {
  let h = SEED >>> 0;
  for (const ch of label) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return prng(h);
}

export function replayHint(scenario: string): string {
  return `replay: YIYE_FAULTS_SEED=${SEED} YIYE_FAULTS_ONLY='${scenario}' npx jest -c jest.faults.config.js --runInBand`;
}

// ------------------------------------------------------------------ workspaces

export const SETTINGS = { regionCode: '310115', authorityName: '浦东新区人民政府', licenseNumberPattern: '{region}{year}{industry}{seq:6}' };

export interface Template {
  backend: Backend;
  /** SQLite file or postgres:// URL of the prepared workspace; never opened again once built. */
  url: string;
  /** Its private key (clones keep the template's public key, so every run signs with this file). */
  keyFile: string;
}

export interface Clone {
  url: string;
  drop(): Promise<void>;
}

/** Scratch folder of this jest run (removed by the global teardown). */
export function scratch(prefix: string): string {
  return fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), prefix));
}

/** An initialised workspace on the backend, prepared by `build`, closed and ready to be cloned. */
export async function makeTemplate(backend: Backend, build: (db: Db, t: Template) => Promise<void>): Promise<Template> {
  const url = await freshDbUrl(backend);
  await initWorkspace(url, SETTINGS);
  const t: Template = { backend, url, keyFile: resolveKeyFile(url) };
  const db = connect(url);
  try {
    await build(db, t);
    // the clone copies the main file only: everything must be in it, not in the -wal file
    if (backend === 'sqlite') await db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    await db.destroy();
  }
  return t;
}

let admin: Knex | undefined;
/** One admin connection to the test server for CREATE/DROP DATABASE (closed by closeAdmin). */
function adminDb(): Knex {
  const url = process.env.YIYE_TEST_PG_URL;
  if (!url) throw new Error('YIYE_TEST_PG_URL is not set (jest globalSetup starts PostgreSQL)');
  admin ??= knex({ client: 'pg', connection: url, pool: { min: 0, max: 2 } });
  return admin;
}

export async function closeAdmin(): Promise<void> {
  await admin?.destroy();
  admin = undefined;
}

/**
 * A fresh copy of the template: SQLite copies the file (a few MB, milliseconds); PostgreSQL makes a
 * database from it (`CREATE DATABASE … TEMPLATE …`, a file copy on the server). Names are ours
 * (yiye_t_ + hex, which the teardown's cleanup also matches) and bound as identifiers.
 */
export async function cloneTemplate(t: Template): Promise<Clone> {
  if (t.backend === 'sqlite') {
    const dir = scratch('kill-');
    const file = path.join(dir, 'clone.sqlite3');
    fs.copyFileSync(t.url, file);
    return { url: file, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const source = new URL(t.url).pathname.slice(1);
  const name = `yiye_t_${randomBytes(6).toString('hex')}`;
  await adminDb().raw('CREATE DATABASE ?? TEMPLATE ??', [name, source]);
  const url = new URL(t.url);
  url.pathname = `/${name}`;
  // FORCE: a killed client's server process may not have noticed its socket closing yet
  return { url: url.toString(), drop: async () => void (await adminDb().raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name])) };
}

// ------------------------------------------------------------------ the CLI as a child process

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** ms from spawn to exit */
  ms: number;
  /** true when our SIGKILL ended it (false: it had exited before the kill time) */
  killed: boolean;
  /** true when it was still running after `timeoutMs` (and was killed then) */
  timedOut: boolean;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Runs `yiye <args>` (the built bin/run.js, no terminal, CI set). With `killAtMs` it is SIGKILLed that
 * long after spawn; with `killOnStdout`, as soon as it writes its first output (under --json that is
 * the result, written after the commit: the process is still alive, closing up).
 */
export function runCli(args: string[], opts: { killAtMs?: number; killOnStdout?: boolean; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, CI: 'true', YIYE_DB: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (opts.killOnStdout && !killed) killed = child.kill('SIGKILL');
    });
    child.stderr.on('data', (d) => (stderr += d));
    const timer =
      opts.killAtMs === undefined
        ? undefined
        : setTimeout(() => {
            killed = child.kill('SIGKILL');
          }, opts.killAtMs);
    // a run that never ends (a lock nobody releases) fails the kill point instead of the whole suite
    let timedOut = false;
    const limit = setTimeout(() => {
      timedOut = child.kill('SIGKILL');
    }, opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      clearTimeout(limit);
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, signal, stdout, stderr, ms: Number(process.hrtime.bigint() - started) / 1e6, killed: killed && !timedOut && signal === 'SIGKILL', timedOut, json });
    });
  });
}

/** Fails with the run's output when it did not exit 0. */
export function expectOk(r: Run, what: string): void {
  if (r.timedOut) throw new Error(`${what} was still running after ${Math.round(r.ms / 1000)} s (a lock never released?):\n${r.stderr}`);
  if (r.code !== 0) throw new Error(`${what} exited ${r.code ?? r.signal}:\n${r.stderr}\n${r.stdout.slice(0, 2000)}`);
}

// ------------------------------------------------------------------ checks shared by the scenarios

/** SQLite's own check of the file (every page, index and constraint), and foreign keys. */
export async function sqliteIntact(db: Db): Promise<void> {
  const integrity = (await db.raw('PRAGMA integrity_check')) as Array<{ integrity_check: string }>;
  const lines = integrity.map((r) => r.integrity_check);
  if (lines.join() !== 'ok') throw new Error(`PRAGMA integrity_check: ${lines.slice(0, 10).join('; ')}`);
  const fk = (await db.raw('PRAGMA foreign_key_check')) as unknown[];
  if (fk.length) throw new Error(`PRAGMA foreign_key_check: ${JSON.stringify(fk.slice(0, 5))}`);
}

export async function count(db: Knex, table: string, where?: (q: Knex.QueryBuilder) => void): Promise<number> {
  const q = db(table);
  if (where) where(q);
  const [row] = (await q.count({ n: '*' })) as Array<{ n: number | string }>;
  return Number(row.n);
}

/**
 * A table's rows as comparable data: columns that differ between equally good runs (ids, which
 * PostgreSQL's sequences do not give back on rollback; times; batch ids; hash-chain columns of the
 * audit log) dropped, booleans as 0/1, rows sorted.
 */
export async function rowsOf(db: Knex, table: string, keep?: string[]): Promise<string[]> {
  const rows = (await db(table).select(keep ?? '*')) as Array<Record<string, unknown>>;
  return rows
    .map((r) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) {
        if (/^(id|at|hash|prev_hash|actor)$|_id$|_at$|^batch/.test(k)) continue;
        out[k] = typeof v === 'boolean' ? Number(v) : typeof v === 'bigint' ? Number(v) : v;
      }
      return JSON.stringify(out);
    })
    .sort();
}

// ------------------------------------------------------------------ pool and ledger

/** Runs `tasks` with at most `jobs` at once; rejects with the first failure after all have settled. */
export async function pool<T>(jobs: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      try {
        results[i] = await tasks[i]();
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  if (errors.length) throw errors[0];
  return results;
}

export type State = 'none' | 'all';

export interface LedgerEntry {
  scenario: string;
  command: string;
  backend: Backend;
  point: number;
  /** 'time': killed at a seeded moment; 'stdout': killed on its first output (after the commit) */
  trigger: 'time' | 'stdout';
  killAtMs: number;
  /** 'killed': SIGKILL ended it; 'exited': it had finished before the kill time */
  outcome: 'killed' | 'exited';
  runMs: number;
  state: State;
  rerunMs: number;
  thirdRun: boolean;
}

export const ledger: LedgerEntry[] = [];
export const reference = new Map<string, number>();

/** The ledger as a table per scenario and one line per kill point (the closing note). */
export function ledgerSummary(): string {
  const lines: string[] = [];
  const scenarios = [...new Set(ledger.map((e) => e.scenario))];
  lines.push(`\n[yiye faults] seed ${SEED}, ${KILLS} seeded kill points per command and backend, and one on the first output`);
  lines.push('| command | backend | uninterrupted run ms | kill points | killed | exited first | state none | state all | killed after commit | kill times ms (state) |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const s of scenarios) {
    const es = ledger.filter((e) => e.scenario === s).sort((a, b) => a.killAtMs - b.killAtMs);
    const killed = es.filter((e) => e.outcome === 'killed');
    const times = es.map((e) => `${Math.round(e.killAtMs)}${e.outcome === 'exited' ? 'x' : ''}${e.trigger === 'stdout' ? 's' : ''}(${e.state === 'all' ? 'A' : 'N'})`).join(' ');
    lines.push(
      `| ${es[0].command} | ${es[0].backend} | ${Math.round(reference.get(s) ?? 0)} | ${es.length} | ${killed.length} | ${es.length - killed.length} | ${es.filter((e) => e.state === 'none').length} | ${es.filter((e) => e.state === 'all').length} | ${killed.filter((e) => e.state === 'all').length} | ${times} |`,
    );
  }
  lines.push('(N = database held none of the batch, A = all of it; x = the process had exited before its kill time; s = killed on its first output, after the commit)');
  return lines.join('\n');
}

export function writeLedgerFile(): void {
  const file = process.env.YIYE_FAULTS_LEDGER;
  if (file) fs.writeFileSync(file, JSON.stringify({ seed: SEED, kills: KILLS, reference: Object.fromEntries(reference), ledger }, null, 2));
}

/**
 * Kill moments as fractions of the uninterrupted run, spread over [0, 1.1]: one per equal slice, at
 * a seeded place in its slice, so that every part of the run — start-up, reading, writing, the
 * commit, the exit — gets kill points whatever the seed. The suite multiplies them by the median
 * of the complete runs seen so far, which follows the machine's load as the suite goes on.
 */
export function killFractions(label: string, n: number): number[] {
  const r = rngFor(`kill-times:${label}`);
  return Array.from({ length: n }, (_, k) => ((k + r()) / n) * 1.1);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Runs `fn` on its own connection to `url`, closed afterwards. */
export async function withDb<T>(url: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = connect(url);
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}
