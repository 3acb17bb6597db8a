import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importCatalog } from '../../src/catalog/service';
import { readMarker, readZipEntry } from '../../src/guide/marker';
import { backends } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { PUDONG_BASE, freshWorkspace } from '../helpers/workspace';

const tmp = () => fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'guide-cli-'));

describe.each(backends())('yiye guide on %s', (backend) => {
  let url: string;
  beforeAll(async () => {
    const ws = await freshWorkspace(backend);
    url = ws.url;
    await importCatalog(ws.db, PUDONG_BASE, { actor: 'test' });
    await ws.db.destroy();
  });

  it('generate --json lists the files written; check finds them current (exit 0)', async () => {
    const out = tmp();
    const r = await yiye(['guide', 'generate', '--db', url, '--industry', '便利店', '--type', 'guide', '--type', 'form', '--out', out, '--date', '2021-03-01', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json.files.map((f: { path: string }) => path.relative(out, f.path)).sort()).toEqual(
      ['form.docx', 'form.html', 'form.md', 'guide.docx', 'guide.html', 'guide.md'].map((f) => path.join('便利店', f)),
    );
    expect(r.json).toMatchObject({ industries: 1, date: '2021-03-01', warnings: [] });
    const check = await yiye(['guide', 'check', out, '--db', url, '--json']);
    expect(check.code).toBe(0);
    expect(check.json).toEqual({ stale: [], current: 6, unmarked: [] });
  });

  // the worker pool does not touch the database: once is enough
  (backend === 'sqlite' ? it : it.skip)('builds many Word files in worker threads, each with its own content and marker', async () => {
    const out = tmp();
    const r = await yiye(['guide', 'generate', '--db', url, '--all', '--type', 'notice', '--format', 'docx', '--out', out, '--date', '2021-03-01', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.files).toHaveLength(31);
    for (const industry of ['酒吧', '旅行社']) {
      const file = path.join(out, industry, 'notice.docx');
      expect(await readMarker(file)).toMatchObject({ industry, type: 'notice' });
      expect(await readZipEntry(file, 'word/document.xml')).toContain(`${industry}行业综合许可一次告知单`);
    }
  });

  it('metrics --json gives one row per industry in the issue\'s shape', async () => {
    const r = await yiye(['guide', 'metrics', '--db', url, '--json']);
    expect(r.code).toBe(0);
    expect(r.json).toHaveLength(31);
    for (const row of r.json) {
      for (const k of ['industry', 'matters', 'materialsBefore', 'materialsAfter', 'serialDays', 'parallelDays', 'inspectionsBefore', 'inspectionsAfter']) expect(row).toHaveProperty(k);
      expect(row.materialsAfter).toBeLessThanOrEqual(row.materialsBefore);
      expect(row.parallelDays).toBeLessThanOrEqual(row.serialDays);
    }
    const human = await yiye(['guide', 'metrics', '--db', url, '--industry', '便利店']);
    expect(human.stdout).toContain('便利店  5项  24→18份');
  });

  it('refuses a missing selection (exit 2), an unknown industry (exit 3) and a broken template (exit 3, file and line)', async () => {
    const out = tmp();
    const none = await yiye(['guide', 'generate', '--db', url, '--out', out, '--json']);
    expect(none.code).toBe(2);
    const unknown = await yiye(['guide', 'generate', '--db', url, '--industry', '水上乐园', '--out', out, '--json']);
    expect(unknown.code).toBe(3);
    expect(unknown.json.error.message).toContain('水上乐园');
    const tpl = tmp();
    fs.writeFileSync(path.join(tpl, 'rules.hbs'), '# 细则\n\n{{#each active}}\n{{name}\n{{/each}}\n');
    const broken = await yiye(['guide', 'generate', '--db', url, '--all', '--templates', tpl, '--out', out]);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toContain(`模板 ${path.join(tpl, 'rules.hbs')} 第 4 行：语法错误`);
    expect(broken.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('check exits 3 and lists stale documents after the catalog changes', async () => {
    const ws = await freshWorkspace(backend);
    await importCatalog(ws.db, PUDONG_BASE, { actor: 'test' });
    const out = tmp();
    const gen = await yiye(['guide', 'generate', '--db', ws.url, '--industry', '超市', '--format', 'md', '--out', out, '--json']);
    expect(gen.code).toBe(0);
    await ws.db('matters').where({ name: '户外招牌设置审批' }).update({ legal_basis: '《上海市市容环境卫生管理条例》第十七条（修订）' });
    await ws.db.destroy();
    const r = await yiye(['guide', 'check', out, '--db', ws.url, '--json']);
    expect(r.code).toBe(3);
    expect(r.json.current).toBe(0);
    expect(r.json.stale).toHaveLength(5);
    expect(r.json.stale[0]).toMatchObject({ industry: '超市', file: path.join('超市', 'form.md') });
  });
});
