/**
 * The hostile-input corpus (fixtures/bad/expected.json) through the real CLI: every file is refused
 * with exit code 3, its error code and Chinese message, no stack trace, and not one row written — on
 * SQLite and on PostgreSQL. The readers are shared, so the files marked for it are also fed to the
 * other import commands (a truncated .xlsx to every one of them: IMPORT_COMMANDS). Files that must
 * be accepted are imported and checked.
 *
 * The CLI runs are independent, so they are started together (a few at a time) in beforeAll and each
 * test asserts on its own run. SQLite gets a copy of one initialised workspace per run (concurrent
 * writers on one file would only test locking); PostgreSQL shares one database, which every
 * refused run must leave exactly as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { yiye, type CliRun } from '../helpers/cli';
import { backends, type Backend } from '../helpers/db';
import { freshWorkspace, PUDONG_BASE } from '../helpers/workspace';
import { connect } from '../../src/db';
import { importCatalog } from '../../src/catalog/import';
import { writeGeneratedFixtures, type BadFixture } from '../../fixtures/make-bad-fixtures';
import { BAD, corpus, pool, scratch, STACK_FRAME, tableCounts } from './helpers';

const { files } = corpus();
const rejected = files.filter((f) => f.outcome === 'reject');
const PARALLEL = 3;
/**
 * On PostgreSQL: a file for each kind of refusal (broken, too large, too long, mojibake, rows
 * rejected). Each runs inside the import's transaction (its import_log row is written first), so
 * each proves the rollback; SQLite runs every file.
 */
const PG_FILES = new Set(['truncated.xlsx', 'truncated.xls', 'encrypted.xls', 'zip-bomb.xlsx', 'cell-10mb.xlsx', 'mojibake-fffd.csv', 'formulas-errors.xlsx', 'negative-limits.xlsx']);


interface Case {
  fixture: BadFixture;
  command: BadFixture['commands'][number];
}

/** Where a corpus file is: committed, or written for this run. */
function locate(generated: Record<string, string>, f: BadFixture): string {
  return f.generated ? generated[f.file] : path.join(BAD, f.file);
}

test('expected.json lists every file in fixtures/bad and the committed corpus stays under 2 MB', () => {
  const onDisk = fs.readdirSync(BAD).filter((n) => n !== 'expected.json' && n !== 'README.md');
  expect(onDisk.sort()).toEqual(files.filter((f) => !f.generated).map((f) => f.file).sort());
  const total = onDisk.reduce((n, f) => n + fs.statSync(path.join(BAD, f)).size, 0);
  expect(total).toBeLessThan(2 * 1024 * 1024);
  const readme = fs.readFileSync(path.join(BAD, 'README.md'), 'utf8');
  for (const f of files) expect(readme).toContain(`\`${f.file}\``);
});

describe.each(backends())('hostile corpus on %s', (backend: Backend) => {
  // SQLite checks every command; PostgreSQL the catalog import of every file (the readers refuse
  // before the backend matters, the transaction is what differs)
  const cases: Case[] =
    backend === 'sqlite'
      ? rejected.flatMap((fixture) => fixture.commands.map((command) => ({ fixture, command })))
      : rejected.filter((f) => PG_FILES.has(f.file)).map((fixture) => ({ fixture, command: 'catalog import' as const }));
  const runs = new Map<string, { run: CliRun; before: Record<string, number>; after: Record<string, number> }>();
  const key = (c: Case) => `${c.command}\u0000${c.fixture.file}`;

  beforeAll(async () => {
    const generated = writeGeneratedFixtures(scratch('bad-gen-'));
    const template = await freshWorkspace(backend);
    // a catalog in place: `license issue` needs one, and "unchanged" means more with rows to lose
    await importCatalog(template.db, PUDONG_BASE);
    const before = await tableCounts(template.db);
    await template.db.destroy();

    if (backend === 'postgres') {
      const results = await pool(cases, PARALLEL, (c) => yiye([...c.command.split(' '), locate(generated, c.fixture), '--db', template.url, '--json']));
      const db = connect(template.url);
      const after = await tableCounts(db);
      await db.destroy();
      cases.forEach((c, i) => runs.set(key(c), { run: results[i], before, after }));
      return;
    }
    // one copy of the initialised SQLite workspace (and its key file) per run
    const templateDir = path.dirname(template.url);
    await pool(cases, PARALLEL, async (c) => {
      const dir = scratch('bad-ws-');
      fs.cpSync(templateDir, dir, { recursive: true });
      const url = path.join(dir, path.basename(template.url));
      const run = await yiye([...c.command.split(' '), locate(generated, c.fixture), '--db', url, '--json']);
      const db = connect(url);
      const after = await tableCounts(db);
      await db.destroy();
      runs.set(key(c), { run, before, after });
    });
  }, 420_000);

  test('error cells are named row by row (file, sheet, row, column), the first in the message', () => {
    const { run } = runs.get(key({ fixture: rejected.find((f) => f.file === 'formulas-errors.xlsx')!, command: 'catalog import' }))!;
    expect(run.json.error.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'formulas-errors.xlsx', sheet: '事项目录', row: 3, columnLetter: 'B', message: expect.stringContaining('#N/A') }),
        expect.objectContaining({ file: 'formulas-errors.xlsx', sheet: '事项目录', row: 4, columnLetter: 'G', message: expect.stringContaining('#REF!') }),
      ]),
    );
  });

  test.each(cases.map((c) => [c.command, c.fixture.file, c] as const))('%s %s → refused, nothing written', (_cmd, _file, c) => {
    const { run, before, after } = runs.get(key(c))!;
    const output = run.stdout + run.stderr;
    expect(output).not.toMatch(STACK_FRAME);
    expect(run.json?.error).toMatchObject({ code: c.fixture.code, exitCode: 3 });
    expect(run.json.error.message).toContain(c.fixture.message);
    expect(run.json.error.hint).toEqual(expect.any(String));
    expect(run.code).toBe(3);
    expect(after).toEqual(before);
  });
});

describe('hostile corpus: the human-readable refusal (sqlite)', () => {
  test('Chinese message and hint on stderr, no stack trace, nothing on stdout', async () => {
    const { url, db } = await freshWorkspace('sqlite');
    await db.destroy();
    const run = await yiye(['catalog', 'import', path.join(BAD, 'mojibake-utf8-as-gbk.csv'), '--db', url]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^错误：.+\n提示：.+\n$/s);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    // mojibake that can be read back says what the text was
    expect(run.stderr).toMatch(/内容是乱码（如“.+”，原文应为“[\u4e00-\u9fff]/);
  });
});

describe('hostile corpus: files that must be accepted (sqlite)', () => {
  test('formula cells import as their cached values; empty formatted cells out to XFD are ignored', async () => {
    const { url, db } = await freshWorkspace('sqlite');
    try {
      const formulas = await yiye(['catalog', 'import', path.join(BAD, 'formulas-cached.xlsx'), '--db', url, '--json']);
      expect(formulas.code).toBe(0);
      const matters = await db('matters').orderBy('name').select('name', 'reform_mode', 'legal_limit_days', 'committed_limit_days');
      expect(matters).toEqual([
        { name: '酒类商品零售许可', reform_mode: '优化审批服务', legal_limit_days: 20, committed_limit_days: 5 },
        { name: '食品经营许可', reform_mode: '实行告知承诺', legal_limit_days: 20, committed_limit_days: 10 },
      ]);
      const wide = await yiye(['catalog', 'import', path.join(BAD, 'columns-xfd-formatting.xlsx'), '--db', url, '--json']);
      expect(wide.code).toBe(0);
      expect(wide.json.matters).toMatchObject({ inserted: 0, updated: 0 });
    } finally {
      await db.destroy();
    }
  });

  test('a file is read as what its bytes are: an .xlsx named .csv or .xls, an HTML table named .xls', async () => {
    for (const file of ['xlsx-named.csv', 'xlsx-named.xls', 'html-named.xls']) {
      const { url, db } = await freshWorkspace('sqlite');
      try {
        const run = await yiye(['catalog', 'import', path.join(BAD, file), '--db', url, '--json']);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        const matters = await db('matters').orderBy('name').select('name', 'reform_mode', 'legal_limit_days', 'committed_limit_days');
        expect(matters).toEqual([
          { name: '酒类商品零售许可', reform_mode: '优化审批服务', legal_limit_days: 20, committed_limit_days: 5 },
          { name: '食品经营许可', reform_mode: '实行告知承诺', legal_limit_days: 20, committed_limit_days: 10 },
        ]);
      } finally {
        await db.destroy();
      }
    }
  });
});
