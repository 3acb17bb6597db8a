/**
 * One PostgreSQL shared by several offices, as the IT person runs it (issue 19), on the real embedded
 * server: setup mistakes and connection failures in Chinese with the fix and exit 4 (never 意外错误,
 * never the server's English); a read-only role checks files; a stalled batch holding the issuing
 * lock makes the next one give up within the budget; a connection killed mid-batch leaves nothing;
 * the private key found by its id whatever the host is called; passwords never printed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { knex, type Knex } from 'knex';
import { checkPgUrl, maskPgUrl, splitPgUrl, withoutPassword } from '../../src/db/url';
import { databaseError } from '../../src/cli/errors';
import { applicationName, readableApplicationName } from '../../src/db';
import { freshDbUrl } from '../helpers/db';
import { startYiye, yiye, type CliRun } from '../helpers/cli';
import { PUDONG_BASE } from '../helpers/workspace';
import { BATCH1, licenseWorkspace, OPS, tmpDir } from '../license/helpers';
import { issueBatch, ISSUE_INDUSTRIES } from '../faults/generate';

// every case spawns the CLI several times; on a loaded machine one spawn takes seconds
jest.setTimeout(180_000);

const pg = process.env.YIYE_TEST_PG !== '0';
const pgDescribe = pg ? describe : describe.skip;
const INIT = ['--region', '310115', '--authority', '浦东新区人民政府'];

/** No defect hint, no stack, no English sentence from the server or the driver. */
function expectChinese(r: CliRun): void {
  const out = `${r.stdout}\n${r.stderr}`;
  expect(out).not.toMatch(/意外错误|软件缺陷|at .*\.js:\d+/);
  expect(out).not.toMatch(/password authentication|does not exist|permission denied|Connection terminated|ECONNREFUSED|getaddrinfo|terminating connection|read-only transaction/);
}

const withUser = (url: string, user: string, password: string, database?: string) => {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  if (database) u.pathname = `/${database}`;
  return u.toString();
};

describe('postgres:// addresses with special characters', () => {
  it('masks the password whatever it holds, in the user part and in the query', () => {
    expect(maskPgUrl('postgres://u:p@ss#w%rd/x@db.example:5433/yiye')).toBe('postgres://u:***@db.example:5433/yiye');
    expect(maskPgUrl('postgresql://u:s3cret@h/yiye?sslmode=require&password=zz')).toBe('postgresql://u:***@h/yiye?sslmode=require&password=***');
    expect(maskPgUrl('postgres://h/yiye')).toBe('postgres://h/yiye');
    expect(maskPgUrl('postgres://u@h/yiye')).toBe('postgres://u@h/yiye');
    expect(withoutPassword('postgres://u:p@ss@h:5433/yiye?sslmode=require&password=x')).toBe('postgres://u@h:5433/yiye?sslmode=require');
    expect(splitPgUrl('postgres://u:a@b@h:6543/ye%20ye')).toMatchObject({ user: 'u', password: 'a@b', host: 'h', port: '6543', database: 'ye ye' });
  });

  it('refuses an unencoded @ # % in the password with the percent-encoding to use (exit 2)', () => {
    for (const [url, enc] of [
      ['postgres://u:p@ss@h/yiye', '%40'],
      ['postgres://u:pa#ss@h/yiye', '%23'],
      ['postgres://u:50%off@h/yiye', '%25'],
    ]) {
      let err: { exitCode?: number; message?: string; hint?: string } = {};
      try {
        checkPgUrl(url);
      } catch (e) {
        err = e as typeof err;
      }
      expect(err.exitCode).toBe(2);
      expect(err.hint).toContain(enc);
      expect(`${err.message}${err.hint}`).not.toMatch(/p@ss|pa#ss|50%off/);
    }
    expect(() => checkPgUrl('postgres://u:p%40ss%23@h/yiye')).not.toThrow();
  });

  it('names the session yiye + command + actor', () => {
    expect(applicationName(['license', 'issue', 'a.xlsx', '--actor', 'zhang3'])).toBe('yiye license issue zhang3');
    // the server shows a non-ASCII byte as \xNN and keeps 63 characters: a Chinese name is cut to fit
    expect(applicationName(['license', 'issue', 'a.xlsx', '--actor', '窗口张三'])).toBe('yiye license issue 窗口张');
    expect(applicationName(['db:status', '--actor=李四'])).toBe('yiye db status 李四');
    expect(applicationName(['license', 'issue', '--actor', '很'.repeat(40)])).toBe(`yiye license issue ${'很'.repeat(3)}`);
    expect(readableApplicationName('yiye license issue \\xe7\\xaa\\x97\\xe5\\x8f\\xa3')).toBe('yiye license issue 窗口');
  });

  it('maps SQLSTATEs and connection errors to exit 4 with a Chinese fix', () => {
    const t = { url: 'postgres://yiye:***@db/yiye', user: 'yiye', host: 'db', port: '5432', database: 'yiye' };
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ code: '28P01', message: 'password authentication failed for user "yiye"' }, 'DB_AUTH', /用户名或密码/],
      [{ code: '3D000', message: 'database "yiye" does not exist' }, 'DB_MISSING', /不存在/],
      [{ code: '42501', message: 'permission denied for schema public' }, 'DB_PERMISSION', /public 模式/],
      [{ code: '53100', message: 'could not extend file' }, 'DB_RESOURCES', /磁盘已满/],
      [{ code: '57P01', message: 'terminating connection due to administrator command' }, 'DB_CONNECTION_LOST', /连接中断/],
      [{ message: 'Connection terminated unexpectedly' }, 'DB_CONNECTION_LOST', /本批未写入任何内容/],
      [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'DB_UNREACHABLE', /无法连接/],
      [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND db' }, 'DB_UNREACHABLE', /找不到数据库服务器/],
      [{ message: 'The server does not support SSL connections' }, 'DB_TLS', /不支持加密连接/],
      [{ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' }, 'DB_TLS', /加密连接/],
    ];
    for (const [raw, code, message] of cases) {
      const e = databaseError(Object.assign(new Error(String(raw.message)), raw), t);
      expect(e).toMatchObject({ code, exitCode: 4, message: expect.stringMatching(message) });
    }
    expect(databaseError(Object.assign(new Error('x'), { code: '42501', message: 'permission denied for schema public' }), t)!.hint).toContain('GRANT USAGE, CREATE ON SCHEMA public TO "yiye"');
    const temp = databaseError(Object.assign(new Error('x'), { code: '42501', message: 'permission denied to create temporary tables in database "yiye"' }), t)!;
    expect(temp).toMatchObject({ code: 'DB_PERMISSION', message: expect.stringMatching(/临时表.*--dry-run/) });
    expect(temp.hint).toContain('GRANT TEMPORARY ON DATABASE');
    expect(databaseError(new Error('something else'), t)).toBeNull();
  });
});

pgDescribe('a shared PostgreSQL, as an IT person sets it up', () => {
  let admin: Knex;
  let url: string;
  let dbName: string;
  let keyFile: string;
  const suffix = randomBytes(4).toString('hex');
  const reader = `yiye_reader_${suffix}`;
  const clerk = `yiye_clerk_${suffix}`;
  const owner = `yiye_owner_${suffix}`;
  const PW = 'pw-Ab1';
  let dir: string;

  beforeAll(async () => {
    dir = tmpDir('shared-pg-');
    url = await freshDbUrl('postgres');
    dbName = new URL(url).pathname.slice(1);
    admin = knex({ client: 'pg', connection: url, pool: { min: 0, max: 2 } });
    const init = await yiye(['init', '--db', url, ...INIT, '--json']);
    expect(init.code).toBe(0);
    keyFile = init.json.keys.privateKeyFile;
    expect((await yiye(['catalog', 'import', ...PUDONG_BASE, '--db', url])).code).toBe(0);
    await admin.raw(`CREATE ROLE ${reader} LOGIN PASSWORD '${PW}'`);
    await admin.raw(`GRANT CONNECT ON DATABASE ${dbName} TO ${reader}`);
    await admin.raw(`GRANT USAGE ON SCHEMA public TO ${reader}`);
    await admin.raw(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${reader}`);
    await admin.raw(`CREATE ROLE ${clerk} LOGIN PASSWORD '${PW}'`);
    await admin.raw(`CREATE ROLE ${owner} LOGIN PASSWORD '${PW}'`);
  });
  afterAll(async () => {
    await admin.destroy();
  });

  it('wrong password → exit 4, Chinese, the password never printed', async () => {
    const bad = withUser(url, 'postgres', 'Wr0ng%40pw');
    for (const args of [['db', 'status'], ['license', 'list']]) {
      const r = await yiye([...args, '--db', bad]);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/用户名或密码不正确/);
      expect(r.stderr).not.toMatch(/Wr0ng/);
      expectChinese(r);
    }
    const json = await yiye(['db', 'status', '--db', bad, '--json']);
    expect(json.json.error).toMatchObject({ code: 'DB_AUTH', exitCode: 4, sqlstate: '28P01' });
    expect(json.stdout).not.toMatch(/Wr0ng/);
  });

  it('a misspelled database → exit 4 with the createdb command', async () => {
    const r = await yiye(['license', 'list', '--db', withUser(url, 'postgres', decodeURIComponent(new URL(url).password), `${dbName}_nope`)]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(new RegExp(`数据库“${dbName}_nope”不存在`));
    expect(r.stderr).toMatch(/createdb .* -O postgres/);
    expectChinese(r);
  });

  it('GRANT ALL ON DATABASE without rights on schema public (PostgreSQL ≥ 15) → exit 4 with the exact GRANT', async () => {
    const empty = await freshDbUrl('postgres');
    const name = new URL(empty).pathname.slice(1);
    await admin.raw(`GRANT ALL ON DATABASE ${name} TO ${owner}`);
    const version = Number((await admin.raw(`SELECT current_setting('server_version_num') AS n`)).rows[0].n);
    const r = await yiye(['init', '--db', withUser(empty, owner, PW), ...INIT, '--json']);
    if (version >= 150000) {
      expect(r.code).toBe(4);
      expect(r.json.error).toMatchObject({ code: 'DB_PERMISSION', sqlstate: '42501' });
      expect(r.json.error.hint).toContain(`GRANT USAGE, CREATE ON SCHEMA public TO "${owner}"`);
      expectChinese(r);
    }
  });

  it('nothing listening and an unknown host are the same exit code (4)', async () => {
    const refused = await yiye(['license', 'list', '--db', 'postgres://u:secret@127.0.0.1:1/yiye']);
    const unknown = await yiye(['license', 'list', '--db', 'postgres://u:secret@no-such-host.invalid/yiye']);
    for (const r of [refused, unknown]) {
      expect(r.code).toBe(4);
      expectChinese(r);
      expect(r.stderr).not.toContain('secret');
    }
    expect(refused.stderr).toMatch(/无法连接数据库/);
    expect(unknown.stderr).toMatch(/找不到数据库服务器“no-such-host.invalid”/);
    const hash = await yiye(['license', 'list', '--db', 'postgres://u:se#cret@127.0.0.1:1/yiye']);
    expect(hash.code).toBe(2);
    expect(hash.stderr).toMatch(/%23/);
    expect(hash.stderr).not.toContain('se#cret');
  });

  it('a read-only role runs every checking command, and writing says it has read rights only', async () => {
    const ro = withUser(url, reader, PW);
    const checks: string[][] = [
      ['db', 'status'],
      ['catalog', 'list', 'industries'],
      ['license', 'list'],
      ['license', 'expiring', '--within', '90'],
      ['license', 'issue', BATCH1, '--date', '2026-03-15', '--dry-run'],
      ['audit', 'verify'],
      ['tasks', 'list'],
      ['keys', 'export-public'],
      ['catalog', 'export', path.join(dir, 'ro-catalog.xlsx')],
      ['license', 'export', path.join(dir, 'ro-licences.csv')],
      ['report', 'progress', '--as-of', '2026-06-30', '--out', path.join(dir, 'ro-progress.xlsx')],
    ];
    for (const args of checks) {
      const r = await yiye([...args, '--db', ro, '--json']);
      expect([args.join(' '), r.code, r.json?.error?.message ?? '']).toEqual([args.join(' '), 0, '']);
    }
    const write = await yiye(['license', 'issue', BATCH1, '--date', '2026-03-15', '--db', ro, '--key-file', keyFile]);
    expect(write.code).toBe(4);
    expect(write.stderr).toMatch(/没有执行此操作所需的权限/);
    expect(write.stderr).toContain(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "${reader}"`);
    expectChinese(write);
  }, 300_000);

  it('a read-only role dry-runs every kind of batch on a scratch copy: the real run’s result, nothing written, no sequence touched', async () => {
    const ws = await licenseWorkspace('postgres');
    const wsDb = new URL(ws.url).pathname.slice(1);
    try {
      expect((await yiye(['license', 'issue', BATCH1, '--date', '2026-03-15', '--db', ws.url, '--key-file', ws.keyFile])).code).toBe(0);
      await ws.db.raw(`GRANT CONNECT ON DATABASE ${wsDb} TO ${reader}`);
      await ws.db.raw(`GRANT USAGE ON SCHEMA public TO ${reader}`);
      await ws.db.raw(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${reader}`);
      const ro = withUser(ws.url, reader, PW);
      const tables = (await ws.db('pg_tables').where({ schemaname: 'public' }).pluck('tablename')) as string[];
      const state = async () => {
        const counts: Record<string, number> = {};
        for (const t of tables.sort()) counts[t] = Number((await ws.db(t).count({ n: '*' }).first())!.n);
        const seqs = (await ws.db.raw(`SELECT sequencename AS name, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1`)).rows;
        return { counts, seqs, catalog: await ws.db('industries').orderBy('id').select('name', 'code'), licences: await ws.db('licenses').orderBy('id').select('number', 'status') };
      };
      // an industry list without codes: the import assigns codes (a settings counter) as the real run would
      const codeless = path.join(dir, 'codeless-industries.csv');
      fs.writeFileSync(codeless, '序号,试点行业,牵头部门\n1,社区团购自提点,区商务委\n2,共享自习室,区文化旅游局\n');
      const tasksFile = path.resolve(__dirname, '../../fixtures/tasks/2021年工作台账.xlsx');
      const updatesFile = path.resolve(__dirname, '../../fixtures/tasks/updates/进展反馈-2021-05.xlsx');
      const runs: Array<{ args: string[]; drop: string[]; says: Record<string, unknown> }> = [
        { args: ['catalog', 'import', codeless], drop: ['dryRun', 'committed'], says: { industries: { inserted: 2, updated: 0, unchanged: 0 } } },
        { args: ['license', 'apply', OPS, '--date', '2026-06-01', '--key-file', ws.keyFile], drop: ['dryRun', 'committed', 'batchId'], says: { applied: expect.arrayContaining([expect.objectContaining({ event: 'renew', version: 2 })]) } },
        { args: ['tasks', 'import', tasksFile], drop: ['dryRun', 'committed', 'sheets'], says: { counts: { inserted: 10, updated: 0, unchanged: 0 } } },
        { args: ['tasks', 'update', updatesFile], drop: ['dryRun', 'committed'], says: { updated: expect.any(Number), errors: [] } },
      ];
      const strip = (j: Record<string, unknown>, drop: string[]) => Object.fromEntries(Object.entries(j).filter(([k]) => !drop.includes(k)));
      for (const { args, drop, says } of runs) {
        const before = await state();
        const diff = args[0] === 'catalog' ? await yiye(['catalog', 'diff', args[2], '--db', ro, '--json']) : null;
        const dry = await yiye([...args, '--dry-run', '--db', ro, '--json']);
        expect([args.slice(0, 2).join(' '), dry.code, dry.json?.error?.message ?? '']).toEqual([args.slice(0, 2).join(' '), 0, '']);
        expect(dry.json).toMatchObject({ dryRun: true, ...says });
        expect(await state()).toEqual(before);
        // the real run (read-write) does exactly what the dry run said
        const real = await yiye([...args, '--db', ws.url, '--json']);
        expect(real.code).toBe(0);
        expect(strip(dry.json, drop)).toEqual(strip(real.json, drop));
        if (diff) {
          expect(diff.code).toBe(0);
          expect(diff.json.summary).toMatchObject({ industries: expect.objectContaining({ inserted: 2 }) });
        }
      }
      // an administrator revoked TEMPORARY: the dry run says exactly which right it needs
      await ws.db.raw(`REVOKE TEMPORARY ON DATABASE ${wsDb} FROM PUBLIC`);
      const refused = await yiye(['catalog', 'diff', codeless, '--db', ro, '--json']);
      expect(refused.code).toBe(4);
      expect(refused.json.error).toMatchObject({ code: 'DB_PERMISSION', sqlstate: '42501', hint: expect.stringContaining(`GRANT TEMPORARY ON DATABASE "${wsDb}" TO "${reader}"`) });
      expectChinese(refused);
    } finally {
      await ws.db.destroy();
    }
  }, 300_000);

  it('db status shows the key id, where it looks and whether this machine has it; backup hints name the file, the key and the version rule', async () => {
    const st = await yiye(['db', 'status', '--db', url, '--json']);
    expect(st.code).toBe(0);
    expect(st.json.key).toMatchObject({ keyId: expect.stringMatching(/^[0-9a-f]{16}$/), present: true, file: keyFile });
    expect(path.basename(keyFile)).toBe(`${st.json.key.keyId}.key.pem`);
    expect(st.json.postgres).toMatchObject({ serverMajor: expect.any(Number) });
    expect(st.stdout).not.toContain(decodeURIComponent(new URL(url).password));
    const text = await yiye(['db', 'status', '--db', url]);
    expect(text.stdout).toMatch(new RegExp(`签名密钥 ${st.json.key.keyId}：本机私钥在“${keyFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}”`));
    expect(text.stdout).toMatch(/pg_dump/);
    const backup = await yiye(['db', 'backup', 'office-2026-12-06.dump', '--db', url]);
    expect(backup.code).toBe(2);
    expect(backup.stderr).toContain(`--file="office-2026-12-06.dump" "postgres://postgres@127.0.0.1:${new URL(url).port}/${dbName}"`);
    expect(backup.stderr).toMatch(/签名私钥不在数据库中/);
    expect(backup.stderr).toMatch(/主版本须不低于服务器的主版本/);
    expect(backup.stderr).not.toContain(decodeURIComponent(new URL(url).password));
  });

  it('a key copied under its id-based name is found whatever the host is called; a missing one names the id and paths', async () => {
    const st = (await yiye(['db', 'status', '--db', url, '--json'])).json;
    const office = path.join(dir, 'office2-config');
    fs.mkdirSync(path.join(office, 'yiye', 'keys'), { recursive: true });
    const env = { XDG_CONFIG_HOME: office };
    const localhost = url.replace('127.0.0.1', 'localhost');
    const missing = await yiye(['license', 'issue', BATCH1, '--date', '2026-03-15', '--db', localhost, '--json'], { env });
    expect(missing.code).toBe(4);
    expect(missing.json.error.message).toContain(st.key.keyId);
    expect(missing.json.error.searched[0]).toBe(path.join(office, 'yiye', 'keys', `${st.key.keyId}.key.pem`));
    const before = await yiye(['db', 'status', '--db', localhost, '--json'], { env });
    expect(before.json.key).toMatchObject({ keyId: st.key.keyId, present: false });
    fs.copyFileSync(keyFile, path.join(office, 'yiye', 'keys', `${st.key.keyId}.key.pem`));
    fs.chmodSync(path.join(office, 'yiye', 'keys', `${st.key.keyId}.key.pem`), 0o600);
    const issued = await yiye(['license', 'issue', BATCH1, '--date', '2026-03-15', '--db', localhost, '--json'], { env });
    expect([issued.code, issued.json.error?.message ?? '']).toEqual([0, '']);
    expect(issued.json.issued.length).toBeGreaterThan(0);
    // the old host-as-typed name is still found
    const legacy = path.join(dir, 'legacy-config');
    fs.mkdirSync(path.join(legacy, 'yiye', 'keys'), { recursive: true });
    const u = new URL(url);
    const oldName = path.join(legacy, 'yiye', 'keys', `127.0.0.1_${u.port}_${dbName}.key.pem`);
    fs.copyFileSync(keyFile, oldName);
    fs.chmodSync(oldName, 0o600);
    const old = await yiye(['db', 'status', '--db', url, '--json'], { env: { XDG_CONFIG_HOME: legacy } });
    expect(old.json.key).toMatchObject({ present: true, file: oldName });
  }, 180_000);
});

const ISSUE_LOCK_KEY = 0x7969_7965;

/** util-linux `script` gives the CLI a terminal (stderr.isTTY), as a clerk's window has. */
const hasScript = spawnSync('script', ['--version']).status === 0;
function onTerminal(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const cmd = [process.execPath, path.resolve(__dirname, '../../bin/run.js'), ...args].map(quote).join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, CI: 'true', YIYE_DB: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out: out.replace(/\r/g, '') }));
  });
}

pgDescribe('batches on a shared PostgreSQL: bounded waits and lost connections', () => {
  let admin: Knex;
  let url: string;
  let keyFile: string;
  let dir: string;

  beforeAll(async () => {
    dir = tmpDir('pg-batches-');
    url = await freshDbUrl('postgres');
    admin = knex({ client: 'pg', connection: url, pool: { min: 0, max: 2 } });
    const init = await yiye(['init', '--db', url, ...INIT, '--json']);
    keyFile = init.json.keys.privateKeyFile;
    expect((await yiye(['catalog', 'import', ...PUDONG_BASE, '--db', url])).code).toBe(0);
  });
  afterAll(async () => {
    await admin.destroy();
  });

  const licences = async () => Number((await admin('licenses').count({ n: '*' }).first())!.n);
  /** The pid of the yiye backend holding the issuing lock, if any. */
  const lockHolderPid = async (): Promise<number | null> => {
    const r = await admin.raw(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = ? AND objsubid = 1`, [ISSUE_LOCK_KEY]);
    return r.rows[0]?.pid ?? null;
  };

  it('a stalled batch holding the issuing lock: the next gives up within the budget (exit 4, holder named, nothing written); the stalled one wrote nothing', async () => {
    const big = issueBatch(path.join(dir, 'big.csv'), 'STALL', 6000, (i) => 500_000 + i, (i) => ISSUE_INDUSTRIES[i % ISSUE_INDUSTRIES.length]);
    const small = issueBatch(path.join(dir, 'small.csv'), 'NEXT', 3, (i) => 900_000 + i, () => ISSUE_INDUSTRIES[0]);
    const first = startYiye(['license', 'issue', big.file, '--db', url, '--key-file', keyFile, '--date', '2026-05-01', '--actor', '窗口甲', '--json']);
    // stop it as soon as it holds the lock (a suspended laptop, a frozen terminal)
    let holder: number | null = null;
    let exited = false;
    void first.done.then(() => (exited = true));
    while (!holder && !exited) {
      holder = await lockHolderPid();
      if (!holder) await new Promise((r) => setTimeout(r, 5));
    }
    expect(exited).toBe(false); // 6000 rows take longer than finding the lock
    process.kill(first.child.pid!, 'SIGSTOP');
    try {
      const app = (await admin.raw('SELECT application_name FROM pg_stat_activity WHERE pid = ?', [holder])).rows[0].application_name;
      // the server escapes non-ASCII bytes (\xe7\xaa…); yiye reads them back
      expect(app).toMatch(/^yiye license issue \\x/);
      expect(readableApplicationName(app)).toBe('yiye license issue 窗口甲');
      const started = Date.now();
      const second = await yiye(['license', 'issue', small.file, '--db', url, '--key-file', keyFile, '--date', '2026-05-01', '--actor', '窗口乙', '--json'], { env: { YIYE_LOCK_WAIT: '3' } });
      const took = Date.now() - started;
      expect(second.code).toBe(4);
      expect(second.json.error).toMatchObject({ reason: 'LOCK_TIMEOUT', holder: { pid: holder, applicationName: 'yiye license issue 窗口甲' } });
      expect(second.json.error.message).toMatch(/另一个发证批次正在进行（由 yiye license issue 窗口甲 于 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d 开始/);
      expect(second.json.error.message).toMatch(/本批未写入任何内容/);
      expect(took).toBeGreaterThanOrEqual(3000);
      // it gave up once the budget was spent (its own clock: no slack for this machine's load needed)
      expect(second.json.error.waitedMs).toBeGreaterThanOrEqual(3000);
      expect(second.json.error.waitedMs).toBeLessThan(3000 + 10_000);
      expect(await lockHolderPid()).toBe(holder);
      // on a terminal the waiting batch says at once who it waits for
      if (hasScript) {
        const tty = await onTerminal(['license', 'issue', small.file, '--db', url, '--key-file', keyFile, '--date', '2026-05-01', '--actor', '窗口乙'], { YIYE_LOCK_WAIT: '2' });
        expect(tty.code).toBe(4);
        expect(tty.out).toMatch(/另一个发证批次正在进行（由 yiye license issue 窗口甲 于 [\d-]+ [\d:]+ 开始，进程号 \d+），等待其完成（最多 2 秒）/);
        expect(tty.out).toMatch(/错误：另一个发证批次正在进行.*本批未写入任何内容/);
        expect(tty.out).not.toMatch(/意外错误/);
      }
    } finally {
      process.kill(first.child.pid!, 'SIGKILL');
      process.kill(first.child.pid!, 'SIGCONT');
    }
    await first.done;
    // the killed client's session ends, its transaction rolls back, the lock is released
    for (let i = 0; i < 200 && (await lockHolderPid()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await lockHolderPid()).toBeNull();
    expect(await licences()).toBe(0);
    const again = await yiye(['license', 'issue', small.file, '--db', url, '--key-file', keyFile, '--date', '2026-05-01', '--json']);
    expect(again.code).toBe(0);
    expect(again.json.issued).toHaveLength(3);
  }, 240_000);

  it('the connection killed mid-batch (pg_terminate_backend, again on the retry) → exit 4, nothing written, and a clean re-run', async () => {
    await admin('licenses').count({ n: '*' }).first();
    const before = await licences();
    const batch = issueBatch(path.join(dir, 'killed.csv'), 'KILL', 3000, (i) => 700_000 + i, (i) => ISSUE_INDUSTRIES[i % ISSUE_INDUSTRIES.length]);
    const run = startYiye(['license', 'issue', batch.file, '--db', url, '--key-file', keyFile, '--date', '2026-05-01', '--actor', '窗口丙']);
    let exited = false;
    void run.done.then(() => (exited = true));
    let killedInBatch = 0;
    // every session that holds the issuing lock (the batch, and its retry) is ended by the "DBA"
    while (!exited) {
      const pid = await lockHolderPid();
      if (pid) {
        await admin.raw('SELECT pg_terminate_backend(?)', [pid]);
        killedInBatch++;
      } else await new Promise((r) => setTimeout(r, 5));
    }
    const r = await run.done;
    expect(killedInBatch).toBeGreaterThanOrEqual(1);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/连接中断，本批未写入任何内容，可直接重新运行/);
    expectChinese(r);
    expect(await licences()).toBe(before);
    const again = await yiye(['license', 'issue', batch.file, '--db', url, '--key-file', keyFile, '--date', '2026-05-01', '--json']);
    expect(again.code).toBe(0);
    expect(again.json.issued).toHaveLength(3000);
    expect(await licences()).toBe(before + 3000);
  }, 240_000);
});
