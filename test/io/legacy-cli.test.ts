/**
 * Issue 17's acceptance: the pudong catalog saved as .xls and as .ods by LibreOffice
 * (fixtures/make-legacy-fixtures.sh) imports through the real CLI with the same counts and the same
 * catalog as the .xlsx, on SQLite and PostgreSQL; and the other imports (tasks, licence
 * applications) take an .xls too, since they all read through readRows.
 */
import path from 'node:path';
import { yiye } from '../helpers/cli';
import { backends, type Backend } from '../helpers/db';
import { catalogSnapshot, freshWorkspace, pudong } from '../helpers/workspace';
import { licenseWorkspace } from '../license/helpers';

const LEGACY = path.resolve(__dirname, '../../fixtures/catalog/legacy');
const WORKBOOKS = ['附件1-试点行业清单', '附件2-事项目录', '便利店-综合目录'];
const LINKS_CSV = pudong('附件3-行业事项对应表.csv');

function filesOf(ext: 'xlsx' | 'xls' | 'ods'): string[] {
  return [...WORKBOOKS.map((n) => (ext === 'xlsx' ? pudong(`${n}.xlsx`) : path.join(LEGACY, `${n}.${ext}`))), LINKS_CSV];
}

/** The import's --json result without what names the files (their extensions differ). */
function counts(json: Record<string, unknown>): unknown {
  return JSON.parse(JSON.stringify(json, (k, v) => (k === 'file' || k === 'files' || k === 'name' || k === 'sha256' || k === 'path' || k === 'importId' ? undefined : v)));
}

describe.each(backends())('legacy workbooks through `catalog import` on %s', (backend: Backend) => {
  const results: Record<string, { code: number; stderr: string; json: Record<string, unknown>; snapshot: Record<string, unknown[]>; list: unknown }> = {};

  beforeAll(async () => {
    for (const ext of ['xlsx', 'xls', 'ods'] as const) {
      const { url, db } = await freshWorkspace(backend);
      try {
        const run = await yiye(['catalog', 'import', ...filesOf(ext), '--db', url, '--json']);
        const list = await yiye(['catalog', 'list', '--db', url, '--json']);
        results[ext] = { code: run.code, stderr: run.stderr, json: run.json, snapshot: await catalogSnapshot(db), list: list.json };
      } finally {
        await db.destroy();
      }
    }
  }, 180_000);

  test('the .xlsx import is the reference: it succeeds and fills the catalog', () => {
    expect(results.xlsx.stderr).toBe('');
    expect(results.xlsx.code).toBe(0);
    expect(results.xlsx.snapshot.matters.length).toBeGreaterThan(10);
  });

  test.each(['xls', 'ods'])('.%s: same counts, same catalog rows, same listing', (ext) => {
    const r = results[ext];
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(counts(r.json)).toEqual(counts(results.xlsx.json));
    expect(r.snapshot).toEqual(results.xlsx.snapshot);
    expect(r.list).toEqual(results.xlsx.list);
  });
});

const ROOT = path.resolve(__dirname, '../..');

describe.each(backends())('an .xls task sheet, progress return and licence batch on %s', (backend: Backend) => {
  const runs: Record<string, Record<string, { code: number; stderr: string; json: Record<string, unknown> }>> = {};

  beforeAll(async () => {
    for (const ext of ['xlsx', 'xls'] as const) {
      const src = (dir: string, name: string) => (ext === 'xlsx' ? path.join(ROOT, dir, `${name}.xlsx`) : path.join(LEGACY, `${name}.xls`));
      const ws = await licenseWorkspace(backend);
      try {
        const db = ['--db', ws.url, '--json'];
        runs[ext] = {
          tasks: await yiye(['tasks', 'import', src('fixtures/tasks', '2021年工作台账'), ...db]),
          update: await yiye(['tasks', 'update', src('fixtures/tasks/updates', '进展反馈-2021-05'), ...db]),
          issue: await yiye(['license', 'issue', src('fixtures/license', '发证申请-2026-03-15'), '--date', '2026-03-15', ...db]),
        };
      } finally {
        await ws.db.destroy();
      }
    }
  }, 180_000);

  test.each(['tasks', 'update', 'issue'])('%s: the .xls gives the .xlsx result', (what) => {
    const xlsx = runs.xlsx[what];
    const xls = runs.xls[what];
    expect(xlsx.code).toBe(0);
    expect(xls.stderr).toBe('');
    expect(xls.code).toBe(0);
    expect(counts(xls.json)).toEqual(counts(xlsx.json));
    if (what === 'issue') expect((xls.json.issued as unknown[]).length).toBe(10);
  });
});
