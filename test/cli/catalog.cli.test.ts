import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backends, freshDbUrl } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { PUDONG_BASE, bad } from '../helpers/workspace';

const INIT = ['--region', '310115', '--authority', '浦东新区人民政府'];

describe.each(backends())('yiye catalog commands on %s', (backend) => {
  let db: string;
  beforeAll(async () => {
    db = await freshDbUrl(backend);
    const init = await yiye(['init', '--db', db, ...INIT, '--json']);
    expect(init.code).toBe(0);
    expect(init.json).toMatchObject({ created: true, settings: { regionCode: '310115' } });
  });

  it('imports with --json, the documented shape, and re-imports with no change', async () => {
    const first = await yiye(['catalog', 'import', ...PUDONG_BASE, '--db', db, '--json']);
    expect(first.code).toBe(0);
    expect(first.json).toMatchObject({
      industries: { inserted: 31, updated: 0, unchanged: 0 },
      matters: { inserted: 31 },
      links: { inserted: 90 },
      materials: { inserted: 147 },
      errors: [],
    });
    const again = await yiye(['catalog', 'import', ...PUDONG_BASE, '--db', db]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/目录无变化/);
  });

  it('lists and shows with the documented JSON fields', async () => {
    const inds = await yiye(['catalog', 'list', 'industries', '--db', db, '--json']);
    expect(inds.code).toBe(0);
    expect(inds.json).toHaveLength(31);
    expect(Object.keys(inds.json[0])).toEqual(expect.arrayContaining(['code', 'name', 'leadDepartment', 'coDepartments', 'authority', 'targetDate', 'matterCount']));
    const ms = await yiye(['catalog', 'list', 'matters', '--industry', '便利店', '--db', db, '--json']);
    expect(ms.json.map((m: { name: string }) => m.name)).toContain('食品经营许可');
    expect(Object.keys(ms.json[0])).toEqual(
      expect.arrayContaining(['code', 'name', 'department', 'level', 'reformMode', 'legalBasis', 'legalLimitDays', 'committedLimitDays', 'onsiteInspection', 'commitment', 'materials']),
    );
    const show = await yiye(['catalog', 'show', '便利店', '--db', db]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/烟草专卖零售许可【销售卷烟的】/);
    // time limits in words, in the unit they were given
    expect(show.stdout).toMatch(/法定 (\d+ 个(工作日|自然日)|即办|—) \/ 承诺 (\d+ 个(工作日|自然日)|即办|—)/);
    expect(show.stdout).not.toMatch(/个工作日 个工作日|承诺 0 /);
    // --industry belongs to matters; for industries it is refused rather than silently ignored
    const wrong = await yiye(['catalog', 'list', 'industries', '--industry', '便利店', '--db', db]);
    expect([wrong.code, wrong.stderr]).toEqual([2, expect.stringMatching(/--industry 只用于 catalog list matters[\s\S]*yiye catalog show 便利店/)]);
  });

  it('a rejected batch exits 3 with the error object on stdout and no stack trace', async () => {
    const res = await yiye(['catalog', 'import', bad('bad-reform-mode.xlsx'), '--db', db, '--json']);
    expect(res.code).toBe(3);
    expect(res.json.error).toMatchObject({ code: 'INPUT_REJECTED', exitCode: 3 });
    expect(res.json.error.errors[0]).toMatchObject({ file: 'bad-reform-mode.xlsx', sheet: '事项目录', row: 6, column: '改革方式', columnLetter: 'H' });
    const human = await yiye(['catalog', 'import', bad('bad-reform-mode.xlsx'), '--db', db]);
    expect(human.code).toBe(3);
    expect(human.stderr).toMatch(/第 6 行，H列“改革方式”/);
    expect(human.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown industry is a clear not-found (exit 3)', async () => {
    const res = await yiye(['catalog', 'show', '水上乐园', '--db', db, '--json']);
    expect(res.code).toBe(3);
    expect(res.json.error.message).toMatch(/没有“水上乐园”/);
  });
});

describe('yiye CLI edges', () => {
  const dir = fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'cli-'));

  it('a missing workspace is a state conflict (exit 4) that says to run init', async () => {
    const res = await yiye(['catalog', 'list', 'industries', '--db', path.join(dir, 'none.db')]);
    expect(res.code).toBe(4);
    expect(res.stderr).toMatch(/yiye init/);
  });

  it('a bad flag is a usage error (exit 2)', async () => {
    const res = await yiye(['catalog', 'import', 'x.xlsx', '--kind', 'nonsense', '--json']);
    expect(res.code).toBe(2);
    expect(res.json.error.code).toBe('USAGE');
  });

  it('init refuses bad settings (exit 3) and differing settings on an existing workspace (exit 4)', async () => {
    const db = path.join(dir, 'ws.db');
    expect((await yiye(['init', '--db', db, '--region', '31011', '--authority', 'x'])).code).toBe(3);
    expect((await yiye(['init', '--db', db, ...INIT])).code).toBe(0);
    expect((await yiye(['init', '--db', db, ...INIT, '--json'])).json).toMatchObject({ created: false, updated: false });
    const conflict = await yiye(['init', '--db', db, '--region', '310107', '--authority', 'x']);
    expect(conflict.code).toBe(4);
    expect(conflict.stderr).toMatch(/--force/);
  });

  it('YIYE_DB selects the workspace and help is bilingual', async () => {
    const db = path.join(dir, 'env.db');
    expect((await yiye(['init', ...INIT], { env: { YIYE_DB: db } })).code).toBe(0);
    expect(fs.existsSync(db)).toBe(true);
    const help = await yiye(['catalog', 'import', '--help']);
    expect(help.stdout).toMatch(/导入/);
    expect(help.stdout).toMatch(/import catalogs/);
  });
});
