/**
 * names-injection.xlsx: names carrying <script>, {{…}}, =HYPERLINK(…), + - @ formulas, "../../" and
 * Windows device names are accepted as names — they are only text — and every output keeps them
 * text: HTML-escaped, never run as a template, never a formula in an exported spreadsheet, never a
 * path outside --out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { yiye } from '../helpers/cli';
import { freshWorkspace } from '../helpers/workspace';
import { loadExcelJS } from '../../src/io/exceljs';
import { BAD, corpus, scratch, STACK_FRAME } from './helpers';

const { injected } = corpus();

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const FORMULA_START = /^[=+\-@\t\r]/;

describe('names-injection.xlsx (sqlite)', () => {
  let root: string;
  let out: string;
  let written: string[];
  let dbFiles: string[];
  let exported: string;

  beforeAll(async () => {
    root = scratch('inject-');
    const { url, db } = await freshWorkspace('sqlite');
    await db.destroy();
    dbFiles = walk(path.dirname(url));
    // the commands run in <root>/work: a name that climbed out of --out would land in work/ or root/
    const work = path.join(root, 'work');
    fs.mkdirSync(work);
    out = path.join(work, 'out');
    const imported = await yiye(['catalog', 'import', path.join(BAD, 'names-injection.xlsx'), '--db', url, '--json'], { cwd: work });
    expect(imported.code).toBe(0);
    expect(imported.json.industries.inserted).toBe(injected.industries.length);
    expect(imported.json.matters.inserted).toBe(injected.matters.length);
    const generated = await yiye(['guide', 'generate', '--all', '--format', 'md', '--format', 'html', '--format', 'docx', '--out', 'out', '--date', '2021-03-31', '--db', url, '--json'], {
      cwd: work,
    });
    expect(generated.stdout + generated.stderr).not.toMatch(STACK_FRAME);
    expect(generated.code).toBe(0);
    exported = path.join(out, '目录导出.xlsx');
    const exportRun = await yiye(['catalog', 'export', exported, '--db', url, '--json'], { cwd: work });
    expect(exportRun.code).toBe(0);
    written = walk(root);
  }, 120_000);

  test('every file written is inside --out; "../../" and CON became plain folder names', () => {
    const outside = written.filter((f) => !f.startsWith(out + path.sep));
    expect(outside).toEqual([]);
    expect(walk(path.dirname(dbFiles[0])).sort()).toEqual(dbFiles.sort());
    const folders = fs.readdirSync(out).filter((n) => fs.statSync(path.join(out, n)).isDirectory());
    expect(folders).toHaveLength(injected.industries.length);
    for (const f of folders) {
      expect(f).not.toMatch(/[/\\]|\.\.|^(con|prn|aux|nul)$/i);
      expect(path.resolve(out, f).startsWith(out + path.sep)).toBe(true);
    }
    expect(folders.some((f) => f.includes('逃逸药店'))).toBe(true);
  });

  test('HTML: the markup in names is escaped, never live', () => {
    const html = written.filter((f) => f.endsWith('.html'));
    expect(html.length).toBeGreaterThanOrEqual(injected.industries.length);
    const all = html.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    for (const live of ['<script>alert', '<img src=x', '<iframe', '<b>营业执照']) expect(all).not.toContain(live);
    expect(all).toContain('&lt;script&gt;alert(');
    expect(all).toContain('&lt;iframe src=');
    // the one <script> an HTML file may have is none at all: the guides are static documents
    expect(all).not.toMatch(/<script/i);
  });

  test('{{…}} in a name is printed as typed, never run as a template', () => {
    const texts = written.filter((f) => f.endsWith('.html') || f.endsWith('.md')).map((f) => fs.readFileSync(f, 'utf8'));
    const joined = texts.join('\n');
    expect(joined).toContain('{{#each this}}{{this}}{{/each}}餐饮店');
    expect(joined).toContain('{{constructor.constructor(');
    expect(joined).toContain('{{material}}');
    // had it run, the template would have printed the process object or the list it walked
    expect(joined).not.toMatch(/\[object (Object|process)\]|function Function/);
  });

  test('docx: names are text runs, not markup', async () => {
    const docx = written.filter((f) => f.endsWith('.docx'));
    expect(docx.length).toBeGreaterThanOrEqual(injected.industries.length);
    const mammoth = await import('mammoth');
    // the documents of the two industries whose names carry markup and a template
    const picked = docx.filter((f) => /便利店|餐饮店/.test(path.basename(path.dirname(f))));
    expect(picked.length).toBeGreaterThanOrEqual(2);
    const text = (await Promise.all(picked.map((f) => mammoth.extractRawText({ path: f })))).map((r) => r.value).join('\n');
    expect(text).toContain('<script>alert("行业")</script>便利店');
    expect(text).toContain('{{#each this}}{{this}}{{/each}}餐饮店');
  });

  test('catalog export: no cell is a formula, every = + - @ text keeps a leading quote', async () => {
    const ExcelJS = loadExcelJS();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(exported);
    const texts: string[] = [];
    wb.eachSheet((ws) =>
      ws.eachRow((row) =>
        row.eachCell((cell) => {
          expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
          if (typeof cell.value === 'string') texts.push(cell.value);
        }),
      ),
    );
    expect(texts.filter((t) => FORMULA_START.test(t))).toEqual([]);
    expect(texts).toContain(`'${injected.industries[2]}`);
    expect(texts).toContain(`'=1+1`);
    expect(texts).toContain(`'+SUM(A1:A9)许可`);
    expect(texts).toContain(`'-2+3许可`);
    expect(texts).toContain(`'@SUM(1)许可`);
  });
});
